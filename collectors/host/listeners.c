/*
 * listeners.c - the "listeners" collector: what the host actually listens
 * on, for CIS 2.1.21 ("MTA in local-only mode").
 *
 * Each scrape:
 *   1. RTM_GETADDR dump -> facts->ifaddrs (not fatal if it fails);
 *   2. sock_diag dumps (AF_INET, AF_INET6; LISTEN only, the audited ports as
 *      a kernel filter) -> facts->listeners; if the kernel has no sock_diag
 *      (or MTA_EXPORTER_NO_SOCK_DIAG is set), <procfs>/net/tcp{,6} instead,
 *      with one warning per process lifetime;
 *   3. classification (listeners_is_loopback) and owner names (sockowner.c);
 *   4. metrics: mta_port_nonloopback_listening{port} for every audited port
 *      and mta_listener_info{port,address,process} per listening socket.
 * With --netlink.replay the dumps come from a file and process names are
 * left empty (the recorded inodes do not exist here).  Nothing is emitted
 * when the socket list is incomplete: the collector returns -1 instead.
 *
 * Interface: collector_listeners, plus the pure helpers in listeners.h.
 * Diagnostics: warnings name the dump or file that failed; an unreadable
 * /proc for process names is a debug message (sockowner.c).
 */
#include "collectors/host/listeners.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "collectors/host/netlink.h"
#include "collectors/host/procnet.h"
#include "collectors/host/sockowner.h"
#include "lib/fileio.h"
#include "lib/log.h"

#define PROCNET_MAX_BYTES (64u << 20)
#define IFNAME_SIZE 16

/* POSIX <net/if.h> cannot be included: glibc defines a struct ifaddr there. */
char *if_indextoname(unsigned int ifindex, char *ifname);

/* ---- pure helpers ----------------------------------------------------- */

static const struct {
	const char *name;
	uint16_t port;
} services[] = {
	{"smtp", 25},
	{"smtps", 465},
	{"submissions", 465},
	{"submission", 587},
};

int
listeners_service_port(const char *name)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcasecmp(name, services[i].name) == 0)
			return services[i].port;
	return -1;
}

int
listeners_parse_ports(const char *spec, uint16_t *out, size_t max,
		      size_t *n, char *err, size_t errlen)
{
	const char *p = spec;

	*n = 0;
	for (;;) {
		char tok[32];
		size_t len;
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		long port;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		len = (size_t)(end - p);
		if (len == 0) {
			snprintf(err, errlen, "empty port in \"%s\"", spec);
			return -1;
		}
		if (len >= sizeof(tok)) {
			snprintf(err, errlen, "port \"%.*s...\" too long", 16, p);
			return -1;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (strspn(tok, "0123456789") == len) {
			port = len <= 5 ? strtol(tok, NULL, 10) : 0;
			if (port < 1 || port > 65535) {
				snprintf(err, errlen, "port %s out of range 1-65535", tok);
				return -1;
			}
		} else if ((port = listeners_service_port(tok)) < 0) {
			snprintf(err, errlen,
				 "unknown service \"%s\" (use a number, smtp, submission, submissions or smtps)",
				 tok);
			return -1;
		}
		for (size_t i = 0; i < *n; i++)
			if (out[i] == port) {
				snprintf(err, errlen, "port %ld listed twice", port);
				return -1;
			}
		if (*n == max) {
			snprintf(err, errlen, "more than %zu ports", max);
			return -1;
		}
		out[(*n)++] = (uint16_t)port;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

bool
listeners_is_loopback(const struct listener *l)
{
	return l->ifindex == LISTENERS_LOOPBACK_IFINDEX || inaddr_is_loopback(&l->addr);
}

void
listeners_format_address(const struct listener *l, char *out, size_t outlen)
{
	char a[INADDR_STRLEN];

	inaddr_format(&l->addr, a, sizeof(a));
	if (l->ifindex == 0)
		snprintf(out, outlen, "%s", a);
	else if (l->ifname[0])
		snprintf(out, outlen, "%s%%%s", a, l->ifname);
	else
		snprintf(out, outlen, "%s%%if%u", a, (unsigned)l->ifindex);
}

static void
mask_to(struct inaddr *a, unsigned prefixlen)
{
	unsigned bits = inaddr_bits(a);

	for (unsigned i = prefixlen; i < bits; i++)
		a->a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

void
listeners_ifaddr_network(const struct ifaddr *ifa, enum listeners_net_style style,
			 struct inaddr *net, unsigned *prefixlen)
{
	*net = ifa->addr;
	*prefixlen = inaddr_bits(net);
	if (style == LISTENERS_NET_SUBNET ||
	    (style == LISTENERS_NET_CLASS && net->family == AF_INET6))
		*prefixlen = ifa->prefixlen;
	else if (style == LISTENERS_NET_CLASS) {
		uint8_t o = net->a[0];

		*prefixlen = o < 128 ? 8 : o < 192 ? 16 : o < 224 ? 24 : o < 240 ? 4 : 32;
	}
	if (*prefixlen > inaddr_bits(net))
		*prefixlen = inaddr_bits(net);
	mask_to(net, *prefixlen);
}

bool
listeners_ifaddr_loopback(const struct ifaddr *ifa)
{
	return inaddr_is_loopback(&ifa->addr);
}

const struct ifaddr *
listeners_ifaddr_find(const struct facts *f, const struct inaddr *a)
{
	struct inaddr u = inaddr_unmap(a);

	for (size_t i = 0; i < f->n_ifaddrs; i++) {
		struct inaddr v = inaddr_unmap(&f->ifaddrs[i].addr);

		if (inaddr_equal(&u, &v))
			return &f->ifaddrs[i];
	}
	return NULL;
}

/* ---- collector -------------------------------------------------------- */

static const char *flag_ports;
static const char *flag_record;
static const char *flag_replay;

static const struct collector_flag listeners_flags[] = {
	{"listeners.ports",
	 "TCP ports to audit: numbers or smtp, submission, submissions (smtps).",
	 "25,465,587", &flag_ports},
	{"netlink.record",
	 "Write the raw netlink dumps of each scrape to FILE (fixtures, bug reports).",
	 "", &flag_record},
	{"netlink.replay",
	 "Read the netlink dumps from FILE (made by --netlink.record) instead of the kernel.",
	 "", &flag_replay},
	{NULL, NULL, NULL, NULL},
};

static uint16_t audit_ports[LISTENERS_MAX_PORTS];
static size_t n_audit_ports;
static const char *procfs = "/proc";
static struct netlink_io nlio;
static struct sockowner *owner;
static bool warned_fallback;

static int
listeners_init(const struct collector_env *env)
{
	char err[256];
	const char *no_diag = getenv("MTA_EXPORTER_NO_SOCK_DIAG");

	if (listeners_parse_ports(flag_ports ? flag_ports : "", audit_ports,
				  LISTENERS_MAX_PORTS, &n_audit_ports, err, sizeof(err)) < 0) {
		log_error("invalid --listeners.ports", "err", err, NULL);
		return -1;
	}
	procfs = env && env->procfs ? env->procfs : "/proc";
	memset(&nlio, 0, sizeof(nlio));
	nlio.record_path = flag_record && *flag_record ? flag_record : NULL;
	nlio.replay_path = flag_replay && *flag_replay ? flag_replay : NULL;
	nlio.sock_diag_disabled = no_diag && *no_diag && strcmp(no_diag, "0") != 0;
	if (nlio.replay_path) {
		const void *sect;
		size_t len;
		char why[256];

		if (netlink_io_begin(&nlio, err, sizeof(err)) < 0) {
			log_error("cannot read --netlink.replay file", "err", err, NULL);
			return -1;
		}
		if (netlink_rec_find(nlio.replay, nlio.replay_len, NETLINK_DUMP_TCP4,
				     &sect, &len, why, sizeof(why)) < 0) {
			log_error("invalid --netlink.replay file", "file", nlio.replay_path,
				  "err", why, NULL);
			netlink_io_free(&nlio);
			return -1;
		}
		netlink_io_free(&nlio);
	}
	owner = sockowner_new();
	if (!owner) {
		log_error("out of memory", NULL);
		return -1;
	}
	return 0;
}

static void
listeners_fini(void)
{
	netlink_io_free(&nlio);
	sockowner_free(owner);
	owner = NULL;
}

static void
reset_sockets(void *data)
{
	struct netlink_sockets *s = data;

	s->n = s->ignored = s->overflow = 0;
	s->why[0] = '\0';
}

static void
reset_ifaddrs(void *data)
{
	struct netlink_ifaddrs *s = data;

	s->n = s->overflow = 0;
	s->why[0] = '\0';
}

/* Interface name of ifindex: the netlink label, else (live only) the kernel's. */
static void
ifname_of(const struct facts *f, uint32_t ifindex, char *out, size_t outlen)
{
	char buf[IFNAME_SIZE];

	out[0] = '\0';
	for (size_t i = 0; i < f->n_ifaddrs; i++)
		if (f->ifaddrs[i].ifindex == ifindex && f->ifaddrs[i].ifname[0]) {
			snprintf(out, outlen, "%s", f->ifaddrs[i].ifname);
			return;
		}
	if (!nlio.replay_path && if_indextoname(ifindex, buf))
		snprintf(out, outlen, "%s", buf);
}

static void
collect_ifaddrs(struct scrape_ctx *sc)
{
	struct facts *f = sc->facts;
	struct netlink_ifaddrs a = {0};
	char err[512];
	int r;

	a.v = arena_calloc(sc->arena, LISTENERS_MAX_IFADDRS, sizeof(*a.v));
	a.max = LISTENERS_MAX_IFADDRS;
	if (!a.v)
		return;
	r = netlink_dump(&nlio, NETLINK_DUMP_IFADDR, NULL, 0, netlink_cb_ifaddr,
			 reset_ifaddrs, &a, err, sizeof(err));
	if (r < 0) {
		log_warn("cannot list interface addresses", "err", err, NULL);
		return;
	}
	if (a.overflow) {
		log_warn("too many interface addresses; interface facts left out",
			 "limit", "1024", NULL);
		return;
	}
	f->ifaddrs = a.v;
	f->n_ifaddrs = a.n;
	for (size_t i = 0; i < a.n; i++)
		if (!a.v[i].ifname[0])
			ifname_of(f, a.v[i].ifindex, a.v[i].ifname, sizeof(a.v[i].ifname));
	f->ifaddrs_collected = true;
}

/* The /proc/net/tcp fallback; 0 or -1. */
static int
collect_procnet(struct listener *v, size_t max, size_t *n)
{
	static const struct {
		const char *file;
		int family;
	} files[] = {{"net/tcp", AF_INET}, {"net/tcp6", AF_INET6}};
	struct procnet_result res = {.v = v, .max = max};

	for (size_t i = 0; i < 2; i++) {
		char path[4096], err[256];
		char *data;
		size_t len;
		enum fileio_result fr;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", procfs, files[i].file) >= sizeof(path)) {
			log_warn("--path.procfs too long", NULL);
			return -1;
		}
		fr = fileio_read(NULL, path, PROCNET_MAX_BYTES, &data, &len, NULL, err, sizeof(err));
		if (fr == FILEIO_ABSENT && files[i].family == AF_INET6)
			continue;	/* no IPv6 in this kernel */
		if (fr != FILEIO_OK) {
			log_warn("cannot read the socket table", "file", path, "err", err, NULL);
			return -1;
		}
		procnet_parse(data, len, files[i].family, path, audit_ports,
			      n_audit_ports, &res);
		free(data);
	}
	if (res.overflow) {
		log_warn("too many listeners on the audited ports", "limit", "1024", NULL);
		return -1;
	}
	*n = res.n;
	return 0;
}

/* Sockets on the audited ports; 0 or -1. */
static int
collect_sockets(struct scrape_ctx *sc, struct listener *v, size_t *n)
{
	static const enum netlink_dump_kind kinds[] = {NETLINK_DUMP_TCP4, NETLINK_DUMP_TCP6};
	char err[512];

	*n = 0;
	for (size_t k = 0; k < 2; k++) {
		struct netlink_sockets s = {
			.v = v + *n, .max = LISTENERS_MAX - *n,
			.ports = audit_ports, .n_ports = n_audit_ports,
		};
		int r = netlink_dump(&nlio, kinds[k], audit_ports, n_audit_ports,
				     netlink_cb_diag, reset_sockets, &s, err, sizeof(err));

		if (r == NETLINK_UNAVAILABLE) {
			if (!warned_fallback)
				log_warn("sock_diag not available; reading /proc/net/tcp and tcp6 instead",
					 "err", err, NULL);
			else
				log_debug("sock_diag not available", "err", err, NULL);
			warned_fallback = true;
			return collect_procnet(v, LISTENERS_MAX, n);
		}
		if (r < 0) {
			log_warn("cannot list listening sockets", "dump",
				 netlink_dump_name(kinds[k]), "err", err, NULL);
			return -1;
		}
		if (s.overflow) {
			log_warn("too many listeners on the audited ports", "limit", "1024", NULL);
			return -1;
		}
		*n += s.n;
	}
	return 0;
}

static int
cmp_listener(const void *x, const void *y)
{
	const struct listener *a = x, *b = y;
	int c;

	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->addr.family != b->addr.family)
		return a->addr.family == AF_INET ? -1 : 1;
	if ((c = memcmp(a->addr.a, b->addr.a, 16)) != 0)
		return c;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return strcmp(a->process, b->process);
}

static void
emit(struct scrape_ctx *sc)
{
	const struct facts *f = sc->facts;
	struct metric_family *fp, *fi;
	char prev[LISTENERS_ADDRLEN + 32] = "";

	fp = metrics_family(sc->m, "mta_port_nonloopback_listening",
			    "1 if a TCP socket in LISTEN state on the port is bound to a non-loopback address (wildcards included), else 0.",
			    METRIC_GAUGE);
	for (size_t i = 0; i < f->n_ports; i++) {
		char port[8];
		bool exposed = false;

		for (size_t j = 0; j < f->n_listeners; j++)
			if (f->listeners[j].port == f->ports[i] && !f->listeners[j].loopback)
				exposed = true;
		snprintf(port, sizeof(port), "%u", (unsigned)f->ports[i]);
		metrics_add(fp, exposed ? 1 : 0, "port", port, NULL);
	}
	fi = metrics_family(sc->m, "mta_listener_info",
			    "A TCP socket listening on an audited port: address as bound, owning command.",
			    METRIC_INFO);
	for (size_t j = 0; j < f->n_listeners; j++) {
		const struct listener *l = &f->listeners[j];
		char port[8], addr[LISTENERS_ADDRLEN], key[sizeof(prev)];

		snprintf(port, sizeof(port), "%u", (unsigned)l->port);
		listeners_format_address(l, addr, sizeof(addr));
		/* SO_REUSEPORT groups give identical label sets: one series. */
		snprintf(key, sizeof(key), "%s|%s|%s", port, addr, l->process);
		if (strcmp(key, prev) == 0)
			continue;
		memcpy(prev, key, sizeof(prev));
		metrics_add(fi, 1, "port", port, "address", addr, "process", l->process, NULL);
	}
}

/* every listener kept can be given its owner's name */
_Static_assert(SOCKOWNER_CACHE >= LISTENERS_MAX, "sockowner cache smaller than LISTENERS_MAX");

static int
listeners_collect(struct scrape_ctx *sc)
{
	struct facts *f = sc->facts;
	struct listener *v;
	size_t n = 0;
	char err[512];
	int ret;

	f->ports = audit_ports;
	f->n_ports = n_audit_ports;
	f->listeners_replayed = nlio.replay_path != NULL;
	if (netlink_io_begin(&nlio, err, sizeof(err)) < 0) {
		log_warn("cannot read --netlink.replay file", "err", err, NULL);
		return -1;
	}
	collect_ifaddrs(sc);
	v = arena_calloc(sc->arena, LISTENERS_MAX, sizeof(*v));
	ret = v ? collect_sockets(sc, v, &n) : -1;
	if (netlink_io_finish(&nlio, err, sizeof(err)) < 0) {
		log_warn("cannot write --netlink.record file", "err", err, NULL);
		ret = -1;
	}
	if (ret < 0)
		return -1;

	for (size_t i = 0; i < n; i++) {
		v[i].loopback = listeners_is_loopback(&v[i]);
		inaddr_format(&v[i].addr, v[i].addrstr, sizeof(v[i].addrstr));
		if (v[i].ifindex)
			ifname_of(f, v[i].ifindex, v[i].ifname, sizeof(v[i].ifname));
	}
	if (n > 0 && !nlio.replay_path && owner) {
		uint32_t *inodes = arena_calloc(sc->arena, n, sizeof(*inodes));
		char (*comm)[SOCKOWNER_COMMLEN] = arena_calloc(sc->arena, n, sizeof(*comm));
		struct sockowner_stats st;

		if (inodes && comm) {
			for (size_t i = 0; i < n; i++)
				inodes[i] = v[i].inode;
			sockowner_resolve(owner, procfs, inodes, n, comm, time(NULL), &st);
			for (size_t i = 0; i < n; i++)
				memcpy(v[i].process, comm[i], sizeof(v[i].process));
			if (st.resolved < n)
				log_debug("some listener owners not found; process label left empty",
					  "procfs", procfs, NULL);
		}
	}
	qsort(v, n, sizeof(*v), cmp_listener);
	f->listeners = v;
	f->n_listeners = n;
	f->listeners_collected = true;
	emit(sc);
	return 0;
}

bool
listeners_bindv6only(const char *proc)
{
	char path[4096], err[128];
	char *data = NULL;
	size_t len = 0;
	bool on = false;

	if ((size_t)snprintf(path, sizeof(path), "%s/sys/net/ipv6/bindv6only",
			     proc ? proc : "/proc") >= sizeof(path))
		return false;
	if (fileio_read(NULL, path, 64, &data, &len, NULL, err, sizeof(err)) == FILEIO_OK)
		on = len > 0 && data[0] == '1';
	free(data);
	return on;
}

const struct collector collector_listeners = {
	.name = "listeners",
	.help = "TCP sockets listening on the audited ports (sock_diag), interface addresses.",
	.default_enabled = true,
	.flags = listeners_flags,
	/* other users' /proc/PID/comm (hidepid, ptrace restrictions) */
	.caps = (1ull << CAP_SYS_PTRACE) | (1ull << CAP_DAC_READ_SEARCH),
	.init = listeners_init,
	.collect = listeners_collect,
	.fini = listeners_fini,
};

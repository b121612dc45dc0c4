/*
 * postfix.c - the "postfix" collector: reads main.cf/master.cf (via
 * fileio), the Postfix version (collectors/host/dpkg.h), follows
 * multi_instance_directories, and fills facts->mta[MTA_POSTFIX] and a
 * struct postfix_facts (postfix.h).
 *
 * Interface: collector_postfix (flag --postfix.config-directory, default
 * /etc/postfix, under --path.rootfs), postfix_instance_load(),
 * postfix_param(), postfix_mynetworks(), postfix_mynetworks_default(),
 * postfix_net_parse(), postfix_relay_load_tables(),
 * postfix_relay_verdict_of().
 *
 * Facts (postfix.h): facts->mta[MTA_POSTFIX] (endpoints; relays: one per
 * smtpd inet service, with the tables it names read through fileio) and
 * a struct postfix_facts in .priv, which the Postfix checks read
 * (postfix_checks.c).
 *
 * Metrics (docs/metrics.md, section "postfix"): postfix_client_restrictions_ok,
 * postfix_info, postfix_config_warnings.  The shared mta_detected,
 * mta_bound_all_interfaces, mta_local_only and mta_service_info are
 * rendered by collectors/core/mta_metrics.c from facts->mta[MTA_POSTFIX].
 *
 * Diagnostics: every problem the configuration model reports is logged
 * with log_file_warn(file, line, ...) and counted in
 * postfix_config_warnings; unreadable files are logged and fail the
 * collector (return -1); an unreadable table is logged with its path and
 * leaves the verdicts that depend on it undetermined.
 */
#include "collectors/postfix/postfix.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collectors/host/dpkg.h"
#include "collectors/postfix/postfix_checks.h"
#include "collectors/postfix/postfix_table.h"
#include "collectors/postfix/postfix_tls.h"
#include "lib/buf.h"
#include "lib/fileio.h"
#include "lib/hash.h"
#include "lib/log.h"

#define POSTFIX_MAX_INSTANCES 32
#define POSTFIX_MAX_HOSTS_BYTES (1u << 20)	/* /etc/hosts */
#define POSTFIX_MAX_ENDPOINTS 4096	/* listening endpoints of every instance */

static const char *flag_config_directory = "/etc/postfix";

static const struct collector_flag postfix_flags[] = {
	{"postfix.config-directory", "Postfix configuration directory (under --path.rootfs).",
	 "/etc/postfix", &flag_config_directory},
	{NULL, NULL, NULL, NULL},
};

static struct postfix_facts *last_facts;

/* ------------------------------------------------------------ loading */

static char *
xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

static char *
read_file(const char *rootfs, const char *dir, const char *name,
	  char **fullpath_out, size_t *len, enum fileio_result *res)
{
	char rel[4096], full[4096], err[256];
	char *data = NULL;

	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	if (fileio_path(rootfs, rel, full, sizeof(full)) == NULL) {
		*res = FILEIO_ERROR;
		*fullpath_out = xstrdup(rel);
		log_file_warn(rel, 0, "path too long");
		return NULL;
	}
	*fullpath_out = xstrdup(full);
	*res = fileio_read(rootfs, rel, FILEIO_MAX_CONFIG, &data, len, NULL, err, sizeof(err));
	if (*res == FILEIO_ERROR)
		log_file_warn(full, 0, "%s", err);
	return *res == FILEIO_OK ? data : NULL;
}

static bool
same_str(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The mynetworks default in one environment (style etc. may come from -o).
 * With the instance's own inputs (a service whose -o leaves them alone, the
 * common case) it is a copy of the instance's default: computing it walks
 * every interface address, once per parameter of every service otherwise.
 */
static char *
mynetworks_for(const struct postfix_instance *inst, const struct postfix_env *e)
{
	char *style, *ifs, *protos, *res = NULL;

	if (!inst->ifaddrs_known)
		return NULL;
	style = postfix_eval_id(e, POSTFIX_P_MYNETWORKS_STYLE);
	ifs = postfix_eval_id(e, POSTFIX_P_INET_INTERFACES);
	protos = postfix_eval_id(e, POSTFIX_P_INET_PROTOCOLS);
	if (inst->mynetworks_default != NULL && same_str(style, inst->mn_style)
	    && same_str(ifs, inst->mn_ifs) && same_str(protos, inst->mn_protos))
		res = xstrdup(inst->mynetworks_default);
	else if (style && ifs && protos)
		res = postfix_mynetworks_default(style, ifs, protos, inst->ifaddrs,
						 inst->n_ifaddrs, &inst->hosts);
	free(style);
	free(ifs);
	free(protos);
	return res;
}

int
postfix_instance_load(struct postfix_instance *inst, const char *config_directory,
		      const char *label, const struct postfix_host *host)
{
	enum fileio_result res;
	size_t len = 0;
	char *buf;
	int rc = 0;

	memset(inst, 0, sizeof(*inst));
	inst->config_directory = xstrdup(config_directory);
	inst->label = xstrdup(label);
	buf = read_file(host->rootfs, config_directory, "main.cf", &inst->main_path, &len, &res);
	if (res == FILEIO_ERROR)
		rc = -1;
	if (buf != NULL) {
		inst->have_main = true;
		postfix_conf_parse(&inst->main, inst->main_path, buf, len, &inst->diags);
		free(buf);
	}
	buf = read_file(host->rootfs, config_directory, "master.cf", &inst->master_path, &len, &res);
	if (res == FILEIO_ERROR)
		rc = -1;
	if (buf != NULL) {
		inst->have_master = true;
		postfix_master_parse(&inst->master, inst->master_path, buf, len, &inst->diags);
		free(buf);
	} else if (inst->have_main && res == FILEIO_ABSENT) {
		postfix_diags_add(&inst->diags, POSTFIX_DIAG_MASTER, inst->master_path, 0,
				  "master.cf missing: no services");
	}
	inst->env.main = &inst->main;
	inst->env.local = NULL;
	inst->env.version = host->version;
	inst->env.hostname = host->hostname;
	inst->env.file = inst->main_path;
	inst->env.diags = &inst->diags;
	inst->env.mynetworks = NULL;
	inst->hosts = host->hosts;
	inst->env.budget = host->expand_work;
	if (host->ifaddrs_known) {
		inst->ifaddrs_known = true;
		if (host->n_ifaddrs > 0) {
			inst->ifaddrs = calloc(host->n_ifaddrs, sizeof(*inst->ifaddrs));
			if (inst->ifaddrs != NULL) {
				memcpy(inst->ifaddrs, host->ifaddrs,
				       host->n_ifaddrs * sizeof(*inst->ifaddrs));
				inst->n_ifaddrs = host->n_ifaddrs;
			} else {
				inst->ifaddrs_known = false;
			}
		}
		inst->mynetworks_default = mynetworks_for(inst, &inst->env);
		inst->env.mynetworks = inst->mynetworks_default;
		/* its inputs, for the services that leave them alone */
		inst->mn_style = postfix_eval_id(&inst->env, POSTFIX_P_MYNETWORKS_STYLE);
		inst->mn_ifs = postfix_eval_id(&inst->env, POSTFIX_P_INET_INTERFACES);
		inst->mn_protos = postfix_eval_id(&inst->env, POSTFIX_P_INET_PROTOCOLS);
	}
	return rc;
}

void
postfix_instance_free(struct postfix_instance *inst)
{
	free(inst->config_directory);
	free(inst->label);
	free(inst->main_path);
	free(inst->master_path);
	postfix_dict_free(&inst->main);
	postfix_master_free(&inst->master);
	free(inst->mynetworks_default);
	free(inst->mn_style);
	free(inst->mn_ifs);
	free(inst->mn_protos);
	free(inst->ifaddrs);
	postfix_diags_free(&inst->diags);
	memset(inst, 0, sizeof(*inst));
}

char *
postfix_param(const struct postfix_instance *inst, const struct postfix_service *svc,
	      enum postfix_param_id id)
{
	return postfix_param_named(inst, svc, postfix_param_name(id));
}

/*
 * The environment of a service (svc NULL: the instance's).  *mynet is the
 * service's mynetworks default, computed (malloc()ed) when *mynet_done is
 * false: a caller that reads many parameters of one service keeps both, so
 * that the default is computed once, not once per parameter.
 */
static void
service_env(const struct postfix_instance *inst, const struct postfix_service *svc,
	    struct postfix_env *e, char **mynet, bool *mynet_done)
{
	*e = inst->env;
	if (svc == NULL)
		return;
	e->local = &svc->params;
	e->file = svc->file;
	/* -o may change mynetworks_style, inet_interfaces, ... */
	if (svc->params.n > 0 && inst->ifaddrs_known) {
		if (!*mynet_done) {
			*mynet = mynetworks_for(inst, e);
			*mynet_done = true;
		}
		e->mynetworks = *mynet;
	}
}

char *
postfix_param_named(const struct postfix_instance *inst, const struct postfix_service *svc,
		    const char *name)
{
	struct postfix_env e;
	char *mynet = NULL, *res;
	bool done = false;

	service_env(inst, svc, &e, &mynet, &done);
	res = postfix_eval(&e, name);
	free(mynet);
	return res;
}

bool
postfix_service_is_smtp(const struct postfix_service *svc)
{
	const char *cmd;

	if (!svc->valid || svc->superseded || strcmp(postfix_service_type(svc), "inet") != 0)
		return false;
	cmd = postfix_service_command(svc);
	return strcmp(cmd, "smtpd") == 0 || strcmp(cmd, "postscreen") == 0;
}

/* ----------------------------------------------------------- mynetworks */

void
postfix_net_parse(const char *item, struct postfix_net *out)
{
	const char *p = item;
	char tmp[256];
	size_t n;

	memset(out, 0, sizeof(*out));
	snprintf(out->text, sizeof(out->text), "%s", item);
	if (*p == '!') {
		out->negate = true;
		p++;
	}
	if (*p == '/') {
		out->kind = POSTFIX_NET_FILE;
		return;
	}
	/* "[v6]/len" or "[v6]" */
	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (close == NULL || (close[1] != 0 && close[1] != '/')) {
			out->kind = POSTFIX_NET_BAD;
			return;
		}
		n = (size_t)(close - p - 1);
		if (n >= sizeof(tmp) - 8) {
			out->kind = POSTFIX_NET_BAD;
			return;
		}
		memcpy(tmp, p + 1, n);
		snprintf(tmp + n, sizeof(tmp) - n, "%s", close + 1);
		if (inaddr_parse_cidr(tmp, &out->net, &out->prefixlen) == 0 &&
		    out->net.family == AF_INET6) {
			out->kind = POSTFIX_NET_CIDR;
			return;
		}
		out->kind = POSTFIX_NET_BAD;
		return;
	}
	if (inaddr_parse_cidr(p, &out->net, &out->prefixlen) == 0) {
		/* Postfix refuses bare IPv6 in match lists without brackets only
		 * when it contains ':' ambiguity with type:table; accept it. */
		out->kind = POSTFIX_NET_CIDR;
		return;
	}
	if (strchr(p, ':') != NULL) {
		out->kind = POSTFIX_NET_TABLE;
		return;
	}
	for (const char *c = p; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.' && *c != '_') {
			out->kind = POSTFIX_NET_BAD;
			return;
		}
	}
	out->kind = *p ? POSTFIX_NET_HOST : POSTFIX_NET_BAD;
}

static bool
list_has(const struct postfix_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->item[i], s) == 0)
			return true;
	return false;
}

/*
 * The addresses inet_interfaces lists (own_inet_addr.c: each item through
 * inet_addr_host()), into *out (malloc()ed); -1 when an item is a name
 * /etc/hosts does not resolve, or on memory.
 */
static int
listed_addresses(const struct postfix_list *ifs, bool v4, bool v6,
		 const struct postfix_hosts *hosts, struct inaddr **out, size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t k = 0; k < ifs->n; k++) {
		struct inaddr a[POSTFIX_RESOLVE_MAX];
		size_t got = postfix_resolve(hosts, ifs->item[k], v4, v6, a, POSTFIX_RESOLVE_MAX);

		if (got == 0)
			return -1;
		if (*n + got > cap) {
			struct inaddr *t;

			cap = 2 * (*n + got);
			if ((t = realloc(*out, cap * sizeof(*t))) == NULL)
				return -1;
			*out = t;
		}
		memcpy(*out + *n, a, got * sizeof(*a));
		*n += got;
	}
	return 0;
}

char *
postfix_mynetworks_default(const char *style, const char *inet_interfaces,
			   const char *inet_protocols, const struct ifaddr *ifa,
			   size_t n_ifa, const struct postfix_hosts *hosts)
{
	struct postfix_list ifs, protos;
	struct buf sb;
	bool v4, v6, all, loopback_only;
	int mode;		/* 0 host, 1 subnet, 2 class */
	char (*seen)[64];
	size_t n_seen = 0, n_listed = 0;
	struct inaddr *listed = NULL;

	if (strcasecmp(style, "host") == 0)
		mode = 0;
	else if (strcasecmp(style, "subnet") == 0)
		mode = 1;
	else if (strcasecmp(style, "class") == 0)
		mode = 2;
	else
		return NULL;
	postfix_list_split(inet_interfaces, POSTFIX_SPLIT_INET, &ifs, NULL, 0, NULL);
	postfix_list_split(inet_protocols, POSTFIX_SPLIT_LIST, &protos, NULL, 0, NULL);
	/* an empty inet_interfaces (not unset: set to nothing) is no address */
	all = list_has(&ifs, "all");
	loopback_only = list_has(&ifs, "loopback-only");
	v4 = list_has(&protos, "all") || list_has(&protos, "ipv4");
	v6 = list_has(&protos, "all") || list_has(&protos, "ipv6");
	if (!all && !loopback_only
	    && listed_addresses(&ifs, v4, v6, hosts, &listed, &n_listed) < 0) {
		free(listed);
		postfix_list_free(&ifs);
		postfix_list_free(&protos);
		return NULL;
	}
	seen = calloc(n_ifa ? n_ifa : 1, sizeof(*seen));
	buf_init(&sb, POSTFIX_FORMAT_MAX);
	buf_puts(&sb, "");
	/* IPv4 first, then IPv6, as global/mynetworks.c walks them */
	for (int pass = 0; pass < 2 && seen != NULL; pass++) {
		int fam = pass == 0 ? AF_INET : AF_INET6;

		if ((fam == AF_INET && !v4) || (fam == AF_INET6 && !v6))
			continue;
		for (size_t i = 0; i < n_ifa; i++) {
			struct inaddr a = ifa[i].addr, net;
			unsigned plen, bits;
			char addr[INADDR_STRLEN], item[64];
			bool dup = false;

			if (a.family != fam)
				continue;
			if (loopback_only && !inaddr_is_loopback(&a))
				continue;
			if (!all && !loopback_only) {
				bool found = false;

				for (size_t k = 0; k < n_listed && !found; k++)
					found = inaddr_equal(&listed[k], &a);
				if (!found)
					continue;
			}
			bits = inaddr_bits(&a);
			plen = mode == 0 ? bits : ifa[i].prefixlen;
			if (mode == 2 && fam == AF_INET) {
				unsigned b0 = a.a[0];

				plen = b0 < 128 ? 8 : b0 < 192 ? 16 : b0 < 224 ? 24 : 32;
			}
			if (plen > bits)
				plen = bits;
			net = a;
			for (unsigned b = plen; b < bits; b++)
				net.a[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
			inaddr_format(&net, addr, sizeof(addr));
			if (fam == AF_INET)
				snprintf(item, sizeof(item), "%s/%u", addr, plen);
			else
				snprintf(item, sizeof(item), "[%s]/%u", addr, plen);
			for (size_t k = 0; k < n_seen; k++)
				if (strcmp(seen[k], item) == 0)
					dup = true;
			if (dup)
				continue;
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", item);
			if (sb.len > 0)
				buf_puts(&sb, " ");
			buf_puts(&sb, item);
		}
	}
	free(seen);
	free(listed);
	postfix_list_free(&ifs);
	postfix_list_free(&protos);
	if (sb.failed) {
		buf_free(&sb);
		return NULL;
	}
	return buf_steal(&sb, NULL);
}

struct netvec {
	struct postfix_net *v;
	size_t n;
};

static void
netvec_add(struct netvec *nv, const struct postfix_net *x)
{
	struct postfix_net *t;

	if (nv->n >= 100000)
		return;
	if ((t = realloc(nv->v, (nv->n + 1) * sizeof(*t))) == NULL)
		return;
	nv->v = t;
	nv->v[nv->n++] = *x;
}

/* Items of a /file/name, or keys of a cidr:/texthash: table. */
static void
net_read(struct netvec *nv, const char *rootfs, const char *path, bool keys,
	 bool negate, struct postfix_diags *d, int depth)
{
	char full[4096], err[256];
	char *data = NULL;
	size_t len;
	struct postfix_lline r;
	const char *text;
	unsigned line;

	if (fileio_path(rootfs, path, full, sizeof(full)) == NULL ||
	    fileio_read(rootfs, path, FILEIO_MAX_CONFIG, &data, &len, NULL, err, sizeof(err)) != FILEIO_OK) {
		postfix_diags_add(d, POSTFIX_DIAG_LIST, path, 0, "mynetworks: cannot read %s", path);
		return;
	}
	postfix_lline_init(&r, data, len);
	while (postfix_lline_next(&r, full, NULL, &text, &line) == 1) {
		struct postfix_list l;

		if (keys) {
			struct postfix_net x;
			char key[256];

			sscanf(text, "%255s", key);
			postfix_net_parse(key, &x);
			x.negate = negate;
			netvec_add(nv, &x);
			continue;
		}
		postfix_list_split(text, POSTFIX_SPLIT_LIST, &l, full, line, d);
		for (size_t i = 0; i < l.n; i++) {
			struct postfix_net x;

			postfix_net_parse(l.item[i], &x);
			netvec_add(nv, &x);
			if (x.kind == POSTFIX_NET_FILE && depth < 4)
				net_read(nv, rootfs, x.text + (x.negate ? 1 : 0), false, x.negate, d,
					 depth + 1);
		}
		postfix_list_free(&l);
	}
	postfix_lline_free(&r);
	free(data);
}

struct postfix_net *
postfix_mynetworks(const struct postfix_instance *inst,
		   const struct postfix_service *svc,
		   const char *rootfs, size_t *n, bool *unknown)
{
	struct postfix_env e = inst->env;
	const struct postfix_param *where;
	struct netvec nv = {NULL, 0};
	struct postfix_list l;
	char *val;

	char *mynet = NULL;

	if (svc != NULL) {
		e.local = &svc->params;
		if (svc->params.n > 0 && inst->ifaddrs_known) {
			mynet = mynetworks_for(inst, &e);
			e.mynetworks = mynet;
		}
	}
	*n = 0;
	*unknown = false;
	if (postfix_lookup(&e, postfix_param_name(POSTFIX_P_MYNETWORKS), &where) != NULL
	    && where == NULL && e.mynetworks == NULL)
		*unknown = true;
	val = postfix_eval_id(&e, POSTFIX_P_MYNETWORKS);
	free(mynet);
	if (val == NULL)
		return NULL;
	postfix_list_split(val, POSTFIX_SPLIT_LIST, &l, e.file, where ? where->line : 0,
			   (struct postfix_diags *)&inst->diags);
	for (size_t i = 0; i < l.n; i++) {
		struct postfix_net x;
		const char *p;

		postfix_net_parse(l.item[i], &x);
		netvec_add(&nv, &x);
		p = x.text + (x.negate ? 1 : 0);
		if (x.kind == POSTFIX_NET_FILE)
			net_read(&nv, rootfs, p, false, x.negate,
				 (struct postfix_diags *)&inst->diags, 0);
		else if (x.kind == POSTFIX_NET_TABLE &&
			 (strncmp(p, "cidr:", 5) == 0 || strncmp(p, "texthash:", 9) == 0))
			net_read(&nv, rootfs, strchr(p, ':') + 1, true, x.negate,
				 (struct postfix_diags *)&inst->diags, 0);
	}
	postfix_list_free(&l);
	free(val);
	*n = nv.n;
	return nv.v;
}

/* ------------------------------------------------------------ collector */

static void
facts_free(struct postfix_facts *pf)
{
	if (pf == NULL)
		return;
	for (size_t i = 0; i < pf->n_inst; i++)
		postfix_instance_free(&pf->inst[i]);
	free(pf->inst);
	free(pf->hosts_text);
	hash_index_free(&pf->endpoint_ix);
	free(pf);
}

static void
host_name(const char *rootfs, char *out, size_t outlen)
{
	out[0] = 0;
	if (rootfs == NULL || *rootfs == 0 || strcmp(rootfs, "/") == 0) {
		if (gethostname(out, outlen) != 0)
			out[0] = 0;
		out[outlen - 1] = 0;
	} else {
		char full[4096], err[256], *data = NULL;
		size_t len;

		if (fileio_path(rootfs, "/etc/hostname", full, sizeof(full)) != NULL &&
		    fileio_read(rootfs, "/etc/hostname", 4096, &data, &len, NULL, err, sizeof(err)) == FILEIO_OK) {
			size_t n = strcspn(data, " \t\r\n");

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, data, n);
			out[n] = 0;
		}
		free(data);
	}
	if (out[0] == 0)
		snprintf(out, outlen, "localhost");
}

/*
 * The root's /etc/hosts, which master's getaddrinfo() reads first
 * ("hosts: files dns"); absent is no entry, unreadable is logged.
 */
static void
read_hosts(const char *rootfs, struct postfix_facts *pf)
{
	char full[4096], err[256];

	if (fileio_path(rootfs, "/etc/hosts", full, sizeof(full)) != NULL
	    && fileio_read(rootfs, "/etc/hosts", POSTFIX_MAX_HOSTS_BYTES, &pf->hosts_text, &pf->hosts_len, NULL,
			   err, sizeof(err)) == FILEIO_ERROR)
		log_file_warn(full, 0, "%s: host names in inet_interfaces and master.cf stay "
			      "unresolved", err);
}

static void
detect_version(const char *rootfs, struct postfix_facts *pf)
{
	pf->version = POSTFIX_VERSION_NEWEST;
	if (dpkg_version(rootfs, "postfix", pf->version_str, sizeof(pf->version_str)) != 0) {
		snprintf(pf->version_str, sizeof(pf->version_str), "unknown");
		return;
	}
	if (postfix_version_parse(pf->version_str, &pf->version) != 0)
		pf->version = POSTFIX_VERSION_NEWEST;
}

/* A configured endpoint, appended to the MTA facts. */
static void
add_endpoint(struct scrape_ctx *sc, struct mta_facts *mf, size_t *cap,
	     const struct postfix_instance *inst, const struct postfix_service *svc,
	     const char *address, int port)
{
	struct postfix_facts *pf = mf->priv;
	size_t pos = HASH_INDEX_START, i;
	struct mta_endpoint *ep;
	struct inaddr a;
	char service[512];
	uint16_t port16 = (uint16_t)(port < 0 ? 0 : port);
	uint64_t h;

	/* the instance goes into the service label: docs/metrics.md */
	if (pf->endpoints_full)
		return;
	if (*inst->label)
		snprintf(service, sizeof(service), "%s/%s", inst->label, postfix_service_name(svc));
	else
		snprintf(service, sizeof(service), "%s", postfix_service_name(svc));
	h = hash_key(service, strlen(service) + 1);
	h = hash_fnv1a(h, address, strlen(address) + 1);
	h = hash_fnv1a(h, &port16, sizeof(port16));
	while ((i = hash_index_next(&pf->endpoint_ix, h, &pos)) != HASH_INDEX_END) {
		const struct mta_endpoint *o = &mf->endpoints[i];

		if (o->port == port16 && strcmp(o->service, service) == 0 &&
		    strcmp(o->address, address) == 0)
			return;		/* "127.0.0.1, 127.0.0.1": one socket */
	}
	if (mf->n_endpoints >= POSTFIX_MAX_ENDPOINTS) {
		pf->endpoints_full = true;
		postfix_diags_add((struct postfix_diags *)&inst->diags, POSTFIX_DIAG_LIMIT,
				  svc->file, svc->line,
				  "more than %u listening endpoints: the rest is not counted",
				  POSTFIX_MAX_ENDPOINTS);
		return;
	}
	if (mf->n_endpoints == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct mta_endpoint *nv = arena_grow(sc->arena, mf->endpoints,
						     *cap * sizeof(*nv), ncap * sizeof(*nv));

		if (nv == NULL)
			return;
		mf->endpoints = nv;
		*cap = ncap;
	}
	if (hash_index_put(&pf->endpoint_ix, h, mf->n_endpoints) < 0)
		return;
	ep = &mf->endpoints[mf->n_endpoints++];
	memset(ep, 0, sizeof(*ep));
	ep->instance = arena_strdup(sc->arena, inst->label);
	ep->service = arena_strdup(sc->arena, service);
	ep->address = arena_strdup(sc->arena, address);
	ep->port = (uint16_t)(port < 0 ? 0 : port);
	if (inaddr_parse(address, &a) == 0) {
		ep->addr = a;
		ep->numeric = true;
		ep->wildcard = inaddr_is_wildcard(&a);
		ep->loopback = inaddr_is_loopback(&a);
	}
}

/*
 * The endpoints of a host name or address (master_ent.c: one socket per
 * address inet_addr_host() gives it, duplicates removed): resolved from
 * /etc/hosts (postfix_resolve.h); a name it does not list stays one
 * endpoint, as written, not numeric (where it listens is not known).
 */
static void
host_endpoints(struct scrape_ctx *sc, struct mta_facts *mf, size_t *cap,
	       const struct postfix_instance *inst, const struct postfix_service *svc,
	       const char *host, int port, bool v4, bool v6)
{
	struct inaddr a[POSTFIX_RESOLVE_MAX];
	size_t n = postfix_resolve(&inst->hosts, host, v4, v6, a, POSTFIX_RESOLVE_MAX);

	if (n == 0) {
		add_endpoint(sc, mf, cap, inst, svc, host, port);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char text[INADDR_STRLEN];

		inaddr_format(&a[i], text, sizeof(text));
		add_endpoint(sc, mf, cap, inst, svc, text, port);
	}
}

/* Endpoints of one smtpd/postscreen inet service; *wild set on a wildcard. */
static void
service_endpoints(struct scrape_ctx *sc, struct mta_facts *mf, size_t *cap,
		  const struct postfix_instance *inst,
		  const struct postfix_service *svc)
{
	const struct postfix_facts *pf = mf->priv;
	int port = postfix_port_number(svc->port);
	char *ifs, *protos;
	struct postfix_list l, pl;
	bool v4, v6;

	if (pf->endpoints_full)
		return;
	/* master reads inet_interfaces from main.cf only (master_ent.c) */
	ifs = postfix_param(inst, NULL, POSTFIX_P_INET_INTERFACES);
	protos = postfix_param(inst, NULL, POSTFIX_P_INET_PROTOCOLS);
	postfix_list_split(ifs ? ifs : "all", POSTFIX_SPLIT_INET, &l, inst->main_path, 0, NULL);
	postfix_list_split(protos ? protos : "all", POSTFIX_SPLIT_LIST, &pl, inst->main_path, 0, NULL);
	v4 = list_has(&pl, "all") || list_has(&pl, "ipv4");
	v6 = list_has(&pl, "all") || list_has(&pl, "ipv6");
	if (svc->host != NULL && *svc->host) {
		host_endpoints(sc, mf, cap, inst, svc, svc->host, port, v4, v6);
	} else if (list_has(&l, "all")) {
		if (v4)
			add_endpoint(sc, mf, cap, inst, svc, "0.0.0.0", port);
		if (v6)
			add_endpoint(sc, mf, cap, inst, svc, "::", port);
	} else {
		for (size_t i = 0; i < l.n && !pf->endpoints_full; i++) {
			if (strcasecmp(l.item[i], "loopback-only") == 0) {
				if (v4)
					add_endpoint(sc, mf, cap, inst, svc, "127.0.0.1", port);
				if (v6)
					add_endpoint(sc, mf, cap, inst, svc, "::1", port);
			} else {
				host_endpoints(sc, mf, cap, inst, svc, l.item[i], port, v4, v6);
			}
		}
	}
	postfix_list_free(&l);
	postfix_list_free(&pl);
	free(ifs);
	free(protos);
}

/* The postfix_client_restrictions_ok metric: STIG GEN004710's rule on main.cf. */
static int
client_restrictions_ok(const struct postfix_instance *inst)
{
	char *v = postfix_param(inst, NULL, POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS);
	const char *why;
	int ok = v != NULL && postfix_client_restrictions_ok(v, &why);

	free(v);
	return ok;
}

/* ------------------------------------------------------------ relay verdicts */

#define POSTFIX_MAX_TABLES 64
#define POSTFIX_MAX_TABLE_BYTES (1u << 20)

struct table_refs {
	const char *name[POSTFIX_MAX_TABLES];
	size_t n;
};

static void
collect_ref(const char *name, void *arg)
{
	struct table_refs *r = arg;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->name[i], name) == 0)
			return;
	if (r->n < POSTFIX_MAX_TABLES)
		r->name[r->n++] = name;
}

/* Log what Postfix would warn about in a table's text (file and line). */
static void
table_warnings(const struct postfix_table_ref *ref, const char *file, const char *text,
	       size_t len)
{
	struct postfix_diags d = { 0 };

	if (ref->kind == POSTFIX_TABLE_PCRE || ref->kind == POSTFIX_TABLE_REGEXP) {
		struct postfix_regex_table t;

		postfix_regex_table_parse(&t, ref->kind == POSTFIX_TABLE_PCRE, text, len, file, &d);
		postfix_regex_table_free(&t);
	} else if (ref->kind == POSTFIX_TABLE_INDEXED || ref->kind == POSTFIX_TABLE_TEXTHASH) {
		struct postfix_map m = { 0 };

		postfix_map_parse(&m, text, len, file, &d);
		postfix_map_free(&m);
	}
	for (size_t i = 0; i < d.n; i++)
		log_file_warn(d.v[i].file, d.v[i].line, "%s", d.v[i].msg);
	postfix_diags_free(&d);
}

/*
 * The compiled map of an indexed table against its postmap source:
 * smtpd reads FILE.db (.lmdb, .cdb, .dir + .pag), postmap writes it from
 * FILE.  A compiled file older than the source: postmap not run.  full
 * is FILE under the rootfs, path as Postfix names it (read under rootfs;
 * also for the postmap command in the message).  The state, and why into why (empty when
 * current).
 */
static enum postfix_relay_table_state
compiled_state(const char *rootfs, const char *full, const char *path, const char *type,
	       const struct fileio_stat *src, bool src_ok, char *why, size_t whylen)
{
	const char *const *suffix = postfix_table_compiled_suffixes(type);
	struct timespec oldest = { 0, 0 };
	bool first = true;

	for (size_t i = 0; suffix[i]; i++) {
		char cpath[4200], cname[4200], err[256];
		struct fileio_stat st;
		enum fileio_result fr;

		snprintf(cpath, sizeof(cpath), "%s%s", full, suffix[i]);
		snprintf(cname, sizeof(cname), "%s%s", path, suffix[i]);
		fr = fileio_stat(rootfs, cname, &st, err, sizeof(err));
		if (fr == FILEIO_ABSENT) {
			snprintf(why, whylen, "%.1024s: no such file (postmap %s:%.1024s not run)",
				 cpath, type, path);
			return POSTFIX_RELAY_TABLE_MISSING;
		}
		if (fr != FILEIO_OK) {
			snprintf(why, whylen, "%s", err);
			return POSTFIX_RELAY_TABLE_UNREADABLE;
		}
		if (first || st.mtime.tv_sec < oldest.tv_sec
		    || (st.mtime.tv_sec == oldest.tv_sec && st.mtime.tv_nsec < oldest.tv_nsec))
			oldest = st.mtime;
		first = false;
	}
	if (!src_ok) {
		snprintf(why, whylen, "%.1024s: the compiled map has no source text beside it",
			 full);
		return POSTFIX_RELAY_TABLE_NO_SOURCE;
	}
	if (oldest.tv_sec < src->mtime.tv_sec
	    || (oldest.tv_sec == src->mtime.tv_sec && oldest.tv_nsec < src->mtime.tv_nsec)) {
		snprintf(why, whylen, "%.1024s is newer than its compiled map: postmap was not "
			 "run, smtpd answers from the old map", full);
		return POSTFIX_RELAY_TABLE_STALE;
	}
	return POSTFIX_RELAY_TABLE_OK;
}

/*
 * Read one table (spec as written) under rootfs into t: its text, and
 * what smtpd would find.  Returns -1 on memory only.
 */
static int
load_table(const char *rootfs, struct arena *ar, const char *spec, struct postfix_relay_table *t)
{
	struct postfix_table_ref ref;
	const char *path = spec;
	char full[4096], err[256], why[2600];
	char *data = NULL;
	size_t len = 0;
	struct fileio_stat st;
	enum fileio_result fr;
	bool file_pattern = spec[0] == '/';

	t->name = spec;
	t->text = NULL;
	t->state = POSTFIX_RELAY_TABLE_UNREADABLE;
	if (!file_pattern) {
		if (postfix_table_ref(spec, &ref) < 0)
			return 0;
		path = ref.arg;
	}
	if (path[0] != '/' || fileio_path(rootfs, path, full, sizeof(full)) == NULL)
		return 0;	/* relative or too long: unreadable */
	fr = fileio_read(rootfs, path, POSTFIX_MAX_TABLE_BYTES, &data, &len, &st, err, sizeof(err));
	why[0] = '\0';
	if (!file_pattern && ref.kind == POSTFIX_TABLE_INDEXED) {
		if (fr == FILEIO_ERROR)
			snprintf(why, sizeof(why), "%s", err);
		else
			t->state = compiled_state(rootfs, full, path, ref.type, &st, fr == FILEIO_OK, why,
						  sizeof(why));
		if (fr == FILEIO_ERROR)
			t->state = POSTFIX_RELAY_TABLE_UNREADABLE;
	} else if (fr == FILEIO_OK) {
		t->state = POSTFIX_RELAY_TABLE_OK;
	} else if (fr == FILEIO_ABSENT && !file_pattern) {
		t->state = POSTFIX_RELAY_TABLE_MISSING;	/* smtpd: a surrogate table, 451 */
		snprintf(why, sizeof(why), "%.1024s: no such file", full);
	} else {
		snprintf(why, sizeof(why), "%s", fr == FILEIO_ABSENT ? "no such file" : err);
	}
	if (why[0])
		log_file_warn(full, 0, "table %s: %s", spec, why);
	if (data != NULL && (t->state == POSTFIX_RELAY_TABLE_OK
			     || t->state == POSTFIX_RELAY_TABLE_STALE)) {
		if (!file_pattern)
			table_warnings(&ref, full, data, len);
		t->text = arena_strndup(ar, data, len);
		free(data);
		return t->text == NULL ? -1 : 0;
	}
	free(data);
	return 0;
}

int
postfix_relay_load_tables(const char *rootfs, struct arena *ar, struct postfix_relay_input *in)
{
	struct table_refs refs = { .n = 0 };
	struct postfix_relay_table *t;

	postfix_relay_table_refs(in, collect_ref, &refs);
	if (refs.n == 0)
		return 0;
	t = arena_calloc(ar, refs.n, sizeof(*t));
	if (t == NULL)
		return -1;
	for (size_t i = 0; i < refs.n; i++)
		if (load_table(rootfs, ar, refs.name[i], &t[i]) < 0)
			return -1;
	in->tables = t;
	in->n_tables = refs.n;
	return 0;
}

int
postfix_relay_verdict_of(const struct postfix_relay_params *p, const char *rootfs,
			 struct arena *ar, struct budget *work,
			 struct postfix_relay_input *in, struct postfix_relay_verdict *out)
{
	if (postfix_relay_input_from_params(p, ar, in) < 0
	    || postfix_relay_load_tables(rootfs, ar, in) < 0)
		return -1;
	in->work = work;
	postfix_relay_evaluate(in, out);
	return 0;
}

/* One smtpd service's parameters, as the relay adapter asks for them. */
struct smtpd_params {
	const struct postfix_smtpd *s;
	struct arena *ar;
	char *mynet;		/* the service's mynetworks default (service_env) */
	bool mynet_done;
};

/*
 * A parameter's value as svc sees it (sp->s->svc, or NULL: main.cf's), in
 * the arena; the service's mynetworks default is kept in sp.
 */
static const char *
param_copy(struct smtpd_params *sp, const struct postfix_service *svc, const char *name)
{
	struct postfix_env e;
	char *v;
	const char *copy;

	service_env(sp->s->inst, svc, &e, &sp->mynet, &sp->mynet_done);
	v = postfix_eval(&e, name);
	if (v == NULL)
		return NULL;
	copy = arena_strdup(sp->ar, v);
	free(v);
	return copy;
}

static const char *
smtpd_get(const void *ctx, const char *name)
{
	struct smtpd_params *sp = (struct smtpd_params *)ctx;	/* ours: smtpd_services */

	return param_copy(sp, sp->s->svc, name);
}

/* main.cf's value, as proxymap sees it (no -o of the smtpd service). */
static const char *
smtpd_get_main(const void *ctx, const char *name)
{
	return param_copy((struct smtpd_params *)ctx, NULL, name);	/* ours, as above */
}

static bool
smtpd_is_set(const void *ctx, const char *name)
{
	const struct smtpd_params *sp = ctx;

	if (sp->s->svc != NULL && postfix_dict_get(&sp->s->svc->params, name) != NULL)
		return true;
	return postfix_dict_get(&sp->s->inst->main, name) != NULL;
}

/* The smtpd "pass" service a postscreen service hands clients to. */
static const struct postfix_service *
smtpd_pass(const struct postfix_instance *in)
{
	for (size_t i = 0; i < in->master.n; i++) {
		const struct postfix_service *s = &in->master.v[i];

		if (s->valid && !s->superseded && strcmp(postfix_service_type(s), "pass") == 0
		    && strcmp(postfix_service_command(s), "smtpd") == 0)
			return s;
	}
	return NULL;
}

/* A certificate or key path counts as present unless it is absent (an
 * unprivileged exporter may not see into /etc/ssl/private). */
static bool
file_present(const char *rootfs, const char *path)
{
	char full[4096], err[256];
	struct fileio_stat st;

	if (path == NULL || path[0] != '/' || fileio_path(rootfs, path, full, sizeof(full)) == NULL)
		return false;
	return fileio_stat(rootfs, path, &st, err, sizeof(err)) != FILEIO_ABSENT;
}

/* ------------------------------------------------------------ TLS */

/* An effective parameter of service svc, in per-scrape memory ("" when unknown). */
static const char *
param_arena(struct scrape_ctx *sc, const struct postfix_instance *in,
	    const struct postfix_service *svc, enum postfix_param_id id)
{
	char *v = postfix_param(in, svc, id);
	const char *copy = arena_strdup(sc->arena, v ? v : "");

	free(v);
	return copy ? copy : "";
}

/* One certificate with its key, read through lib/tlsfile (cached on identity). */
static void
tls_cert_add(struct scrape_ctx *sc, struct mta_tls *t, const char *cert, const char *key)
{
	struct mta_tls_cert *c;

	if (t->n_certs >= MTA_TLS_MAX_CERTS)
		return;
	c = &t->certs[t->n_certs++];
	c->cert_path = cert;
	c->key_path = key && *key ? key : cert;
	tlsfile_read(sc->env->rootfs, c->cert_path, t->hostname, &c->cert);
	if (strcmp(c->key_path, c->cert_path) == 0)
		c->key = c->cert;
	else
		tlsfile_read(sc->env->rootfs, c->key_path, NULL, &c->key);
	if (c->cert.state == TLSFILE_OK && !c->cert.have_cert)
		log_file_warn(c->cert_path, 0, "no certificate: %s", c->cert.error);
	else if (c->key.state == TLSFILE_OK && !c->key.have_key)
		log_file_warn(c->key_path, 0, "no private key: %s", c->key.error);
}

/*
 * What smtpd would do with TLS on service s: offered or not, its
 * certificates (smtpd_tls_chain_files, else the RSA and EC pairs), its DH
 * group and the protocol versions it and its TLS library allow.
 */
static void
smtpd_tls_facts(struct scrape_ctx *sc, const struct postfix_facts *pf,
		const struct postfix_smtpd *s, struct mta_tls *t)
{
	const struct postfix_instance *in = s->inst;
	const struct postfix_service *svc = s->svc;
	const char *lvl, *chain, *proto, *dhf, *grade;
	bool mandatory, wrapper;
	unsigned mask;

#define P(id) param_arena(sc, in, svc, POSTFIX_P_##id)
	t->service = s->name;
	t->hostname = P(MYHOSTNAME);
	lvl = P(SMTPD_TLS_SECURITY_LEVEL);
	wrapper = postfix_bool(P(SMTPD_TLS_WRAPPERMODE), false);
	t->offered = wrapper || postfix_tls_enabled(lvl, postfix_bool(P(SMTPD_USE_TLS), false),
						    postfix_bool(P(SMTPD_ENFORCE_TLS), false));
	mandatory = wrapper || strcasecmp(lvl, "encrypt") == 0
		    || (!*lvl && postfix_bool(P(SMTPD_ENFORCE_TLS), false));
	chain = P(SMTPD_TLS_CHAIN_FILES);
	if (*chain) {
		const char *p = chain, *item;
		size_t len;

		const char *key = NULL;

		/* the files' concatenation: each key, then its certificate chain */
		while (postfix_list_next(&p, POSTFIX_SPLIT_LIST, &item, &len) == 1) {
			const char *f = arena_strndup(sc->arena, item, len);
			struct tlsfile tf;

			if (f == NULL)
				continue;
			tlsfile_read(sc->env->rootfs, f, t->hostname, &tf);
			if (tf.state == TLSFILE_OK && tf.have_key && !tf.have_cert) {
				key = f;
				continue;
			}
			if (tf.state == TLSFILE_OK && tf.have_cert && tf.have_key)
				key = f;
			if (tf.state != TLSFILE_OK || tf.have_cert || !tf.have_dh)
				tls_cert_add(sc, t, f, key ? key : f);
			key = NULL;
		}
	} else {
		const char *cert = P(SMTPD_TLS_CERT_FILE), *ec = P(SMTPD_TLS_ECCERT_FILE);

		if (*cert)
			tls_cert_add(sc, t, cert, P(SMTPD_TLS_KEY_FILE));
		if (*ec)
			tls_cert_add(sc, t, ec, P(SMTPD_TLS_ECKEY_FILE));
	}
	/* DH: the parameter file, else the library's choice for the RSA key */
	dhf = P(SMTPD_TLS_DH1024_PARAM_FILE);
	if (*dhf) {
		struct tlsfile f;

		tlsfile_read(sc->env->rootfs, dhf, NULL, &f);
		t->dh_source = "file";
		t->dh_path = dhf;
		t->dh_bits = f.state == TLSFILE_OK && f.have_dh ? f.dh_bits : 0;
		if (f.state == TLSFILE_OK && !f.have_dh)
			log_file_warn(dhf, 0, "no DH parameters: %s", f.error);
	} else {
		t->dh_source = pf->version >= POSTFIX_VERSION(3, 7, 0) ? "auto" : "builtin";
		for (size_t i = 0; i < t->n_certs && !t->dh_bits; i++)
			if (t->certs[i].cert.have_cert)
				t->dh_bits = postfix_tls_dh_auto_bits(pf->version,
								      t->certs[i].cert.cert.key_alg,
								      t->certs[i].cert.cert.key_bits);
	}
	/* protocols: the mandatory list when TLS is required, as smtpd does */
	proto = mandatory ? P(SMTPD_TLS_MANDATORY_PROTOCOLS) : P(SMTPD_TLS_PROTOCOLS);
	t->versions_setting = arena_printf(sc->arena, "smtpd_tls_%sprotocols = %s",
					   mandatory ? "mandatory_" : "", proto);
	if (postfix_tls_protocols(proto, &mask) == 0) {
		t->versions = mask & postfix_tls_library_versions(pf->version);
		t->versions_known = true;
	} else {
		/* smtpd: "Invalid TLS protocol list": TLS is off */
		log_file_warn(in->main_path, 0, "service %s: invalid TLS protocol list \"%s\"",
			      s->name, proto);
		t->offered = false;
	}
	/* cipher grade: likewise the mandatory one when TLS is required */
	grade = mandatory ? P(SMTPD_TLS_MANDATORY_CIPHERS) : P(SMTPD_TLS_CIPHERS);
	t->ciphers_setting = arena_printf(sc->arena, "smtpd_tls_%sciphers = %s",
					  mandatory ? "mandatory_" : "", grade);
	if (postfix_tls_cipher_grade(grade) >= 0) {
		t->weak_ciphers = postfix_tls_grade_weak(
			(enum postfix_cipher_grade)postfix_tls_cipher_grade(grade));
		t->ciphers_known = true;
	} else {
		/* smtpd: "invalid cipher grade": the TLS handshake fails */
		log_file_warn(in->main_path, 0, "service %s: invalid cipher grade \"%s\"", s->name,
			      grade);
	}
#undef P
}

/*
 * The smtpd inet services of every instance, each with its relay verdict,
 * into pf->smtpd and mf->relays; the TLS files of main.cf.  A service
 * without -o overrides has its instance's main.cf parameters, so its
 * verdict is that of the first such service (per loopback-only state):
 * evaluated once, however many there are.  Per-scrape memory; -1 when it
 * runs out, -2 when an evaluation ran out of work (logged).
 */
static int
smtpd_services(struct scrape_ctx *sc, struct postfix_facts *pf, struct mta_facts *mf)
{
	size_t cap = 0;
	char *cert, *key;
	int rc = 0;

	for (size_t i = 0; i < pf->n_inst; i++)
		cap += pf->inst[i].master.n;
	if ((pf->smtpd = arena_calloc(sc->arena, cap + 1, sizeof(*pf->smtpd))) == NULL)
		return -1;
	budget_init(&pf->relay_work, POSTFIX_RELAY_WORK_PER_SCRAPE);
	for (size_t i = 0; i < pf->n_inst; i++) {
		const struct postfix_instance *in = &pf->inst[i];
		const struct postfix_smtpd *plain = NULL;	/* the first service without -o */

		if (!in->have_main)
			continue;
		if (pf->main_inst == NULL)
			pf->main_inst = in;
		for (size_t k = 0; k < in->master.n; k++) {
			const struct postfix_service *svc = &in->master.v[k];
			struct postfix_smtpd *s = &pf->smtpd[pf->n_smtpd];
			struct smtpd_params sp = { s, sc->arena, NULL, false };
			struct postfix_relay_params p = { smtpd_get, smtpd_is_set, &sp, smtpd_get_main };

			if (!postfix_service_is_smtp(svc))
				continue;
			s->inst = in;
			s->svc = svc;
			if (strcmp(postfix_service_command(svc), "postscreen") == 0 && smtpd_pass(in))
				s->svc = smtpd_pass(in);
			s->name = *in->label ? arena_printf(sc->arena, "%s/%s", in->label,
							    postfix_service_name(svc))
					     : postfix_service_name(svc);
			if (s->name == NULL)
				return -1;
			if (s->svc->params.n == 0 && plain != NULL) {
				s->relay_in = plain->relay_in;
				s->relay = plain->relay;
			} else if (postfix_relay_verdict_of(&p, sc->env->rootfs, sc->arena,
							    &pf->relay_work, &s->relay_in, &s->relay) < 0) {
				free(sp.mynet);
				return -1;
			} else if (s->svc->params.n == 0) {
				plain = s;
			}
			free(sp.mynet);
			if (strcmp(s->relay.reason, "evaluation_too_complex") == 0) {
				log_file_warn(s->svc->file, s->svc->line, "service %s: %s", s->name,
					      s->relay.detail);
				rc = -2;
			}
			pf->n_smtpd++;
		}
	}
	assert(pf->main_inst != NULL);	/* detected: the default instance has a main.cf */
	if ((mf->relays = arena_calloc(sc->arena, pf->n_smtpd + 1, sizeof(*mf->relays))) == NULL)
		return -1;
	for (size_t i = 0; i < pf->n_smtpd; i++) {
		struct mta_relay *rl = &mf->relays[mf->n_relays++];

		rl->instance = "";	/* the name says it: "<instance>/<service>" */
		rl->service = pf->smtpd[i].name;
		rl->verdict = pf->smtpd[i].relay.verdict;
		rl->reason = pf->smtpd[i].relay.reason;
		rl->detail = pf->smtpd[i].relay.detail;
	}
	if ((mf->tls = arena_calloc(sc->arena, pf->n_smtpd + 1, sizeof(*mf->tls))) == NULL)
		return -1;
	for (size_t i = 0; i < pf->n_smtpd; i++)
		smtpd_tls_facts(sc, pf, &pf->smtpd[i], &mf->tls[mf->n_tls++]);
	cert = postfix_param(pf->main_inst, NULL, POSTFIX_P_SMTPD_TLS_CERT_FILE);
	key = postfix_param(pf->main_inst, NULL, POSTFIX_P_SMTPD_TLS_KEY_FILE);
	pf->tls_cert_present = file_present(sc->env->rootfs, cert);
	pf->tls_key_present = file_present(sc->env->rootfs, key != NULL && *key ? key : cert);
	free(cert);
	free(key);
	return rc;
}

static void
log_diags(const struct postfix_instance *inst)
{
	for (size_t i = 0; i < inst->diags.n; i++)
		log_file_warn(inst->diags.v[i].file, inst->diags.v[i].line, "%s",
			      inst->diags.v[i].msg);
	if (inst->diags.total > inst->diags.n)
		log_file_warn(inst->main_path, 0, "%u more configuration warnings not shown",
			      inst->diags.total - (unsigned)inst->diags.n);
}

static int
postfix_collect(struct scrape_ctx *sc)
{
	struct mta_facts *mf = &sc->facts->mta[MTA_POSTFIX];
	const char *rootfs = sc->env->rootfs;
	struct postfix_facts *pf;
	struct postfix_host host;
	struct metric_family *f_cro, *f_info, *f_warn;
	size_t cap = 0;
	bool bound_all = false, local_only = true;
	int rc = 0;

	facts_free(last_facts);
	last_facts = NULL;
	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return -1;
	pf->inst = calloc(POSTFIX_MAX_INSTANCES, sizeof(*pf->inst));
	if (pf->inst == NULL) {
		free(pf);
		return -1;
	}
	last_facts = pf;
	host_name(rootfs, pf->hostname, sizeof(pf->hostname));
	detect_version(rootfs, pf);
	read_hosts(rootfs, pf);
	memset(&host, 0, sizeof(host));
	host.rootfs = rootfs;
	host.hostname = pf->hostname;
	host.version = pf->version;
	host.ifaddrs = sc->facts->ifaddrs;
	host.n_ifaddrs = sc->facts->n_ifaddrs;
	host.ifaddrs_known = sc->facts->ifaddrs_collected;
	host.hosts.text = pf->hosts_text;
	host.hosts.len = pf->hosts_len;
	budget_init(&pf->expand_work, POSTFIX_EXPAND_WORK_PER_SCRAPE);
	host.expand_work = &pf->expand_work;

	if (postfix_instance_load(&pf->inst[0], flag_config_directory, "", &host) < 0)
		rc = -1;
	pf->n_inst = 1;
	mf->priv = pf;
	mf->detected = pf->inst[0].have_main;
	if (!mf->detected) {
		mf->collected = rc == 0;
		return rc;
	}
	/* multi_instance_directories (postmulti): secondary instances */
	{
		char *dirs = postfix_param(&pf->inst[0], NULL, POSTFIX_P_MULTI_INSTANCE_DIRECTORIES);
		struct postfix_list l;

		postfix_list_split(dirs ? dirs : "", POSTFIX_SPLIT_LIST, &l, pf->inst[0].main_path,
				   0, &pf->inst[0].diags);
		for (size_t i = 0; i < l.n && pf->n_inst < POSTFIX_MAX_INSTANCES; i++) {
			struct postfix_instance *in = &pf->inst[pf->n_inst];
			char *name;

			if (postfix_instance_load(in, l.item[i], l.item[i], &host) < 0)
				rc = -1;
			pf->n_inst++;
			if (!in->have_main) {
				postfix_diags_add(&pf->inst[0].diags, POSTFIX_DIAG_OTHER,
						  pf->inst[0].main_path, 0,
						  "multi_instance_directories: no main.cf in %s",
						  l.item[i]);
				continue;
			}
			name = postfix_param(in, NULL, POSTFIX_P_MULTI_INSTANCE_NAME);
			if (name != NULL && *name) {
				free(in->label);
				in->label = name;
			} else {
				free(name);
			}
		}
		postfix_list_free(&l);
		free(dirs);
	}

	f_cro = metrics_family(sc->m, "postfix_client_restrictions_ok",
			       "1 if main.cf smtpd_client_restrictions contains reject with no bare permit before it (STIG GEN004710).",
			       METRIC_GAUGE);
	f_info = metrics_family(sc->m, "postfix_info",
				"Postfix version, compatibility level and configuration directory.",
				METRIC_INFO);
	f_warn = metrics_family(sc->m, "postfix_config_warnings",
				"Number of configuration problems postconf would warn about (logged with file and line).",
				METRIC_GAUGE);

	for (size_t i = 0; i < pf->n_inst; i++) {
		struct postfix_instance *in = &pf->inst[i];
		char *ifs, *level;

		if (!in->have_main)
			continue;
		ifs = postfix_param(in, NULL, POSTFIX_P_INET_INTERFACES);
		if (ifs != NULL) {
			struct postfix_list l;

			postfix_list_split(ifs, POSTFIX_SPLIT_INET, &l, NULL, 0, NULL);
			if (list_has(&l, "all"))
				bound_all = true;
			postfix_list_free(&l);
		}
		free(ifs);
		for (size_t s = 0; s < in->master.n; s++) {
			const struct postfix_service *svc = &in->master.v[s];
			size_t first = mf->n_endpoints;

			if (!postfix_service_is_smtp(svc))
				continue;
			/* warm the diagnostics: the audited values of this service */
			{
				static const struct {
					enum postfix_param_id id;
					bool list;
				} audited[] = {
					{ POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS, true },
					{ POSTFIX_P_SMTPD_HELO_RESTRICTIONS, true },
					{ POSTFIX_P_SMTPD_SENDER_RESTRICTIONS, true },
					{ POSTFIX_P_SMTPD_RELAY_RESTRICTIONS, true },
					{ POSTFIX_P_SMTPD_RECIPIENT_RESTRICTIONS, true },
					{ POSTFIX_P_MYNETWORKS, true },
					{ POSTFIX_P_SMTPD_BANNER, false },
					{ POSTFIX_P_SMTPD_TLS_SECURITY_LEVEL, false },
				};

				for (size_t k = 0; k < sizeof(audited) / sizeof(audited[0]); k++) {
					char *v = postfix_param(in, svc, audited[k].id);
					const struct postfix_param *where = NULL;
					struct postfix_env e = in->env;
					struct postfix_list l;

					if (v == NULL)
						continue;
					/* unparseable lists ({} unbalanced) are warnings */
					e.local = &svc->params;
					postfix_lookup(&e, postfix_param_name(audited[k].id), &where);
					if (audited[k].list) {
						postfix_list_split(v, POSTFIX_SPLIT_LIST, &l,
								   where ? where->file : in->main_path,
								   where ? where->line : 0, &in->diags);
						postfix_list_free(&l);
					}
					free(v);
				}
			}
			service_endpoints(sc, mf, &cap, in, svc);
			for (size_t k = first; k < mf->n_endpoints; k++) {
				if (mf->endpoints[k].wildcard)
					bound_all = true;
				if (!mf->endpoints[k].loopback)
					local_only = false;
			}
		}
		level = postfix_param(in, NULL, POSTFIX_P_COMPATIBILITY_LEVEL);
		metrics_add(f_info, 1, "version", pf->version_str, "compatibility_level",
			    level ? level : "", "config_directory", in->config_directory, NULL);
		free(level);
		metrics_add(f_cro, client_restrictions_ok(in), "config_directory",
			    in->config_directory, NULL);
	}
	/* mta_bound_all_interfaces, mta_local_only, mta_service_info and the
	 * relay verdicts: from these facts, by collectors/core/mta_metrics.c */
	mf->bound_all = bound_all;
	mf->local_only = local_only;
	if (rc == 0) {
		int r = smtpd_services(sc, pf, mf);

		if (r == -1)
			log_warn("postfix collector ran out of per-scrape memory", NULL);
		if (r < 0)
			rc = -1;
	}
	/* the diagnostics of everything evaluated above, relay inputs included */
	for (size_t i = 0; i < pf->n_inst; i++) {
		struct postfix_instance *in = &pf->inst[i];

		if (!in->have_main)
			continue;
		log_diags(in);
		/* An expansion error (a $a -> $b -> $a loop, a depth, size or work
		 * bomb, a syntax error) leaves the effective value of an audited
		 * parameter unknown, and Postfix itself stops on it; a cap that
		 * was hit leaves part of the configuration unread: the scrape
		 * cannot vouch for this configuration, so the collector fails. */
		if (postfix_diags_has(&in->diags, POSTFIX_DIAG_EXPAND, "")) {
			log_file_warn(in->main_path, 0,
				      "expansion error: effective configuration unknown (see the warnings above)");
			rc = -1;
		}
		if (postfix_diags_has(&in->diags, POSTFIX_DIAG_LIMIT, "")) {
			log_file_warn(in->main_path, 0,
				      "a limit was exceeded: configuration not fully read (see the warnings above)");
			rc = -1;
		}
		mf->config_warnings += in->diags.total;
		metrics_add(f_warn, in->diags.total, "config_directory", in->config_directory, NULL);
	}
	{
		char used[32];

		snprintf(used, sizeof(used), "%zu", pf->expand_work.used);
		log_debug("postfix expansion work", "bytes", used, NULL);
	}
	mf->collected = rc == 0;
	return rc;
}

static int
postfix_init(const struct collector_env *env)
{
	return collector_flag_absolute(&postfix_flags[0]);
}

static void
postfix_fini(void)
{
	facts_free(last_facts);
	last_facts = NULL;
}

const struct collector collector_postfix = {
	.name = "postfix",
	.help = "Postfix main.cf/master.cf: listeners, restrictions, version (read as postconf does).",
	.default_enabled = true,
	.flags = postfix_flags,
	.init = postfix_init,
	.collect = postfix_collect,
	.fini = postfix_fini,
};

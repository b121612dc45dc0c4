/*
 * netlink.c - sock_diag and RTM_GETADDR dumps over libmnl, record/replay.
 *
 * Interface: see netlink.h.  The parsers (netlink_cb_diag,
 * netlink_cb_ifaddr) are pure functions of the message bytes; netlink_feed()
 * checks every nlmsg_len against the bytes actually present before libmnl
 * walks them, because mnl_cb_run() silently stops at a message that does
 * not fit (which would turn a truncated dump into a short, "valid" one).
 *
 * Diagnostics: errors are returned as one-line strings in err; this module
 * does not log.  Replay and record errors name the file.
 */
#include "collectors/host/netlink.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "lib/fileio.h"

#define RECV_TIMEOUT_S 5

const char *
netlink_dump_name(enum netlink_dump_kind kind)
{
	switch (kind) {
	case NETLINK_DUMP_TCP4:
		return "sock_diag AF_INET TCP";
	case NETLINK_DUMP_TCP6:
		return "sock_diag AF_INET6 TCP";
	case NETLINK_DUMP_IFADDR:
		return "RTM_GETADDR";
	}
	assert(!"not an enum netlink_dump");
	return "unknown";
}

/* ---- per-message parsers ---------------------------------------------- */

static int
diag_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, INET_DIAG_MAX) < 0)
		return MNL_CB_OK;	/* newer kernel: skip what we do not know */
	if (type == INET_DIAG_SKV6ONLY && mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static bool
port_wanted(const struct netlink_sockets *s, uint16_t port)
{
	if (!s->ports)
		return true;
	for (size_t i = 0; i < s->n_ports; i++)
		if (s->ports[i] == port)
			return true;
	return false;
}

int
netlink_cb_diag(const struct nlmsghdr *nlh, void *data)
{
	struct netlink_sockets *s = data;
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	struct inet_diag_msg m;
	struct listener *l;
	uint16_t port;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY) {
		snprintf(s->why, sizeof(s->why), "unexpected message type %u",
			 (unsigned)nlh->nlmsg_type);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(m)) {
		snprintf(s->why, sizeof(s->why),
			 "inet_diag_msg of %zu bytes, need %zu",
			 mnl_nlmsg_get_payload_len(nlh), sizeof(m));
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(&m, mnl_nlmsg_get_payload(nlh), sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) {
		snprintf(s->why, sizeof(s->why), "unexpected address family %u",
			 (unsigned)m.idiag_family);
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (mnl_attr_parse(nlh, sizeof(m), diag_attr_cb, tb) < 0) {
		snprintf(s->why, sizeof(s->why), "malformed inet_diag attribute");
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	port = ntohs(m.id.idiag_sport);
	if (m.idiag_state != TCP_LISTEN || !port_wanted(s, port)) {
		s->ignored++;
		return MNL_CB_OK;
	}
	if (s->n >= s->max) {
		s->overflow++;
		return MNL_CB_OK;
	}
	l = &s->v[s->n++];
	memset(l, 0, sizeof(*l));
	l->addr.family = m.idiag_family;
	memcpy(l->addr.a, m.id.idiag_src, m.idiag_family == AF_INET ? 4 : 16);
	l->port = port;
	l->inode = m.idiag_inode;
	l->uid = m.idiag_uid;
	l->ifindex = m.id.idiag_if;
	if (tb[INET_DIAG_SKV6ONLY])
		l->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0;
	return MNL_CB_OK;
}

static int
ifaddr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFA_ADDRESS:
	case IFA_LOCAL:
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	case IFA_LABEL:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

int
netlink_cb_ifaddr(const struct nlmsghdr *nlh, void *data)
{
	struct netlink_ifaddrs *s = data;
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	const struct nlattr *a;
	struct ifaddrmsg ifm;
	struct ifaddr *out;
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWADDR) {
		snprintf(s->why, sizeof(s->why), "unexpected message type %u",
			 (unsigned)nlh->nlmsg_type);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifm)) {
		snprintf(s->why, sizeof(s->why), "ifaddrmsg of %zu bytes, need %zu",
			 mnl_nlmsg_get_payload_len(nlh), sizeof(ifm));
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(&ifm, mnl_nlmsg_get_payload(nlh), sizeof(ifm));
	if (mnl_attr_parse(nlh, sizeof(ifm), ifaddr_attr_cb, tb) < 0) {
		snprintf(s->why, sizeof(s->why), "malformed ifaddr attribute");
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (ifm.ifa_family != AF_INET && ifm.ifa_family != AF_INET6)
		return MNL_CB_OK;	/* not an IP address */
	alen = ifm.ifa_family == AF_INET ? 4 : 16;
	/* IFA_LOCAL is the local end of a point-to-point link; IFA_ADDRESS the peer. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(a) != alen || ifm.ifa_prefixlen > alen * 8) {
		snprintf(s->why, sizeof(s->why),
			 "address of %u bytes / prefix length %u for family %u",
			 (unsigned)mnl_attr_get_payload_len(a),
			 (unsigned)ifm.ifa_prefixlen, (unsigned)ifm.ifa_family);
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (s->n >= s->max) {
		s->overflow++;
		return MNL_CB_OK;
	}
	out = &s->v[s->n++];
	memset(out, 0, sizeof(*out));
	out->addr.family = ifm.ifa_family;
	memcpy(out->addr.a, mnl_attr_get_payload(a), alen);
	out->prefixlen = ifm.ifa_prefixlen;
	out->scope = ifm.ifa_scope;
	out->ifindex = ifm.ifa_index;
	if (tb[IFA_LABEL])
		snprintf(out->ifname, sizeof(out->ifname), "%s",
			 mnl_attr_get_str(tb[IFA_LABEL]));
	return MNL_CB_OK;
}

/* ---- framing ---------------------------------------------------------- */

/* A kernel error code as an errno; anything implausible (INT_MIN...) is EPROTO. */
static int
errno_of(int code)
{
	if (code < 0 && code > -4096)
		return -code;
	if (code > 0 && code < 4096)
		return code;
	return EPROTO;
}

static int
ctl_error(const struct nlmsghdr *nlh, void *data)
{
	struct nlmsgerr e;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	if (e.error == 0)
		return MNL_CB_STOP;	/* an ACK */
	errno = errno_of(e.error);
	return MNL_CB_ERROR;
}

/* NLMSG_DONE may carry the dump's final error code (an int). */
static int
ctl_done(const struct nlmsghdr *nlh, void *data)
{
	int code;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(code)) {
		memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
		if (code < 0) {
			errno = errno_of(code);
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int
ctl_overrun(const struct nlmsghdr *nlh, void *data)
{
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

/* Not const: mnl_cb_run2() takes a non-const array (it never writes it). */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = ctl_error,
	[NLMSG_DONE] = ctl_done,
	[NLMSG_OVERRUN] = ctl_overrun,
};

static const char *
cb_why(mnl_cb_t cb, void *data)
{
	const char *why = NULL;

	if (cb == netlink_cb_diag)
		why = ((struct netlink_sockets *)data)->why;
	else if (cb == netlink_cb_ifaddr)
		why = ((struct netlink_ifaddrs *)data)->why;
	return why && why[0] ? why : NULL;
}

int
netlink_feed(const void *buf, size_t len, unsigned seq, unsigned portid,
	     mnl_cb_t cb, void *data, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	size_t off = 0;
	const char *why;
	int ret;

	if ((uintptr_t)buf % 4 != 0) {
		snprintf(err, errlen, "netlink buffer is not aligned");
		errno = EINVAL;
		return -1;
	}
	while (off < len) {
		struct nlmsghdr h;

		if (len - off < sizeof(h)) {
			snprintf(err, errlen,
				 "truncated netlink message: %zu bytes left at offset %zu, header needs %zu",
				 len - off, off, sizeof(h));
			errno = EBADMSG;
			return -1;
		}
		memcpy(&h, p + off, sizeof(h));
		/*
		 * libmnl bounds attribute parsing by the *aligned* message end,
		 * so the padding must be in the buffer too (the kernel always
		 * sends it); otherwise a 4-byte-unaligned last message lets an
		 * attribute be read past the end of the buffer.
		 */
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off ||
		    (((size_t)h.nlmsg_len + 3) & ~(size_t)3) > len - off) {
			snprintf(err, errlen,
				 "bad netlink message length %u at offset %zu (%zu bytes left)",
				 (unsigned)h.nlmsg_len, off, len - off);
			errno = EBADMSG;
			return -1;
		}
		off += ((size_t)h.nlmsg_len + 3) & ~(size_t)3;
	}
	if (len == 0)
		return 1;
	errno = 0;
	ret = mnl_cb_run2(buf, len, seq, portid, cb, data, ctl_cbs, NLMSG_MIN_TYPE);
	if (ret > MNL_CB_STOP)
		return 1;
	if (ret == MNL_CB_STOP)
		return 0;
	if (errno == EINTR) {
		snprintf(err, errlen, "dump interrupted (NLM_F_DUMP_INTR)");
		return -1;
	}
	why = cb_why(cb, data);
	if (why) {
		int e = errno;

		snprintf(err, errlen, "%s", why);
		errno = e;
	} else if (errno == ESRCH || errno == EPROTO) {
		snprintf(err, errlen, "netlink message with wrong %s",
			 errno == ESRCH ? "port id" : "sequence number");
	} else {
		snprintf(err, errlen, "kernel answered: %s", strerror(errno));
	}
	return -1;
}

int
netlink_run(const void *buf, size_t len, mnl_cb_t cb, void *data,
	    char *err, size_t errlen)
{
	void *copy = NULL;
	int ret;

	if ((uintptr_t)buf % 4 != 0) {
		copy = malloc(len ? len : 1);
		if (!copy) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(copy, buf, len);
		buf = copy;
	}
	ret = netlink_feed(buf, len, 0, 0, cb, data, err, errlen);
	free(copy);
	if (ret == 1) {
		snprintf(err, errlen, "truncated dump: %zu bytes without NLMSG_DONE", len);
		errno = EBADMSG;
		return -1;
	}
	return ret;
}

/* ---- kernel port filter ----------------------------------------------- */

/*
 * An OR chain the kernel's inet_diag_bc_audit() accepts: its "yes" walk
 * must pass through every op a "no" jump lands on.  Per port but the last:
 *	[S_EQ yes=8 no=12] [port] [JMP yes=4 no=<to end: accept>]
 * and for the last port: [S_EQ yes=8 no=12 (end + 4: reject)] [port].
 * A run accepts when it ends exactly at the end of the bytecode.
 */
size_t
netlink_bytecode(const uint16_t *ports, size_t n_ports, void *out, size_t outlen)
{
	struct inet_diag_bc_op *op = out;
	size_t total, k = 0;

	if (n_ports == 0 || n_ports > NETLINK_MAX_PORT_FILTER)
		return 0;
	total = 12 * (n_ports - 1) + 8;
	if (outlen < total)
		return 0;
	for (size_t i = 0; i < n_ports; i++) {
		op[k++] = (struct inet_diag_bc_op){INET_DIAG_BC_S_EQ, 8, 12};
		op[k++] = (struct inet_diag_bc_op){0, 0, ports[i]};
		if (i + 1 < n_ports) {
			unsigned short left = (unsigned short)(total - 4 * k);

			op[k++] = (struct inet_diag_bc_op){INET_DIAG_BC_JMP, 4, left};
		}
	}
	return total;
}

/* ---- record file ------------------------------------------------------ */

static bool
host_little_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

static uint32_t
get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

int
netlink_rec_find(const void *file, size_t len, enum netlink_dump_kind kind,
		 const void **sect, size_t *sectlen, char *err, size_t errlen)
{
	const unsigned char *p = file;
	bool seen[NETLINK_DUMP_KINDS + 1] = {false};
	size_t off = NETLINK_REC_HDRLEN;
	const void *found = NULL;
	size_t found_len = 0;

	if (len < NETLINK_REC_HDRLEN || memcmp(p, NETLINK_REC_MAGIC, 8) != 0) {
		snprintf(err, errlen, "not a netlink record file (bad magic)");
		return -1;
	}
	if (p[8] != NETLINK_REC_VERSION) {
		snprintf(err, errlen, "record format version %u, expected %u",
			 (unsigned)p[8], NETLINK_REC_VERSION);
		return -1;
	}
	if (p[9] != (host_little_endian() ? 'l' : 'b')) {
		snprintf(err, errlen, "recorded with the other byte order");
		return -1;
	}
	while (off < len) {
		uint32_t k, n;

		if (len - off < NETLINK_REC_SECTLEN) {
			snprintf(err, errlen,
				 "truncated section header at offset %zu", off);
			return -1;
		}
		k = get_le32(p + off);
		n = get_le32(p + off + 4);
		off += NETLINK_REC_SECTLEN;
		if (k < 1 || k > NETLINK_DUMP_KINDS) {
			snprintf(err, errlen, "unknown section kind %u at offset %zu",
				 (unsigned)k, off - NETLINK_REC_SECTLEN);
			return -1;
		}
		if (n > len - off || n > NETLINK_MAX_DUMP_BYTES) {
			snprintf(err, errlen,
				 "section %u claims %u bytes, %zu left at offset %zu",
				 (unsigned)k, (unsigned)n, len - off, off);
			return -1;
		}
		if (seen[k]) {
			snprintf(err, errlen, "duplicate section %u", (unsigned)k);
			return -1;
		}
		seen[k] = true;
		if (k == (uint32_t)kind) {
			found = p + off;
			found_len = n;
		}
		off += n;
	}
	if (!found) {
		snprintf(err, errlen, "no %s dump in the record", netlink_dump_name(kind));
		return -1;
	}
	*sect = found;
	*sectlen = found_len;
	return 0;
}

static int
rec_reserve(struct netlink_io *io, size_t more)
{
	size_t need = io->rec_len + more, cap;
	unsigned char *p;

	if (need <= io->rec_cap)
		return 0;
	if (need > NETLINK_MAX_FILE_BYTES)
		return -1;
	cap = io->rec_cap ? io->rec_cap : 65536;
	while (cap < need)
		cap *= 2;
	p = realloc(io->rec, cap);
	if (!p)
		return -1;
	io->rec = p;
	io->rec_cap = cap;
	return 0;
}

static int
rec_append(struct netlink_io *io, const void *b, size_t n)
{
	if (!io->record_path)
		return 0;
	if (rec_reserve(io, n) < 0)
		return -1;
	memcpy(io->rec + io->rec_len, b, n);
	io->rec_len += n;
	return 0;
}

/* ---- I/O -------------------------------------------------------------- */

int
netlink_io_begin(struct netlink_io *io, char *err, size_t errlen)
{
	char why[256];
	char *data = NULL;
	size_t len = 0;

	free(io->replay);
	io->replay = NULL;
	io->replay_len = 0;
	io->rec_len = 0;
	if (!io->replay_path)
		return 0;
	if (fileio_read(NULL, io->replay_path, NETLINK_MAX_FILE_BYTES, &data, &len, NULL,
			why, sizeof(why)) != FILEIO_OK) {
		snprintf(err, errlen, "%s: %s", io->replay_path, why);
		return -1;
	}
	io->replay = (unsigned char *)data;
	io->replay_len = len;
	return 0;
}

static size_t
build_request(unsigned char *buf, size_t buflen,
	      enum netlink_dump_kind kind, unsigned seq,
	      const uint16_t *ports, size_t n_ports)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (kind == NETLINK_DUMP_IFADDR) {
		struct ifaddrmsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

		nlh->nlmsg_type = RTM_GETADDR;
		ifm->ifa_family = AF_UNSPEC;
	} else {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
		unsigned char bc[12 * NETLINK_MAX_PORT_FILTER];
		size_t bclen = ports ? netlink_bytecode(ports, n_ports, bc, sizeof(bc)) : 0;

		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		r->sdiag_family = kind == NETLINK_DUMP_TCP4 ? AF_INET : AF_INET6;
		r->sdiag_protocol = IPPROTO_TCP;
		r->idiag_states = 1u << TCP_LISTEN;
		if (bclen > 0 && nlh->nlmsg_len + MNL_ATTR_HDRLEN + bclen <= buflen)
			mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bclen, bc);
	}
	return nlh->nlmsg_len;
}

/* One attempt at a live dump.  Returns 0, -1, NETLINK_UNAVAILABLE, or 1 to retry. */
static int
dump_once(struct netlink_io *io, enum netlink_dump_kind kind,
	  const uint16_t *ports, size_t n_ports, mnl_cb_t cb,
	  void *data, char *err, size_t errlen)
{
	union {
		struct nlmsghdr h;
		unsigned char b[1024];
	} req;
	bool diag = kind != NETLINK_DUMP_IFADDR;
	struct mnl_socket *nl;
	struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
	size_t total = 0, reqlen;
	unsigned portid, seq;
	int ret = -1;

	if (diag && io->sock_diag_disabled) {
		snprintf(err, errlen, "sock_diag disabled by MTA_EXPORTER_NO_SOCK_DIAG");
		return NETLINK_UNAVAILABLE;
	}
	nl = mnl_socket_open(diag ? NETLINK_SOCK_DIAG : NETLINK_ROUTE);
	if (!nl) {
		int e = errno;

		snprintf(err, errlen, "cannot open netlink socket: %s", strerror(e));
		return diag && (e == EPROTONOSUPPORT || e == EAFNOSUPPORT ||
				e == EACCES || e == EPERM) ? NETLINK_UNAVAILABLE : -1;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "cannot bind netlink socket: %s", strerror(errno));
		goto out;
	}
	(void)setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	portid = mnl_socket_get_portid(nl);
	seq = ++io->seq;
	reqlen = build_request(req.b, sizeof(req.b), kind, seq, ports, n_ports);
	if (mnl_socket_sendto(nl, req.b, reqlen) < 0) {
		snprintf(err, errlen, "cannot send %s request: %s",
			 netlink_dump_name(kind), strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, io->rxbuf, NETLINK_RECV_SIZE);
		int r;

		if (n < 0) {
			snprintf(err, errlen, "%s: %s", netlink_dump_name(kind),
				 errno == EAGAIN ? "no answer within timeout" :
				 errno == ENOSPC ? "message larger than the receive buffer" :
				 strerror(errno));
			goto out;
		}
		if (n == 0) {
			snprintf(err, errlen, "%s: unexpected end of stream",
				 netlink_dump_name(kind));
			goto out;
		}
		total += (size_t)n;
		if (total > NETLINK_MAX_DUMP_BYTES) {
			snprintf(err, errlen, "%s: dump larger than %u bytes",
				 netlink_dump_name(kind), NETLINK_MAX_DUMP_BYTES);
			goto out;
		}
		if (rec_append(io, io->rxbuf, (size_t)n) < 0) {
			snprintf(err, errlen, "%s: cannot keep the recording in memory",
				 io->record_path);
			goto out;
		}
		r = netlink_feed(io->rxbuf, (size_t)n, seq, portid, cb, data, err, errlen);
		if (r == 1)
			continue;
		if (r == 0) {
			ret = 0;
			break;
		}
		if (errno == EINTR)
			ret = 1;
		else if (diag && (errno == ENOENT || errno == EOPNOTSUPP))
			ret = NETLINK_UNAVAILABLE;
		else if (diag && errno == EINVAL && ports)
			ret = 2;	/* bytecode refused: retry unfiltered */
		break;
	}
out:
	mnl_socket_close(nl);
	return ret;
}

int
netlink_dump(struct netlink_io *io, enum netlink_dump_kind kind,
	     const uint16_t *ports, size_t n_ports, mnl_cb_t cb,
	     void (*reset)(void *data), void *data, char *err, size_t errlen)
{
	unsigned char hdr[NETLINK_REC_SECTLEN];
	size_t sect_start = io->rec_len;
	int ret = -1;

	if (io->record_path) {
		put_le32(hdr, (uint32_t)kind);
		put_le32(hdr + 4, 0);
		if (rec_append(io, hdr, sizeof(hdr)) < 0) {
			snprintf(err, errlen, "%s: cannot keep the recording in memory",
				 io->record_path);
			return -1;
		}
	}
	if (io->replay_path) {
		const void *sect;
		size_t len;
		char why[256];

		reset(data);
		if (!io->replay) {
			snprintf(err, errlen, "%s: replay file not loaded", io->replay_path);
			goto done;
		}
		if (netlink_rec_find(io->replay, io->replay_len, kind, &sect, &len,
				     why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", io->replay_path, why);
			goto done;
		}
		if (rec_append(io, sect, len) < 0) {
			snprintf(err, errlen, "%s: cannot keep the recording in memory",
				 io->record_path);
			goto done;
		}
		if (netlink_run(sect, len, cb, data, why, sizeof(why)) < 0) {
			int e = errno;

			snprintf(err, errlen, "%s: %s dump: %s", io->replay_path,
				 netlink_dump_name(kind), why);
			if (kind != NETLINK_DUMP_IFADDR && (e == ENOENT || e == EOPNOTSUPP))
				ret = NETLINK_UNAVAILABLE;
			goto done;
		}
		ret = 0;
		goto done;
	}
	if (!io->rxbuf) {
		io->rxbuf = malloc(NETLINK_RECV_SIZE);
		if (!io->rxbuf) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
	}
	if (!io->seq)
		io->seq = (unsigned)time(NULL);
	for (int attempt = 0; attempt <= NETLINK_DUMP_RETRIES; attempt++) {
		reset(data);
		io->rec_len = sect_start + (io->record_path ? NETLINK_REC_SECTLEN : 0);
		ret = dump_once(io, kind, ports, n_ports, cb, data, err, errlen);
		if (ret == 2) {
			ports = NULL;	/* the caller filters in user space too */
			n_ports = 0;
			ret = 1;
		}
		if (ret != 1)
			break;
	}
	if (ret == 1) {
		snprintf(err, errlen, "%s: dump interrupted %d times",
			 netlink_dump_name(kind), NETLINK_DUMP_RETRIES + 1);
		ret = -1;
	}
done:
	if (io->record_path)
		put_le32(io->rec + sect_start + 4,
			 (uint32_t)(io->rec_len - sect_start - NETLINK_REC_SECTLEN));
	return ret;
}

int
netlink_io_finish(struct netlink_io *io, char *err, size_t errlen)
{
	unsigned char *file;
	int ok;

	free(io->replay);
	io->replay = NULL;
	io->replay_len = 0;
	if (!io->record_path)
		return 0;
	file = calloc(1, NETLINK_REC_HDRLEN + io->rec_len);
	if (file == NULL) {
		snprintf(err, errlen, "%s: out of memory", io->record_path);
		return -1;
	}
	memcpy(file, NETLINK_REC_MAGIC, 8);
	file[8] = NETLINK_REC_VERSION;
	file[9] = host_little_endian() ? 'l' : 'b';
	if (io->rec_len)
		memcpy(file + NETLINK_REC_HDRLEN, io->rec, io->rec_len);
	ok = fileio_write_atomic(io->record_path, file, NETLINK_REC_HDRLEN + io->rec_len) == 0;
	free(file);
	if (!ok) {
		snprintf(err, errlen, "%s: %s", io->record_path, strerror(errno));
		return -1;
	}
	io->rec_len = 0;
	return 0;
}

void
netlink_io_free(struct netlink_io *io)
{
	free(io->replay);
	free(io->rec);
	free(io->rxbuf);
	io->replay = io->rec = io->rxbuf = NULL;
	io->replay_len = io->rec_len = io->rec_cap = 0;
}

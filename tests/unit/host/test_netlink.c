/*
 * test_netlink.c - the netlink parsers and framing, driven by recorded
 * dumps (tests/fixtures/listeners/, *.rec) through the same mnl_cb_run path
 * the collector uses; crafted messages for errors, DUMP_INTR and lies;
 * the port bytecode checked against an emulation of the kernel's
 * inet_diag_bc_audit()/inet_diag_bc_run().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <cmocka.h>

#include "collectors/host/netlink.h"

static unsigned char *
load(const char *name, size_t *len)
{
	const char *dir = getenv("MTA_FIXTURES");
	char path[1024];
	unsigned char *p;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/listeners/%s", dir ? dir : "tests/fixtures", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* A section of a record file, copied to its own (aligned) buffer. */
static unsigned char *
section(const char *file, enum netlink_dump_kind kind, size_t *len)
{
	size_t flen;
	unsigned char *f = load(file, &flen), *copy;
	const void *s;
	char err[256];

	assert_int_equal(netlink_rec_find(f, flen, kind, &s, len, err, sizeof(err)), 0);
	copy = malloc(*len + 1);
	assert_non_null(copy);
	memcpy(copy, s, *len);
	free(f);
	return copy;
}

static const uint16_t audited[] = {25, 465, 587};

struct want_sock {
	const char *addr;
	uint16_t port;
	bool v6only;
	bool bound;	/* ifindex != 0 */
};

static bool
has(const struct listener *v, size_t n, const struct want_sock *w)
{
	for (size_t i = 0; i < n; i++) {
		char b[INET6_ADDRSTRLEN];

		inet_ntop(v[i].addr.family, v[i].addr.a, b, sizeof(b));
		if (strcmp(b, w->addr) == 0 && v[i].port == w->port &&
		    v[i].v6only == w->v6only && (v[i].ifindex != 0) == w->bound &&
		    v[i].inode != 0)
			return true;
	}
	return false;
}

static void
test_decode_basic(void **state)
{
	static const struct want_sock want4[] = {
		{"0.0.0.0", 25, false, false},
		{"127.0.0.2", 465, false, false},
		{"0.0.0.0", 587, false, true},		/* SO_BINDTODEVICE lo */
	};
	static const struct want_sock want6[] = {
		/* the kernel sets ipv6only when binding a non-mapped specific address */
		{"2001:db8::10", 25, true, false},
		{"::", 465, true, false},
		{"::ffff:127.0.0.1", 465, false, false},
		{"::ffff:192.0.2.10", 465, false, false},
		{"::1", 587, true, false},
	};
	struct listener v[16];
	struct netlink_sockets s = {.v = v, .max = 16, .ports = audited, .n_ports = 3};
	char err[256];
	size_t len;
	unsigned char *b;

	b = section("basic.rec", NETLINK_DUMP_TCP4, &len);
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), 0);
	free(b);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ignored, 1);		/* the 2525 decoy */
	for (size_t i = 0; i < 3; i++)
		assert_true(has(v, s.n, &want4[i]));
	for (size_t i = 0; i < s.n; i++)
		if (v[i].ifindex)
			assert_int_equal(v[i].ifindex, 1);

	memset(&s, 0, sizeof(s));
	s = (struct netlink_sockets){.v = v, .max = 16, .ports = audited, .n_ports = 3};
	b = section("basic.rec", NETLINK_DUMP_TCP6, &len);
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), 0);
	free(b);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ignored, 1);		/* the 25565 decoy */
	for (size_t i = 0; i < 5; i++)
		assert_true(has(v, s.n, &want6[i]));

	/* Without a port list every LISTEN socket is kept, decoys included. */
	s = (struct netlink_sockets){.v = v, .max = 16};
	b = section("basic.rec", NETLINK_DUMP_TCP4, &len);
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), 0);
	free(b);
	assert_int_equal(s.n, 4);

	/* Overflow is counted, not written. */
	s = (struct netlink_sockets){.v = v, .max = 2, .ports = audited, .n_ports = 3};
	b = section("basic.rec", NETLINK_DUMP_TCP6, &len);
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), 0);
	free(b);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.overflow, 3);
}

static void
test_decode_multipart(void **state)
{
	struct listener *v = calloc(1024, sizeof(*v));
	struct netlink_sockets s = {.v = v, .max = 1024, .ports = audited, .n_ports = 3};
	char err[256];
	size_t len, nmsg = 0, off = 0;
	unsigned char *b = section("multipart.rec", NETLINK_DUMP_TCP4, &len);

	/* Recorded from several receive buffers: more than one of them. */
	assert_true(len > NETLINK_RECV_SIZE);
	while (off < len) {
		const struct nlmsghdr *h = (const void *)(b + off);

		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
			assert_true(h->nlmsg_flags & NLM_F_MULTI);
		nmsg++;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	assert_int_equal(nmsg, 402);	/* 401 sockets + NLMSG_DONE */
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 401);
	free(b);
	free(v);
}

static void
test_decode_ifaddr(void **state)
{
	static const struct {
		const char *addr;
		unsigned prefixlen, scope;
		const char *label;
	} want[] = {
		{"127.0.0.1", 8, RT_SCOPE_HOST, "lo"},
		{"127.0.0.2", 8, RT_SCOPE_HOST, "lo"},
		{"192.0.2.10", 24, RT_SCOPE_UNIVERSE, "mlstf0"},
		{"::1", 128, RT_SCOPE_HOST, ""},
		{"2001:db8::10", 64, RT_SCOPE_UNIVERSE, ""},
	};
	struct ifaddr v[32];
	struct netlink_ifaddrs s = {.v = v, .max = 32};
	char err[256];
	size_t len;
	unsigned char *b = section("basic.rec", NETLINK_DUMP_IFADDR, &len);

	assert_int_equal(netlink_run(b, len, netlink_cb_ifaddr, &s, err, sizeof(err)), 0);
	free(b);
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		bool found = false;

		for (size_t i = 0; i < s.n; i++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(v[i].addr.family, v[i].addr.a, a, sizeof(a));
			if (strcmp(a, want[w].addr) != 0)
				continue;
			found = true;
			assert_int_equal(v[i].prefixlen, want[w].prefixlen);
			assert_int_equal(v[i].scope, want[w].scope);
			assert_string_equal(v[i].ifname, want[w].label);
			if (strcmp(want[w].label, "lo") == 0 || strcmp(a, "::1") == 0)
				assert_int_equal(v[i].ifindex, 1);
		}
		assert_true(found);
	}
}

/* Crafted messages. */
static size_t
put_error(unsigned char *buf, int error)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	nlh->nlmsg_type = NLMSG_ERROR;
	e->error = error;
	return nlh->nlmsg_len;
}

static size_t
put_done(unsigned char *buf, int code)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	*p = code;
	return nlh->nlmsg_len;
}

static void
test_errors(void **state)
{
	union {
		struct nlmsghdr h;
		unsigned char b[256];
	} u;
	struct listener v[4];
	struct netlink_sockets s = {.v = v, .max = 4};
	char err[256];
	size_t n;

	memset(&u, 0, sizeof(u));
	n = put_error(u.b, -EINVAL);
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "Invalid argument"));

	memset(&u, 0, sizeof(u));
	n = put_error(u.b, -ENOENT);	/* no tcp_diag module */
	assert_int_equal(netlink_feed(u.b, n, 0, 0, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);

	memset(&u, 0, sizeof(u));
	n = put_error(u.b, INT32_MIN);	/* found by the fuzzer: no negation overflow */
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, EPROTO);
	memset(&u, 0, sizeof(u));
	n = put_done(u.b, INT32_MIN);
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, EPROTO);

	memset(&u, 0, sizeof(u));
	n = put_error(u.b, 0);		/* an ACK ends the exchange */
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), 0);

	memset(&u, 0, sizeof(u));
	n = put_error(u.b, -EINVAL);
	u.h.nlmsg_len = NLMSG_HDRLEN + 2;	/* error too short to hold nlmsgerr */
	assert_int_equal(netlink_run(u.b, u.h.nlmsg_len, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, EBADMSG);

	memset(&u, 0, sizeof(u));
	n = put_done(u.b, -ENOBUFS);	/* the dump's own error in NLMSG_DONE */
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOBUFS);

	memset(&u, 0, sizeof(u));
	n = put_done(u.b, 0);
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), 0);
	/* seq and portid are checked when given. */
	u.h.nlmsg_seq = 7;
	assert_int_equal(netlink_feed(u.b, n, 8, 0, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sequence"));
	assert_int_equal(netlink_feed(u.b, n, 7, 0, netlink_cb_diag, &s, err, sizeof(err)), 0);
	u.h.nlmsg_pid = 99;
	assert_int_equal(netlink_feed(u.b, n, 7, 98, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "port id"));

	/* Empty input: not a complete dump. */
	assert_int_equal(netlink_run(u.b, 0, netlink_cb_diag, &s, err, sizeof(err)), -1);
}

static void
test_interrupted_and_lies(void **state)
{
	struct listener v[16];
	struct netlink_sockets s;
	char err[256];
	size_t len;
	unsigned char *b = section("basic.rec", NETLINK_DUMP_TCP4, &len);
	struct nlmsghdr *first = (struct nlmsghdr *)b;
	uint32_t saved = first->nlmsg_len;

	first->nlmsg_flags |= NLM_F_DUMP_INTR;
	s = (struct netlink_sockets){.v = v, .max = 16};
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, EINTR);
	first->nlmsg_flags &= (uint16_t)~NLM_F_DUMP_INTR;

	static const uint32_t lies[] = {0, 1, 15, 16, 17, 20, 100000, 0xffffffffu};
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		first->nlmsg_len = lies[i];
		s = (struct netlink_sockets){.v = v, .max = 16};
		assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), -1);
	}
	first->nlmsg_len = saved;

	/* Every truncation of a complete dump fails, none reads past the end. */
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *t = malloc(cut ? cut : 1);

		memcpy(t, b, cut);
		s = (struct netlink_sockets){.v = v, .max = 16};
		assert_int_equal(netlink_run(t, cut, netlink_cb_diag, &s, err, sizeof(err)), -1);
		free(t);
	}
	/* Unaligned input is copied, not rejected. */
	{
		unsigned char *u = malloc(len + 1);

		memcpy(u + 1, b, len);
		s = (struct netlink_sockets){.v = v, .max = 16};
		assert_int_equal(netlink_run(u + 1, len, netlink_cb_diag, &s, err, sizeof(err)), 0);
		assert_int_equal(s.n, 4);
		free(u);
	}
	/* An ifaddr dump given to the socket parser is refused (RTM_NEWADDR
	 * and SOCK_DIAG_BY_FAMILY are both 20: the payload check catches it). */
	free(b);
	b = section("basic.rec", NETLINK_DUMP_IFADDR, &len);
	s = (struct netlink_sockets){.v = v, .max = 16};
	assert_int_equal(netlink_run(b, len, netlink_cb_diag, &s, err, sizeof(err)), -1);
	free(b);
}

static void
test_short_payloads(void **state)
{
	union {
		struct nlmsghdr h;
		unsigned char b[512];
	} u;
	struct listener v[4];
	struct netlink_sockets s = {.v = v, .max = 4};
	struct ifaddr ia[4];
	struct netlink_ifaddrs a = {.v = ia, .max = 4};
	char err[256];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifm;
	size_t n;

	/* inet_diag_msg cut short */
	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	mnl_nlmsg_put_extra_header(nlh, 40);
	n = nlh->nlmsg_len;
	n += put_done(u.b + n, 0);
	assert_int_equal(netlink_run(u.b, n, netlink_cb_diag, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "inet_diag_msg of 40 bytes"));

	/* IPv4 ifaddr with a 16-byte address */
	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifa_family = AF_INET;
	ifm->ifa_prefixlen = 24;
	mnl_attr_put(nlh, IFA_LOCAL, 16, "0123456789abcdef");
	n = nlh->nlmsg_len;
	n += put_done(u.b + n, 0);
	assert_int_equal(netlink_run(u.b, n, netlink_cb_ifaddr, &a, err, sizeof(err)), -1);

	/* prefix length beyond the family */
	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifa_family = AF_INET;
	ifm->ifa_prefixlen = 33;
	mnl_attr_put(nlh, IFA_LOCAL, 4, "\xc0\x00\x02\x0a");
	n = nlh->nlmsg_len;
	n += put_done(u.b + n, 0);
	a.n = 0;
	assert_int_equal(netlink_run(u.b, n, netlink_cb_ifaddr, &a, err, sizeof(err)), -1);

	/* label without NUL, and a good one */
	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifa_family = AF_INET;
	ifm->ifa_prefixlen = 24;
	mnl_attr_put(nlh, IFA_LOCAL, 4, "\xc0\x00\x02\x0a");
	mnl_attr_put(nlh, IFA_LABEL, 3, "eth");
	n = nlh->nlmsg_len;
	n += put_done(u.b + n, 0);
	a.n = 0;
	assert_int_equal(netlink_run(u.b, n, netlink_cb_ifaddr, &a, err, sizeof(err)), -1);
	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifa_family = AF_INET;
	ifm->ifa_prefixlen = 24;
	ifm->ifa_index = 3;
	mnl_attr_put(nlh, IFA_LOCAL, 4, "\xc0\x00\x02\x0a");
	mnl_attr_put_strz(nlh, IFA_LABEL, "eth0");
	mnl_attr_put_u32(nlh, 200, 1);	/* unknown attribute: skipped */
	n = nlh->nlmsg_len;
	n += put_done(u.b + n, 0);
	a.n = 0;
	assert_int_equal(netlink_run(u.b, n, netlink_cb_ifaddr, &a, err, sizeof(err)), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(ia[0].ifname, "eth0");
	assert_int_equal(ia[0].ifindex, 3);
	assert_int_equal(ia[0].addr.a[0], 192);
}

/* The kernel's bytecode checks (net/ipv4/inet_diag.c), for the ops we emit. */
static bool
valid_cc(const unsigned char *bc, int len, int cc)
{
	while (len >= 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;

		if (cc > len)
			return false;
		if (cc == len)
			return true;
		if (op->yes < 4 || op->yes & 3)
			return false;
		len -= op->yes;
		bc += op->yes;
	}
	return false;
}

static bool
kernel_audit(const unsigned char *bytecode, int bytecode_len)
{
	const unsigned char *bc = bytecode;
	int len = bytecode_len;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int min_len = sizeof(struct inet_diag_bc_op);

		switch (op->code) {
		case INET_DIAG_BC_S_EQ:
			min_len += sizeof(struct inet_diag_bc_op);
			if (len < min_len)
				return false;
			break;
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return false;
		}
		if (op->code != INET_DIAG_BC_NOP) {
			if (op->no < min_len || op->no > len + 4 || op->no & 3)
				return false;
			if (op->no < len && !valid_cc(bytecode, bytecode_len, len - op->no))
				return false;
		}
		if (op->yes < min_len || op->yes > len + 4 || op->yes & 3)
			return false;
		bc += op->yes;
		len -= op->yes;
	}
	return len == 0;
}

static bool
kernel_run(const unsigned char *bc, int len, uint16_t sport)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		bool yes = true;

		switch (op->code) {
		case INET_DIAG_BC_JMP:
			yes = false;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = sport == op[1].no;
			break;
		}
		if (yes) {
			len -= op->yes;
			bc += op->yes;
		} else {
			len -= op->no;
			bc += op->no;
		}
	}
	return len == 0;
}

static void
test_bytecode(void **state)
{
	static const struct {
		uint16_t ports[4];
		size_t n;
	} cases[] = {
		{{25}, 1}, {{25, 465}, 2}, {{25, 465, 587}, 3}, {{587, 25, 2525, 65535}, 4},
	};
	unsigned char bc[12 * NETLINK_MAX_PORT_FILTER];
	uint16_t many[NETLINK_MAX_PORT_FILTER + 1];

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t len = netlink_bytecode(cases[c].ports, cases[c].n, bc, sizeof(bc));

		assert_int_equal(len, 12 * (cases[c].n - 1) + 8);
		assert_true(kernel_audit(bc, (int)len));
		for (uint32_t p = 0; p <= 65535; p++) {
			bool want = false;

			for (size_t i = 0; i < cases[c].n; i++)
				want |= cases[c].ports[i] == p;
			if (want != kernel_run(bc, (int)len, (uint16_t)p))
				fail_msg("case %zu port %u", c, (unsigned)p);
		}
	}
	for (size_t i = 0; i < NETLINK_MAX_PORT_FILTER + 1; i++)
		many[i] = (uint16_t)(1000 + i);
	assert_int_equal(netlink_bytecode(many, NETLINK_MAX_PORT_FILTER + 1, bc, sizeof(bc)), 0);
	assert_int_equal(netlink_bytecode(many, 0, bc, sizeof(bc)), 0);
	assert_int_equal(netlink_bytecode(many, 2, bc, 8), 0);	/* no room */
	assert_true(netlink_bytecode(many, NETLINK_MAX_PORT_FILTER, bc, sizeof(bc)) > 0);
	assert_true(kernel_audit(bc, 12 * (NETLINK_MAX_PORT_FILTER - 1) + 8));
}

static void
test_record_file(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *why;
	} bad[] = {
		{"", 0, "bad magic"},
		{"MTANLREX\x01l\0\0", 12, "bad magic"},
		{"MTANLREC\x02l\0\0", 12, "version 2"},
		{"MTANLREC\x01x\0\0", 12, "byte order"},
		{"MTANLREC\x01l\0\0\x01\0\0", 15, "truncated section header"},
		{"MTANLREC\x01l\0\0\x01\0\0\0\x05\0\0\0abcd", 24, "claims 5 bytes"},
		{"MTANLREC\x01l\0\0\x01\0\0\0\xff\xff\xff\xff", 20, "claims"},
		{"MTANLREC\x01l\0\0\x09\0\0\0\0\0\0\0", 20, "unknown section kind 9"},
		{"MTANLREC\x01l\0\0\x01\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0", 28, "duplicate"},
		{"MTANLREC\x01l\0\0\x02\0\0\0\0\0\0\0", 20, "no sock_diag AF_INET TCP dump"},
	};
	const void *s;
	size_t len, flen, full;
	char err[256];
	unsigned char *f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(netlink_rec_find(bad[i].bytes, bad[i].len, NETLINK_DUMP_TCP4,
						  &s, &len, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].why);
	}
	f = load("basic.rec", &flen);
	for (int k = 1; k <= NETLINK_DUMP_KINDS; k++)
		assert_int_equal(netlink_rec_find(f, flen, (enum netlink_dump_kind)k,
						  &s, &len, err, sizeof(err)), 0);
	/* Any truncation of the file is refused, or leaves the section whole. */
	assert_int_equal(netlink_rec_find(f, flen, NETLINK_DUMP_IFADDR, &s, &full, err, sizeof(err)), 0);
	for (size_t cut = 0; cut < flen; cut++)
		if (netlink_rec_find(f, cut, NETLINK_DUMP_IFADDR, &s, &len, err, sizeof(err)) == 0 &&
		    len != full) {
			struct ifaddr ia[32];
			struct netlink_ifaddrs a = {.v = ia, .max = 32};

			assert_int_equal(netlink_run(s, len, netlink_cb_ifaddr, &a, err, sizeof(err)), -1);
		}
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_basic),
		cmocka_unit_test(test_decode_multipart),
		cmocka_unit_test(test_decode_ifaddr),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_interrupted_and_lies),
		cmocka_unit_test(test_short_payloads),
		cmocka_unit_test(test_bytecode),
		cmocka_unit_test(test_record_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

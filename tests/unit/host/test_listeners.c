/*
 * test_listeners.c - the listeners collector: port flag parsing, address
 * classification and formatting, the interface address API, and whole
 * scrapes replayed from the recorded fixtures (exact metric output).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <errno.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "collectors/host/listeners.h"
#include "collectors/host/netlink.h"
#include "exporter/exposition/metrics.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"

static void
test_ports(void **state)
{
	static const struct {
		const char *spec;
		int ok;
		uint16_t want[4];
		size_t n;
	} cases[] = {
		{"25,465,587", 1, {25, 465, 587}, 3},
		{"smtp,submission,submissions", 1, {25, 587, 465}, 3},
		{"SMTP, smtps", 1, {25, 465}, 2},
		{" 25 ,\t587 ", 1, {25, 587}, 2},
		{"2525", 1, {2525}, 1},
		{"65535,1", 1, {65535, 1}, 2},
		{"", 0, {0}, 0},
		{"25,,587", 0, {0}, 0},
		{"25,", 0, {0}, 0},
		{"0", 0, {0}, 0},
		{"65536", 0, {0}, 0},
		{"123456", 0, {0}, 0},
		{"-25", 0, {0}, 0},
		{"25,smtp", 0, {0}, 0},		/* the same port twice */
		{"pop3", 0, {0}, 0},
		{"25 587", 0, {0}, 0},
		{"smtp:25", 0, {0}, 0},
		{"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33", 0, {0}, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t out[LISTENERS_MAX_PORTS];
		size_t n;
		char err[128];
		int r = listeners_parse_ports(cases[i].spec, out, LISTENERS_MAX_PORTS, &n, err, sizeof(err));

		if ((r == 0) != cases[i].ok)
			fail_msg("case %zu \"%s\": r=%d err=%s", i, cases[i].spec, r, err);
		if (r == 0) {
			assert_int_equal(n, cases[i].n);
			for (size_t k = 0; k < n; k++)
				assert_int_equal(out[k], cases[i].want[k]);
		} else {
			assert_true(err[0] != '\0');
		}
	}
	assert_int_equal(listeners_service_port("smtp"), 25);
	assert_int_equal(listeners_service_port("submissions"), 465);
	assert_int_equal(listeners_service_port("smtps"), 465);
	assert_int_equal(listeners_service_port("submission"), 587);
	assert_int_equal(listeners_service_port("http"), -1);
}

static struct listener
mk(const char *addr, uint32_t ifindex, const char *ifname)
{
	struct listener l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(inaddr_parse(addr, &l.addr), 0);
	l.ifindex = ifindex;
	snprintf(l.ifname, sizeof(l.ifname), "%s", ifname);
	return l;
}

static void
test_classify(void **state)
{
	static const struct {
		const char *addr;
		uint32_t ifindex;
		const char *ifname;
		bool loopback;
		const char *label;
	} cases[] = {
		{"127.0.0.1", 0, "", true, "127.0.0.1"},
		{"127.0.0.2", 0, "", true, "127.0.0.2"},
		{"127.0.1.1", 0, "", true, "127.0.1.1"},
		{"127.255.255.254", 0, "", true, "127.255.255.254"},
		{"::1", 0, "", true, "::1"},
		{"::ffff:127.0.0.1", 0, "", true, "::ffff:127.0.0.1"},
		{"::ffff:127.9.9.9", 0, "", true, "::ffff:127.9.9.9"},
		{"0.0.0.0", 0, "", false, "0.0.0.0"},
		{"::", 0, "", false, "::"},
		{"192.0.2.10", 0, "", false, "192.0.2.10"},
		{"2001:db8::10", 0, "", false, "2001:db8::10"},
		{"::ffff:192.0.2.10", 0, "", false, "::ffff:192.0.2.10"},
		{"128.0.0.1", 0, "", false, "128.0.0.1"},
		{"::2", 0, "", false, "::2"},
		{"0.0.0.0", 1, "lo", true, "0.0.0.0%lo"},	/* SO_BINDTODEVICE lo */
		{"::", 1, "lo", true, "::%lo"},
		{"192.0.2.10", 1, "lo", true, "192.0.2.10%lo"},
		{"0.0.0.0", 2, "eth0", false, "0.0.0.0%eth0"},
		{"127.0.0.1", 2, "eth0", true, "127.0.0.1%eth0"},
		{"0.0.0.0", 7, "", false, "0.0.0.0%if7"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listener l = mk(cases[i].addr, cases[i].ifindex, cases[i].ifname);
		char out[LISTENERS_ADDRLEN];

		if (listeners_is_loopback(&l) != cases[i].loopback)
			fail_msg("case %zu %s: loopback", i, cases[i].addr);
		listeners_format_address(&l, out, sizeof(out));
		assert_string_equal(out, cases[i].label);
	}
}

static void
test_ifaddr_api(void **state)
{
	static const struct {
		const char *addr;
		unsigned plen;
		enum listeners_net_style style;
		const char *net;
		unsigned want_plen;
	} cases[] = {
		{"192.0.2.10", 24, LISTENERS_NET_HOST, "192.0.2.10", 32},
		{"192.0.2.10", 24, LISTENERS_NET_SUBNET, "192.0.2.0", 24},
		{"192.0.2.10", 24, LISTENERS_NET_CLASS, "192.0.2.0", 24},
		{"10.1.2.3", 16, LISTENERS_NET_CLASS, "10.0.0.0", 8},
		{"10.1.2.3", 16, LISTENERS_NET_SUBNET, "10.1.0.0", 16},
		{"172.16.5.4", 12, LISTENERS_NET_CLASS, "172.16.0.0", 16},
		{"172.16.5.4", 12, LISTENERS_NET_SUBNET, "172.16.0.0", 12},
		{"127.0.0.1", 8, LISTENERS_NET_SUBNET, "127.0.0.0", 8},
		{"198.51.100.77", 25, LISTENERS_NET_SUBNET, "198.51.100.0", 25},
		{"2001:db8::10", 64, LISTENERS_NET_HOST, "2001:db8::10", 128},
		{"2001:db8::10", 64, LISTENERS_NET_SUBNET, "2001:db8::", 64},
		{"2001:db8::10", 64, LISTENERS_NET_CLASS, "2001:db8::", 64},
		{"2001:db8:1:2:3:4:5678:9", 100, LISTENERS_NET_SUBNET, "2001:db8:1:2:3:4:5000:0", 100},
	};
	struct ifaddr ifas[3];
	struct facts f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ifaddr ifa;
		struct inaddr net, want;
		unsigned plen;

		memset(&ifa, 0, sizeof(ifa));
		assert_int_equal(inaddr_parse(cases[i].addr, &ifa.addr), 0);
		ifa.prefixlen = cases[i].plen;
		listeners_ifaddr_network(&ifa, cases[i].style, &net, &plen);
		assert_int_equal(inaddr_parse(cases[i].net, &want), 0);
		if (!inaddr_equal(&net, &want) || plen != cases[i].want_plen)
			fail_msg("case %zu", i);
	}

	memset(ifas, 0, sizeof(ifas));
	inaddr_parse("127.0.0.1", &ifas[0].addr);
	inaddr_parse("192.0.2.10", &ifas[1].addr);
	inaddr_parse("::1", &ifas[2].addr);
	memset(&f, 0, sizeof(f));
	f.ifaddrs = ifas;
	f.n_ifaddrs = 3;
	assert_true(listeners_ifaddr_loopback(&ifas[0]));
	assert_false(listeners_ifaddr_loopback(&ifas[1]));
	assert_true(listeners_ifaddr_loopback(&ifas[2]));
	{
		struct inaddr a;

		inaddr_parse("::ffff:192.0.2.10", &a);
		assert_ptr_equal(listeners_ifaddr_find(&f, &a), &ifas[1]);
		inaddr_parse("192.0.2.11", &a);
		assert_null(listeners_ifaddr_find(&f, &a));
		inaddr_parse("::1", &a);
		assert_ptr_equal(listeners_ifaddr_find(&f, &a), &ifas[2]);
	}
}

/* ---- whole scrapes from the recorded fixtures ------------------------- */

static void
set_flag(const char *name, const char *value)
{
	for (const struct collector_flag *fl = collector_listeners.flags; fl->name; fl++)
		if (strcmp(fl->name, name) == 0) {
			*fl->value = value;
			return;
		}
	fail_msg("no flag %s", name);
}

/* Run one scrape; returns the collector's result, body in *out (0.0.4 text). */
static int
scrape_in(const char *procfs, const char *rec, const char *ports, char **out,
	  struct facts *facts_out)
{
	const char *dir = getenv("MTA_FIXTURES");
	static char path[1024];
	struct collector_env env;
	struct arena arena;
	struct metrics *m = metrics_new(1 << 20);
	struct facts facts;
	struct scrape_ctx sc;
	struct buf b;
	int r;

	if (rec[0] == '/')
		snprintf(path, sizeof(path), "%s", rec);
	else
		snprintf(path, sizeof(path), "%s/listeners/%s", dir ? dir : "tests/fixtures", rec);
	memset(&env, 0, sizeof(env));
	env.procfs = procfs;
	set_flag("listeners.ports", ports);
	set_flag("netlink.replay", path);
	set_flag("netlink.record", "");
	if (collector_listeners.init(&env) < 0) {
		metrics_free(m);
		return -2;
	}
	arena_init(&arena, 16u << 20);
	memset(&facts, 0, sizeof(facts));
	sc = (struct scrape_ctx){.env = &env, .m = m, .facts = &facts, .arena = &arena};
	r = collector_listeners.collect(&sc);
	buf_init(&b, 1 << 20);
	assert_int_equal(metrics_render(m, METRICS_TEXT_004, &b), 0);
	*out = buf_steal(&b, NULL);
	if (facts_out) {
		*facts_out = facts;
		facts_out->listeners = NULL;	/* arena memory, gone below */
		facts_out->ifaddrs = NULL;
	}
	collector_listeners.fini();
	metrics_free(m);
	arena_free(&arena);
	return r;
}

static int
scrape(const char *rec, const char *ports, char **out, struct facts *facts_out)
{
	return scrape_in("/proc", rec, ports, out, facts_out);
}

static void
test_scrape_basic(void **state)
{
	static const char want[] =
		"# HELP mta_port_nonloopback_listening 1 if a TCP socket in LISTEN state on the port is bound to a non-loopback address (wildcards included), else 0.\n"
		"# TYPE mta_port_nonloopback_listening gauge\n"
		"mta_port_nonloopback_listening{port=\"25\"} 1\n"
		"mta_port_nonloopback_listening{port=\"465\"} 1\n"
		"mta_port_nonloopback_listening{port=\"587\"} 0\n"
		"# HELP mta_listener_info A TCP socket listening on an audited port: address as bound, owning command.\n"
		"# TYPE mta_listener_info gauge\n"
		"mta_listener_info{port=\"25\",address=\"0.0.0.0\",process=\"\"} 1\n"
		"mta_listener_info{port=\"25\",address=\"2001:db8::10\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"127.0.0.2\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"::\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"::ffff:127.0.0.1\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"::ffff:192.0.2.10\",process=\"\"} 1\n"
		"mta_listener_info{port=\"587\",address=\"0.0.0.0%lo\",process=\"\"} 1\n"
		"mta_listener_info{port=\"587\",address=\"::1\",process=\"\"} 1\n";
	struct facts f;
	char *body;

	assert_int_equal(scrape("basic.rec", "25,465,587", &body, &f), 0);
	assert_string_equal(body, want);
	free(body);
	assert_true(f.listeners_collected);
	assert_true(f.ifaddrs_collected);
	assert_int_equal(f.n_listeners, 8);
	assert_true(f.n_ifaddrs >= 5);

	/* Only 587: loopback-only (::1 and a wildcard bound to lo). */
	assert_int_equal(scrape("basic.rec", "submission", &body, NULL), 0);
	assert_non_null(strstr(body, "mta_port_nonloopback_listening{port=\"587\"} 0\n"));
	assert_null(strstr(body, "port=\"25\""));
	free(body);

	/* A port nobody listens on still has its series. */
	assert_int_equal(scrape("basic.rec", "25,20199", &body, NULL), 0);
	assert_non_null(strstr(body, "mta_port_nonloopback_listening{port=\"20199\"} 0\n"));
	free(body);
}

static void
test_scrape_multipart(void **state)
{
	char *body;

	/* 400 SO_REUSEPORT sockets on 127.0.0.1:25 make one series. */
	assert_int_equal(scrape("multipart.rec", "25", &body, NULL), 0);
	assert_string_equal(strstr(body, "mta_listener_info{"),
			    "mta_listener_info{port=\"25\",address=\"127.0.0.1\",process=\"\"} 1\n"
			    "mta_listener_info{port=\"25\",address=\"192.0.2.10\",process=\"\"} 1\n");
	assert_non_null(strstr(body, "mta_port_nonloopback_listening{port=\"25\"} 1\n"));
	free(body);
}

static void
test_scrape_bad_replay(void **state)
{
	char *body;

	assert_int_equal(scrape("does-not-exist.rec", "25", &body, NULL), -2);
	assert_int_equal(scrape("listen.py", "25", &body, NULL), -2);
	assert_int_equal(scrape("basic.rec", "25,bogus", &body, NULL), -2);
}

static void
count_fallback_warnings(enum log_level level, const char *line, void *arg)
{
	if (level == LOG_LEVEL_WARN && strstr(line, "sock_diag not available"))
		(*(int *)arg)++;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A record whose sock_diag requests were answered ENOENT (no tcp_diag). */
static void
write_enoent_record(const char *path)
{
	const char *dir = getenv("MTA_FIXTURES");
	char basic[1024];
	unsigned char *f = NULL;
	const void *ifa;
	size_t flen = 0, ifalen;
	char err[256];
	FILE *in, *out;
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} msg;
	unsigned char hdr[8];

	snprintf(basic, sizeof(basic), "%s/listeners/basic.rec", dir ? dir : "tests/fixtures");
	in = fopen(basic, "rb");
	assert_non_null(in);
	f = malloc(1 << 16);
	flen = fread(f, 1, 1 << 16, in);
	fclose(in);
	assert_int_equal(netlink_rec_find(f, flen, NETLINK_DUMP_IFADDR, &ifa, &ifalen, err, sizeof(err)), 0);
	out = fopen(path, "wb");
	assert_non_null(out);
	fwrite(f, 1, NETLINK_REC_HDRLEN, out);
	put_le32(hdr, NETLINK_DUMP_IFADDR);
	put_le32(hdr + 4, (uint32_t)ifalen);
	fwrite(hdr, 1, sizeof(hdr), out);
	fwrite(ifa, 1, ifalen, out);
	memset(&msg, 0, sizeof(msg));
	msg.h.nlmsg_len = sizeof(msg);
	msg.h.nlmsg_type = NLMSG_ERROR;
	msg.e.error = -ENOENT;
	for (uint32_t k = NETLINK_DUMP_TCP4; k <= NETLINK_DUMP_TCP6; k++) {
		put_le32(hdr, k);
		put_le32(hdr + 4, sizeof(msg));
		fwrite(hdr, 1, sizeof(hdr), out);
		fwrite(&msg, 1, sizeof(msg), out);
	}
	fclose(out);
	free(f);
}

static void
test_scrape_fallback(void **state)
{
	/* /proc/net/tcp has no bound device: 0.0.0.0%lo:587 becomes 0.0.0.0. */
	static const char want[] =
		"mta_port_nonloopback_listening{port=\"25\"} 1\n"
		"mta_port_nonloopback_listening{port=\"465\"} 1\n"
		"mta_port_nonloopback_listening{port=\"587\"} 1\n"
		"# HELP mta_listener_info A TCP socket listening on an audited port: address as bound, owning command.\n"
		"# TYPE mta_listener_info gauge\n"
		"mta_listener_info{port=\"25\",address=\"0.0.0.0\",process=\"\"} 1\n"
		"mta_listener_info{port=\"25\",address=\"2001:db8::10\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"127.0.0.2\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"::\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"::ffff:127.0.0.1\",process=\"\"} 1\n"
		"mta_listener_info{port=\"465\",address=\"::ffff:192.0.2.10\",process=\"\"} 1\n"
		"mta_listener_info{port=\"587\",address=\"0.0.0.0\",process=\"\"} 1\n"
		"mta_listener_info{port=\"587\",address=\"::1\",process=\"\"} 1\n";
	const char *dir = getenv("MTA_FIXTURES");
	char procfs[1024], rec[] = "/tmp/test_listeners.XXXXXX";
	int fd = mkstemp(rec), warnings = 0;
	struct facts f;
	char *body;

	assert_true(fd >= 0);
	close(fd);
	write_enoent_record(rec);
	snprintf(procfs, sizeof(procfs), "%s/listeners/procfs", dir ? dir : "tests/fixtures");
	log_set_hook(count_fallback_warnings, &warnings);
	assert_int_equal(scrape_in(procfs, rec, "25,465,587", &body, &f), 0);
	assert_non_null(strstr(body, want));
	assert_true(f.listeners_collected);
	assert_true(f.ifaddrs_collected);	/* rtnetlink still worked */
	free(body);
	assert_int_equal(scrape_in(procfs, rec, "25,465,587", &body, NULL), 0);
	free(body);
	assert_int_equal(warnings, 1);		/* warned once per process */

	/* No procfs either: the collector fails and emits nothing. */
	assert_int_equal(scrape_in("/nonexistent", rec, "25", &body, NULL), -1);
	assert_null(strstr(body, "mta_port_nonloopback_listening"));
	free(body);
	log_set_hook(NULL, NULL);
	unlink(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_ifaddr_api),
		cmocka_unit_test(test_scrape_basic),
		cmocka_unit_test(test_scrape_multipart),
		cmocka_unit_test(test_scrape_bad_replay),
		cmocka_unit_test(test_scrape_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

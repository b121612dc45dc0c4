/*
 * test_postfix.c - the Postfix module's host names from /etc/hosts
 * (postfix_resolve) and mynetworks: the default computed from
 * mynetworks_style and the interfaces (also over inet_interfaces names),
 * the parsing of one item, and
 * an instance's list with its files and tables read under a fixture
 * rootfs (missing files reported by name); the tables a relay input
 * names, read for the evaluator; and the collector's relay verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/core/scrape.h"
#include "collectors/postfix/postfix.h"
#include "exporter/exposition/metrics.h"

static struct ifaddr
mk_ifa(const char *addr, unsigned plen)
{
	struct ifaddr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(inaddr_parse(addr, &a.addr), 0);
	a.prefixlen = plen;
	return a;
}

/* The interfaces of the mynetworks tests: loopback and one LAN address per family. */
static void
host_ifaddrs(struct ifaddr ifa[4])
{
	ifa[0] = mk_ifa("127.0.0.1", 8);
	ifa[1] = mk_ifa("192.0.2.7", 24);
	ifa[2] = mk_ifa("::1", 128);
	ifa[3] = mk_ifa("2001:db8::7", 64);
}

static void
test_mynetworks_default(void **state)
{
	struct ifaddr ifa[4];
	static const struct {
		const char *style, *ifs, *protos, *want;
	} c[] = {
		{"subnet", "all", "all", "127.0.0.0/8 192.0.2.0/24 [::1]/128 [2001:db8::]/64"},
		{"host", "all", "all", "127.0.0.1/32 192.0.2.7/32 [::1]/128 [2001:db8::7]/128"},
		{"class", "all", "ipv4", "127.0.0.0/8 192.0.2.0/24"},
		{"host", "loopback-only", "all", "127.0.0.1/32 [::1]/128"},
		{"subnet", "192.0.2.7", "all", "192.0.2.0/24"},
		{"host", "", "all", ""},
		{"host", "all", "ipv6", "[::1]/128 [2001:db8::7]/128"},
	};

	(void)state;
	host_ifaddrs(ifa);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *v = postfix_mynetworks_default(c[i].style, c[i].ifs, c[i].protos, ifa, 4, NULL);

		assert_non_null(v);
		assert_string_equal(v, c[i].want);
		free(v);
	}
	assert_null(postfix_mynetworks_default("bogus", "all", "all", ifa, 4, NULL));
}

/* Debian's /etc/hosts with the installer's 127.0.1.1 line, and two names. */
static const char etc_hosts[] =
	"127.0.0.1\tlocalhost\n"
	"127.0.1.1\tmail.example.org mail\n"
	"192.0.2.7\tmx.example.org mx\n"
	"2001:db8::7\tmx.example.org\n"
	"::1     localhost ip6-localhost ip6-loopback\n";

static void
test_resolve(void **state)
{
	static const struct {
		const char *hosts;	/* NULL: no /etc/hosts */
		const char *host;
		bool v4, v6;
		const char *want;	/* addresses, space-separated; "" unresolved */
	} c[] = {
		{ etc_hosts, "192.0.2.9", true, true, "192.0.2.9" },
		{ etc_hosts, "2001:db8::1", true, false, "2001:db8::1" },	/* numeric: as written */
		{ etc_hosts, "localhost", true, true, "127.0.0.1 ::1" },
		{ etc_hosts, "localhost", true, false, "127.0.0.1" },
		{ etc_hosts, "LocalHost", false, true, "::1" },
		{ NULL, "localhost", true, true, "127.0.0.1 ::1" },		/* always loopback */
		{ "", "localhost", true, false, "127.0.0.1" },
		{ "192.0.2.1 localhost\n", "localhost", true, true, "192.0.2.1" },	/* the file wins */
		{ etc_hosts, "mail", true, true, "127.0.1.1" },
		{ etc_hosts, "mail.example.org", true, true, "127.0.1.1" },
		{ etc_hosts, "mx.example.org", true, true, "192.0.2.7 2001:db8::7" },
		{ etc_hosts, "mx", false, true, "" },				/* alias only on the v4 line */
		{ etc_hosts, "mx.example.org", false, true, "2001:db8::7" },
		{ etc_hosts, "relay.example.org", true, true, "" },		/* DNS would decide */
		{ NULL, "mail", true, true, "" },
		{ etc_hosts, "mail", false, false, "" },			/* no family enabled */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_hosts h = { c[i].hosts, c[i].hosts ? strlen(c[i].hosts) : 0 };
		struct inaddr a[POSTFIX_RESOLVE_MAX];
		char got[512] = "";
		size_t n = postfix_resolve(&h, c[i].host, c[i].v4, c[i].v6, a, POSTFIX_RESOLVE_MAX);

		for (size_t k = 0; k < n; k++) {
			char t[INADDR_STRLEN];

			inaddr_format(&a[k], t, sizeof(t));
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "", t);
		}
		if (strcmp(got, c[i].want) != 0)
			fail_msg("case %zu: %s -> \"%s\", want \"%s\"", i, c[i].host, got, c[i].want);
	}
}

/* The default mynetworks over inet_interfaces names (global/mynetworks.c). */
static void
test_mynetworks_default_names(void **state)
{
	struct ifaddr ifa[4];
	const struct postfix_hosts h = { etc_hosts, sizeof(etc_hosts) - 1 };
	static const struct {
		const char *style, *ifs, *want;	/* want NULL: unknown */
	} c[] = {
		{ "host", "localhost", "127.0.0.1/32 [::1]/128" },
		{ "subnet", "mx.example.org", "192.0.2.0/24 [2001:db8::]/64" },
		{ "host", "localhost, mx", "127.0.0.1/32 192.0.2.7/32 [::1]/128" },
		{ "host", "relay.example.org", NULL },		/* not in /etc/hosts */
		{ "host", "localhost relay.example.org", NULL },
		{ "host", "mail", "" },				/* 127.0.1.1: no interface has it */
	};

	(void)state;
	host_ifaddrs(ifa);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *v = postfix_mynetworks_default(c[i].style, c[i].ifs, "all", ifa, 4, &h);

		if (c[i].want == NULL) {
			if (v != NULL)
				fail_msg("case %zu (%s): \"%s\", want unknown", i, c[i].ifs, v);
			continue;
		}
		if (v == NULL || strcmp(v, c[i].want) != 0)
			fail_msg("case %zu (%s): \"%s\", want \"%s\"", i, c[i].ifs, v ? v : "(null)",
				 c[i].want);
		free(v);
	}
}

static void
test_net_parse(void **state)
{
	static const struct {
		const char *in;
		enum postfix_net_kind kind;
		bool negate;
		unsigned plen;
	} c[] = {
		{"127.0.0.0/8", POSTFIX_NET_CIDR, false, 8},
		{"[::1]/128", POSTFIX_NET_CIDR, false, 128},
		{"[2001:db8::]/32", POSTFIX_NET_CIDR, false, 32},
		{"!192.0.2.9", POSTFIX_NET_CIDR, true, 32},
		{"/etc/postfix/networks", POSTFIX_NET_FILE, false, 0},
		{"cidr:/etc/postfix/net.cidr", POSTFIX_NET_TABLE, false, 0},
		{"texthash:/etc/postfix/net", POSTFIX_NET_TABLE, false, 0},
		{"mail.example.com", POSTFIX_NET_HOST, false, 0},
		{"[::1", POSTFIX_NET_BAD, false, 0},
		{"a b", POSTFIX_NET_BAD, false, 0},
		{"[192.0.2.1]/24", POSTFIX_NET_BAD, false, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_net n;

		postfix_net_parse(c[i].in, &n);
		assert_int_equal(n.kind, c[i].kind);
		assert_int_equal(n.negate, c[i].negate);
		if (n.kind == POSTFIX_NET_CIDR)
			assert_int_equal(n.prefixlen, c[i].plen);
	}
}

/* mynetworks with files and tables read under a fixture rootfs */
static void
test_mynetworks_files(void **state)
{
	static const struct {
		enum postfix_net_kind kind;
		bool negate;
		const char *text;
	} want[] = {
		{POSTFIX_NET_CIDR, false, "127.0.0.0/8"},
		{POSTFIX_NET_CIDR, false, "[::1]/128"},
		{POSTFIX_NET_CIDR, true, "!192.0.2.9"},
		{POSTFIX_NET_FILE, false, "/etc/postfix/networks"},
		{POSTFIX_NET_CIDR, false, "198.51.100.0/24"},
		{POSTFIX_NET_CIDR, false, "203.0.113.0/25"},
		{POSTFIX_NET_CIDR, false, "[2001:db8::]/32"},
		{POSTFIX_NET_TABLE, false, "cidr:/etc/postfix/net.cidr"},
		{POSTFIX_NET_CIDR, false, "192.0.2.128/25"},
		{POSTFIX_NET_CIDR, false, "10.0.0.0/8"},
		{POSTFIX_NET_TABLE, false, "texthash:/etc/postfix/net.hash"},
		{POSTFIX_NET_CIDR, false, "203.0.113.7"},
		{POSTFIX_NET_HOST, false, "mail.example.com"},
		{POSTFIX_NET_TABLE, false, "hash:/etc/postfix/opaque"},
		{POSTFIX_NET_FILE, false, "/etc/postfix/missing"},
	};
	const char *fix = getenv("MTA_FIXTURES");
	char rootfs[1024];
	struct postfix_instance in;
	struct postfix_host host;
	struct postfix_net *nets;
	size_t n;
	bool unknown;

	(void)state;
	if (fix == NULL)
		skip();
	snprintf(rootfs, sizeof(rootfs), "%s/postfix/rootfs-mynet", fix);
	memset(&host, 0, sizeof(host));
	host.rootfs = rootfs;
	host.hostname = "mx";
	host.version = POSTFIX_VERSION(3, 7, 11);
	assert_int_equal(postfix_instance_load(&in, "/etc/postfix", "", &host), 0);
	assert_true(in.have_main);
	nets = postfix_mynetworks(&in, &in.master.v[0], rootfs, &n, &unknown);
	assert_false(unknown);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(nets[i].kind, want[i].kind);
		assert_int_equal(nets[i].negate, want[i].negate);
		assert_string_equal(nets[i].text, want[i].text);
	}
	assert_int_equal(nets[8].prefixlen, 25);
	/* the missing file is reported with its name */
	assert_true(postfix_diags_has(&in.diags, POSTFIX_DIAG_LIST, "cannot read /etc/postfix/missing"));
	free(nets);
	postfix_instance_free(&in);

	/* unset mynetworks and no interface list: unknown, not guessed */
	memset(&host, 0, sizeof(host));
	host.rootfs = rootfs;
	host.hostname = "mx";
	host.version = POSTFIX_VERSION(3, 7, 11);
	assert_int_equal(postfix_instance_load(&in, "/etc/nonexistent", "", &host), 0);
	assert_false(in.have_main);
	nets = postfix_mynetworks(&in, NULL, rootfs, &n, &unknown);
	assert_true(unknown);
	assert_int_equal(n, 0);
	free(nets);
	postfix_instance_free(&in);
}

/* ---- relay verdicts: the tables a relay input names, read under rootfs ---- */

/* Write root/rel with text, its time set to mtime seconds since the epoch. */
static void
put(const char *root, const char *rel, const char *text, time_t mtime)
{
	char path[512];
	struct timespec ts[2];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/*
 * Each row: one table named in a relay list, the files beside it, what
 * the loader says of it, and the verdict that follows.  Files: the
 * postmap source at time 1000, its compiled map at compiled (0 = none).
 */
static void
test_load_tables(void **state)
{
	static const struct {
		const char *what;
		const char *spec;	/* as written in the list */
		const char *source;	/* text of /etc/postfix/t, NULL = absent */
		const char *compiled;	/* suffix of the compiled file, NULL = none */
		time_t compiled_time;
		enum postfix_relay_table_state state;
		enum relay_verdict verdict;
		const char *reason;
	} rows[] = {
		{ "cidr read", "cidr:/etc/postfix/t", "# everyone\n0.0.0.0/0 OK\n", NULL, 0,
		  POSTFIX_RELAY_TABLE_OK, RELAY_OPEN, "restriction_permits" },
		{ "proxy: reads the file behind it", "proxy:cidr:/etc/postfix/t", "0.0.0.0/0 OK\n",
		  NULL, 0, POSTFIX_RELAY_TABLE_OK, RELAY_OPEN, "restriction_permits" },
		{ "cidr missing: smtpd answers 451", "cidr:/etc/postfix/t", NULL, NULL, 0,
		  POSTFIX_RELAY_TABLE_MISSING, RELAY_CONFIG_ERROR, "table_lookup_error" },
		{ "hash: source with a current .db", "hash:/etc/postfix/t", "unknown OK\n", ".db",
		  2000, POSTFIX_RELAY_TABLE_OK, RELAY_OPEN, "restriction_permits" },
		{ "hash: .db as old as its source", "hash:/etc/postfix/t", "unknown OK\n", ".db",
		  1000, POSTFIX_RELAY_TABLE_OK, RELAY_OPEN, "restriction_permits" },
		{ "hash: .db older than its source", "hash:/etc/postfix/t", "unknown OK\n", ".db",
		  500, POSTFIX_RELAY_TABLE_STALE, RELAY_UNDETERMINED, "postmap_not_run" },
		{ "hash: no .db", "hash:/etc/postfix/t", "unknown OK\n", NULL, 0,
		  POSTFIX_RELAY_TABLE_MISSING, RELAY_CONFIG_ERROR, "table_lookup_error" },
		{ "lmdb: .lmdb without a source", "lmdb:/etc/postfix/t", NULL, ".lmdb", 2000,
		  POSTFIX_RELAY_TABLE_NO_SOURCE, RELAY_UNDETERMINED, "table_source_missing" },
		{ "cdb: source and .cdb", "cdb:/etc/postfix/t", "10.0.0.1 OK\n", ".cdb", 2000,
		  POSTFIX_RELAY_TABLE_OK, RELAY_CLOSED, "restriction_rejects" },
		{ "dbm: .dir and .pag, .pag stale", "dbm:/etc/postfix/t", "unknown OK\n", ".dir",
		  2000, POSTFIX_RELAY_TABLE_MISSING, RELAY_CONFIG_ERROR, "table_lookup_error" },
		{ "pcre read", "pcre:/etc/postfix/t", "/^unknown$/ OK\n", NULL, 0,
		  POSTFIX_RELAY_TABLE_OK, RELAY_OPEN, "restriction_permits" },
		{ "regexp read", "regexp:/etc/postfix/t", "/^unknown$/ REJECT\n", NULL, 0,
		  POSTFIX_RELAY_TABLE_OK, RELAY_CLOSED, "restriction_rejects" },
		{ "relative path: not read", "texthash:t", NULL, NULL, 0,
		  POSTFIX_RELAY_TABLE_UNREADABLE, RELAY_UNDETERMINED, "table_unreadable" },
	};
	char root[] = "/tmp/test_postfix.XXXXXX", path[256];
	struct arena ar;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/postfix", root);
	mkdir(path, 0755);
	arena_init(&ar, 1 << 20);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *relay[] = { "permit_mynetworks", "check_client_access", rows[i].spec,
					"reject_unauth_destination" };
		static const char *const files[] = { "/etc/postfix/t", "/etc/postfix/t.db",
						     "/etc/postfix/t.lmdb", "/etc/postfix/t.cdb",
						     "/etc/postfix/t.dir", "/etc/postfix/t.pag" };
		struct postfix_relay_input in;
		struct postfix_relay_verdict v;

		for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
			snprintf(path, sizeof(path), "%s%s", root, files[k]);
			unlink(path);
		}
		if (rows[i].source)
			put(root, "/etc/postfix/t", rows[i].source, 1000);
		if (rows[i].compiled) {
			char rel[64];

			snprintf(rel, sizeof(rel), "/etc/postfix/t%s", rows[i].compiled);
			put(root, rel, "compiled", rows[i].compiled_time);
		}
		memset(&in, 0, sizeof(in));
		in.relay = (struct postfix_relay_list){ relay, 4 };
		in.ipv4 = true;
		in.proxy_read_all = true;
		assert_int_equal(postfix_relay_load_tables(root, &ar, &in), 0);
		assert_int_equal(in.n_tables, 1);
		assert_string_equal(in.tables[0].name, rows[i].spec);
		postfix_relay_evaluate(&in, &v);
		if (in.tables[0].state != rows[i].state || v.verdict != rows[i].verdict
		    || strcmp(v.reason, rows[i].reason) != 0)
			fail_msg("%s: state %d, verdict %s/%s (%s); want %d, %s/%s", rows[i].what,
				 in.tables[0].state, relay_verdict_name(v.verdict), v.reason, v.detail,
				 rows[i].state, relay_verdict_name(rows[i].verdict), rows[i].reason);
	}
	arena_free(&ar);
	for (size_t k = 0; k < 6; k++) {
		static const char *const all[] = { "t", "t.db", "t.lmdb", "t.cdb", "t.dir", "t.pag" };

		snprintf(path, sizeof(path), "%s/etc/postfix/%s", root, all[k]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/etc/postfix", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/etc", root);
	rmdir(path);
	rmdir(root);
}

/*
 * The collector fills the relay verdicts itself, one per smtpd service of
 * every instance ("<instance>/<service>" beyond the default one), as the
 * exim and sendmail collectors do: no checks collector involved.  The
 * loopback-only rule every MTA shares is the framework's
 * (scrape_collector(), collectors/core/mta_relay.h): the services on
 * loopback are closed there, Postfix's own verdict stays in its facts.
 */
static void
test_collector_relays(void **state)
{
	static const struct {
		const char *service;
		enum relay_verdict verdict;
		const char *reason;
	} want[] = {
		{ "smtp", RELAY_CLOSED, "loopback_only" },
		{ "127.0.0.1:submission", RELAY_CLOSED, "loopback_only" },
		{ "postfix-out/2525", RELAY_CONFIG_ERROR, "startup_guard" },
	};
	const char *fix = getenv("MTA_FIXTURES");
	struct collector_env env = { .procfs = "/proc" };
	struct facts f;
	struct arena ar;
	struct metrics *m = metrics_new(1 << 20);
	struct scrape_ctx sc = { .env = &env, .m = m, .facts = &f, .arena = &ar };
	const struct postfix_facts *pf;
	char rootfs[1024];

	if (fix == NULL)
		skip();
	snprintf(rootfs, sizeof(rootfs), "%s/postfix/rootfs-multi", fix);
	env.rootfs = rootfs;
	memset(&f, 0, sizeof(f));
	arena_init(&ar, 4u << 20);
	assert_int_equal(scrape_collector(&sc, &collector_postfix), 0);
	assert_true(f.mta[MTA_POSTFIX].collected);
	assert_int_equal(f.mta[MTA_POSTFIX].n_relays, 3);
	pf = f.mta[MTA_POSTFIX].priv;
	assert_int_equal(pf->n_smtpd, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(f.mta[MTA_POSTFIX].relays[i].service, want[i].service);
		assert_string_equal(pf->smtpd[i].name, want[i].service);
		assert_int_equal(f.mta[MTA_POSTFIX].relays[i].verdict, want[i].verdict);
		assert_string_equal(f.mta[MTA_POSTFIX].relays[i].reason, want[i].reason);
		if (strcmp(want[i].reason, "loopback_only") == 0)
			assert_non_null(strstr(f.mta[MTA_POSTFIX].relays[i].detail,
					       "its configuration alone"));
		else
			assert_int_equal(pf->smtpd[i].relay.verdict, want[i].verdict);
	}
	assert_ptr_equal(pf->main_inst, &pf->inst[0]);
	assert_ptr_equal(pf->smtpd[2].inst, &pf->inst[1]);
	metrics_free(m);
	arena_free(&ar);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mynetworks_default),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_mynetworks_default_names),
		cmocka_unit_test(test_net_parse),
		cmocka_unit_test(test_mynetworks_files),
		cmocka_unit_test(test_load_tables),
		cmocka_unit_test(test_collector_relays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

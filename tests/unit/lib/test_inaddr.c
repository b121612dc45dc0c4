/*
 * test_inaddr.c - address parsing, classification (all of 127/8, v4-mapped
 * loopback, wildcards), prefix matching and global-routability.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/inaddr.h"

static void
test_classify(void **state)
{
	static const struct {
		const char *s;
		int ok;
		enum inaddr_class cls;
		bool global;
	} cases[] = {
		{ "127.0.0.1", 0, INADDR_CLASS_LOOPBACK, false },
		{ "127.0.0.2", 0, INADDR_CLASS_LOOPBACK, false },
		{ "127.0.1.1", 0, INADDR_CLASS_LOOPBACK, false },
		{ "127.255.255.254", 0, INADDR_CLASS_LOOPBACK, false },
		{ "::1", 0, INADDR_CLASS_LOOPBACK, false },
		{ "[::1]", 0, INADDR_CLASS_LOOPBACK, false },
		{ "::ffff:127.0.0.5", 0, INADDR_CLASS_LOOPBACK, false },
		{ "0.0.0.0", 0, INADDR_CLASS_WILDCARD, false },
		{ "::", 0, INADDR_CLASS_WILDCARD, false },
		{ "192.0.2.10", 0, INADDR_CLASS_SPECIFIC, false },
		{ "10.1.2.3", 0, INADDR_CLASS_SPECIFIC, false },
		{ "8.8.8.8", 0, INADDR_CLASS_SPECIFIC, true },
		{ "::ffff:8.8.8.8", 0, INADDR_CLASS_SPECIFIC, true },
		{ "2001:db8::1", 0, INADDR_CLASS_SPECIFIC, false },
		{ "2a00:1450::1", 0, INADDR_CLASS_SPECIFIC, true },
		{ "fe80::1", 0, INADDR_CLASS_SPECIFIC, false },
		{ "128.0.0.1", 0, INADDR_CLASS_SPECIFIC, true },
		{ "::2", 0, INADDR_CLASS_SPECIFIC, true },
		{ "localhost", -1, 0, false },
		{ "1.2.3", -1, 0, false },
		{ "[1.2.3.4]", -1, 0, false },
		{ "", -1, 0, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inaddr a;
		int r = inaddr_parse(cases[i].s, &a);

		if (r != cases[i].ok)
			fail_msg("case %zu \"%s\": parse %d", i, cases[i].s, r);
		if (r < 0)
			continue;
		if (inaddr_classify(&a) != cases[i].cls || inaddr_is_global(&a) != cases[i].global)
			fail_msg("case %zu \"%s\": class %d global %d", i, cases[i].s,
				 inaddr_classify(&a), inaddr_is_global(&a));
	}
}

static void
test_prefix(void **state)
{
	static const struct {
		const char *addr, *cidr;
		int parse;
		bool in;
	} cases[] = {
		{ "192.0.2.10", "192.0.2.0/24", 0, true },
		{ "192.0.3.10", "192.0.2.0/24", 0, false },
		{ "192.0.2.10", "192.0.2.0/25", 0, true },
		{ "192.0.2.200", "192.0.2.0/25", 0, false },
		{ "203.0.113.5", "0.0.0.0/0", 0, true },
		{ "::ffff:203.0.113.5", "203.0.113.0/24", 0, true },
		{ "203.0.113.5", "::ffff:203.0.113.0/120", 0, true },
		{ "2001:db8::5", "2001:db8::/32", 0, true },
		{ "2001:db9::5", "2001:db8::/32", 0, false },
		{ "2001:db8::5", "[2001:db8::]/32", 0, true },
		{ "192.0.2.10", "2001:db8::/32", 0, false },
		{ "192.0.2.10", "192.0.2.10", 0, true },
		{ "192.0.2.10", "192.0.2.0/33", -1, false },
		{ "192.0.2.10", "192.0.2.0/", -1, false },
		{ "192.0.2.10", "192.0.2.0/x", -1, false },
		{ "192.0.2.10", "192.0.2.0/-1", -1, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inaddr a, net;
		unsigned len;

		assert_int_equal(inaddr_parse(cases[i].addr, &a), 0);
		if (inaddr_parse_cidr(cases[i].cidr, &net, &len) != cases[i].parse)
			fail_msg("case %zu: cidr \"%s\"", i, cases[i].cidr);
		if (cases[i].parse == 0 && inaddr_in_prefix(&a, &net, len) != cases[i].in)
			fail_msg("case %zu: %s in %s", i, cases[i].addr, cases[i].cidr);
	}
}

/* a whole network inside one range no Internet client comes from */
static void
test_prefix_internal(void **state)
{
	static const struct {
		const char *cidr;
		bool internal;
	} cases[] = {
		{ "10.0.0.0/8", true },
		{ "10.1.0.0/16", true },
		{ "172.16.0.0/12", true },
		{ "172.16.0.0/11", false },	/* holds 172.32/12, global */
		{ "192.168.10.0/24", true },
		{ "127.0.0.0/8", true },
		{ "169.254.0.0/16", true },
		{ "100.64.0.0/10", true },
		{ "100.0.0.0/8", false },
		{ "203.0.0.0/8", false },
		{ "203.0.113.0/24", true },	/* documentation */
		{ "8.8.8.0/24", false },
		{ "0.0.0.0/0", false },
		{ "fd00::/16", true },
		{ "fc00::/7", true },
		{ "fc00::/6", false },
		{ "fe80::/10", true },
		{ "::1/128", true },
		{ "2001:db8::/32", true },
		{ "2001::/16", false },
		{ "::ffff:10.0.0.0/104", true },
		{ "::/0", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inaddr net;
		unsigned len;

		assert_int_equal(inaddr_parse_cidr(cases[i].cidr, &net, &len), 0);
		if (inaddr_prefix_is_internal(&net, len) != cases[i].internal)
			fail_msg("case %zu: %s", i, cases[i].cidr);
	}
}

static void
test_format_roundtrip(void **state)
{
	static const char *const addrs[] = { "0.0.0.0", "::", "::1", "127.0.0.1", "192.0.2.10",
					     "2001:db8::10", "::ffff:127.0.0.1" };
	char out[INADDR_STRLEN];
	struct inaddr a, b;

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		assert_int_equal(inaddr_parse(addrs[i], &a), 0);
		inaddr_format(&a, out, sizeof(out));
		assert_string_equal(out, addrs[i]);
		assert_int_equal(inaddr_parse(out, &b), 0);
		assert_true(inaddr_equal(&a, &b));
	}
	memset(&a, 0, sizeof(a));
	inaddr_format(&a, out, sizeof(out));
	assert_string_equal(out, "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_prefix_internal),
		cmocka_unit_test(test_format_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

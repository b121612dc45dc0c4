/*
 * test_hostsfile.c - /etc/hosts lookups as glibc's files source answers
 * getaddrinfo(): names and aliases in any case, every line that lists the
 * name, families, comments anywhere, lines glibc skips, duplicates, the
 * cap on addresses returned.  The expectations were checked with
 * "getent ahostsv4/ahostsv6" on Debian 12 (glibc 2.36) over the same file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "lib/hostsfile.h"

static const char hosts[] =
	"127.0.0.1\tlocalhost\n"
	"127.0.1.1\tmail.example.org mail\n"
	"192.0.2.5 multi Multi.example\n"
	"192.0.2.6 multi\n"
	"2001:db8::5 multi\n"
	"  192.0.2.7   lead\t  # leading blanks, comment after\n"
	"#192.0.2.9 commented\n"
	"192.0.2.10 tail#no blank before the comment\n"
	"[2001:db8::9] bracketed\n"
	"not-an-address bogus\n"
	"192.0.2.11\n"
	"192.0.2.5 multi\n"
	"::1     localhost ip6-localhost ip6-loopback\n"
	"ff02::1 ip6-allnodes\r\n"
	"192.0.2.12 last-line-without-newline";

static void
test_lookup(void **state)
{
	static const struct {
		const char *name;
		int family;
		const char *want;	/* addresses, space-separated, in order */
	} cases[] = {
		{ "localhost", AF_UNSPEC, "127.0.0.1 ::1" },
		{ "localhost", AF_INET, "127.0.0.1" },
		{ "localhost", AF_INET6, "::1" },
		{ "LOCALHOST", AF_UNSPEC, "127.0.0.1 ::1" },
		{ "mail", AF_UNSPEC, "127.0.1.1" },
		{ "mail.example.org", AF_INET, "127.0.1.1" },
		{ "mail.example", AF_UNSPEC, "" },		/* no partial names */
		{ "multi", AF_UNSPEC, "192.0.2.5 192.0.2.6 2001:db8::5" },
		{ "multi", AF_INET, "192.0.2.5 192.0.2.6" },
		{ "multi", AF_INET6, "2001:db8::5" },
		{ "multi.example", AF_UNSPEC, "192.0.2.5" },
		{ "lead", AF_UNSPEC, "192.0.2.7" },
		{ "comment", AF_UNSPEC, "" },
		{ "commented", AF_UNSPEC, "" },
		{ "tail", AF_UNSPEC, "192.0.2.10" },
		{ "bracketed", AF_UNSPEC, "" },			/* "[addr]" is no address */
		{ "bogus", AF_UNSPEC, "" },
		{ "ip6-loopback", AF_UNSPEC, "::1" },
		{ "ip6-allnodes", AF_UNSPEC, "ff02::1" },	/* CR LF line end */
		{ "last-line-without-newline", AF_INET, "192.0.2.12" },
		{ "", AF_UNSPEC, "" },
		{ "192.0.2.5", AF_UNSPEC, "" },		/* an address is not a name here */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inaddr out[8];
		size_t n = hostsfile_lookup(hosts, sizeof(hosts) - 1, cases[i].name, cases[i].family,
					    out, 8);
		char got[256] = "";

		for (size_t k = 0; k < n; k++) {
			char a[INADDR_STRLEN];

			inaddr_format(&out[k], a, sizeof(a));
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "", a);
		}
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\" family %d: got \"%s\", want \"%s\"", cases[i].name,
				 cases[i].family, got, cases[i].want);
	}
}

/* At most max addresses; the text's length is the caller's, not a NUL. */
static void
test_bounds(void **state)
{
	struct inaddr out[2];

	assert_int_equal(hostsfile_lookup(hosts, sizeof(hosts) - 1, "multi", AF_UNSPEC, out, 2), 2);
	assert_int_equal(hostsfile_lookup(hosts, sizeof(hosts) - 1, "multi", AF_UNSPEC, out, 0), 0);
	/* the last line cut before its name */
	assert_int_equal(hostsfile_lookup(hosts, sizeof(hosts) - 10, "last-line-without-newline",
					  AF_UNSPEC, out, 2), 0);
	assert_int_equal(hostsfile_lookup("", 0, "localhost", AF_UNSPEC, out, 2), 0);
	/* a NUL inside the text ends no line and names nothing */
	assert_int_equal(hostsfile_lookup("192.0.2.1 a\0b\n192.0.2.2 b\n", 26, "b", AF_UNSPEC, out, 2),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

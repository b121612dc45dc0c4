/*
 * test_log.c - the log: levels and formats, how values are written
 * (escaping, booleans, quoting), records cut at the line limit, and file
 * warnings said once per version of a file (log_file_warn).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/log.h"

struct captured {
	char line[LOG_LINE_MAX];
	int count;		/* lines at any level */
	int warn;		/* lines at warn */
	int debug;		/* lines at debug */
};

static void
hook(enum log_level level, const char *line, void *arg)
{
	struct captured *c = arg;

	snprintf(c->line, sizeof(c->line), "%s", line);
	c->count++;
	c->warn += level == LOG_LEVEL_WARN;
	c->debug += level == LOG_LEVEL_DEBUG;
}

static int
teardown_log(void **state)
{
	log_set_hook(NULL, NULL);
	log_setup(LOG_LEVEL_INFO, LOG_FORMAT_LOGFMT);
	return 0;
}

static void
test_levels(void **state)
{
	struct captured c = { "", 0, 0, 0 };
	enum log_level lvl;
	enum log_format fmt;

	assert_int_equal(log_parse_level("warn", &lvl), 0);
	assert_int_equal(lvl, LOG_LEVEL_WARN);
	assert_int_equal(log_parse_level("WARN", &lvl), -1);
	assert_int_equal(log_parse_format("json", &fmt), 0);
	assert_int_equal(log_parse_format("text", &fmt), -1);

	log_set_hook(hook, &c);
	log_setup(LOG_LEVEL_WARN, LOG_FORMAT_LOGFMT);
	log_info("not shown", NULL);
	assert_int_equal(c.count, 0);
	log_file_warn("/etc/postfix/main.cf", 12, "duplicate parameter \"%s\"", "inet_interfaces");
	assert_int_equal(c.count, 1);
	assert_non_null(strstr(c.line, "level=warn msg=\"duplicate parameter \\\"inet_interfaces\\\"\" "
				       "file=/etc/postfix/main.cf line=12"));
	log_file_warn("/etc/postfix/master.cf", 0, "whole file");
	assert_non_null(strstr(c.line, "msg=\"whole file\" file=/etc/postfix/master.cf"));
	assert_null(strstr(c.line, "line="));
	log_setup(LOG_LEVEL_DEBUG, LOG_FORMAT_JSON);
	log_warn("two\nlines", "key", "a\"b", NULL);
	assert_non_null(strstr(c.line, "\"level\":\"warn\",\"msg\":\"two\\nlines\",\"key\":\"a\\\"b\"}"));
	assert_int_equal(c.line[0], '{');
}

/* How one value is written, in both formats. */
static void
test_values(void **state)
{
	static const struct {
		enum log_format fmt;
		const char *value;
		bool boolean, bval;	/* boolean: the value is log_bool(bval) */
		const char *want;	/* the key/value as written */
	} cases[] = {
		{ LOG_FORMAT_JSON, NULL, true, true, ",\"k\":true}" },
		{ LOG_FORMAT_JSON, NULL, true, false, ",\"k\":false}" },
		{ LOG_FORMAT_JSON, "true", false, false, ",\"k\":\"true\"}" },	/* a string stays a string */
		{ LOG_FORMAT_JSON, "", false, false, ",\"k\":\"\"}" },
		{ LOG_FORMAT_JSON, "a \"q\" \\ b", false, false, ",\"k\":\"a \\\"q\\\" \\\\ b\"}" },
		{ LOG_FORMAT_JSON, "x\n\r\ty", false, false, ",\"k\":\"x\\n\\r\\ty\"}" },
		{ LOG_FORMAT_JSON, "\x01\x1b\x7f", false, false, ",\"k\":\"\\u0001\\u001b\\u007f\"}" },
		{ LOG_FORMAT_JSON, "caf\xe9", false, false, ",\"k\":\"caf\\ufffd\"}" },
		{ LOG_FORMAT_JSON, "caf\xc3\xa9", false, false, ",\"k\":\"caf\xc3\xa9\"}" },
		{ LOG_FORMAT_JSON, "\xff\xfe\xc3", false, false, ",\"k\":\"\\ufffd\\ufffd\\ufffd\"}" },
		{ LOG_FORMAT_LOGFMT, NULL, true, true, " k=true" },
		{ LOG_FORMAT_LOGFMT, NULL, true, false, " k=false" },
		{ LOG_FORMAT_LOGFMT, "plain", false, false, " k=plain" },
		{ LOG_FORMAT_LOGFMT, "", false, false, " k=\"\"" },
		{ LOG_FORMAT_LOGFMT, "a b", false, false, " k=\"a b\"" },
		{ LOG_FORMAT_LOGFMT, "a=b", false, false, " k=\"a=b\"" },
		{ LOG_FORMAT_LOGFMT, "a \"q\" \\", false, false, " k=\"a \\\"q\\\" \\\\\"" },
		{ LOG_FORMAT_LOGFMT, "x\ny", false, false, " k=\"x\\ny\"" },
		{ LOG_FORMAT_LOGFMT, "\x01\x7f", false, false, " k=\"\\x01\\x7f\"" },
		{ LOG_FORMAT_LOGFMT, "caf\xe9", false, false, " k=\"caf\\xe9\"" },
		{ LOG_FORMAT_LOGFMT, "caf\xc3\xa9", false, false, " k=\"caf\xc3\xa9\"" },
	};
	struct captured c = { "", 0, 0, 0 };

	log_set_hook(hook, &c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = cases[i].boolean ? log_bool(cases[i].bval) : cases[i].value;
		size_t ll, wl = strlen(cases[i].want);

		log_setup(LOG_LEVEL_INFO, cases[i].fmt);
		log_info("m", "k", v, NULL);
		ll = strlen(c.line);
		if (ll < wl || strcmp(c.line + ll - wl, cases[i].want) != 0)
			fail_msg("case %zu: line %s does not end in %s", i, c.line, cases[i].want);
		if (strchr(c.line, '\n') != NULL)
			fail_msg("case %zu: record spans lines", i);
	}
}

/* valid UTF-8 with no raw control character: what a JSON parser accepts */
static void
assert_clean_text(const char *s)
{
	for (size_t i = 0; s[i]; ) {
		size_t n = escape_utf8_len((const unsigned char *)s + i, strlen(s + i));

		if (n == 0 || (unsigned char)s[i] < 0x20)
			fail_msg("byte %zu (0x%02x) of the record is not clean text", i, (unsigned char)s[i]);
		i += n;
	}
}

/* A record longer than the limit is cut between characters and stays whole. */
static void
test_cut(void **state)
{
	static const struct {
		enum log_format fmt;
		const char *unit;	/* the value is this, repeated */
		size_t unit_out;	/* its escaped length */
		const char *prefix;	/* what comes before the value */
		const char *end;	/* how the record ends */
	} cases[] = {
		{ LOG_FORMAT_JSON, "\xe2\x82\xac", 3, "\"v\":\"", "...\"}" },
		{ LOG_FORMAT_JSON, "\x01", 6, "\"v\":\"", "...\"}" },
		{ LOG_FORMAT_JSON, "\xff", 6, "\"v\":\"", "...\"}" },
		{ LOG_FORMAT_JSON, "ab", 1, "\"v\":\"", "...\"}" },
		{ LOG_FORMAT_LOGFMT, "\xe2\x82\xac", 3, " v=\"", "...\"" },
		{ LOG_FORMAT_LOGFMT, "\x01", 4, " v=\"", "...\"" },
		{ LOG_FORMAT_LOGFMT, "\xff", 4, " v=\"", "...\"" },
		{ LOG_FORMAT_LOGFMT, "ab", 1, " v=", "..." },
	};
	struct captured c = { "", 0, 0, 0 };
	size_t vlen = 3 * LOG_LINE_MAX;
	char *v = malloc(vlen + 4);

	assert_non_null(v);
	log_set_hook(hook, &c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t ul = strlen(cases[i].unit), n = 0, ll, el = strlen(cases[i].end);
		const char *start, *cut;

		while (n + ul <= vlen) {
			memcpy(v + n, cases[i].unit, ul);
			n += ul;
		}
		v[n] = '\0';
		log_setup(LOG_LEVEL_INFO, cases[i].fmt);
		log_info("long", "v", v, "after", "dropped", NULL);
		ll = strlen(c.line);
		assert_true(ll < LOG_LINE_MAX);
		assert_true(ll > LOG_LINE_MAX - 16);
		if (ll < el || strcmp(c.line + ll - el, cases[i].end) != 0)
			fail_msg("case %zu: record ends in \"%s\"", i, c.line + ll - 8);
		assert_null(strstr(c.line, "dropped"));
		assert_clean_text(c.line);
		/* the value holds whole escaped characters only */
		start = strstr(c.line, cases[i].prefix);
		assert_non_null(start);
		start += strlen(cases[i].prefix);
		cut = strstr(start, "...");
		assert_non_null(cut);
		if ((size_t)(cut - start) % cases[i].unit_out != 0)
			fail_msg("case %zu: value cut inside a character (%zu bytes)", i, (size_t)(cut - start));
	}
	free(v);
}

/* ------------------------------------------------------------ once per version */

static char tmpdir[] = "/tmp/test_log.XXXXXX";

static int
setup_tmp(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown_tmp(void **state)
{
	char cmd[128];

	teardown_log(state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	fclose(f);
}

static void
read_file(const char *path)
{
	char err[256], *data;
	size_t len;

	assert_int_equal(fileio_read(NULL, path, 1024, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	free(data);
}

enum step_op {
	READ,		/* fileio_read the file (as a collector does every scrape) */
	WARN,		/* warn about line 2 with msg A */
	WARN_B,		/* the same line with another text */
	WARN_OTHER,	/* a path fileio never read */
	PASS,		/* end of a scrape */
	TOUCH,		/* new mtime, same content */
	RESTORE,	/* rewrite the same bytes and put the mtime back: only ctime differs */
};

static void
test_once(void **state)
{
	static const struct {
		enum step_op op;
		int warn;	/* warn lines this step must produce */
	} steps[] = {
		{ READ, 0 }, { WARN, 1 }, { WARN, 0 },		/* twice in one scrape: once */
		{ PASS, 0 }, { READ, 0 }, { WARN, 0 },		/* 9 more scrapes: silent */
		{ PASS, 0 }, { READ, 0 }, { WARN, 0 }, { PASS, 0 }, { READ, 0 }, { WARN, 0 },
		{ PASS, 0 }, { READ, 0 }, { WARN, 0 }, { PASS, 0 }, { READ, 0 }, { WARN, 0 },
		{ PASS, 0 }, { READ, 0 }, { WARN, 0 }, { PASS, 0 }, { READ, 0 }, { WARN, 0 },
		{ PASS, 0 }, { READ, 0 }, { WARN, 0 }, { PASS, 0 }, { READ, 0 }, { WARN, 0 },
		{ PASS, 0 }, { TOUCH, 0 }, { READ, 0 }, { WARN, 1 },	/* touched: said again */
		{ PASS, 0 }, { READ, 0 }, { WARN, 0 },
		{ PASS, 0 }, { RESTORE, 0 }, { READ, 0 }, { WARN, 1 },	/* same size and mtime */
		{ PASS, 0 }, { READ, 0 }, { WARN_B, 1 },		/* new text: said */
		{ PASS, 0 }, { READ, 0 }, { WARN, 1 },		/* A was gone a scrape */
		{ PASS, 0 }, { READ, 0 },				/* gone ... */
		{ PASS, 0 }, { READ, 0 }, { WARN, 1 },		/* ... and back */
		{ WARN_OTHER, 1 }, { PASS, 0 }, { WARN_OTHER, 0 }, { PASS, 0 }, { WARN_OTHER, 0 },
	};
	struct captured c = { "", 0, 0, 0 };
	char path[256], other[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
	snprintf(other, sizeof(other), "%s/never-read.cf", tmpdir);
	write_file(path, "a = 1\na = 2\n");
	log_set_hook(hook, &c);
	log_setup(LOG_LEVEL_DEBUG, LOG_FORMAT_LOGFMT);
	log_file_warn_pass_end();
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int before = c.warn, debug_before = c.debug;
		struct timespec ts[2];

		switch (steps[i].op) {
		case READ: read_file(path); break;
		case WARN: log_file_warn(path, 2, "overriding earlier entry for \"%s\"", "a"); break;
		case WARN_B: log_file_warn(path, 2, "another text"); break;
		case WARN_OTHER: log_file_warn(other, 0, "cannot open"); break;
		case PASS: log_file_warn_pass_end(); break;
		case TOUCH:
			usleep(30000);	/* file times advance in clock ticks */
			assert_int_equal(utimensat(AT_FDCWD, path, NULL, 0), 0);
			break;
		case RESTORE:
			assert_int_equal(stat(path, &sb), 0);
			usleep(30000);
			write_file(path, "a = 1\na = 2\n");
			ts[0] = sb.st_atim;
			ts[1] = sb.st_mtim;
			assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
			break;
		}
		if (c.warn - before != steps[i].warn)
			fail_msg("step %zu: %d warn lines, want %d", i, c.warn - before, steps[i].warn);
		/* a repeat is still there at debug level */
		if ((steps[i].op == WARN || steps[i].op == WARN_OTHER) && steps[i].warn == 0 &&
		    c.debug - debug_before != 1)
			fail_msg("step %zu: repeat not logged at debug level", i);
	}
	/* at warn level the repeats are not logged at all */
	log_setup(LOG_LEVEL_WARN, LOG_FORMAT_LOGFMT);
	log_file_warn_pass_end();
	c.count = 0;
	log_file_warn(other, 0, "cannot open");
	assert_int_equal(c.count, 0);
}

/* The table is bounded: a full table of warnings still stays quiet. */
static void
test_once_bounded(void **state)
{
	struct captured c = { "", 0, 0, 0 };

	log_set_hook(hook, &c);
	log_setup(LOG_LEVEL_WARN, LOG_FORMAT_LOGFMT);
	log_file_warn_pass_end();
	for (int pass = 0; pass < 3; pass++) {
		c.warn = 0;
		for (int i = 0; i < LOG_ONCE_SLOTS; i++)
			log_file_warn("/etc/bounded.cf", (unsigned)i + 1, "warning %d", i);
		assert_int_equal(c.warn, pass == 0 ? LOG_ONCE_SLOTS : 0);
		log_file_warn_pass_end();
	}
	/* one more than fits: the least recently said is forgotten, said again */
	c.warn = 0;
	log_file_warn("/etc/bounded.cf", 0, "one too many");
	assert_int_equal(c.warn, 1);
	log_file_warn_pass_end();
	c.warn = 0;
	log_file_warn("/etc/bounded.cf", 1, "warning %d", 0);
	assert_int_equal(c.warn, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_levels, teardown_log),
		cmocka_unit_test_teardown(test_values, teardown_log),
		cmocka_unit_test_teardown(test_cut, teardown_log),
		cmocka_unit_test_setup_teardown(test_once, setup_tmp, teardown_tmp),
		cmocka_unit_test_teardown(test_once_bounded, teardown_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

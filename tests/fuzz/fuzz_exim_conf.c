/*
 * fuzz_exim_conf.c - fuzz target for the Exim configuration model.
 *
 * The input is split at the first NUL byte: the part before it is parsed as
 * an Exim configuration (two sources, split in the middle, to exercise
 * line numbering across files) and judged (listening sockets, relay); the
 * part after it is parsed as Debian's update-exim4.conf.conf, turned into
 * the generated macro block and assembled with the first part.
 *
 * Files the configuration names (.include, lookup and list files) are
 * served from the input too: a path ending in "missing" does not exist,
 * one containing "unreadable" cannot be read, any other is the
 * configuration part again (so includes nest to the depth limit or loop,
 * and lookup files are scanned as lsearch text).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/exim/exim_conf.h"
#include "collectors/host/dpkg.h"

struct served {
	const char *text;
	size_t len;
};

static int
serve(void *ctx, const char *path, const char **text, size_t *len, const char **name,
      char *err, size_t errlen)
{
	const struct served *sv = ctx;
	size_t n = strlen(path);

	if (n >= 7 && strcmp(path + n - 7, "missing") == 0)
		return 1;
	if (strstr(path, "unreadable")) {
		snprintf(err, errlen, "permission denied");
		return -1;
	}
	*text = sv->text;
	*len = sv->len;
	*name = "served";
	return 0;
}

static void
judge(const struct exim_source *src, size_t n, const struct served *sv)
{
	struct exim_conf c;
	struct exim_files files = { serve, (void *)sv };
	if (exim_conf_parse(src, n, NULL, 0, &files, &c) == 0) {
		struct exim_listen_result *lr = malloc(sizeof(*lr));
		if (lr) {
			exim_listen_compute(&c, lr);
			free(lr);
		}
		struct exim_relay_result rr;
		exim_relay_evaluate(&c, &rr);
	}
	exim_conf_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	size_t conf_len = strlen(buf);
	const char *ue = conf_len < size ? buf + conf_len + 1 : "";
	size_t ue_len = conf_len < size ? size - conf_len - 1 : 0;

	struct exim_source src[2] = {
		{ "a", buf, conf_len / 2, 1, "/etc/exim4/a.conf" },
		{ "b", buf + conf_len / 2, conf_len - conf_len / 2, 1, "/etc/exim4/b.conf" },
	};
	struct served sv = { buf, conf_len };
	judge(src, 2, &sv);

	struct exim_debian_conf dc;
	if (exim_debian_parse(ue, ue_len, &dc) == 0) {
		char *m = exim_debian_macros(&dc, "mail.example.org", "4.96");
		if (m) {
			struct exim_source one = { "t", buf, conf_len, 1, NULL };
			struct exim_source out[4];
			size_t n = exim_debian_assemble(&one, 1, m, "m", out, 4);
			judge(out, n, &sv);
			free(m);
		}
	}
	exim_debian_free(&dc);

	char v[64];
	(void)dpkg_status_version(ue, ue_len, "exim4-base", v, sizeof(v));
	free(buf);
	return 0;
}

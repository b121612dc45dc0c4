/*
 * sendmail_dump.c - print our model of a sendmail.cf (and optionally its
 * .mc and access text) in a stable line format, for the oracle test
 * (tests/e2e/sendmail_oracle.sh) to compare with what sendmail itself does.
 *
 *	sendmail_dump [-b BINDV6ONLY] FILE.cf [FILE.mc [ACCESS]]
 *
 * BINDV6ONLY (0, the default, or 1) is the kernel setting the daemons'
 * sockets are judged with (sendmail_daemons_listen()).
 *
 * Output lines:
 *	daemon NAME FAMILY ADDR PORT LISTENS	(ADDR "*" = any, "host:NAME" = unresolved;
 *					 LISTENS yes or no: it cannot get its socket)
 *	relay VERDICT REASON		(open / closed / undetermined: the .cf's)
 *	daemon_relay NAME VERDICT REASON	(that daemon's, sendmail_daemon_relay();
 *					 also config_error)
 *	promiscuous 0|1
 *	finding CODE
 *	mismatch CODE
 *	privacy_ok 0|1
 *	greeting_version 0|1
 *	helpfile PATH|-
 *	help_enabled 0|1
 *	diag FILE:LINE: MESSAGE
 * Exit status: 0, or 2 if a file cannot be read.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sendmail/sendmail_conf.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = n + 65536);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
print_diags(const char *path, const struct sendmail_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		printf("diag %s:%u: %s\n", path, d->d[i].line, d->d[i].msg);
}

int
main(int argc, char **argv)
{
	static const char *const fam[] = {"inet", "inet6", "local", "other"};
	static const char *const verdict[] = {"closed", "open", "undetermined", "config_error"};
	struct sendmail_cf *cf;
	struct sendmail_mc *mc = NULL;
	struct sendmail_access *ac = NULL;
	struct sendmail_relay_result rr;
	struct sendmail_listen ls;
	bool v6only = false;
	char *buf;
	size_t len;

	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		v6only = strcmp(argv[2], "1") == 0;
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: sendmail_dump [-b BINDV6ONLY] FILE.cf [FILE.mc [ACCESS]]\n");
		return 2;
	}
	if ((buf = slurp(argv[1], &len)) == NULL) {
		perror(argv[1]);
		return 2;
	}
	cf = sendmail_cf_parse(buf, len);
	free(buf);
	if (argc > 2 && strcmp(argv[2], "-") != 0) {
		if ((buf = slurp(argv[2], &len)) == NULL) {
			perror(argv[2]);
			return 2;
		}
		mc = sendmail_mc_parse(buf, len);
		free(buf);
	}
	if (argc > 3) {
		if ((buf = slurp(argv[3], &len)) == NULL) {
			perror(argv[3]);
			return 2;
		}
		ac = sendmail_access_parse(buf, len);
		free(buf);
	}
	if (cf == NULL || (argc > 2 && strcmp(argv[2], "-") != 0 && mc == NULL))
		return 2;

	sendmail_daemons_listen(cf, v6only, &ls);
	for (size_t i = 0; i < cf->n_daemons; i++) {
		const struct sendmail_daemon *d = &cf->daemons[i];
		char a[INADDR_STRLEN + 8];
		switch (d->addr_kind) {
		case SENDMAIL_ADDR_ANY:
			snprintf(a, sizeof(a), "*");
			break;
		case SENDMAIL_ADDR_NUMERIC:
			inaddr_format(&d->inaddr, a, sizeof(a));
			break;
		default:
			snprintf(a, sizeof(a), "host:%.40s", d->addr);
			break;
		}
		printf("daemon %s %s %s %u %s\n", d->name, fam[d->family], a, d->port,
		       ls.listens[i] ? "yes" : "no");
	}
	sendmail_relay_eval(cf, ac, &rr);
	printf("relay %s %s\n", verdict[rr.verdict], rr.reason);
	for (size_t i = 0; i < cf->n_daemons; i++) {
		struct sendmail_relay_result dr;

		sendmail_daemon_relay(cf, ac, &rr, &ls, i, &dr);
		printf("daemon_relay %s %s %s\n", cf->daemons[i].name, verdict[dr.verdict], dr.reason);
	}
	printf("promiscuous %d\n", rr.promiscuous);
	for (size_t i = 0; i < rr.n_findings; i++)
		printf("finding %s\n", rr.findings[i]);
	if (mc != NULL) {
		struct sendmail_mismatch mm;
		sendmail_mc_cf_compare(mc, cf, &mm);
		for (size_t i = 0; i < mm.n; i++)
			printf("mismatch %s\n", mm.codes[i]);
	}
	printf("privacy_ok %d\n", sendmail_privacy_ok(cf->privacy));
	printf("greeting_version %d\n", sendmail_greeting_reveals_version(cf, NULL));
	printf("helpfile %s\n", cf->helpfile_set && cf->helpfile[0] ? cf->helpfile : "-");
	if (cf->helpfile_set && cf->helpfile[0] != '\0') {
		size_t hl = 0;
		char *h = slurp(cf->helpfile, &hl);
		printf("help_enabled %d\n", sendmail_help_enabled(cf, h != NULL && hl > 0));
		free(h);
	} else {
		printf("help_enabled 0\n");
	}
	print_diags(argv[1], &cf->diags);
	if (mc != NULL)
		print_diags(argv[2], &mc->diags);
	if (ac != NULL)
		print_diags(argv[3], &ac->diags);
	free(cf);
	free(mc);
	free(ac);
	return 0;
}

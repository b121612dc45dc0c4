/*
 * exim_dump.c - test driver: print our view of an Exim configuration in the
 * format of "exim -bP", so tests/e2e/exim_oracle.sh can diff it against the
 * real Exim.
 *
 *	exim_dump [-r ROOTFS] [-c FILE] [-D NAME=VALUE]... NAME...
 *
 * NAME is a main option ("local_interfaces"), "+listname" (a named list,
 * printed as "hostlist relay_from_hosts = ..."), or one of our decisions:
 * "@listen" (one "address port tls" line per socket), "@sockets" (the same
 * as ss(8) prints local addresses), "@relay" (verdict and
 * reason), "@diags" (diagnostics with file:line), "@source".
 * Without -c the configuration is found under ROOTFS like the collector
 * does.  Exit status 0, or 2 on usage/load errors.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "collectors/exim/exim.h"
#include "collectors/exim/exim_conf.h"

static void
print_option(const struct exim_conf *c, const char *name)
{
	static const char *const list_kw[] = { "domainlist", "hostlist", "addresslist",
					       "localpartlist" };
	if (name[0] == '+') {
		for (int t = 0; t < 4; t++) {
			const struct exim_named_list *nl = exim_conf_list(c, (enum exim_list_type)t,
									   name + 1);
			if (nl) {
				printf("%s %s = %s\n", list_kw[t], nl->name, nl->value);
				return;
			}
		}
		printf("no address, domain, host, or local part list called \"%s\" exists\n", name + 1);
		return;
	}
	if (strcmp(name, "disable_ipv6") == 0) {
		/* booleans print as "name" or "no_name" */
		const char *v = exim_conf_effective(c, name);
		bool on = strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0;
		printf("%s%s\n", on ? "" : "no_", name);
		return;
	}
	printf("%s = %s\n", name, exim_conf_effective(c, name));
}

int
main(int argc, char **argv)
{
	const char *rootfs = "/", *file = NULL;
	struct exim_macro defs[16];
	size_t ndefs = 0;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
			rootfs = argv[++i];
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else if (strncmp(argv[i], "-D", 2) == 0 && ndefs < 16) {
			char *d = argv[i][2] ? argv[i] + 2 : (i + 1 < argc ? argv[++i] : (char *)"");
			char *eq = strchr(d, '=');
			if (eq)
				*eq = '\0';
			defs[ndefs].name = d;
			defs[ndefs].value = eq ? eq + 1 : (char *)"";
			ndefs++;
		} else {
			break;
		}
	}
	struct exim_loaded *l = calloc(1, sizeof(*l));
	if (!l)
		return 2;
	char abs[4096];
	if (file && file[0] != '/') {
		if (!realpath(file, abs)) {
			perror(file);
			return 2;
		}
		file = abs;
	}
	int rc = exim_load(file ? "/" : rootfs, file, l);
	if (rc != 0) {
		fprintf(stderr, "exim_dump: %s\n", rc == 1 ? "no configuration found" : l->err);
		exim_loaded_free(l);
		free(l);
		return 2;
	}
	struct exim_conf conf;
	if (exim_parse_loaded(l, defs, ndefs, &conf) != 0) {
		fprintf(stderr, "exim_dump: out of memory\n");
		return 2;
	}
	for (; i < argc; i++) {
		const char *n = argv[i];
		if (strcmp(n, "@listen") == 0) {
			struct exim_listen_result *lr = calloc(1, sizeof(*lr));
			if (!lr)
				return 2;
			exim_listen_compute(&conf, lr);
			for (size_t k = 0; k < lr->n; k++)
				printf("%s %u%s\n", lr->ep[k].address, (unsigned)lr->ep[k].port,
				       lr->ep[k].tls_on_connect ? " tls" : "");
			for (size_t k = 0; k < lr->n_warn; k++)
				printf("warning: %s\n", lr->warn[k]);
			free(lr);
		} else if (strcmp(n, "@sockets") == 0) {
			/* as ss(8) prints them: "127.0.0.1:25", "[::]:25" */
			struct exim_listen_result *lr = calloc(1, sizeof(*lr));
			if (!lr)
				return 2;
			exim_listen_compute(&conf, lr);
			for (size_t k = 0; k < lr->n; k++) {
				char a[INADDR_STRLEN];
				if (!lr->ep[k].numeric)
					continue;
				inaddr_format(&lr->ep[k].addr, a, sizeof(a));
				if (lr->ep[k].addr.family == AF_INET6)
					printf("[%s]:%u\n", a, (unsigned)lr->ep[k].port);
				else
					printf("%s:%u\n", a, (unsigned)lr->ep[k].port);
			}
			free(lr);
		} else if (strcmp(n, "@relay") == 0) {
			struct exim_relay_result rr;
			exim_relay_evaluate(&conf, &rr);
			printf("%s %s\n", relay_verdict_name(rr.verdict), rr.reason);
		} else if (strcmp(n, "@relaydetail") == 0) {
			struct exim_relay_result rr;
			exim_relay_evaluate(&conf, &rr);
			printf("%s %s %s\n", relay_verdict_name(rr.verdict), rr.reason, rr.detail);
		} else if (strcmp(n, "@diags") == 0) {
			for (size_t k = 0; k < conf.n_diags; k++)
				printf("%s:%u: %s%s\n", conf.diags[k].file, conf.diags[k].line,
				       conf.diags[k].fatal ? "fatal: " : "", conf.diags[k].msg);
		} else if (strcmp(n, "@source") == 0) {
			printf("%s %s\n", exim_source_kind_name(l->kind), l->path);
		} else if (strcmp(n, "@fatal") == 0) {
			printf("%u\n", conf.n_fatal);
		} else {
			print_option(&conf, n);
		}
	}
	exim_conf_free(&conf);
	exim_loaded_free(l);
	free(l);
	return 0;
}

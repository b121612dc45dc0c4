/*
 * postfix_relay_eval.c - test driver: the open-relay evaluator on Postfix's
 * own view of a configuration.
 *
 *	postfix_relay_eval ROOTFS MAIN SET SERVICES SERVICE...
 *
 * MAIN is "postconf -c DIR -x" (every parameter, expanded), SET is
 * "postconf -c DIR -n" (what main.cf sets), SERVICES is "postconf -c DIR
 * -Px" (the -o overrides, "name/type/param = value").  For each SERVICE
 * (an inet service name) prints "SERVICE VERDICT REASON DETAIL", from
 * postfix_relay_verdict_of() as the postfix collector calls it.  Used by
 * tests/e2e/postfix_relay.sh to prove the evaluator against real Postfix
 * with postconf as the parameter model, independently of our own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix.h"
#include "collectors/postfix/postfix_relay.h"
#include "lib/arena.h"

struct param {
	char *service;	/* NULL = main.cf */
	char *name, *value;
	bool set;
};

static struct param *params;
static size_t n_params, cap_params;

static void
add(const char *service, const char *name, const char *value, bool set)
{
	if (n_params == cap_params) {
		cap_params = cap_params ? 2 * cap_params : 1024;
		params = realloc(params, cap_params * sizeof(*params));
		if (params == NULL)
			exit(2);
	}
	params[n_params++] = (struct param){ service ? strdup(service) : NULL, strdup(name),
					     strdup(value), set };
}

/* Read "name = value" lines; with services, name is "svc/type/param". */
static void
load(const char *path, bool services, bool set)
{
	FILE *f = fopen(path, "r");
	char line[65536];

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq = strstr(line, " = "), *name = line, *value;
		size_t l = strlen(line);

		if (l && line[l - 1] == '\n')
			line[l - 1] = '\0';
		if (eq == NULL) {
			eq = strstr(line, " =");
			if (eq == NULL || eq[2] != '\0')
				continue;
			value = eq + 2;
		} else {
			value = eq + 3;
		}
		*eq = '\0';
		if (services) {
			char *s1 = strchr(name, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;

			if (s2 == NULL)
				continue;
			*s1 = '\0';
			add(name, s2 + 1, value, true);
		} else {
			add(NULL, name, value, set);
		}
	}
	fclose(f);
}

/* The value of name for service (NULL = main.cf), or NULL. */
static const char *
param(const char *service, const char *name)
{
	for (size_t i = 0; service && i < n_params; i++)
		if (params[i].service && strcmp(params[i].service, service) == 0
		    && strcmp(params[i].name, name) == 0)
			return params[i].value;
	for (size_t i = 0; i < n_params; i++)
		if (params[i].service == NULL && strcmp(params[i].name, name) == 0)
			return params[i].value;
	return NULL;
}

/* The relay adapter's callbacks; ctx is the service name. */
static const char *
svc_get(const void *ctx, const char *name)
{
	return param(ctx, name);
}

/* main.cf's value (what proxymap reads). */
static const char *
main_get(const void *ctx, const char *name)
{
	return param(NULL, name);
}

static bool
svc_is_set(const void *ctx, const char *name)
{
	const char *service = ctx;

	for (size_t i = 0; i < n_params; i++)
		if (strcmp(params[i].name, name) == 0 && params[i].set
		    && (params[i].service == NULL
			|| (service && strcmp(params[i].service, service) == 0)))
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	struct arena ar;

	if (argc < 6) {
		fprintf(stderr, "usage: %s ROOTFS MAIN SET SERVICES SERVICE...\n", argv[0]);
		return 2;
	}
	load(argv[3], false, true);	/* set first: param() finds the same values */
	load(argv[2], false, false);
	load(argv[4], true, true);
	arena_init(&ar, 64u << 20);
	for (int i = 5; i < argc; i++) {
		struct postfix_relay_params p = { svc_get, svc_is_set, argv[i], main_get };
		struct postfix_relay_input in;
		struct postfix_relay_verdict v;

		if (postfix_relay_verdict_of(&p, argv[1], &ar, NULL, &in, &v) < 0)
			return 2;
		printf("%s %s %s %s\n", argv[i], relay_verdict_name(v.verdict), v.reason,
		       v.detail);
	}
	arena_free(&ar);
	return 0;
}

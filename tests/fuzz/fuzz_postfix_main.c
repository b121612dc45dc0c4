/*
 * fuzz_postfix_main.c - main.cf: logical lines, name = value, then the
 * effective value of every parameter set and a few defaults, expanded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"smtpd_banner", "mynetworks_style", "relay_domains",
					    "smtpd_relay_restrictions", "myhostname", "mydomain"};
	struct postfix_dict dict = {0};
	struct postfix_diags d = {0};
	struct postfix_env e;

	postfix_conf_parse(&dict, "main.cf", (const char *)data, size, &d);
	memset(&e, 0, sizeof(e));
	e.main = &dict;
	e.version = POSTFIX_VERSION(3, 7, 11);
	e.hostname = "fuzz";
	e.file = "main.cf";
	e.diags = &d;
	for (size_t i = 0; i < dict.n && i < 64; i++) {
		struct postfix_list l;
		char *v = postfix_eval(&e, dict.v[i].name);

		if (v != NULL) {
			postfix_list_split(v, i % 2 ? POSTFIX_SPLIT_LIST : POSTFIX_SPLIT_INET, &l,
					   "main.cf", dict.v[i].line, &d);
			postfix_list_free(&l);
		}
		free(v);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		free(postfix_eval(&e, names[i]));
	postfix_dict_free(&dict);
	postfix_diags_free(&d);
	return 0;
}

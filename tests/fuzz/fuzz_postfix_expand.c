/*
 * fuzz_postfix_expand.c - the $name expander: the input's first line is a
 * small main.cf (parameters separated by ';'), the rest is expanded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct postfix_dict dict = {0};
	struct postfix_diags d = {0};
	struct postfix_env e;
	char *buf = malloc(size + 1), *nl, *v;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	nl = strchr(buf, '\n');
	if (nl != NULL) {
		*nl = 0;
		for (char *p = buf; *p; p++)
			if (*p == ';')
				*p = '\n';
		postfix_conf_parse(&dict, "main.cf", buf, strlen(buf), &d);
	}
	memset(&e, 0, sizeof(e));
	e.main = &dict;
	e.version = POSTFIX_VERSION_NEWEST;
	e.hostname = "fuzz";
	e.mynetworks = "127.0.0.0/8";
	e.diags = &d;
	v = postfix_expand(&e, nl ? nl + 1 : buf, 1);
	free(v);
	free(buf);
	postfix_dict_free(&dict);
	postfix_diags_free(&d);
	return 0;
}

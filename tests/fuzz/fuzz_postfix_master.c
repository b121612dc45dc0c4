/*
 * fuzz_postfix_master.c - master.cf: fields, -o normalisation, service
 * names and ports, and the expanded -M formatting of every entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_master.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct postfix_master m;
	struct postfix_diags d = {0};
	struct postfix_env e;

	postfix_master_parse(&m, "master.cf", (const char *)data, size, &d);
	memset(&e, 0, sizeof(e));
	e.version = POSTFIX_VERSION(3, 7, 11);
	e.hostname = "fuzz";
	e.diags = &d;
	for (size_t i = 0; i < m.n; i++) {
		free(postfix_service_format(&m.v[i], NULL));
		free(postfix_service_format(&m.v[i], &e));
		(void)postfix_port_number(m.v[i].port);
		(void)postfix_service_command(&m.v[i]);
	}
	postfix_master_free(&m);
	postfix_diags_free(&d);
	return 0;
}

/*
 * fuzz_postfix_relay.c - the open-relay evaluator on arbitrary lists and
 * table texts.  The input is split at NULs into: client, relay, recipient
 * and mynetworks lists (split on ", \t\n" as smtpd would), a class
 * definition, then the text of cidr:/t, texthash:/s and /etc/nets.  Every
 * verdict must be one of the four, with a reason and a NUL-terminated
 * detail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXTOK 64

static size_t
split(char *s, const char **tok)
{
	size_t n = 0;

	for (char *p = strtok(s, ", \t\n"); p && n < MAXTOK; p = strtok(NULL, ", \t\n"))
		tok[n++] = p;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	const char *part[8] = { "", "", "", "", "", "", "", "" };
	const char *tok[5][MAXTOK];
	size_t ntok[5];
	struct postfix_relay_input in;
	struct postfix_relay_class cls;
	struct postfix_relay_table tables[3];
	struct postfix_relay_verdict v;
	size_t np = 0;

	if (buf == NULL || size > 65536) {
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	part[np++] = buf;
	for (size_t i = 0; i < size && np < 8; i++)
		if (buf[i] == '\0')
			part[np++] = buf + i + 1;
	/* the table texts must survive strtok on the lists: copy them first */
	char *t5 = strdup(part[5]), *t6 = strdup(part[6]), *t7 = strdup(part[7]);
	for (int i = 0; i < 5; i++)
		ntok[i] = split((char *)part[i], tok[i]);

	memset(&in, 0, sizeof(in));
	in.client = (struct postfix_relay_list){ tok[0], ntok[0] };
	in.relay = (struct postfix_relay_list){ tok[1], ntok[1] };
	in.recipient = (struct postfix_relay_list){ tok[2], ntok[2] };
	in.mynetworks = (struct postfix_relay_list){ tok[3], ntok[3] };
	in.relay_set = size & 1;
	in.compat_below_1 = size & 2;
	in.helo_required = size & 4;
	in.ipv4 = true;
	in.ipv6 = size & 8;
	cls = (struct postfix_relay_class){ "cls", tok[4], ntok[4], true };
	in.classes = &cls;
	in.n_classes = 1;
	tables[0] = (struct postfix_relay_table){ "cidr:/t", t5 };
	tables[1] = (struct postfix_relay_table){ "texthash:/s", t6 };
	tables[2] = (struct postfix_relay_table){ "/etc/nets", t7 };
	in.tables = tables;
	in.n_tables = 3;

	postfix_relay_evaluate(&in, &v);
	if ((unsigned)v.verdict > RELAY_CONFIG_ERROR || v.reason == NULL
	    || memchr(v.detail, '\0', sizeof(v.detail)) == NULL)
		abort();
	(void)postfix_relay_has_required(&in);
	free(t5);
	free(t6);
	free(t7);
	free(buf);
	return 0;
}

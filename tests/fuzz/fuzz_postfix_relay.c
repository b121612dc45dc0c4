/*
 * fuzz_postfix_relay.c - the open-relay evaluator on arbitrary lists and
 * table texts.  The input is split at NULs into: client, relay, recipient
 * and mynetworks lists (split on ", \t\n" as smtpd would), a class
 * definition, then the text of cidr:/t, texthash:/s, /etc/nets, pcre:/p,
 * regexp:/r and hash:/h (the postmap source; the input's size picks its
 * state: current, stale, missing).  Every verdict must be one of the four,
 * with a reason and a NUL-terminated detail.
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
	const char *part[11] = { "", "", "", "", "", "", "", "", "", "", "" };
	const char *tok[5][MAXTOK];
	size_t ntok[5];
	struct postfix_relay_input in;
	struct postfix_relay_class cls;
	struct postfix_relay_table tables[6];
	static const enum postfix_relay_table_state states[] = {
		POSTFIX_RELAY_TABLE_OK, POSTFIX_RELAY_TABLE_STALE, POSTFIX_RELAY_TABLE_MISSING,
		POSTFIX_RELAY_TABLE_OK,
	};
	struct postfix_relay_verdict v;
	size_t np = 0;

	if (buf == NULL || size > 65536) {
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	part[np++] = buf;
	for (size_t i = 0; i < size && np < 11; i++)
		if (buf[i] == '\0')
			part[np++] = buf + i + 1;
	/* the table texts must survive strtok on the lists: copy them first */
	char *t5 = strdup(part[5]), *t6 = strdup(part[6]), *t7 = strdup(part[7]);
	char *t8 = strdup(part[8]), *t9 = strdup(part[9]), *t10 = strdup(part[10]);
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
	tables[0] = (struct postfix_relay_table){ "cidr:/t", t5, POSTFIX_RELAY_TABLE_OK };
	tables[1] = (struct postfix_relay_table){ "texthash:/s", t6, POSTFIX_RELAY_TABLE_OK };
	tables[2] = (struct postfix_relay_table){ "/etc/nets", t7, POSTFIX_RELAY_TABLE_OK };
	tables[3] = (struct postfix_relay_table){ "pcre:/p", t8, POSTFIX_RELAY_TABLE_OK };
	tables[4] = (struct postfix_relay_table){ "regexp:/r", t9, POSTFIX_RELAY_TABLE_OK };
	tables[5] = (struct postfix_relay_table){ "hash:/h", t10, states[(size >> 4) & 3] };
	in.tables = tables;
	in.n_tables = 6;
	in.access_parent = size & 16;
	in.mynetworks_parent = size & 32;
	in.proxy_read_all = size & 64;

	postfix_relay_evaluate(&in, &v);
	if ((unsigned)v.verdict > RELAY_CONFIG_ERROR || v.reason == NULL
	    || memchr(v.detail, '\0', sizeof(v.detail)) == NULL)
		abort();
	(void)postfix_relay_has_required(&in);
	free(t5);
	free(t6);
	free(t7);
	free(t8);
	free(t9);
	free(t10);
	free(buf);
	return 0;
}

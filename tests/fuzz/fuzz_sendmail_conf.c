/*
 * fuzz_sendmail_conf.c - the sendmail.cf, sendmail.mc and access parsers
 * and the decisions over them, on arbitrary bytes.  The whole input is
 * parsed as each of the three formats, then every evaluator runs
 * (relay, privacy, greeting, help, and the TLS settings' readers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sendmail/sendmail_conf.h"
#include "lib/tlsinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct sendmail_cf *cf = sendmail_cf_parse(buf, size);
	struct sendmail_mc *mc = sendmail_mc_parse(buf, size);
	struct sendmail_access *ac = sendmail_access_parse(buf, size);
	struct sendmail_relay_result r;
	struct sendmail_mismatch mm;
	const char *g, *src = NULL;
	unsigned dh;

	if (cf == NULL || mc == NULL || ac == NULL)
		goto out;
	if (cf->n_daemons < 1 || cf->n_daemons > SENDMAIL_MAX_DAEMONS)
		abort();
	for (size_t i = 0; i < cf->n_daemons; i++)
		if (strlen(cf->daemons[i].name) >= sizeof(cf->daemons[i].name) ||
		    cf->daemons[i].port == 0)
			abort();
	sendmail_relay_eval(cf, ac, &r);
	if (r.reason == NULL || r.verdict > SENDMAIL_RELAY_UNDETERMINED ||
	    (r.promiscuous && r.verdict != SENDMAIL_RELAY_OPEN))
		abort();
	sendmail_mc_cf_compare(mc, cf, &mm);
	(void)sendmail_privacy_ok(cf->privacy);
	(void)sendmail_greeting_reveals_version(cf, &g);
	(void)sendmail_help_enabled(cf, true);
	/* the TLS settings: DHParameters and ServerSSLOptions */
	dh = sendmail_dh_bits(cf->dh_parameters, &src);
	if (src == NULL || (dh != 0 && dh != 512 && dh != 1024 && dh != 2048))
		abort();
	if (sendmail_ssl_versions(cf->server_ssl_options) & ~TLSINFO_ALL)
		abort();
	if (cf->diags.n > SENDMAIL_MAX_DIAGS || mc->diags.n > SENDMAIL_MAX_DIAGS)
		abort();
out:
	free(cf);
	free(mc);
	free(ac);
	return 0;
}

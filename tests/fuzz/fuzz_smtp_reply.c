/*
 * fuzz_smtp_reply.c - the SMTP reply readers of the TLS client
 * (lib/tlsclient.h): the reply code of a (possibly multi-line, possibly
 * incomplete) reply and whether an EHLO reply lists STARTTLS.  A code is
 * -2, -1 or 200..599.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/tlsclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int code = tlsclient_reply_code((const char *)data, size);

	if (code != -2 && code != -1 && (code < 200 || code > 599))
		abort();
	(void)tlsclient_ehlo_starttls((const char *)data, size);
	return 0;
}

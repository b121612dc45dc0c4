/*
 * fuzz_waivers.c - the waivers file parser on arbitrary bytes; every
 * accepted input holds only catalogue checks, known MTAs, non-empty
 * reasons and real dates, and applying it to a failing result of each
 * of its checks leaves a valid status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/checks/checks.h"
#include "collectors/checks/waivers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct waivers w;
	struct arena ar;
	char err[512];

	if (waivers_parse((const char *)data, size, &w, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || w.v != NULL || w.n != 0)
			abort();	/* every refusal says why and keeps nothing */
		return 0;
	}
	arena_init(&ar, 1 << 20);
	for (size_t i = 0; i < w.n; i++) {
		const struct waiver *v = &w.v[i];
		struct check_result r = { .id = v->check, .status = CHECK_FAIL, .n_subjects = 1 };

		if (checks_find(v->check, NULL) == NULL || v->mta >= MTA_COUNT || v->reason[0] == '\0'
		    || waivers_date(v->expires) + 86400 != v->expiry)
			abort();
		r.subjects[0] = (struct check_subject){ "x", v->mta, v->service };
		waivers_apply(&w, v->expiry - 1, &r, 1, &ar);
		if (r.status != CHECK_WAIVED || r.waiver == NULL)
			abort();	/* a waiver covers what it names until it expires */
		r.status = CHECK_FAIL;
		r.n_reasons = 0;
		waivers_apply(&w, (time_t)253402300800, &r, 1, &ar);	/* 10000-01-01: all expired */
		if (r.status != CHECK_FAIL)
			abort();
	}
	arena_free(&ar);
	waivers_free(&w);
	return 0;
}

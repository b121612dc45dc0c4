/*
 * check.c - what a check's decision reports with (see check.h).  Pure;
 * no diagnostics.
 */
#include "collectors/core/check.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "collectors/core/mta.h"

/* Append code to v[*n] unless it is there already or v is full. */
static void
add_once(const char **v, size_t *n, const char *code)
{
	if (code == NULL)
		return;		/* per-scrape memory ran out: the scrape fails anyway */
	for (size_t i = 0; i < *n; i++)
		if (strcmp(v[i], code) == 0)
			return;
	if (*n < CHECK_MAX_REASONS)
		v[(*n)++] = code;
}

void
check_reason(struct check_result *r, const char *code)
{
	add_once(r->reasons, &r->n_reasons, code);
}

void
check_finding(struct check_ctx *c, const char *code)
{
	check_reason(c->r, code);
	c->n_findings++;
}

void
check_problem(struct check_ctx *c, const char *code)
{
	add_once(c->problems, &c->n_problems, code);
}

void
check_note(struct check_ctx *c, const char *fmt, ...)
{
	char buf[512];
	size_t n, need;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	need = c->note_len + (c->note_len ? 2 : 0) + n + 1;
	if (need > CHECK_DETAIL_MAX) {
		c->notes_dropped++;
		return;
	}
	if (need > c->note_cap) {
		/* doubling: the copies left behind in the arena add up to the final size */
		size_t ncap = c->note_cap ? 2 * c->note_cap : 256;
		char *nn;

		while (ncap < need)
			ncap *= 2;
		if (ncap > CHECK_DETAIL_MAX)
			ncap = CHECK_DETAIL_MAX;
		if ((nn = arena_grow(c->ar, c->note, c->note_len + (c->note ? 1 : 0), ncap)) == NULL)
			return;		/* per-scrape memory ran out: the scrape fails anyway */
		c->note = nn;
		c->note_cap = ncap;
	}
	if (c->note_len) {
		memcpy(c->note + c->note_len, "; ", 2);
		c->note_len += 2;
	}
	memcpy(c->note + c->note_len, buf, n + 1);
	c->note_len += n;
	c->r->detail = c->note;
}

void
check_notes_done(struct check_ctx *c)
{
	if (c->notes_dropped > 0)
		c->r->detail = arena_printf(c->ar, "%s%s(%u more not shown)", c->note ? c->note : "",
					    c->note ? " " : "", c->notes_dropped);
}

const char *
check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "pass";
	case CHECK_FAIL: return "fail";
	case CHECK_NOT_APPLICABLE: return "not_applicable";
	case CHECK_ERROR: return "error";
	}
	assert(!"check_status_name: not an enum check_status");
	return "error";
}

bool
check_mta_audited(struct check_ctx *c, enum mta_kind k)
{
	if (!collector_enabled(c->env, mta_table[k]->collector))
		return false;
	if (!c->f->mta[k].collected) {
		check_problem(c, arena_printf(c->ar, "collector_failed_%s", mta_name(k)));
		return false;
	}
	return true;
}

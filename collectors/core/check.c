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
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->r->detail = c->r->detail ? arena_printf(c->ar, "%s; %s", c->r->detail, buf)
				    : arena_strdup(c->ar, buf);
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

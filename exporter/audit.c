/*
 * audit.c - the audit report (see audit.h, docs/audit.md).
 *
 * Rendering is pure; audit_run() is the only part that collects and
 * writes.  Diagnostics: a failed render or write is logged and gives exit
 * status 2.
 */
#include "exporter/audit.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/checks/checks.h"
#include "collectors/core/scrape.h"
#include "exporter/exposition/metrics.h"
#include "exporter/options.h"
#include "lib/escape.h"
#include "lib/log.h"

#define C_RESET "\033[0m"
#define C_RED "\033[1;31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"

static const char *
label(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "PASS";
	case CHECK_FAIL: return "FAIL";
	case CHECK_NOT_APPLICABLE: return "N/A";
	case CHECK_ERROR: return "ERROR";
	case CHECK_WAIVED: return "WAIVED";
	}
	return "ERROR";
}

static const char *
colour(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return C_GREEN;
	case CHECK_FAIL: return C_RED;
	case CHECK_NOT_APPLICABLE: return C_DIM;
	case CHECK_ERROR: return C_YELLOW;
	case CHECK_WAIVED: return C_DIM;
	}
	return "";
}

int
audit_exit_status(const struct facts *f, bool collectors_failed)
{
	bool error = collectors_failed || f->checks == NULL;

	for (size_t i = 0; f->checks && i < f->n_checks; i++) {
		if (f->checks[i].status == CHECK_FAIL)
			return 1;
		if (f->checks[i].status == CHECK_ERROR)
			error = true;
	}
	return error ? 2 : 0;
}

/* ---- text ---- */

static void
text_report(const struct facts *f, bool color, bool collectors_failed, struct buf *b)
{
	size_t count[CHECK_STATUS_COUNT] = { 0 };
	const char *bold = color ? C_BOLD : "", *reset = color ? C_RESET : "";
	const char *dim = color ? C_DIM : "";
	bool any_relay = false;

	buf_printf(b, "%smta_exporter audit%s\n\n", bold, reset);
	for (size_t i = 0; i < f->n_checks; i++) {
		const struct check_result *r = &f->checks[i];
		const struct check_info *d = r->info;
		char tag[16];

		assert(d != NULL);	/* every result is of a catalogue row */
		count[r->status]++;
		snprintf(tag, sizeof(tag), "[%s]", label(r->status));
		buf_printf(b, "%s%-7s%s %s%s%s", color ? colour(r->status) : "", tag, reset, bold,
			   r->id, reset);
		buf_printf(b, "  %s %s(%s; %s)%s", d->title, dim, d->source, d->severity, reset);
		buf_putc(b, '\n');
		if (r->n_reasons) {
			buf_printf(b, "        reasons: ");
			for (size_t j = 0; j < r->n_reasons; j++)
				buf_printf(b, "%s%s", j ? ", " : "", r->reasons[j]);
			buf_putc(b, '\n');
		}
		if (r->detail && *r->detail && r->status != CHECK_NOT_APPLICABLE)
			buf_printf(b, "        %s\n", r->detail);
		if (r->status == CHECK_FAIL)
			buf_printf(b, "        remediation: %s\n", d->remediation);
	}
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &f->mta[k];

		for (size_t i = 0; i < m->n_relays; i++) {
			const struct mta_relay *rl = &m->relays[i];

			if (!any_relay)
				buf_printf(b, "\n%sRelay verdicts%s\n", bold, reset);
			any_relay = true;
			buf_printf(b, "  %s %s%s%s: %s (%s)%s%s\n", mta_name((enum mta_kind)k),
				   rl->instance && *rl->instance ? rl->instance : "",
				   rl->instance && *rl->instance ? "/" : "", rl->service,
				   rl->verdict == RELAY_OPEN ? "OPEN RELAY"
				   : rl->verdict == RELAY_CLOSED ? "closed"
				   : rl->verdict == RELAY_UNDETERMINED ? "undetermined"
				   : "configuration error",
				   rl->reason ? rl->reason : "-", rl->detail && *rl->detail ? ": " : "",
				   rl->detail ? rl->detail : "");
		}
	}
	buf_printf(b, "\n%zu passed, %zu failed, %zu not applicable, %zu errors\n",
		   count[CHECK_PASS], count[CHECK_FAIL], count[CHECK_NOT_APPLICABLE], count[CHECK_ERROR]);
	if (collectors_failed)
		buf_printf(b, "warning: a collector failed; see the log above\n");
}

/* ---- JSON ---- */

/* json_str - a JSON string; invalid UTF-8 from a configuration file becomes
 * U+FFFD, so the report is always valid JSON (lib/escape.h) */
static void
json_str(struct buf *b, const char *s)
{
	char u[ESCAPE_UNIT_MAX];

	buf_putc(b, '"');
	while (s != NULL && *s) {
		s += escape_unit(ESCAPE_JSON, s, u);
		buf_puts(b, u);
	}
	buf_putc(b, '"');
}

static void
json_report(const struct facts *f, bool collectors_failed, struct buf *b)
{
	size_t count[CHECK_STATUS_COUNT] = { 0 };
	bool first = true;

	buf_puts(b, "{\"checks\":[");
	for (size_t i = 0; i < f->n_checks; i++) {
		const struct check_result *r = &f->checks[i];
		const struct check_info *d = r->info;

		assert(d != NULL);	/* every result is of a catalogue row */
		count[r->status]++;
		buf_puts(b, i ? ",\n{" : "\n{");
		buf_puts(b, "\"id\":");
		json_str(b, r->id);
		buf_puts(b, ",\"title\":");
		json_str(b, d->title);
		buf_puts(b, ",\"source\":");
		json_str(b, d->source);
		buf_puts(b, ",\"severity\":");
		json_str(b, d->severity);
		buf_puts(b, ",\"status\":");
		json_str(b, check_status_name(r->status));
		buf_puts(b, ",\"reasons\":[");
		for (size_t j = 0; j < r->n_reasons; j++) {
			if (j)
				buf_putc(b, ',');
			json_str(b, r->reasons[j]);
		}
		buf_puts(b, "],\"detail\":");
		if (r->detail)
			json_str(b, r->detail);
		else
			buf_puts(b, "null");
		buf_puts(b, ",\"remediation\":");
		json_str(b, d->remediation);
		buf_putc(b, '}');
	}
	buf_puts(b, "\n],\"relays\":[");
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &f->mta[k];

		for (size_t i = 0; i < m->n_relays; i++) {
			const struct mta_relay *rl = &m->relays[i];

			buf_puts(b, first ? "\n{" : ",\n{");
			first = false;
			buf_puts(b, "\"mta\":");
			json_str(b, mta_name((enum mta_kind)k));
			buf_puts(b, ",\"instance\":");
			json_str(b, rl->instance);
			buf_puts(b, ",\"service\":");
			json_str(b, rl->service);
			buf_puts(b, ",\"verdict\":");
			json_str(b, relay_verdict_name(rl->verdict));
			buf_puts(b, ",\"reason\":");
			json_str(b, rl->reason);
			buf_puts(b, ",\"detail\":");
			json_str(b, rl->detail);
			buf_putc(b, '}');
		}
	}
	buf_puts(b, "\n],\"detected\":{");
	for (int k = 0; k < MTA_COUNT; k++) {
		if (k)
			buf_putc(b, ',');
		json_str(b, mta_name((enum mta_kind)k));
		buf_puts(b, f->mta[k].detected ? ":true" : ":false");
	}
	buf_printf(b, "},\"summary\":{\"pass\":%zu,\"fail\":%zu,\"not_applicable\":%zu,\"error\":%zu},"
		      "\"collectors_failed\":%s,\"exit_status\":%d}\n",
		   count[CHECK_PASS], count[CHECK_FAIL], count[CHECK_NOT_APPLICABLE], count[CHECK_ERROR],
		   collectors_failed ? "true" : "false", audit_exit_status(f, collectors_failed));
}

int
audit_render(const struct facts *f, enum audit_format fmt, bool color, bool collectors_failed,
	     struct buf *out)
{
	if (fmt == AUDIT_JSON)
		json_report(f, collectors_failed, out);
	else
		text_report(f, color, collectors_failed, out);
	return out->failed ? -1 : 0;
}

/* ---- the command ---- */


int
audit_run(struct scrape *s, const struct options *opts)
{
	struct metrics *m = metrics_new(opts->max_body_bytes * 2);
	enum audit_format fmt = strcmp(opts->audit_format, "json") == 0 ? AUDIT_JSON : AUDIT_TEXT;
	bool failed = false, color;
	struct buf out;
	int rc;

	if (m == NULL)
		return 2;
	color = fmt == AUDIT_TEXT && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	buf_init(&out, opts->max_body_bytes);
	pthread_mutex_lock(&s->lock);
	if (scrape_collect(s, m, &failed) < 0)
		failed = true;
	if (s->facts.checks == NULL) {
		log_error("the checks collector is disabled: nothing to audit", NULL);
		rc = 2;
	} else if (audit_render(&s->facts, fmt, color, failed, &out) < 0) {
		log_error("the audit report is too large", NULL);
		rc = 2;
	} else {
		rc = audit_exit_status(&s->facts, failed);
	}
	pthread_mutex_unlock(&s->lock);
	if (!out.failed && out.len && buf_write_all(STDOUT_FILENO, out.data, out.len) < 0) {
		log_error("cannot write to stdout", "err", strerror(errno), NULL);
		rc = 2;
	}
	buf_free(&out);
	metrics_free(m);
	return rc;
}

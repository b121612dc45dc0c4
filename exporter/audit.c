/*
 * audit.c - the audit report (see audit.h, docs/audit.md).
 *
 * Rendering is pure; audit_run() is the only part that collects, reads
 * the clock and the host name, and writes.  Diagnostics: a report that
 * cannot be produced or written is logged and gives AUDIT_EXIT_ERROR; the
 * checks collector disabled gives AUDIT_EXIT_USAGE.
 */
#include "exporter/audit.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/checks/checks.h"
#include "collectors/core/scrape.h"
#include "exporter/exposition/metrics.h"
#include "exporter/options.h"
#include "lib/escape.h"
#include "lib/log.h"
#include "lib/version.h"

#define C_RESET "\033[0m"
#define C_RED "\033[1;31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"
#define C_CYAN "\033[36m"

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
	case CHECK_WAIVED: return C_CYAN;
	}
	return "";
}

int
audit_exit_status(const struct facts *f, bool collectors_failed)
{
	bool error = collectors_failed;

	if (f->checks == NULL)
		return AUDIT_EXIT_USAGE;	/* the checks collector is disabled */
	for (size_t i = 0; i < f->n_checks; i++) {
		if (f->checks[i].status == CHECK_FAIL)
			return AUDIT_EXIT_FAIL;
		if (f->checks[i].status == CHECK_ERROR)
			error = true;
	}
	return error ? AUDIT_EXIT_ERROR : AUDIT_EXIT_PASS;
}

/* A service as the report names it: "<instance>/<service>", or the service. */
static void
service_name(struct buf *b, const struct mta_relay *rl)
{
	if (rl->instance && *rl->instance)
		buf_printf(b, "%s/", rl->instance);
	buf_puts(b, rl->service);
}

/* "a, b, c": the reasons of r. */
static void
reasons(struct buf *b, const struct check_result *r)
{
	for (size_t j = 0; j < r->n_reasons; j++)
		buf_printf(b, "%s%s", j ? ", " : "", r->reasons[j]);
}

/* ---- text ---- */

static void
text_report(const struct facts *f, const struct audit_header *h, bool color, bool collectors_failed,
	    struct buf *b)
{
	size_t count[CHECK_STATUS_COUNT] = { 0 };
	const char *bold = color ? C_BOLD : "", *reset = color ? C_RESET : "";
	const char *dim = color ? C_DIM : "";
	bool any_relay = false;

	buf_printf(b, "%smta_exporter audit%s\n", bold, reset);
	buf_printf(b, "  host:    %s\n  time:    %s\n  version: %s (revision %s)\n"
		      "  rootfs:  %s\n  role:    %s\n\n",
		   h->host, h->time, h->version, h->revision, h->rootfs, h->role);
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
			reasons(b, r);
			buf_putc(b, '\n');
		}
		if (r->detail && *r->detail && r->status != CHECK_NOT_APPLICABLE)
			buf_printf(b, "        %s\n", r->detail);
		if (r->status == CHECK_WAIVED)
			buf_printf(b, "        waived: %s\n", r->waiver ? r->waiver : "");
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
			buf_printf(b, "  %s ", mta_name((enum mta_kind)k));
			service_name(b, rl);
			buf_printf(b, ": %s (%s)%s%s\n",
				   rl->verdict == RELAY_OPEN ? "OPEN RELAY"
				   : rl->verdict == RELAY_CLOSED ? "closed"
				   : rl->verdict == RELAY_UNDETERMINED ? "undetermined"
				   : "configuration error",
				   rl->reason ? rl->reason : "-", rl->detail && *rl->detail ? ": " : "",
				   rl->detail ? rl->detail : "");
		}
	}
	buf_printf(b, "\n%zu passed, %zu failed, %zu waived, %zu not applicable, %zu in error\n",
		   count[CHECK_PASS], count[CHECK_FAIL], count[CHECK_WAIVED], count[CHECK_NOT_APPLICABLE],
		   count[CHECK_ERROR]);
	if (collectors_failed)
		buf_printf(b, "warning: a collector failed; the log on stderr says why\n");
}

/* ---- JSON ---- */

/* escaped - s escaped in style (lib/escape.h): invalid UTF-8 from a
 * configuration file becomes U+FFFD, so the report is always valid */
static void
escaped(struct buf *b, enum escape_style style, const char *s)
{
	char u[ESCAPE_UNIT_MAX];

	while (s != NULL && *s) {
		s += escape_unit(style, s, u);
		buf_puts(b, u);
	}
}

/* json_str - a JSON string */
static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	escaped(b, ESCAPE_JSON, s);
	buf_putc(b, '"');
}

/*
 * json_fields - "name":"value" members, comma-separated, from a
 * NULL-terminated list of name/value pairs; a NULL value is null (lead is
 * written first, e.g. "{" or ",").
 */
static void __attribute__((sentinel))
json_fields(struct buf *b, const char *lead, ...)
{
	const char *name;
	va_list ap;

	buf_puts(b, lead);
	va_start(ap, lead);
	for (bool first = true; (name = va_arg(ap, const char *)) != NULL; first = false) {
		const char *value = va_arg(ap, const char *);

		buf_printf(b, "%s\"%s\":", first ? "" : ",", name);
		if (value)
			json_str(b, value);
		else
			buf_puts(b, "null");
	}
	va_end(ap);
}

static void
json_report(const struct facts *f, const struct audit_header *h, bool collectors_failed,
	    struct buf *b)
{
	size_t count[CHECK_STATUS_COUNT] = { 0 };
	bool first = true;

	json_fields(b, "{", "host", h->host, "time", h->time, "version", h->version, "revision",
		    h->revision, "rootfs", h->rootfs, "role", h->role, NULL);
	buf_puts(b, ",\n\"checks\":[");
	for (size_t i = 0; i < f->n_checks; i++) {
		const struct check_result *r = &f->checks[i];
		const struct check_info *d = r->info;

		assert(d != NULL);	/* every result is of a catalogue row */
		count[r->status]++;
		json_fields(b, i ? ",\n{" : "\n{", "id", r->id, "title", d->title, "source", d->source,
			    "severity", d->severity, "status", check_status_name(r->status), NULL);
		buf_puts(b, ",\"reasons\":[");
		for (size_t j = 0; j < r->n_reasons; j++) {
			if (j)
				buf_putc(b, ',');
			json_str(b, r->reasons[j]);
		}
		json_fields(b, "],", "detail", r->detail,
			    "waiver", r->status == CHECK_WAIVED ? (r->waiver ? r->waiver : "") : NULL,
			    "remediation", d->remediation, NULL);
		buf_putc(b, '}');
	}
	buf_puts(b, "\n],\"relays\":[");
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &f->mta[k];

		for (size_t i = 0; i < m->n_relays; i++) {
			const struct mta_relay *rl = &m->relays[i];

			/* every member a string: "" for what the collector left out */
			json_fields(b, first ? "\n{" : ",\n{", "mta", mta_name((enum mta_kind)k),
				    "instance", rl->instance ? rl->instance : "",
				    "service", rl->service ? rl->service : "",
				    "verdict", relay_verdict_name(rl->verdict),
				    "reason", rl->reason ? rl->reason : "",
				    "detail", rl->detail ? rl->detail : "", NULL);
			buf_putc(b, '}');
			first = false;
		}
	}
	buf_puts(b, "\n],\"detected\":{");
	for (int k = 0; k < MTA_COUNT; k++) {
		if (k)
			buf_putc(b, ',');
		json_str(b, mta_name((enum mta_kind)k));
		buf_puts(b, f->mta[k].detected ? ":true" : ":false");
	}
	buf_printf(b, "},\"summary\":{\"pass\":%zu,\"fail\":%zu,\"waived\":%zu,\"not_applicable\":%zu,"
		      "\"error\":%zu},\"collectors_failed\":%s,\"exit_status\":%d}\n",
		   count[CHECK_PASS], count[CHECK_FAIL], count[CHECK_WAIVED], count[CHECK_NOT_APPLICABLE],
		   count[CHECK_ERROR], collectors_failed ? "true" : "false",
		   audit_exit_status(f, collectors_failed));
}

/* ---- JUnit XML ---- */

/* xml_attr - name="value", escaped */
static void
xml_attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	escaped(b, ESCAPE_XML, value);
	buf_putc(b, '"');
}

/* The body of a failure or error: title, source, detail, remediation. */
static void
junit_body(struct buf *b, const struct check_result *r, bool remediation)
{
	escaped(b, ESCAPE_XML, r->info->title);
	buf_puts(b, " (");
	escaped(b, ESCAPE_XML, r->info->source);
	buf_puts(b, ")\n");
	if (r->detail && *r->detail) {
		escaped(b, ESCAPE_XML, r->detail);
		buf_putc(b, '\n');
	}
	if (remediation) {
		buf_puts(b, "remediation: ");
		escaped(b, ESCAPE_XML, r->info->remediation);
		buf_putc(b, '\n');
	}
}

static void
junit_case(struct buf *b, const struct check_result *r, const char *classname)
{
	struct buf msg;

	buf_puts(b, "    <testcase");
	xml_attr(b, "name", r->id);
	xml_attr(b, "classname", classname);
	buf_puts(b, " time=\"0\"");
	if (r->status == CHECK_PASS) {
		buf_puts(b, "/>\n");
		return;
	}
	buf_puts(b, ">\n");
	buf_init(&msg, 1u << 16);
	switch (r->status) {
	case CHECK_FAIL:
	case CHECK_ERROR:
		buf_puts(&msg, r->status == CHECK_FAIL ? "fails: " : "in error: ");
		reasons(&msg, r);
		buf_printf(b, "      <%s", r->status == CHECK_FAIL ? "failure" : "error");
		xml_attr(b, "message", msg.data);
		xml_attr(b, "type", r->info->severity);
		buf_puts(b, ">");
		junit_body(b, r, r->status == CHECK_FAIL);
		buf_printf(b, "</%s>\n", r->status == CHECK_FAIL ? "failure" : "error");
		break;
	case CHECK_WAIVED:
		buf_printf(&msg, "waived: %s; fails: ", r->waiver ? r->waiver : "");
		reasons(&msg, r);
		buf_puts(b, "      <skipped");
		xml_attr(b, "message", msg.data);
		buf_puts(b, "/>\n");
		break;
	case CHECK_NOT_APPLICABLE:
		buf_puts(&msg, "not applicable");
		if (r->n_reasons) {
			buf_puts(&msg, ": ");
			reasons(&msg, r);
		} else if (r->detail && *r->detail) {
			buf_printf(&msg, ": %s", r->detail);
		}
		buf_puts(b, "      <skipped");
		xml_attr(b, "message", msg.data);
		buf_puts(b, "/>\n");
		break;
	case CHECK_PASS:
		break;
	}
	if (msg.failed)
		b->failed = true;
	buf_free(&msg);
	buf_puts(b, "    </testcase>\n");
}

static void
junit_report(const struct facts *f, const struct audit_header *h, struct buf *b)
{
	static const char *const props[] = { "host", "time", "version", "revision", "rootfs", "role" };
	const char *vals[] = { h->host, h->time, h->version, h->revision, h->rootfs, h->role };
	size_t count[CHECK_STATUS_COUNT] = { 0 };
	char counts[160], classname[HOST_NAME_MAX + 16], *p;

	/* dots would make CI systems read the host name as packages */
	snprintf(classname, sizeof(classname), "mta_exporter.%s", h->host);
	for (p = classname + strlen("mta_exporter."); *p; p++)
		if (*p == '.')
			*p = '_';
	for (size_t i = 0; i < f->n_checks; i++)
		count[f->checks[i].status]++;
	snprintf(counts, sizeof(counts), " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\""
		 " time=\"0\"", f->n_checks, count[CHECK_FAIL], count[CHECK_ERROR],
		 count[CHECK_WAIVED] + count[CHECK_NOT_APPLICABLE]);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mta_exporter audit\"");
	buf_printf(b, "%s>\n  <testsuite", counts);
	xml_attr(b, "name", classname);
	buf_puts(b, counts);
	xml_attr(b, "hostname", h->host);
	xml_attr(b, "timestamp", h->time);
	buf_puts(b, ">\n    <properties>\n");
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		buf_puts(b, "      <property");
		xml_attr(b, "name", props[i]);
		xml_attr(b, "value", vals[i]);
		buf_puts(b, "/>\n");
	}
	buf_puts(b, "    </properties>\n");
	for (size_t i = 0; i < f->n_checks; i++) {
		assert(f->checks[i].info != NULL);	/* every result is of a catalogue row */
		junit_case(b, &f->checks[i], classname);
	}
	buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

int
audit_render(const struct facts *f, const struct audit_header *h, enum audit_format fmt, bool color,
	     bool collectors_failed, struct buf *out)
{
	switch (fmt) {
	case AUDIT_JSON:
		json_report(f, h, collectors_failed, out);
		break;
	case AUDIT_JUNIT:
		junit_report(f, h, out);
		break;
	case AUDIT_TEXT:
		text_report(f, h, color, collectors_failed, out);
		break;
	}
	return out->failed ? -1 : 0;
}

/* ---- the command ---- */

int
audit_run(struct scrape *s, const struct options *opts)
{
	struct metrics *m = metrics_new(opts->max_body_bytes * 2);
	enum audit_format fmt = strcmp(opts->audit_format, "json") == 0 ? AUDIT_JSON
				: strcmp(opts->audit_format, "junit") == 0 ? AUDIT_JUNIT : AUDIT_TEXT;
	char host[HOST_NAME_MAX + 1], when[32];
	struct audit_header h = {
		.host = host, .time = when, .version = MTA_VERSION, .revision = MTA_REVISION,
		.rootfs = opts->env.rootfs, .role = checks_role(),
	};
	bool failed = false, color;
	time_t now = time(NULL);
	struct tm tm;
	struct buf out;
	int rc;

	if (m == NULL)
		return AUDIT_EXIT_ERROR;
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	color = fmt == AUDIT_TEXT && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	buf_init(&out, opts->max_body_bytes);
	pthread_mutex_lock(&s->lock);
	if (scrape_collect(s, m, &failed) < 0)
		failed = true;
	if (s->facts.checks == NULL) {
		log_error("the checks collector is disabled: nothing to audit", NULL);
		rc = AUDIT_EXIT_USAGE;
	} else if (audit_render(&s->facts, &h, fmt, color, failed, &out) < 0) {
		log_error("the audit report is too large", NULL);
		rc = AUDIT_EXIT_ERROR;
	} else {
		rc = audit_exit_status(&s->facts, failed);
	}
	pthread_mutex_unlock(&s->lock);
	if (!out.failed && out.len && buf_write_all(STDOUT_FILENO, out.data, out.len) < 0) {
		log_error("cannot write to stdout", "err", strerror(errno), NULL);
		rc = AUDIT_EXIT_ERROR;
	}
	buf_free(&out);
	metrics_free(m);
	return rc;
}

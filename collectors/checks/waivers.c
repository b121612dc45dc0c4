/*
 * waivers.c - parse, load and apply the waivers file (see waivers.h,
 * docs/waivers.md).
 *
 * The YAML is loaded by lib/yamldoc (bounded, one document) and walked
 * against the format: a list of mappings with the keys check, mta,
 * service, reason and expires.  Every error names its line and key, e.g.
 *   line 4: entry 2: check: unknown check "postfix_vrfy"
 *
 * Diagnostics: none (the messages go to the caller).
 */
#include "collectors/checks/waivers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "collectors/checks/checks.h"
#include "collectors/core/mta.h"
#include "lib/fileio.h"
#include "lib/yamldoc.h"

struct wv_ctx {
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	size_t entry;		/* 1-based, for messages */
};

static int __attribute__((format(printf, 4, 5)))
wv_fail(struct wv_ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "line %lu: entry %zu: %s%s%s", yamldoc_line(n), c->entry, key,
		 *key ? ": " : "", msg);
	return -1;
}

/* A scalar as text: no NUL, at most WAIVERS_MAX_TEXT bytes, not empty. */
static int
text(struct wv_ctx *c, const yaml_node_t *n, const char *key, const char **out)
{
	if (n->type != YAML_SCALAR_NODE || yamldoc_is_null(n))
		return wv_fail(c, n, key, "expected text, got %s",
			       n->type == YAML_SCALAR_NODE ? "nothing" : yamldoc_kind(n));
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
		return wv_fail(c, n, key, "contains a NUL byte");
	if (n->data.scalar.length > WAIVERS_MAX_TEXT)
		return wv_fail(c, n, key, "longer than %u bytes", WAIVERS_MAX_TEXT);
	*out = (const char *)n->data.scalar.value;
	if (strspn(*out, " \t") == n->data.scalar.length)
		return wv_fail(c, n, key, "is empty");
	return 0;
}

static bool
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970). */
static long
days_since_epoch(long y, int m, int d)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	long days = 0;

	for (long i = 1970; i < y; i++)
		days += leap(i) ? 366 : 365;
	return days + before[m - 1] + (m > 2 && leap(y)) + d - 1;
}

time_t
waivers_date(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long y;
	int m, d;

	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return -1;
	if (s[10] != '\0')
		return -1;
	y = strtol(s, NULL, 10);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap(y)))
		return -1;
	return (time_t)days_since_epoch(y, m, d) * 86400;
}

static int
mta_by_name(const char *s)
{
	for (int k = 0; k < MTA_COUNT; k++)
		if (strcmp(s, mta_name((enum mta_kind)k)) == 0)
			return k;
	return -1;
}

static bool
same_scope(const struct waiver *a, const struct waiver *b)
{
	return strcmp(a->check, b->check) == 0 && a->mta == b->mta
	       && (a->service == b->service
		   || (a->service && b->service && strcmp(a->service, b->service) == 0));
}

static int
entry(struct wv_ctx *c, const yaml_node_t *n, struct waiver *w)
{
	const char *check = NULL, *mta = NULL, *service = NULL, *reason = NULL, *expires = NULL;
	const yaml_node_t *expires_node = n;
	const struct check_row *row;
	int owner;

	if (n->type != YAML_MAPPING_NODE)
		return wv_fail(c, n, "", "expected a mapping (check, reason, expires), got %s",
			       yamldoc_kind(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k, *v = yaml_document_get_node(c->doc, p->value);
		const char *ks, **slot;

		switch (yamldoc_key(c->doc, n, p, &ks, &k)) {
		case YAMLDOC_KEY_OK:
			break;
		case YAMLDOC_KEY_NOT_STRING:
			return wv_fail(c, k ? k : n, "", "keys must be strings");
		case YAMLDOC_KEY_NUL:
			return wv_fail(c, k, "", "key contains a NUL byte");
		case YAMLDOC_KEY_REPEATED:
			return wv_fail(c, k, ks, "key given twice");
		}
		if (v == NULL)
			return wv_fail(c, k, ks, "malformed entry");
		if (strcmp(ks, "check") == 0)
			slot = &check;
		else if (strcmp(ks, "mta") == 0)
			slot = &mta;
		else if (strcmp(ks, "service") == 0)
			slot = &service;
		else if (strcmp(ks, "reason") == 0)
			slot = &reason;
		else if (strcmp(ks, "expires") == 0) {
			slot = &expires;
			expires_node = v;
		} else
			return wv_fail(c, k, ks, "unknown key (check, mta, service, reason, expires)");
		if (text(c, v, ks, slot) < 0)
			return -1;
	}
	if (check == NULL)
		return wv_fail(c, n, "check", "missing: every waiver names the check it waives");
	if (reason == NULL)
		return wv_fail(c, n, "reason", "missing: every waiver records why the risk is accepted");
	if (expires == NULL)
		return wv_fail(c, n, "expires", "missing: every waiver ends (YYYY-MM-DD)");
	if ((row = checks_find(check, &owner)) == NULL)
		return wv_fail(c, n, "check", "unknown check \"%s\" (mta_exporter audit lists them)",
			       check);
	w->check = row->info.id;
	w->mta = -1;
	if (mta != NULL) {
		if ((w->mta = mta_by_name(mta)) < 0)
			return wv_fail(c, n, "mta", "unknown MTA \"%s\" (postfix, exim, sendmail)", mta);
		if (owner >= 0 && owner != w->mta)
			return wv_fail(c, n, "mta", "check %s is about %s, not %s", check,
				       mta_name((enum mta_kind)owner), mta);
	}
	if ((w->expiry = waivers_date(expires)) < 0)
		return wv_fail(c, expires_node, "expires", "\"%s\" is not a date YYYY-MM-DD", expires);
	w->expiry += 86400;	/* it holds through that day (UTC) */
	memcpy(w->expires, expires, sizeof(w->expires));
	w->line = (unsigned)yamldoc_line(n);
	if ((service != NULL && (w->service = strdup(service)) == NULL)
	    || (w->reason = strdup(reason)) == NULL)
		return wv_fail(c, n, "", "out of memory");
	return 0;
}

int
waivers_parse(const char *data, size_t len, struct waivers *w, char *err, size_t errlen)
{
	struct wv_ctx c = { .err = err, .errlen = errlen };
	struct yamldoc d;
	yaml_node_t *root;
	size_t cnt;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	if (yamldoc_load(&d, data, len, WAIVERS_MAX_BYTES, err, errlen) < 0)
		return -1;
	c.doc = &d.doc;
	root = yamldoc_root(&d);
	if (root == NULL)
		goto out;	/* an empty file: no waivers */
	if (root->type != YAML_SEQUENCE_NODE) {
		snprintf(err, errlen, "line %lu: expected a list of waivers (- check: ...), got %s",
			 yamldoc_line(root), yamldoc_kind(root));
		rc = -1;
		goto out;
	}
	cnt = (size_t)(root->data.sequence.items.top - root->data.sequence.items.start);
	if (cnt > WAIVERS_MAX) {
		snprintf(err, errlen, "more than %d waivers", WAIVERS_MAX);
		rc = -1;
		goto out;
	}
	if (cnt && (w->v = calloc(cnt, sizeof(*w->v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top;
	     it++) {
		yaml_node_t *n = yaml_document_get_node(c.doc, *it);
		struct waiver *nw = &w->v[w->n];

		c.entry = w->n + 1;
		if (n == NULL || (rc = entry(&c, n, nw)) < 0) {
			if (n == NULL)
				snprintf(err, errlen, "entry %zu: malformed", c.entry);
			free(nw->service);
			free(nw->reason);
			rc = -1;
			break;
		}
		w->n++;
		for (size_t i = 0; i + 1 < w->n; i++)
			if (same_scope(&w->v[i], nw)) {
				rc = wv_fail(&c, n, "", "waives what the waiver on line %u waives "
					     "(same check, mta and service)", w->v[i].line);
				break;
			}
		if (rc < 0)
			break;
	}
out:
	yamldoc_free(&d);
	if (rc < 0)
		waivers_free(w);
	return rc;
}

int
waivers_load(const char *path, struct waivers *w, char *err, size_t errlen)
{
	char why[256], msg[320];
	char *data;
	size_t len;

	memset(w, 0, sizeof(*w));
	switch (fileio_read(NULL, path, WAIVERS_MAX_BYTES, &data, &len, NULL, why, sizeof(why))) {
	case FILEIO_OK:
		break;
	case FILEIO_ABSENT:
		snprintf(err, errlen, "%s: no such file", path);
		return -1;
	case FILEIO_ERROR:
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (waivers_parse(data, len, w, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		free(data);
		return -1;
	}
	free(data);
	return 0;
}

void
waivers_free(struct waivers *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].service);
		free(w->v[i].reason);
	}
	free(w->v);
	memset(w, 0, sizeof(*w));
}

/* ---- applying them ---- */

static bool
covers(const struct waiver *w, const struct check_result *r, const struct check_subject *s)
{
	return strcmp(w->check, r->id) == 0 && (w->mta < 0 || w->mta == s->mta)
	       && (w->service == NULL || (s->service && strcmp(w->service, s->service) == 0));
}

/* Is the subject covered by a waiver in force (1), only by expired ones (-1), or none (0)? */
static int
coverage(const struct waivers *w, time_t now, const struct check_result *r, const struct check_subject *s)
{
	int found = 0;

	for (size_t k = 0; k < w->n; k++) {
		if (!covers(&w->v[k], r, s))
			continue;
		if (now < w->v[k].expiry)
			return 1;
		found = -1;
	}
	return found;
}

/* "reason (until date); ..." of the waivers in force that cover a finding of r. */
static const char *
waiver_text(const struct waivers *w, time_t now, const struct check_result *r, struct arena *ar)
{
	const char *text = NULL;

	for (size_t k = 0; k < w->n; k++) {
		const struct waiver *wv = &w->v[k];
		bool used = false;

		for (size_t j = 0; j < r->n_subjects && !used; j++)
			used = now < wv->expiry && covers(wv, r, &r->subjects[j]);
		if (used)
			text = text ? arena_printf(ar, "%s; %s (until %s)", text, wv->reason, wv->expires)
				    : arena_printf(ar, "%s (until %s)", wv->reason, wv->expires);
	}
	return text;
}

void
waivers_apply(const struct waivers *w, time_t now, struct check_result *r, size_t n, struct arena *ar)
{
	for (size_t i = 0; w && w->n && i < n; i++) {
		struct check_result *res = &r[i];
		bool all_valid = !res->subjects_lost && res->n_subjects > 0, expired = false;

		if (res->status != CHECK_FAIL)
			continue;
		for (size_t j = 0; j < res->n_subjects; j++) {
			int cov = coverage(w, now, res, &res->subjects[j]);

			if (cov <= 0)
				all_valid = false;
			if (cov < 0)
				expired = true;
		}
		if (all_valid) {
			res->status = CHECK_WAIVED;
			res->waiver = waiver_text(w, now, res, ar);
		} else if (expired) {
			check_reason(res, "waiver_expired");
			res->detail = res->detail ? arena_printf(ar, "%s; its waiver has expired", res->detail)
						  : "its waiver has expired";
		}
	}
}

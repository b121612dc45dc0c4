/*
 * postfix_relay.c - Postfix open-relay evaluator (see postfix_relay.h and
 * docs/relay-model.md, which gives the smtpd_check.c line for each rule).
 *
 * Model.  The client is abstract: an address of the family evaluated
 * (IPv4, IPv6) that matches only those mynetworks patterns and cidr
 * entries that cover every address of the family (0.0.0.0/0, ::/0).  What
 * the client sends (HELO name, sender, reverse name) is the spammer's
 * choice; the recipient is in a domain that is not local.
 *
 * Each restriction yields an outcome: a set of smtpd results (PERMIT,
 * DUNNO, REJECT) and who picks among them: the spammer (who takes the best
 * one) or the environment (DNS, a policy server, a table we could not
 * read: then the list's result is only known if every choice leads to the
 * same end).  A list walk yields P (permit), D (no decision), R (reject)
 * or U (undetermined).  The relay verdict is the conjunction over the
 * lists the RCPT goes through: any R closes, all passing opens, else
 * undetermined.
 *
 * Also here: postfix_relay_input_from_params(), the adapter from a
 * parameter model (get/is_set callbacks) to the evaluator's input.
 *
 * Diagnostics: none logged (pure code); what cannot be decided is an
 * undetermined verdict with a reason code and a human detail.
 */
#include "collectors/postfix/postfix_relay.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "collectors/postfix/postfix_conf.h"
#include "lib/budget.h"
#include "lib/hash.h"
#include "lib/inaddr.h"
#include "lib/text.h"

enum { S_P = 1, S_D = 2, S_R = 4 };

struct outcome {
	unsigned set;		/* S_* */
	bool env;		/* environment picks (else the spammer) */
	bool error;		/* the reject is a server configuration error */
	const char *code;	/* why env / error */
};

struct res {
	char v;			/* 'P', 'D', 'R', 'U' */
	bool error;
	const char *code;	/* for U and errors */
	char what[160];		/* the deciding restriction */
};

enum list_kind { L_CLIENT, L_HELO, L_SENDER, L_RECIPIENT };
#define N_KINDS 4

/*
 * A restriction class's result, kept for the rest of the family's walk:
 * it depends on the class and the list kind only, unless the nesting limit
 * was reached below it (then only at the same depth) or a class already
 * being walked was met again below it (then never: that depends on the
 * path that led there).
 */
struct class_memo {
	bool valid, busy;
	bool limited;		/* the walk reached POSTFIX_RELAY_MAX_DEPTH */
	int depth;		/* where it was walked */
	int span;		/* levels of nesting it used below that */
	struct res r;
};

/* What client_table found in a table for the family (state 0: not searched yet). */
struct scan_memo {
	enum { SCAN_UNKNOWN, SCAN_NONE, SCAN_IF, SCAN_FOUND } state;
	char value[1024];	/* SCAN_FOUND: the action of the 0/0 entry */
};

/* One evaluation (both families): what it may spend, and the class index. */
struct eval {
	const struct postfix_relay_input *in;
	struct hash_index classes;	/* class name -> in->classes[] */
	bool indexed;
	struct class_memo *memo;	/* [class * N_KINDS + kind]; NULL: no memo */
	signed char *file_memo;		/* per table: mynetworks /file result + 1, 0 = none */
	struct scan_memo *scan;		/* per table: client_table's search */
	struct budget own, *work;	/* work units (RELAY_COST_*) */
};

struct ctx {
	const struct postfix_relay_input *in;
	struct eval *ev;
	int family;		/* AF_INET / AF_INET6 of the abstract client */
	int deepest;		/* deepest nesting reached */
	unsigned limit_hits;	/* times POSTFIX_RELAY_MAX_DEPTH was reached */
	unsigned reentries;	/* times a class met itself */
	int mynet;		/* permit_mynetworks' result + 1, 0 = not known yet */
};

/* Work units: each restriction looked at, each byte of table text read. */
#define RELAY_COST_RESTRICTION 256u
#define RELAY_COST_MEMO 16u
#define RELAY_MAX_MEMO_CLASSES 4096	/* more classes than that: no memo */

/* ---- small helpers ---- */

static bool
ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static void
set_what(struct res *r, const char *a, const char *b)
{
	snprintf(r->what, sizeof(r->what), "%s%s%s", a, b ? " " : "", b ? b : "");
}

static const struct postfix_relay_table *
find_table(const struct postfix_relay_input *in, const char *name)
{
	for (size_t i = 0; i < in->n_tables; i++)
		if (in->tables[i].name && strcmp(in->tables[i].name, name) == 0)
			return &in->tables[i];
	return NULL;
}

static const struct postfix_relay_class *
find_class(const struct eval *ev, const char *name)
{
	const struct postfix_relay_input *in = ev->in;
	size_t pos = HASH_INDEX_START, i;

	if (in->n_classes == 0)
		return NULL;
	if (!ev->indexed) {
		for (i = 0; i < in->n_classes; i++)
			if (strcmp(in->classes[i].name, name) == 0)
				return &in->classes[i];
		return NULL;
	}
	while ((i = hash_index_next(&ev->classes, hash_key(name, strlen(name)), &pos))
	       != HASH_INDEX_END)
		if (strcmp(in->classes[i].name, name) == 0)
			return &in->classes[i];
	return NULL;
}

/* Count work; false once the evaluation's budget is spent. */
static bool
charge(struct ctx *c, size_t units)
{
	return budget_charge(&c->ev->own, units) && budget_charge(c->ev->work, units);
}

static bool
eval_exhausted(const struct eval *ev)
{
	return ev->own.exhausted || (ev->work != NULL && ev->work->exhausted);
}

static bool
exhausted(const struct ctx *c)
{
	return eval_exhausted(c->ev);
}

/*
 * Split a restriction list with the one splitter (postfix_list_next) into
 * NUL-terminated tokens in buf; returns the count (at most max).  Stops at
 * unbalanced braces, keeping the tokens before them, as the Postfix model
 * does (postfix_list_split reports them).
 */
static size_t
split_list(const char *text, char *buf, size_t buflen, const char **tok, size_t max)
{
	const char *p = text, *item;
	size_t n = 0, o = 0, len;

	while (n < max && postfix_list_next(&p, POSTFIX_SPLIT_LIST, &item, &len) == 1) {
		if (o + len + 1 > buflen)
			break;
		memcpy(buf + o, item, len);
		buf[o + len] = '\0';
		tok[n++] = buf + o;
		o += len + 1;
	}
	return n;
}

/* ---- tables ---- */

enum table_kind {
	T_CIDR,		/* first match, network patterns */
	T_EXACT,	/* exact keys (hash, texthash, inline, ...) */
	T_STATIC,	/* every lookup returns the name's value */
	T_OTHER,	/* pcre, regexp, sql, ldap, socketmap, ...: not evaluated */
};

/* Type of "type:name", after proxy: and the like. */
static enum table_kind
table_kind(const char *name, const char **rest)
{
	static const char *const exact[] = {
		"hash", "btree", "lmdb", "cdb", "dbm", "sdbm", "texthash",
		"inline", "fail", NULL,
	};
	const char *colon;
	size_t tl;

	if (strncasecmp(name, "proxy:", 6) == 0)
		name += 6;
	colon = strchr(name, ':');
	if (colon == NULL)
		return T_OTHER;
	*rest = colon + 1;
	tl = (size_t)(colon - name);
	if (tl == 4 && strncasecmp(name, "cidr", 4) == 0)
		return T_CIDR;
	if (tl == 6 && strncasecmp(name, "static", 6) == 0)
		return T_STATIC;
	for (size_t i = 0; exact[i]; i++)
		if (strlen(exact[i]) == tl && strncasecmp(name, exact[i], tl) == 0)
			return T_EXACT;
	return T_OTHER;
}

/* Iterate over the logical lines of a table file. */
struct lines {
	const char *p;
	char line[1024];
	struct ctx *c;		/* charged for the text read */
};

static bool
next_line(struct lines *L)
{
	const char *start = L->p;

	for (;;) {
		size_t o = 0;
		bool any = false;

		if (L->p == NULL || *L->p == '\0')
			return false;
		/* one logical line: a line plus following lines starting with blanks */
		do {
			const char *e = strchr(L->p, '\n');
			size_t len = e ? (size_t)(e - L->p) : strlen(L->p);
			const char *s = L->p;
			bool comment;

			while (len && (*s == ' ' || *s == '\t') && !any) {
				s++;
				len--;
			}
			comment = len > 0 && s[0] == '#';
			if (!comment) {
				if (any && o + 1 < sizeof(L->line))
					L->line[o++] = ' ';
				for (size_t i = 0; i < len && o + 1 < sizeof(L->line); i++)
					L->line[o++] = s[i];
				if (len)
					any = true;
			}
			L->p = e ? e + 1 : s + len;
		} while (*L->p == ' ' || *L->p == '\t');
		while (o && (L->line[o - 1] == ' ' || L->line[o - 1] == '\t' || L->line[o - 1] == '\r'))
			o--;
		L->line[o] = '\0';
		if (L->c != NULL && !charge(L->c, (size_t)(L->p - start)))
			return false;	/* the verdict says why (evaluation_too_complex) */
		if (o)
			return true;
	}
}

/* Split "key value" at the first run of blanks; value may be empty. */
static void
split_entry(char *line, char **key, char **value)
{
	char *p = line;

	*key = line;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
	}
	*value = p;
}

/* Any result is possible and the environment (DNS, a policy, a table we
 * could not read) picks it: code says why the outcome is not known. */
static void
env_picks(struct outcome *o, const char *code)
{
	o->set = S_P | S_D | S_R;
	o->env = true;
	o->code = code;
}

/* The outcome of a nested walk's (or a table action's) result. */
static void
outcome_of(const struct res *r, struct outcome *o)
{
	switch (r->v) {
	case 'P': o->set = S_P; break;
	case 'D': o->set = S_D; break;
	case 'R': o->set = S_R; o->error = r->error; o->code = r->code; break;
	default: env_picks(o, r->code); break;
	}
}

static void res_from_outcome(struct ctx *c, const struct outcome *o, struct res *r);
static void walk(struct ctx *c, const char *const *items, size_t n,
		 enum list_kind kind, int depth, struct res *r);
static void class_walk(struct ctx *c, const struct postfix_relay_class *cls,
		       enum list_kind kind, int depth, struct res *r);

/* Result of an access-table action (check_table_result). */
static void
action_result(struct ctx *c, const char *value, enum list_kind kind, int depth,
	      struct res *r)
{
	char word[64];
	size_t wl = strcspn(value, " \t");
	const char *text = value + wl;

	while (*text == ' ' || *text == '\t')
		text++;
	snprintf(word, sizeof(word), "%.*s", (int)(wl < 63 ? wl : 63), value);
	r->error = false;
	r->code = NULL;
	if (ieq(word, "OK") || ieq(word, "RELAY") || text_all_digits(value) || ieq(word, "DISCARD")) {
		r->v = 'P';
		return;
	}
	if (ieq(word, "REJECT") || ieq(word, "DEFER") || ieq(word, "HANGUP")
	    || ieq(word, "DEFER_IF_PERMIT")) {
		r->v = 'R';
		return;
	}
	if (wl == 3 && *text && (word[0] == '4' || word[0] == '5') && text_all_digits(word)) {
		r->v = 'R';
		return;
	}
	if (ieq(word, "DUNNO") || ieq(word, "INFO") || ieq(word, "WARN") || ieq(word, "FILTER")
	    || ieq(word, "HOLD") || ieq(word, "DELAY") || ieq(word, "PREPEND")
	    || ieq(word, "REDIRECT") || ieq(word, "BCC") || ieq(word, "DEFER_IF_REJECT")) {
		r->v = 'D';
		return;
	}
	if (strchr(value, ':') != NULL || *value == '\0') {
		r->v = 'R';
		r->error = true;
		r->code = "table_action_invalid";
		return;
	}
	if (depth >= POSTFIX_RELAY_MAX_DEPTH) {
		c->limit_hits++;
		r->v = 'R';
		r->error = true;
		r->code = "nesting_too_deep";
		return;
	}
	{
		char buf[1024];
		const char *tok[64];
		size_t n = split_list(value, buf, sizeof(buf), tok, 64);

		walk(c, tok, n, kind, depth + 1, r);
	}
}

/*
 * Lookup of the abstract client in a table: which entry, if any, matches
 * an address that no specific entry names.  Fills o.
 */
static void
client_table(struct ctx *c, const char *name, enum list_kind kind, int depth,
	     struct outcome *o)
{
	const char *rest = NULL;
	enum table_kind k = table_kind(name, &rest);
	const struct postfix_relay_table *t;
	struct scan_memo local = { SCAN_UNKNOWN, "" }, *sm;
	struct res r;
	struct lines L;
	char v[sizeof(local.value)];

	memset(o, 0, sizeof(*o));
	if (k == T_EXACT) {	/* exact keys never name every address */
		o->set = S_D;
		return;
	}
	if (k == T_STATIC) {
		size_t len = strlen(rest);

		if (len >= 2 && rest[0] == '{' && rest[len - 1] == '}')
			snprintf(v, sizeof(v), "%.*s", (int)(len - 2), rest + 1);
		else
			snprintf(v, sizeof(v), "%s", rest);
		action_result(c, v, kind, depth, &r);
		goto from_res;
	}
	if (k == T_OTHER) {
		env_picks(o, "table_not_evaluable");
		return;
	}
	t = find_table(c->in, name);
	if (t == NULL || t->text == NULL) {
		env_picks(o, "table_unreadable");
		return;
	}
	/* the search does not depend on where the table is named: once per family */
	sm = c->ev->scan ? &c->ev->scan[t - c->in->tables] : &local;
	if (sm->state == SCAN_UNKNOWN) {
		sm->state = SCAN_NONE;
		L.p = t->text;
		L.c = c;
		while (next_line(&L)) {
			char *key, *value;
			struct inaddr net;
			unsigned plen;

			split_entry(L.line, &key, &value);
			if (ieq(key, "if") || ieq(key, "endif")) {
				sm->state = SCAN_IF;
				break;
			}
			if (key[0] == '!' || inaddr_parse_cidr(key, &net, &plen) < 0)
				continue;
			if (plen == 0 && net.family == c->family) {
				sm->state = SCAN_FOUND;
				snprintf(sm->value, sizeof(sm->value), "%s", value);
				break;
			}
		}
	}
	if (sm->state == SCAN_IF) {
		env_picks(o, "table_not_evaluable");
		return;
	}
	if (sm->state == SCAN_NONE) {
		o->set = S_D;
		return;
	}
	snprintf(v, sizeof(v), "%s", sm->value);	/* the memo may be reused below */
	action_result(c, v, kind, depth, &r);
from_res:
	outcome_of(&r, o);
}

/*
 * Lookup with a key the spammer chooses (HELO name, sender, reverse name):
 * any entry can be hit, and a key no entry names gives DUNNO.  For the
 * recipient the spammer is limited to domains that are not local, which
 * the entries' keys may or may not be: a permitting entry is undetermined.
 */
static void
chosen_table(struct ctx *c, const char *name, enum list_kind kind, bool recipient,
	     int depth, struct outcome *o)
{
	const char *rest = NULL;
	enum table_kind k = table_kind(name, &rest);
	const struct postfix_relay_table *t = NULL;
	bool any_p = false, any_u = false;
	struct res r;
	char inl[1024];
	const char *text;
	struct lines L;

	memset(o, 0, sizeof(*o));
	if (k == T_STATIC) {
		client_table(c, name, kind, depth, o);
		return;
	}
	if (strncasecmp(name, "inline:", 7) == 0) {
		/* inline:{ key=value, ... } -> one "key value" per line */
		const char *tok[64];
		char buf[1024], inner[1024];
		size_t rl = strlen(rest), n, o2 = 0;

		if (rl >= 2 && rest[0] == '{' && rest[rl - 1] == '}')
			snprintf(inner, sizeof(inner), "%.*s", (int)(rl - 2), rest + 1);
		else
			snprintf(inner, sizeof(inner), "%s", rest);
		n = split_list(inner, buf, sizeof(buf), tok, 64);

		for (size_t i = 0; i < n; i++) {
			int w = snprintf(inl + o2, sizeof(inl) - o2, "%s\n", tok[i]);

			if (w < 0 || (size_t)w >= sizeof(inl) - o2)
				break;
			for (size_t j = o2; j < o2 + (size_t)w; j++)
				if (inl[j] == '=') {
					inl[j] = ' ';
					break;
				}
			o2 += (size_t)w;
		}
		inl[o2] = '\0';
		text = inl;
	} else if (k == T_OTHER || (k == T_EXACT && strncasecmp(name, "texthash:", 9) != 0
				     && strncasecmp(name, "proxy:texthash:", 15) != 0)) {
		env_picks(o, k == T_OTHER ? "table_not_evaluable" : "table_not_text");
		return;
	} else {
		t = find_table(c->in, name);
		if (t == NULL || t->text == NULL) {
			env_picks(o, "table_unreadable");
			return;
		}
		text = t->text;
	}
	L.p = text;
	L.c = c;
	while (next_line(&L)) {
		char *key, *value;

		split_entry(L.line, &key, &value);
		if (k == T_CIDR && (ieq(key, "if") || ieq(key, "endif"))) {
			any_u = true;
			continue;
		}
		action_result(c, value, kind, depth, &r);
		if (r.v == 'P')
			any_p = true;
		else if (r.v == 'U')
			any_u = true;
	}
	if (any_p && !recipient) {
		o->set = S_P;
		return;
	}
	if (any_p || any_u) {
		o->set = S_P | S_D;
		o->env = true;
		o->code = any_p ? "recipient_table_permits" : "table_not_evaluable";
		return;
	}
	o->set = S_D;
}

/* ---- mynetworks ---- */

enum mn { MN_IN, MN_OUT, MN_UNKNOWN };

static enum mn mynetworks_items(struct ctx *c, const char *const *items, size_t n, int depth);

/* Does one match-list pattern match the abstract client? */
static enum mn
mynetworks_pattern(struct ctx *c, const char *pat, int depth)
{
	struct inaddr net;
	unsigned plen;
	const char *rest = NULL;

	if (pat[0] == '/') {	/* /file/name: its patterns, in order */
		const struct postfix_relay_table *t = find_table(c->in, pat);
		signed char *memo;
		char buf[4096];
		const char *tok[256];
		size_t n;
		enum mn m;

		if (t == NULL || t->text == NULL || depth >= POSTFIX_RELAY_MAX_DEPTH)
			return MN_UNKNOWN;
		/*
		 * A file's answer is the same wherever it is named: it is read
		 * once per family.  A file that names itself (directly or not)
		 * is one Postfix would read until it gives up: unknown.
		 */
		memo = c->ev->file_memo ? &c->ev->file_memo[t - c->in->tables] : NULL;
		if (memo != NULL && *memo != 0)
			return *memo < 0 ? MN_UNKNOWN : (enum mn)(*memo - 1);
		if (memo != NULL)
			*memo = -1;	/* busy */
		{
			struct lines L;
			size_t o = 0;

			L.p = t->text;
			L.c = c;
			while (next_line(&L) && o + 2 < sizeof(buf)) {
				int w = snprintf(buf + o, sizeof(buf) - o, "%s ", L.line);

				if (w < 0 || (size_t)w >= sizeof(buf) - o)
					return MN_UNKNOWN;
				o += (size_t)w;
			}
			buf[o] = '\0';
		}
		{
			char buf2[4096];

			n = split_list(buf, buf2, sizeof(buf2), tok, 256);
			m = mynetworks_items(c, tok, n, depth + 1);
		}
		if (memo != NULL)
			*memo = (signed char)(m + 1);
		return m;
	}
	if (strchr(pat, ':') && pat[0] != '[' && inaddr_parse_cidr(pat, &net, &plen) < 0) {
		enum table_kind k = table_kind(pat, &rest);
		const struct postfix_relay_table *t;
		struct lines L;

		if (k == T_EXACT)
			return MN_OUT;
		if (k == T_STATIC)
			return MN_IN;	/* every lookup succeeds */
		if (k == T_OTHER)
			return MN_UNKNOWN;
		t = find_table(c->in, pat);
		if (t == NULL || t->text == NULL)
			return MN_UNKNOWN;
		L.p = t->text;
		L.c = c;
		while (next_line(&L)) {
			char *key, *value;

			split_entry(L.line, &key, &value);
			if (ieq(key, "if") || ieq(key, "endif"))
				return MN_UNKNOWN;
			if (inaddr_parse_cidr(key, &net, &plen) == 0 && plen == 0
			    && net.family == c->family)
				return MN_IN;
		}
		return MN_OUT;
	}
	if (inaddr_parse_cidr(pat, &net, &plen) == 0)
		return plen == 0 && net.family == c->family ? MN_IN : MN_OUT;
	return MN_OUT;	/* a host or domain name: forward-confirmed, never "anyone" */
}

static enum mn
mynetworks_items(struct ctx *c, const char *const *items, size_t n, int depth)
{
	bool unknown_pos = false, unknown_neg = false;

	for (size_t i = 0; i < n; i++) {
		const char *p = items[i];
		bool neg = false;
		enum mn m;

		while (*p == '!') {
			neg = !neg;
			p++;
		}
		if (*p == '#')
			break;	/* 3.8+: a comment ends the list */
		m = mynetworks_pattern(c, p, depth);
		if (m == MN_UNKNOWN) {
			if (neg)
				unknown_neg = true;
			else
				unknown_pos = true;
			continue;
		}
		if (m == MN_IN) {
			/* first match wins: an earlier unknown pattern may have decided */
			if (neg)
				return unknown_pos ? MN_UNKNOWN : MN_OUT;
			return unknown_neg ? MN_UNKNOWN : MN_IN;
		}
	}
	return unknown_pos ? MN_UNKNOWN : MN_OUT;
}

/* ---- restrictions ---- */

/* Restrictions that take the next list item as their argument. */
static bool
takes_arg(const char *name)
{
	static const char *const a[] = {
		"reject_rbl_client", "reject_rbl", "reject_rhsbl_client",
		"reject_rhsbl_reverse_client", "reject_rhsbl_helo", "reject_rhsbl_sender",
		"reject_rhsbl_recipient", "permit_dnswl_client", "permit_rhswl_client",
		"check_policy_service", "sleep", NULL,
	};

	if (strncasecmp(name, "check_", 6) == 0) {
		size_t l = strlen(name);

		if (l > 7 && ieq(name + l - 7, "_access"))
			return true;
	}
	for (size_t i = 0; a[i]; i++)
		if (ieq(name, a[i]))
			return true;
	return false;
}

/* Restrictions a spammer passes (they never permit). */
static bool
passable(const char *name)
{
	static const char *const a[] = {
		"reject_unknown_client_hostname", "reject_unknown_client",
		"reject_unknown_reverse_client_hostname", "reject_rbl_client", "reject_rbl",
		"reject_rhsbl_client", "reject_rhsbl_reverse_client", "reject_rhsbl_helo",
		"reject_rhsbl_sender", "reject_rhsbl_recipient", "reject_maps_rbl",
		"reject_invalid_helo_hostname", "reject_invalid_hostname",
		"reject_unknown_helo_hostname", "reject_unknown_hostname",
		"reject_non_fqdn_helo_hostname", "reject_non_fqdn_hostname",
		"reject_unknown_sender_domain", "reject_unknown_address",
		"reject_unverified_sender", "reject_non_fqdn_sender",
		"reject_sender_login_mismatch", "reject_authenticated_sender_login_mismatch",
		"reject_known_sender_login_mismatch",
		"reject_unauthenticated_sender_login_mismatch", "reject_unlisted_sender",
		"reject_unknown_recipient_domain", "reject_non_fqdn_recipient",
		"reject_unlisted_recipient", "check_recipient_maps",
		"reject_multi_recipient_bounce", "reject_unverified_recipient",
		"reject_unauth_pipelining", "reject_plaintext_session",
		"permit_sasl_authenticated", "permit_tls_clientcerts",
		"permit_auth_destination", "permit_mx_backup", "permit_inet_interfaces",
		"defer_if_reject", "sleep", "check_ccert_access", "check_sasl_access",
		"check_etrn_access", NULL,
	};

	for (size_t i = 0; a[i]; i++)
		if (ieq(name, a[i]))
			return true;
	return false;
}

/*
 * Walk a restriction class, or take its result from the memo (see struct
 * class_memo), so that a class named many times is walked once: without
 * this, a class naming another k times costs k^depth.  A class met again
 * while it is being walked is a loop smtpd follows until it gives up
 * ("unreasonable recursion", 451): nesting_too_deep, as at the limit.
 */
static void
class_walk(struct ctx *c, const struct postfix_relay_class *cls, enum list_kind kind, int depth,
	   struct res *r)
{
	size_t ci = (size_t)(cls - c->in->classes);
	struct class_memo *m = c->ev->memo ? &c->ev->memo[ci * N_KINDS + kind] : NULL;
	unsigned hits = c->limit_hits, reentries = c->reentries;
	int deepest = c->deepest;

	if (m != NULL && m->busy) {
		c->reentries++;
		r->v = 'R';
		r->error = true;
		r->code = "nesting_too_deep";
		set_what(r, cls->name, NULL);
		return;
	}
	if (m != NULL && m->valid
	    && (m->depth == depth || (!m->limited && depth + m->span < POSTFIX_RELAY_MAX_DEPTH))
	    && charge(c, RELAY_COST_MEMO)) {
		*r = m->r;
		if (m->limited)
			c->limit_hits++;
		if (depth + m->span > c->deepest)
			c->deepest = depth + m->span;
		return;
	}
	c->deepest = depth;
	if (m != NULL)
		m->busy = true;
	walk(c, cls->items, cls->n, kind, depth, r);
	if (m != NULL) {
		m->busy = false;
		m->valid = c->reentries == reentries && !exhausted(c);
		m->limited = c->limit_hits != hits;
		m->depth = depth;
		m->span = c->deepest - depth;
		m->r = *r;
	}
	if (deepest > c->deepest)
		c->deepest = deepest;
}

static void
restriction(struct ctx *c, const char *name, const char *arg, enum list_kind kind,
	    int depth, struct outcome *o)
{
	const struct postfix_relay_class *cls;

	memset(o, 0, sizeof(*o));
	if (ieq(name, "permit") || ieq(name, "permit_naked_ip_address")) {
		o->set = S_P;
	} else if (ieq(name, "reject") || ieq(name, "defer") || ieq(name, "defer_if_permit")
		   || ieq(name, "reject_unauth_destination")
		   || ieq(name, "defer_unauth_destination") || ieq(name, "check_relay_domains")) {
		o->set = S_R;
	} else if (ieq(name, "permit_mynetworks")) {
		enum mn m;

		if (c->mynet == 0)	/* the same answer all through the family */
			c->mynet = 1 + (int)mynetworks_items(c, c->in->mynetworks.items,
							     c->in->mynetworks.n, 0);
		m = (enum mn)(c->mynet - 1);

		if (m == MN_IN)
			o->set = S_P;
		else if (m == MN_OUT)
			o->set = S_D;
		else {
			o->set = S_P | S_D;
			o->env = true;
			o->code = "mynetworks_not_evaluable";
		}
	} else if (ieq(name, "permit_tls_all_clientcerts")) {
		o->set = S_P | S_D;
		o->env = true;
		o->code = "client_certificate";
	} else if (ieq(name, "permit_dnswl_client") || ieq(name, "permit_rhswl_client")) {
		o->set = S_P | S_D;
		o->env = true;
		o->code = "dns_whitelist";
	} else if (ieq(name, "check_policy_service")) {
		if (arg == NULL) {
			o->set = S_R;
			o->error = true;
			o->code = "restriction_argument_missing";
		} else {
			env_picks(o, "policy_service");
		}
	} else if (takes_arg(name) && strncasecmp(name, "check_", 6) == 0
		   && !passable(name)) {
		if (arg == NULL) {
			o->set = S_R;
			o->error = true;
			o->code = "restriction_argument_missing";
		} else if (ieq(name, "check_client_access")) {
			client_table(c, arg, kind, depth, o);
		} else if (strncasecmp(name, "check_recipient_", 16) == 0) {
			chosen_table(c, arg, kind, true, depth, o);
		} else {
			/* helo, sender, reverse client and the *_ns/_mx/_a variants */
			chosen_table(c, arg, kind, false, depth, o);
		}
	} else if (passable(name)) {
		o->set = S_D;
	} else if ((cls = find_class(c->ev, name)) != NULL) {
		struct res r;

		if (!cls->defined) {
			o->set = S_R;
			o->error = true;
			o->code = "restriction_class_undefined";
			return;
		}
		if (depth >= POSTFIX_RELAY_MAX_DEPTH) {
			c->limit_hits++;
			o->set = S_R;
			o->error = true;
			o->code = "nesting_too_deep";
			return;
		}
		class_walk(c, cls, kind, depth + 1, &r);
		outcome_of(&r, o);
	} else {
		o->set = S_R;
		o->error = true;
		o->code = "unknown_restriction";
	}
}

static void
res_from_outcome(struct ctx *c, const struct outcome *o, struct res *r)
{
	(void)c;
	r->error = o->error;
	r->code = o->code;
	if (o->set & S_P)
		r->v = 'P';
	else if (o->set & S_D)
		r->v = 'D';
	else
		r->v = 'R';
}

/*
 * Walk one restriction list (generic_checks): the first decision wins; no
 * decision gives 'D' (the caller treats that as "accept" at top level).
 */
static void
walk(struct ctx *c, const char *const *items, size_t n, enum list_kind kind, int depth,
     struct res *r)
{
	static const char *const def_acl[] = {
		[L_CLIENT] = "check_client_access", [L_HELO] = "check_helo_access",
		[L_SENDER] = "check_sender_access", [L_RECIPIENT] = "check_recipient_access",
	};
	bool warn = false;

	if (depth > c->deepest)
		c->deepest = depth;
	for (size_t i = 0; i < n; i++) {
		const char *name = items[i], *arg = NULL;
		const char *shown_arg = NULL;
		struct outcome o;
		size_t next = i + 1;

		if (!charge(c, RELAY_COST_RESTRICTION)) {
			/* the verdict says why (evaluation_too_complex) */
			r->v = 'U';
			r->error = false;
			r->code = "evaluation_too_complex";
			snprintf(r->what, sizeof(r->what), "(evaluation stopped)");
			return;
		}
		if (ieq(name, "warn_if_reject")) {
			warn = true;
			continue;
		}
		if (strchr(name, ':') != NULL) {	/* bare type:table */
			arg = name;
			name = def_acl[kind];
		} else if (takes_arg(name)) {
			if (next < n) {
				arg = items[next];
				next++;
			}
		}
		shown_arg = arg;
		restriction(c, name, arg, kind, depth, &o);
		if (warn && (o.set & S_R) && !o.error) {
			o.set = (o.set & ~(unsigned)S_R) | S_D;
		}
		warn = false;
		if (!o.env) {
			struct res tmp;

			res_from_outcome(c, &o, &tmp);
			if (tmp.v == 'D') {
				i = next - 1;
				continue;
			}
			*r = tmp;
			set_what(r, name, shown_arg);
			return;
		}
		/* the environment picks: known only if every pick ends alike */
		{
			struct res rest;
			char picks[3];
			size_t np = 0;
			bool same = true;

			walk(c, items + next, n - next, kind, depth, &rest);
			if (o.set & S_P)
				picks[np++] = 'P';
			if (o.set & S_D)
				picks[np++] = rest.v;
			if (o.set & S_R)
				picks[np++] = 'R';
			/* at top level, no decision is acceptance, as good as a permit */
			for (size_t k = 0; depth == 0 && k < np; k++)
				if (picks[k] == 'D')
					picks[k] = 'P';
			for (size_t k = 1; k < np; k++)
				same = same && picks[k] == picks[0];
			if (np && same && picks[0] != 'U') {
				if ((o.set & S_D) && (picks[0] == rest.v || (depth == 0 && rest.v == 'D'))) {
					*r = rest;
					return;
				}
				r->v = picks[0];
				r->error = false;
				r->code = NULL;
				set_what(r, name, shown_arg);
				return;
			}
			r->v = 'U';
			r->error = false;
			r->code = o.code ? o.code : rest.code;
			set_what(r, name, shown_arg);
			return;
		}
	}
	r->v = 'D';
	r->error = false;
	r->code = NULL;
	snprintf(r->what, sizeof(r->what), "(end of list)");
}

/* ---- startup guard ---- */

static bool
has_required_items(const struct eval *ev, const char *const *items, size_t n,
		   int depth, bool *visited)
{
	static const char *const req[] = {
		"reject_unauth_destination", "defer_unauth_destination", "reject", "defer",
		"defer_if_permit", "check_relay_domains", NULL,
	};

	for (size_t i = 0; i < n; i++) {
		const struct postfix_relay_class *cls;

		if (ieq(items[i], "warn_if_reject") && i + 1 < n) {
			i++;
			continue;
		}
		if (ieq(items[i], "permit"))
			return false;
		for (size_t k = 0; req[k]; k++)
			if (ieq(items[i], req[k]))
				return true;
		if ((cls = find_class(ev, items[i])) == NULL || !cls->defined
		    || depth >= POSTFIX_RELAY_MAX_DEPTH)
			continue;
		/*
		 * A class's answer does not depend on where it is used, so each
		 * class is searched once: a class met again is either still being
		 * searched (a cycle) or already known not to qualify.  Without this
		 * a class naming itself k times costs k^depth.
		 */
		if (visited != NULL) {
			size_t ci = (size_t)(cls - ev->in->classes);

			if (visited[ci])
				continue;
			visited[ci] = true;
		}
		if (has_required_items(ev, cls->items, cls->n, depth + 1, visited))
			return true;
	}
	return false;
}

/* The guard over an evaluation's class index. */
static bool
has_required(const struct eval *ev)
{
	const struct postfix_relay_input *in = ev->in;
	bool *visited = in->n_classes ? calloc(in->n_classes, sizeof(bool)) : NULL;
	bool r;

	/* Without memory for the marks the search is still bounded by depth. */
	r = has_required_items(ev, in->recipient.items, in->recipient.n, 0, visited)
	    || has_required_items(ev, in->relay.items, in->relay.n, 0, visited);
	free(visited);
	return r;
}

/* Set up an evaluation: the class index, the memos, the budget. */
static void
eval_init(struct eval *ev, const struct postfix_relay_input *in)
{
	memset(ev, 0, sizeof(*ev));
	ev->in = in;
	ev->indexed = true;
	for (size_t i = 0; i < in->n_classes && ev->indexed; i++)
		if (hash_index_put(&ev->classes, hash_key(in->classes[i].name,
							  strlen(in->classes[i].name)), i) < 0)
			ev->indexed = false;	/* found by a linear search instead */
	if (in->n_classes > 0 && in->n_classes <= RELAY_MAX_MEMO_CLASSES)
		ev->memo = calloc(in->n_classes * N_KINDS, sizeof(*ev->memo));
	if (in->n_tables > 0) {
		ev->file_memo = calloc(in->n_tables, sizeof(*ev->file_memo));
		ev->scan = calloc(in->n_tables, sizeof(*ev->scan));
	}
	budget_init(&ev->own, POSTFIX_RELAY_MAX_WORK);
	ev->work = in->work;
}

/* Forget what one family's walk learnt (the next family's differs). */
static void
eval_reset(struct eval *ev)
{
	if (ev->memo != NULL)
		memset(ev->memo, 0, ev->in->n_classes * N_KINDS * sizeof(*ev->memo));
	if (ev->file_memo != NULL)
		memset(ev->file_memo, 0, ev->in->n_tables * sizeof(*ev->file_memo));
	for (size_t i = 0; ev->scan != NULL && i < ev->in->n_tables; i++)
		ev->scan[i].state = SCAN_UNKNOWN;
}

static void
eval_free(struct eval *ev)
{
	hash_index_free(&ev->classes);
	free(ev->memo);
	free(ev->file_memo);
	free(ev->scan);
}

bool
postfix_relay_has_required(const struct postfix_relay_input *in)
{
	struct eval ev;
	bool r;

	eval_init(&ev, in);
	r = has_required(&ev);
	eval_free(&ev);
	return r;
}

/* ---- the verdict ---- */

static const char *const fake_relay[] = {
	"permit_mynetworks", "permit_sasl_authenticated", "permit_auth_destination",
};

struct stage {
	const char *param;
	struct res r;
};

/* Evaluate for one client family; stages in smtpd's order. */
static void
evaluate_family(struct eval *ev, int family, struct postfix_relay_verdict *out)
{
	const struct postfix_relay_input *in = ev->in;
	struct ctx c = { .in = in, .ev = ev, .family = family };
	struct stage st[5];
	bool fake = in->compat_below_1 && !in->relay_set;
	bool relay_first = in->relay_before_recipient && !fake;
	size_t ns = 0, first_u = 5;

	st[ns].param = "smtpd_client_restrictions";
	walk(&c, in->client.items, in->client.n, L_CLIENT, 0, &st[ns++].r);
	st[ns].param = "smtpd_helo_restrictions";
	if (in->helo_required) {
		walk(&c, in->helo.items, in->helo.n, L_HELO, 0, &st[ns].r);
	} else {
		/* the client may skip HELO/EHLO, and then the list does not run */
		st[ns].r.v = 'D';
		st[ns].r.error = false;
		st[ns].r.code = NULL;
		snprintf(st[ns].r.what, sizeof(st[ns].r.what), "(skipped: no HELO sent)");
	}
	ns++;
	st[ns].param = "smtpd_sender_restrictions";
	walk(&c, in->sender.items, in->sender.n, L_SENDER, 0, &st[ns++].r);
	for (int k = 0; k < 2; k++) {
		bool relay = (k == 0) == relay_first;

		if (relay) {
			st[ns].param = fake ? "smtpd_relay_restrictions (compatibility_level < 1 default)"
					    : "smtpd_relay_restrictions";
			if (fake)
				walk(&c, fake_relay, 3, L_RECIPIENT, 0, &st[ns].r);
			else
				walk(&c, in->relay.items, in->relay.n, L_RECIPIENT, 0, &st[ns].r);
		} else {
			st[ns].param = "smtpd_recipient_restrictions";
			walk(&c, in->recipient.items, in->recipient.n, L_RECIPIENT, 0, &st[ns].r);
		}
		ns++;
	}
	for (size_t i = 0; i < ns; i++) {
		const struct res *r = &st[i].r;

		if (r->v == 'R') {
			out->verdict = r->error ? RELAY_CONFIG_ERROR : RELAY_CLOSED;
			out->reason = r->error ? r->code : "restriction_rejects";
			snprintf(out->detail, sizeof(out->detail), "%.60s: %.150s %s", st[i].param,
				 r->what, r->error ? "is a server configuration error (451 4.3.5)"
						   : "rejects the recipient");
			return;
		}
		if (r->v == 'U' && first_u == 5)
			first_u = i;
	}
	if (first_u < 5) {
		out->verdict = RELAY_UNDETERMINED;
		out->reason = st[first_u].r.code ? st[first_u].r.code : "undetermined";
		snprintf(out->detail, sizeof(out->detail), "%.60s: %.150s depends on %.60s",
			 st[first_u].param, st[first_u].r.what, out->reason);
		return;
	}
	out->verdict = RELAY_OPEN;
	{
		/* name the decision of the last list, the one that let it through */
		const struct stage *s = &st[ns - 1], *o = &st[ns - 2];

		if (strcmp(o->r.what, "permit_mynetworks") == 0
		    || strcmp(s->r.what, "permit_mynetworks") == 0)
			out->reason = "mynetworks_covers_all";
		else if (s->r.v == 'P' || o->r.v == 'P')
			out->reason = "restriction_permits";
		else
			out->reason = "no_restriction_rejects";
		snprintf(out->detail, sizeof(out->detail), "%.60s: %.90s %s; %.60s: %.90s %s",
			 o->param, o->r.what, o->r.v == 'P' ? "permits" : "does not reject",
			 s->param, s->r.what, s->r.v == 'P' ? "permits" : "does not reject");
	}
}

void
postfix_relay_evaluate(const struct postfix_relay_input *in, struct postfix_relay_verdict *out)
{
	struct postfix_relay_verdict v4, v6;
	bool do4 = in->ipv4 || !in->ipv6, do6 = in->ipv6;
	struct eval ev;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->n_classes; i++) {
		if (!in->classes[i].defined) {
			out->verdict = RELAY_CONFIG_ERROR;
			out->reason = "restriction_class_undefined";
			snprintf(out->detail, sizeof(out->detail),
				 "restriction class %.200s needs a definition: smtpd does not start",
				 in->classes[i].name);
			return;
		}
	}
	eval_init(&ev, in);
	if (!has_required(&ev)) {
		eval_free(&ev);
		out->verdict = RELAY_CONFIG_ERROR;
		out->reason = "startup_guard";
		snprintf(out->detail, sizeof(out->detail),
			 "neither smtpd_relay_restrictions nor smtpd_recipient_restrictions has a "
			 "working reject_unauth_destination, defer_unauth_destination, reject, "
			 "defer or defer_if_permit: smtpd refuses to start");
		return;
	}
	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (do4)
		evaluate_family(&ev, AF_INET, &v4);
	eval_reset(&ev);
	if (do6 && !eval_exhausted(&ev))
		evaluate_family(&ev, AF_INET6, &v6);
	if (eval_exhausted(&ev)) {
		/* what was found before the budget ran out cannot be trusted */
		eval_free(&ev);
		out->verdict = RELAY_UNDETERMINED;
		out->reason = "evaluation_too_complex";
		snprintf(out->detail, sizeof(out->detail),
			 "evaluating the restrictions needs more work than allowed (%s)",
			 ev.own.exhausted ? "this service's budget" : "the scrape's budget");
		return;
	}
	eval_free(&ev);
	if (!do6) {
		*out = v4;
	} else if (!do4) {
		*out = v6;
	} else if (v4.verdict == RELAY_OPEN) {
		*out = v4;
	} else if (v6.verdict == RELAY_OPEN || (v6.verdict == RELAY_UNDETERMINED
						 && v4.verdict != RELAY_UNDETERMINED)) {
		char tmp[sizeof(out->detail)];

		*out = v6;
		snprintf(tmp, sizeof(tmp), "IPv6 clients: %.480s", v6.detail);
		memcpy(out->detail, tmp, sizeof(tmp));
	} else {
		*out = v4;
	}
}

/* Tables whose text the evaluator reads: cidr: and texthash:. */
static bool
text_table(const char *s)
{
	if (strncasecmp(s, "proxy:", 6) == 0)
		s += 6;
	return strncasecmp(s, "cidr:", 5) == 0 || strncasecmp(s, "texthash:", 9) == 0;
}

void
postfix_relay_table_refs(const struct postfix_relay_input *in,
			 void (*cb)(const char *name, void *arg), void *arg)
{
	const struct postfix_relay_list *lists[] = {
		&in->client, &in->helo, &in->sender, &in->relay, &in->recipient, &in->mynetworks,
	};

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			const char *s = lists[l]->items[i];

			while (*s == '!')
				s++;
			if (text_table(s) || (l == 5 && s[0] == '/'))
				cb(s, arg);
		}
	for (size_t k = 0; k < in->n_classes; k++)
		for (size_t i = 0; i < in->classes[k].n; i++)
			if (text_table(in->classes[k].items[i]))
				cb(in->classes[k].items[i], arg);
}

/* ---- adapter from a parameter model ---- */

/* Split a list value into arena strings (", \t\r\n", {} grouping). */
static int
split_arena(const char *value, struct arena *ar, struct postfix_relay_list *out)
{
	size_t len = value ? strlen(value) : 0, cap = len / 2 + 2, n;
	char *buf;
	const char **tok;

	out->items = NULL;
	out->n = 0;
	if (value == NULL || len == 0)
		return 0;
	buf = arena_alloc(ar, len + cap + 1);
	tok = arena_calloc(ar, cap, sizeof(*tok));
	if (buf == NULL || tok == NULL)
		return -1;
	n = split_list(value, buf, len + cap + 1, tok, cap);
	out->items = tok;
	out->n = n;
	return 0;
}

/* The model's value of a parameter of the table. */
static const char *
param(const struct postfix_relay_params *p, enum postfix_param_id id)
{
	return p->get(p->ctx, postfix_param_name(id));
}

int
postfix_relay_input_from_params(const struct postfix_relay_params *p, struct arena *ar,
				struct postfix_relay_input *in)
{
	static const struct {
		enum postfix_param_id id;
		size_t off;
	} lists[] = {
		{ POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS, offsetof(struct postfix_relay_input, client) },
		{ POSTFIX_P_SMTPD_HELO_RESTRICTIONS, offsetof(struct postfix_relay_input, helo) },
		{ POSTFIX_P_SMTPD_SENDER_RESTRICTIONS, offsetof(struct postfix_relay_input, sender) },
		{ POSTFIX_P_SMTPD_RELAY_RESTRICTIONS, offsetof(struct postfix_relay_input, relay) },
		{ POSTFIX_P_SMTPD_RECIPIENT_RESTRICTIONS, offsetof(struct postfix_relay_input, recipient) },
		{ POSTFIX_P_MYNETWORKS, offsetof(struct postfix_relay_input, mynetworks) },
	};
	struct postfix_relay_list names;
	const char *level, *proto;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (split_arena(param(p, lists[i].id), ar,
				(struct postfix_relay_list *)((char *)in + lists[i].off)) < 0)
			return -1;
	in->relay_set = p->is_set
			&& p->is_set(p->ctx, postfix_param_name(POSTFIX_P_SMTPD_RELAY_RESTRICTIONS));
	level = param(p, POSTFIX_P_COMPATIBILITY_LEVEL);
	/* levels: "0", "1", "2", "3.6", ...; unset means 0 */
	in->compat_below_1 = level == NULL || level[0] == '\0' || level[0] == '0';
	in->delay_reject = postfix_bool(param(p, POSTFIX_P_SMTPD_DELAY_REJECT), true);
	in->relay_before_recipient =
		postfix_bool(param(p, POSTFIX_P_SMTPD_RELAY_BEFORE_RECIPIENT_RESTRICTIONS),
			     !in->compat_below_1);
	in->helo_required = postfix_bool(param(p, POSTFIX_P_SMTPD_HELO_REQUIRED), false);
	proto = param(p, POSTFIX_P_INET_PROTOCOLS);
	if (proto == NULL || strstr(proto, "all") != NULL) {
		in->ipv4 = in->ipv6 = true;
	} else {
		in->ipv4 = strstr(proto, "ipv4") != NULL;
		in->ipv6 = strstr(proto, "ipv6") != NULL;
	}
	if (split_arena(param(p, POSTFIX_P_SMTPD_RESTRICTION_CLASSES), ar, &names) < 0)
		return -1;
	if (names.n) {
		struct postfix_relay_class *cls = arena_calloc(ar, names.n, sizeof(*cls));

		if (cls == NULL)
			return -1;
		for (size_t i = 0; i < names.n; i++) {
			/* a class's name comes from the configuration: by name */
			const char *v = p->get(p->ctx, names.items[i]);
			struct postfix_relay_list l;

			if (split_arena(v, ar, &l) < 0)
				return -1;
			cls[i].name = names.items[i];
			cls[i].items = l.items;
			cls[i].n = l.n;
			cls[i].defined = v != NULL && l.n > 0;
		}
		in->classes = cls;
		in->n_classes = names.n;
	}
	return 0;
}

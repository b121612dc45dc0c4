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
#include "collectors/postfix/postfix_table.h"
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

struct table;

/*
 * One evaluation (both families): what it may spend, the class index, and
 * the tables as smtpd opens them, parsed once (table_get).
 */
struct eval {
	const struct postfix_relay_input *in;
	struct hash_index classes;	/* class name -> in->classes[] */
	bool indexed;
	struct class_memo *memo;	/* [class * N_KINDS + kind]; NULL: no memo */
	signed char *file_memo;		/* per table: mynetworks /file result + 1, 0 = none */
	struct budget own, *work;	/* work units (RELAY_COST_*) */
	struct table *tables;	/* parsed once per evaluation (table_get) */
	size_t n_tables, cap_tables;
	char **strs;		/* values copied out of line buffers (keep) */
	size_t n_strs, cap_strs;
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

/*
 * Work units: each restriction looked at, each byte of table text read or
 * parsed, each entry of a parsed table looked over, each regex rule tried
 * against the probe keys (about ten pattern matches).
 */
#define RELAY_COST_RESTRICTION 256u
#define RELAY_COST_MEMO 16u
#define RELAY_COST_REGEX_RULE 64u
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

/* Iterate over the logical lines of a cidr: table or a /file/name. */
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

/*
 * A table as smtpd would open it, parsed once per evaluation (the cache
 * lives in struct eval).  status is why it cannot be looked up (NULL: it
 * can), and error says whether that is a lookup error smtpd answers with
 * "451 4.3.5 Server configuration error" (else: not known offline).
 */
struct table {
	const char *spec;	/* as written in the list */
	struct postfix_table_ref ref;
	const char *status;
	bool error;
	const char *text;	/* cidr: text */
	struct postfix_map map;	/* texthash:, inline:, indexed types */
	struct postfix_regex_table rx;	/* pcre:, regexp: */
	/* cidr: as a client table, per family (0: IPv4): 0 = not searched yet,
	 * 1 = no 0/0 entry, 2 = if/endif, 3 = cidr_value is the 0/0 action */
	signed char cidr_scan[2];
	const char *cidr_value[2];
};

/* Is this proxy: table one proxymap serves (proxy_read_maps)? */
static bool
proxy_approved(const struct postfix_relay_input *in, const char *spec)
{
	if (in->proxy_read_all)
		return true;
	for (size_t i = 0; i < in->n_proxy_read; i++)
		if (strcasecmp(in->proxy_read[i], spec) == 0)
			return true;
	return false;
}

static void
table_open(struct ctx *c, struct table *t, const char *spec)
{
	const struct postfix_relay_table *src;

	memset(t, 0, sizeof(*t));
	t->spec = spec;
	if (postfix_table_ref(spec, &t->ref) < 0) {
		t->status = "table_not_evaluable";
		return;
	}
	if (t->ref.proxied && !proxy_approved(c->in, spec)) {
		t->status = "table_proxy_unapproved";
		t->error = true;
		return;
	}
	switch (t->ref.kind) {
	case POSTFIX_TABLE_STATIC:
		return;
	case POSTFIX_TABLE_INLINE:
		if (!charge(c, strlen(t->ref.arg))) {
			t->status = "evaluation_too_complex";
			return;
		}
		if (postfix_map_parse_inline(&t->map, t->ref.arg, NULL, NULL) != 0) {
			t->status = "table_lookup_error";
			t->error = true;
		}
		return;
	case POSTFIX_TABLE_FAIL:
		t->status = "table_lookup_error";
		t->error = true;
		return;
	case POSTFIX_TABLE_REMOTE:
		t->status = "table_remote";
		return;
	case POSTFIX_TABLE_OTHER:
		t->status = "table_not_evaluable";
		return;
	default:
		break;
	}
	src = find_table(c->in, spec);
	if (src == NULL || (src->state == POSTFIX_RELAY_TABLE_OK && src->text == NULL)) {
		t->status = "table_unreadable";
		return;
	}
	switch (src->state) {
	case POSTFIX_RELAY_TABLE_OK:
		break;
	case POSTFIX_RELAY_TABLE_MISSING:
		t->status = "table_lookup_error";
		t->error = true;
		return;
	case POSTFIX_RELAY_TABLE_STALE:
		t->status = "postmap_not_run";
		return;
	case POSTFIX_RELAY_TABLE_NO_SOURCE:
		t->status = "table_source_missing";
		return;
	default:
		t->status = "table_unreadable";
		return;
	}
	/* a parse costs its bytes (cidr: text is charged as it is searched) */
	if (t->ref.kind != POSTFIX_TABLE_CIDR && !charge(c, strlen(src->text))) {
		t->status = "evaluation_too_complex";
		return;
	}
	switch (t->ref.kind) {
	case POSTFIX_TABLE_CIDR:
		t->text = src->text;
		break;
	case POSTFIX_TABLE_INDEXED:
	case POSTFIX_TABLE_TEXTHASH:
		if (postfix_map_parse(&t->map, src->text, strlen(src->text), NULL, NULL) < 0) {
			t->status = "table_unreadable";
		} else if (t->ref.kind == POSTFIX_TABLE_TEXTHASH && t->map.duplicates) {
			/* dict_thash.c: a duplicate key makes the table a surrogate */
			t->status = "table_lookup_error";
			t->error = true;
		}
		break;
	case POSTFIX_TABLE_PCRE:
	case POSTFIX_TABLE_REGEXP:
		if (postfix_regex_table_parse(&t->rx, t->ref.kind == POSTFIX_TABLE_PCRE, src->text,
					      strlen(src->text), NULL, NULL) < 0)
			t->status = "table_unreadable";
		break;
	default:
		break;
	}
}

static void
table_close(struct table *t)
{
	postfix_map_free(&t->map);
	postfix_regex_table_free(&t->rx);
}

static const char *keep(struct ctx *c, const char *s);

/* The table spec names, parsed once per evaluation; NULL when out of memory. */
static struct table *
table_get(struct ctx *c, const char *spec)
{
	struct table *t;

	for (size_t i = 0; i < c->ev->n_tables; i++)
		if (strcmp(c->ev->tables[i].spec, spec) == 0)
			return &c->ev->tables[i];
	/* the cache outlives spec (a mynetworks /file's token): its own copy */
	if ((spec = keep(c, spec)) == NULL)
		return NULL;
	if (c->ev->n_tables == c->ev->cap_tables) {
		size_t ncap = c->ev->cap_tables ? 2 * c->ev->cap_tables : 8;

		t = realloc(c->ev->tables, ncap * sizeof(*t));
		if (t == NULL)
			return NULL;
		c->ev->tables = t;
		c->ev->cap_tables = ncap;
	}
	t = &c->ev->tables[c->ev->n_tables++];
	table_open(c, t, spec);
	return t;
}

/*
 * What a lookup can answer, over every key the spammer can present: the
 * values it can make it return (sure: every such key gets this one, it
 * cannot avoid it), whether it can make it find nothing (miss), and values
 * that depend on the world (a key naming a top-level domain, under which
 * anyone can register a name, or not): world, with its code.
 */
#define HITS_MAX 64

struct hits {
	const char *v[HITS_MAX];
	bool sure[HITS_MAX];
	size_t n;
	bool miss;
	const char *world[HITS_MAX];
	size_t n_world;
	const char *world_code;
	bool unknown_value;	/* a result depends on the key ($n), or more
				 * values than the model keeps: not evaluated */
	const char *env;	/* the whole lookup is not known (code) */
};

/* A copy of s that lives until the evaluation ends; NULL on memory. */
static const char *
keep(struct ctx *c, const char *s)
{
	char *d;

	if (c->ev->n_strs == c->ev->cap_strs) {
		size_t ncap = c->ev->cap_strs ? 2 * c->ev->cap_strs : 16;
		char **t = realloc(c->ev->strs, ncap * sizeof(*t));

		if (t == NULL)
			return NULL;
		c->ev->strs = t;
		c->ev->cap_strs = ncap;
	}
	if ((d = strdup(s)) == NULL)
		return NULL;
	c->ev->strs[c->ev->n_strs++] = d;
	return d;
}

static void
hit(struct hits *h, const char *v, bool sure)
{
	if (h->n < HITS_MAX && v != NULL) {
		h->v[h->n] = v;
		h->sure[h->n++] = sure;
	} else {
		h->unknown_value = true;
	}
}

/* Addresses and names a spammer's client can have, strings it can send. */
static const char *const probe_v4[] = {
	"203.0.113.10", "198.51.100.7", "192.0.2.77", "8.8.4.4", "45.33.32.156", "104.16.0.1",
	"185.199.108.153", "1.1.1.1", "223.255.254.254", "100.100.100.100", NULL,
};
static const char *const probe_v6[] = {
	"2001:db8::10", "2a00:1450:4001:80b::200e", "2606:4700::6810:84e5", "2001:470:1f0b:1::2",
	"2c0f:fb50:4003::1", NULL,
};
static const char *const probe_name[] = {
	"mail.spammer.example", "host-203-0-113-10.dsl.example.net", "a.b.c.example.org",
	"x1.example.co.uk", NULL,
};
static const char *const probe_helo[] = {
	"client.example.org", "[203.0.113.10]", "203.0.113.10", "x", "localhost.localdomain", NULL,
};
static const char *const probe_sender[] = {
	"a@example.org", "spammer@x.example.net", "<>", NULL,
};
static const char *const probe_rcpt[] = {
	"b@example.net", "victim@y.example.com", NULL,
};

/* The value of rule r for an abstract key; NULL when its action word is a $n. */
static const char *
rule_value(const struct postfix_regex_rule *r)
{
	size_t wl = strcspn(r->result, " \t");

	if (r->max_sub > 0 && memchr(r->result, '$', wl) != NULL)
		return NULL;
	return r->result;
}

/* Three-valued matching of a rule over a class of keys. */
enum tv { TV_NO, TV_MAYBE, TV_YES };

static enum tv
tv_and(enum tv a, enum tv b)
{
	return a < b ? a : b;
}

/*
 * Rule i over the keys a spammer can present: yes when it accepts every
 * probe, no when it can accept none of them (names: its pattern matches
 * no name a client can have verified; postfix_regex_no_client_name), else
 * maybe (the spammer chooses).
 */
static enum tv
rule_over(const struct postfix_regex_table *rx, size_t i, const char *const *probes, bool names)
{
	const struct postfix_regex_rule *r = &rx->v[i];
	size_t n = 0, m = 0;
	/* regexp: "/p1/!/p2/" matches no more than p1 does */
	bool none = names && postfix_regex_no_client_name(r->pattern);

	for (; probes[n]; n++)
		if (postfix_regex_rule_matches(rx, i, probes[n]))
			m++;
	if (r->match)
		return m == n ? TV_YES : none ? TV_NO : TV_MAYBE;
	return none && r->re2 == NULL ? TV_YES : m == n ? TV_NO : TV_MAYBE;
}

/*
 * A regex table over a class of keys the spammer chooses: walk the rules
 * in order (IF blocks AND their conditions); a maybe rule's value is one
 * it can pick, the first yes rule ends the walk with a value it cannot
 * avoid.  *miss: it can present a key no rule takes.
 */
static void
regex_chosen(const struct postfix_regex_table *rx, const char *const *probes, bool names,
	     struct hits *h)
{
	enum tv stack[64];
	size_t depth = 0;

	for (size_t i = 0; i < rx->n; i++) {
		const struct postfix_regex_rule *r = &rx->v[i];
		enum tv ctx = TV_YES, v;

		for (size_t k = 0; k < depth && k < 64; k++)
			ctx = tv_and(ctx, stack[k]);
		if (r->op == POSTFIX_REGEX_ENDIF) {
			if (depth)
				depth--;
			continue;
		}
		v = tv_and(ctx, rule_over(rx, i, probes, names));
		if (r->op == POSTFIX_REGEX_IF) {
			if (v == TV_NO) {
				i = r->endif;
				continue;
			}
			if (depth < 64)
				stack[depth] = v;
			depth++;
			continue;
		}
		if (v == TV_NO)
			continue;
		if (rule_value(r) == NULL)
			h->unknown_value = true;
		else
			hit(h, rule_value(r), v == TV_YES);
		if (v == TV_YES)
			return;
	}
	h->miss = true;
}

/*
 * A regex table looked up with the abstract client address: the first
 * rule (inside IF blocks) that takes every probe address; else no match.
 */
static void
regex_address(struct ctx *c, const struct postfix_regex_table *rx, struct hits *h)
{
	const char *const *probes = c->family == AF_INET ? probe_v4 : probe_v6;
	size_t stack[64], depth = 0;

	for (size_t i = 0; i < rx->n; i++) {
		const struct postfix_regex_rule *r = &rx->v[i];
		bool all = true;

		if (r->op == POSTFIX_REGEX_ENDIF) {
			if (depth)
				depth--;
			continue;
		}
		for (size_t p = 0; probes[p] && all; p++) {
			for (size_t k = 0; k < depth && k < 64 && all; k++)
				all = postfix_regex_rule_accepts(rx, stack[k], probes[p]);
			all = all && postfix_regex_rule_accepts(rx, i, probes[p]);
		}
		if (r->op == POSTFIX_REGEX_IF) {
			if (depth < 64)
				stack[depth] = i;
			depth++;
			continue;
		}
		if (all) {
			if (rule_value(r) == NULL)
				h->unknown_value = true;
			else
				hit(h, rule_value(r), true);
			return;
		}
	}
	h->miss = true;
}

/* A key of an exact table that can name a top-level domain (a parent of any name). */
static bool
tld_key(const char *key, bool parent)
{
	const char *label = key[0] == '.' ? key + 1 : key;

	if (!parent && key[0] != '.')
		return false;
	if (*label == '\0' || strchr(label, '.') != NULL || strchr(label, ':') != NULL
	    || text_all_digits(label))
		return false;
	return !ieq(label, "localhost") && !ieq(label, "unknown");
}

/*
 * The client's lookups (check_client_access: check_namadr_access; a
 * mynetworks table: namadr_list): first its verified name, which is
 * "unknown" when it has none, or a name in a domain the spammer controls
 * (with its parent domains for exact tables when parent is set), then
 * its address, which no specific entry names.  parent: the list is in
 * parent_domain_matches_subdomains.
 */
static void
client_hits(struct ctx *c, struct table *t, bool parent, struct hits *h)
{
	const char *v;

	memset(h, 0, sizeof(*h));
	switch (t->ref.kind) {
	case POSTFIX_TABLE_STATIC: {
		char sv[POSTFIX_TABLE_MAX_VALUE];
		const char *a = t->ref.arg;
		size_t len = strlen(a);

		/* static:{text} keeps the text without the braces */
		if (len >= 2 && a[0] == '{' && a[len - 1] == '}')
			snprintf(sv, sizeof(sv), "%.*s", (int)(len - 2), a + 1);
		else
			snprintf(sv, sizeof(sv), "%s", a);
		hit(h, keep(c, sv), true);
		return;
	}
	case POSTFIX_TABLE_CIDR: {
		/* the search does not depend on where the table is named: once per family */
		int f = c->family == AF_INET6;
		struct lines L;

		if (t->cidr_scan[f] == 0) {
			t->cidr_scan[f] = 1;
			L.p = t->text;
			L.c = c;
			while (next_line(&L)) {
				char *key, *value;
				struct inaddr net;
				unsigned plen;

				split_entry(L.line, &key, &value);
				if (ieq(key, "if") || ieq(key, "endif")) {
					t->cidr_scan[f] = 2;
					break;
				}
				if (key[0] == '!' || inaddr_parse_cidr(key, &net, &plen) < 0)
					continue;
				if (plen == 0 && net.family == c->family) {
					t->cidr_scan[f] = 3;
					t->cidr_value[f] = keep(c, value);
					break;
				}
			}
		}
		if (t->cidr_scan[f] == 2)
			h->env = "table_not_evaluable";
		else if (t->cidr_scan[f] == 3)
			hit(h, t->cidr_value[f], true);
		else
			h->miss = true;
		return;
	}
	case POSTFIX_TABLE_INLINE:
	case POSTFIX_TABLE_INDEXED:
	case POSTFIX_TABLE_TEXTHASH:
		if (!charge(c, t->map.n)) {
			h->env = "evaluation_too_complex";
			return;
		}
		if ((v = postfix_map_get(&t->map, "unknown")) != NULL)
			hit(h, v, false);
		for (size_t i = 0; i < t->map.n && h->n_world < HITS_MAX; i++)
			if (tld_key(t->map.v[i].key, parent))
				h->world[h->n_world++] = t->map.v[i].value;
		if (h->n_world)
			h->world_code = "client_name_tld";
		h->miss = true;	/* a name no key names; no key names every address */
		return;
	case POSTFIX_TABLE_PCRE:
	case POSTFIX_TABLE_REGEXP: {
		char buf[POSTFIX_TABLE_MAX_VALUE];
		struct hits own, addr;
		bool name_misses = false;
		size_t rule;

		if (!charge(c, t->rx.n * RELAY_COST_REGEX_RULE)) {
			h->env = "evaluation_too_complex";
			return;
		}
		/* no verified name: the key is "unknown" */
		if (postfix_regex_table_lookup(&t->rx, "unknown", buf, sizeof(buf), &rule) != NULL) {
			if (rule_value(&t->rx.v[rule]) == NULL)
				h->unknown_value = true;
			else
				hit(h, rule_value(&t->rx.v[rule]), false);
		} else {
			name_misses = true;
		}
		/* a name of its own */
		memset(&own, 0, sizeof(own));
		regex_chosen(&t->rx, probe_name, true, &own);
		for (size_t i = 0; i < own.n; i++)
			hit(h, own.v[i], false);
		h->unknown_value = h->unknown_value || own.unknown_value;
		if (!name_misses && !own.miss)
			return;
		memset(&addr, 0, sizeof(addr));
		regex_address(c, &t->rx, &addr);
		for (size_t i = 0; i < addr.n; i++)
			hit(h, addr.v[i], false);
		h->unknown_value = h->unknown_value || addr.unknown_value;
		h->miss = addr.miss;
		return;
	}
	default:
		h->miss = true;
		return;
	}
}

/*
 * A lookup with a key the spammer chooses freely within its class (HELO
 * name, sender, recipient, reverse name): any entry of an exact or cidr:
 * table can be hit, and a key no entry names misses; a regex table as
 * regex_chosen() walks it.
 */
static void
chosen_hits(struct ctx *c, struct table *t, enum list_kind kind, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	switch (t->ref.kind) {
	case POSTFIX_TABLE_STATIC:
		client_hits(c, t, false, h);
		return;
	case POSTFIX_TABLE_CIDR: {
		struct lines L;

		L.p = t->text;
		L.c = c;
		while (next_line(&L)) {
			char *key, *value;

			split_entry(L.line, &key, &value);
			if (ieq(key, "if") || ieq(key, "endif")) {
				h->unknown_value = true;
				continue;
			}
			/* past what the model keeps, no copies: hit() notes it */
			hit(h, h->n < HITS_MAX ? keep(c, value) : NULL, false);
		}
		h->miss = true;
		return;
	}
	case POSTFIX_TABLE_INLINE:
	case POSTFIX_TABLE_INDEXED:
	case POSTFIX_TABLE_TEXTHASH:
		if (!charge(c, t->map.n)) {
			h->env = "evaluation_too_complex";
			return;
		}
		for (size_t i = 0; i < t->map.n; i++)
			hit(h, t->map.v[i].value, false);
		if (t->map.n > HITS_MAX)
			h->unknown_value = true;	/* more than the model keeps */
		h->miss = true;
		return;
	case POSTFIX_TABLE_PCRE:
	case POSTFIX_TABLE_REGEXP:
		if (!charge(c, t->rx.n * RELAY_COST_REGEX_RULE)) {
			h->env = "evaluation_too_complex";
			return;
		}
		regex_chosen(&t->rx, kind == L_HELO ? probe_helo
				     : kind == L_SENDER ? probe_sender : probe_rcpt, false, h);
		return;
	default:
		h->miss = true;
		return;
	}
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
 * The outcome of a lookup the spammer steers: each value it can make the
 * table return is an action (check_table_result), and it takes the best
 * one for it (a permit, else no decision, else a reject).  A recipient
 * table's permit counts only when every recipient gets it: otherwise its
 * key may be a local domain (recipient_table_permits).  Values that hang
 * on the world (world_code) or on the key (unknown_value) only matter when
 * one of them could permit: then the environment picks.
 */
static void
outcome_from_hits(struct ctx *c, const struct hits *h, enum list_kind kind, bool recipient,
		  int depth, struct outcome *o)
{
	bool p = false, p_local = false, d = h->miss, r = false, r_plain = false;
	const char *u = NULL, *rcode = NULL;
	struct res x;

	memset(o, 0, sizeof(*o));
	if (h->env != NULL) {
		env_picks(o, h->env);
		return;
	}
	for (size_t i = 0; i < h->n; i++) {
		action_result(c, h->v[i], kind, depth, &x);
		switch (x.v) {
		case 'P':
			if (recipient && !h->sure[i])
				p_local = true;
			else
				p = true;
			break;
		case 'D':
			d = true;
			break;
		case 'R':
			r = true;
			if (!x.error)
				r_plain = true;
			else
				rcode = x.code;
			break;
		default:
			u = x.code ? x.code : "undetermined";
			break;
		}
	}
	if (p) {
		o->set = S_P;
		return;
	}
	for (size_t i = 0; i < h->n_world && u == NULL; i++) {
		action_result(c, h->world[i], kind, depth, &x);
		if (x.v == 'P' || x.v == 'U')
			u = h->world_code;
	}
	if (p_local || u != NULL || h->unknown_value) {
		o->set = S_P | (d ? S_D : 0) | (r && !d ? S_R : 0);
		o->env = true;
		o->code = p_local ? "recipient_table_permits" : u ? u : "table_not_evaluable";
		return;
	}
	if (d || !r) {
		o->set = S_D;
		return;
	}
	o->set = S_R;
	o->error = !r_plain;
	o->code = r_plain ? NULL : rcode;
}

/* check_*_access TABLE: the lookup, by whose key it is. */
static void
table_restriction(struct ctx *c, const char *name, const char *arg, enum list_kind kind,
		  int depth, struct outcome *o)
{
	struct table *t = table_get(c, arg);
	struct hits h;

	memset(o, 0, sizeof(*o));
	if (t == NULL) {
		env_picks(o, "table_not_evaluable");
		return;
	}
	if (t->status != NULL) {
		if (t->error) {
			o->set = S_R;
			o->error = true;
			o->code = t->status;
		} else {
			env_picks(o, t->status);
		}
		return;
	}
	if (ieq(name, "check_client_access")) {
		client_hits(c, t, c->in->access_parent, &h);
	} else {
		/* helo, sender, recipient, reverse client, *_ns/_mx/_a variants */
		enum list_kind keys = strncasecmp(name, "check_helo_", 11) == 0 ? L_HELO
				      : strncasecmp(name, "check_sender_", 13) == 0 ? L_SENDER
				      : strncasecmp(name, "check_recipient_", 16) == 0 ? L_RECIPIENT
				      : L_CLIENT;

		chosen_hits(c, t, keys, &h);
	}
	outcome_from_hits(c, &h, kind, strncasecmp(name, "check_recipient_", 16) == 0, depth, o);
}

/* ---- mynetworks ---- */

/* in, out, not known, the spammer's choice, a lookup error (451) */
enum mn { MN_IN, MN_OUT, MN_UNKNOWN, MN_CHOICE, MN_ERROR };

static enum mn mynetworks_items(struct ctx *c, const char *const *items, size_t n, int depth);

/*
 * A host name pattern matches the client's verified name (namadr_list,
 * match_ops.c match_hostname): "unknown" is every client without one,
 * which the spammer can be; a name under a top-level domain (a single
 * label with parent-domain matching, or ".label") is one anyone may be
 * able to register; any other name is forward-confirmed by smtpd
 * (smtpd_peer.c), through /etc/hosts or its owner's DNS, so it names
 * somebody else.
 */
static enum mn
mynetworks_name(struct ctx *c, const char *pat)
{
	const char *label = pat[0] == '.' ? pat + 1 : pat;

	if (ieq(pat, "unknown"))
		return MN_CHOICE;
	if ((pat[0] == '.' || c->in->mynetworks_parent) && *label && strchr(label, '.') == NULL
	    && !ieq(label, "localhost") && !text_all_digits(label))
		return MN_UNKNOWN;
	return MN_OUT;
}

/* Does one match-list pattern match the abstract client? */
static enum mn
mynetworks_pattern(struct ctx *c, const char *pat, int depth)
{
	struct inaddr net;
	unsigned plen;

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
		struct table *t = table_get(c, pat);
		struct hits h;

		if (t == NULL)
			return MN_UNKNOWN;
		if (t->status != NULL)
			return t->error ? MN_ERROR : MN_UNKNOWN;
		client_hits(c, t, c->in->mynetworks_parent, &h);
		if (h.env != NULL)
			return MN_UNKNOWN;
		for (size_t i = 0; i < h.n; i++)
			if (h.sure[i])
				return MN_IN;	/* any value is a match */
		if (h.n > 0 || h.unknown_value)
			return MN_CHOICE;
		return h.n_world ? MN_UNKNOWN : MN_OUT;
	}
	if (inaddr_parse_cidr(pat, &net, &plen) == 0)
		return plen == 0 && net.family == c->family ? MN_IN : MN_OUT;
	return mynetworks_name(c, pat);
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
		if (m == MN_CHOICE)	/* the spammer matches where that helps it */
			m = neg ? MN_OUT : MN_IN;
		if (m == MN_ERROR)	/* match_list_match stops there: 451 */
			return unknown_pos || unknown_neg ? MN_UNKNOWN : MN_ERROR;
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

		if (m == MN_IN) {
			o->set = S_P;
		} else if (m == MN_OUT) {
			o->set = S_D;
		} else if (m == MN_ERROR) {
			o->set = S_R;
			o->error = true;
			o->code = "table_lookup_error";
		} else {
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
		} else {
			table_restriction(c, name, arg, kind, depth, o);
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
	if (in->n_tables > 0)
		ev->file_memo = calloc(in->n_tables, sizeof(*ev->file_memo));
	budget_init(&ev->own, POSTFIX_RELAY_MAX_WORK);
	ev->work = in->work;
}

/*
 * Forget what one family's walk learnt (the next family's differs); the
 * parsed tables stay, their per-family search results are kept per family.
 */
static void
eval_reset(struct eval *ev)
{
	if (ev->memo != NULL)
		memset(ev->memo, 0, ev->in->n_classes * N_KINDS * sizeof(*ev->memo));
	if (ev->file_memo != NULL)
		memset(ev->file_memo, 0, ev->in->n_tables * sizeof(*ev->file_memo));
}

static void
eval_free(struct eval *ev)
{
	hash_index_free(&ev->classes);
	free(ev->memo);
	free(ev->file_memo);
	for (size_t i = 0; i < ev->n_tables; i++)
		table_close(&ev->tables[i]);
	free(ev->tables);
	for (size_t i = 0; i < ev->n_strs; i++)
		free(ev->strs[i]);
	free(ev->strs);
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
evaluate_stages(struct ctx *cp, struct postfix_relay_verdict *out)
{
	const struct postfix_relay_input *in = cp->in;
	struct stage st[5];
	bool fake = in->compat_below_1 && !in->relay_set;
	bool relay_first = in->relay_before_recipient && !fake;
	size_t ns = 0, first_u = 5;

	st[ns].param = "smtpd_client_restrictions";
	walk(cp, in->client.items, in->client.n, L_CLIENT, 0, &st[ns++].r);
	st[ns].param = "smtpd_helo_restrictions";
	if (in->helo_required) {
		walk(cp, in->helo.items, in->helo.n, L_HELO, 0, &st[ns].r);
	} else {
		/* the client may skip HELO/EHLO, and then the list does not run */
		st[ns].r.v = 'D';
		st[ns].r.error = false;
		st[ns].r.code = NULL;
		snprintf(st[ns].r.what, sizeof(st[ns].r.what), "(skipped: no HELO sent)");
	}
	ns++;
	st[ns].param = "smtpd_sender_restrictions";
	walk(cp, in->sender.items, in->sender.n, L_SENDER, 0, &st[ns++].r);
	for (int k = 0; k < 2; k++) {
		bool relay = (k == 0) == relay_first;

		if (relay) {
			st[ns].param = fake ? "smtpd_relay_restrictions (compatibility_level < 1 default)"
					    : "smtpd_relay_restrictions";
			if (fake)
				walk(cp, fake_relay, 3, L_RECIPIENT, 0, &st[ns].r);
			else
				walk(cp, in->relay.items, in->relay.n, L_RECIPIENT, 0, &st[ns].r);
		} else {
			st[ns].param = "smtpd_recipient_restrictions";
			walk(cp, in->recipient.items, in->recipient.n, L_RECIPIENT, 0, &st[ns].r);
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
	if (do4) {
		struct ctx c = { .in = in, .ev = &ev, .family = AF_INET };

		evaluate_stages(&c, &v4);
	}
	eval_reset(&ev);
	if (do6 && !eval_exhausted(&ev)) {
		struct ctx c = { .in = in, .ev = &ev, .family = AF_INET6 };

		evaluate_stages(&c, &v6);
	}
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

/* Tables whose text the evaluator reads: a file (postfix_table.h). */
static bool
text_table(const char *s)
{
	struct postfix_table_ref ref;

	if (postfix_table_ref(s, &ref) < 0)
		return false;
	switch (ref.kind) {
	case POSTFIX_TABLE_CIDR:
	case POSTFIX_TABLE_INDEXED:
	case POSTFIX_TABLE_TEXTHASH:
	case POSTFIX_TABLE_PCRE:
	case POSTFIX_TABLE_REGEXP:
		return true;
	default:
		return false;
	}
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

/*
 * The proxy: tables proxymap serves (proxymap.c: proxy_read_maps, read
 * from main.cf).  Its default lists main.cf's restriction lists and
 * mynetworks, so without a setting: the proxy: items of those values;
 * with one, every table (its text is not modelled).
 */
static int
proxy_read(const struct postfix_relay_params *p, struct arena *ar, struct postfix_relay_input *in)
{
	static const enum postfix_param_id lists[] = {
		POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS, POSTFIX_P_SMTPD_HELO_RESTRICTIONS,
		POSTFIX_P_SMTPD_SENDER_RESTRICTIONS, POSTFIX_P_SMTPD_RELAY_RESTRICTIONS,
		POSTFIX_P_SMTPD_RECIPIENT_RESTRICTIONS, POSTFIX_P_MYNETWORKS,
	};
	const char *(*get)(const void *, const char *) = p->get_main ? p->get_main : p->get;
	const char **names = NULL;
	size_t n = 0, cap = 0;

	if (p->is_set && p->is_set(p->ctx, postfix_param_name(POSTFIX_P_PROXY_READ_MAPS))) {
		in->proxy_read_all = true;
		return 0;
	}
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		struct postfix_relay_list l;

		if (split_arena(get(p->ctx, postfix_param_name(lists[k])), ar, &l) < 0)
			return -1;
		for (size_t i = 0; i < l.n; i++) {
			const char *item = l.items[i];

			while (*item == '!')
				item++;
			if (strncasecmp(item, "proxy:", 6) != 0)
				continue;
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 8;
				const char **t = arena_grow(ar, names, cap * sizeof(*t),
							    ncap * sizeof(*t));

				if (t == NULL)
					return -1;
				names = t;
				cap = ncap;
			}
			names[n++] = item;
		}
	}
	in->proxy_read = names;
	in->n_proxy_read = n;
	return 0;
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
	{
		const char *par = param(p, POSTFIX_P_PARENT_DOMAIN_MATCHES_SUBDOMAINS);

		in->access_parent = postfix_list_has(par, "smtpd_access_maps");
		in->mynetworks_parent = postfix_list_has(par, "mynetworks");
	}
	if (proxy_read(p, ar, in) < 0)
		return -1;
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

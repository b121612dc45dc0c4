/*
 * postfix_table.h - Postfix lookup tables as smtpd reads them: the table
 * types, the postmap source format and the pcre:/regexp: table formats.
 *
 * Pure code: text in, structures out, no I/O (the collector reads the
 * files through fileio and compares the compiled maps' times).  What it
 * models, with the Postfix source it follows:
 *   - "type:name" (util/dict_open.c), proxy: stripped (proxymap opens the
 *     same table on the same host): the table's kind, the file its text
 *     comes from and, for the indexed types, the files postmap compiles it
 *     into (hash/btree FILE.db, lmdb FILE.lmdb, cdb FILE.cdb, dbm and sdbm
 *     FILE.dir + FILE.pag);
 *   - the postmap source format (postmap/postmap.c, util/dict_thash.c):
 *     logical lines as main.cf's (util/readlline.c), "key whitespace
 *     value" split at the first blank outside double quotes (the key keeps
 *     its quotes), a line without key or value skipped, keys folded to
 *     lower case (postmap without -f), the first of duplicate keys kept;
 *   - inline:{ key=value, { key = value } } (util/dict_inline.c);
 *   - pcre: (util/dict_pcre.c, PCRE2) and regexp: (util/dict_regexp.c,
 *     the C library's POSIX regcomp, as Postfix uses it) tables: rules
 *     "[!]/pattern/flags result" (regexp: also "/p1/!/p2/ result"), IF /
 *     ENDIF blocks, the flags and their defaults (pcre: caseless and
 *     dotall on; regexp: extended and icase on), $n substitution; a rule
 *     Postfix skips is skipped with the same warning.
 *
 * Caps: POSTFIX_TABLE_MAX_ENTRIES entries or rules per table (the rest is
 * ignored with a warning), PCRE2 match limit POSTFIX_TABLE_MATCH_LIMIT per
 * lookup (a lookup beyond it counts as no match, as Postfix's does when
 * PCRE2 gives up), and a regexp: pattern whose repetitions would make
 * regcomp() build more than POSTFIX_TABLE_MAX_REGEX_COST nodes is skipped
 * with a warning (glibc's compile time and memory grow with that count;
 * 70 "+" in a row took more than 2 GiB).
 *
 * Diagnostics: every line Postfix would warn about is added to a struct
 * postfix_diags with its file and line (postfix_conf.h).
 */
#ifndef MTA_POSTFIX_TABLE_H
#define MTA_POSTFIX_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/postfix/postfix_conf.h"

#define POSTFIX_TABLE_MAX_ENTRIES 100000
#define POSTFIX_TABLE_MATCH_LIMIT 100000
#define POSTFIX_TABLE_MAX_REGEX_COST 20000u	/* regexp: nodes after repetition (postfix_table.c) */
#define POSTFIX_TABLE_MAX_VALUE 4096	/* a substituted result, bytes */

enum postfix_table_kind {
	POSTFIX_TABLE_CIDR,	/* cidr: first match over network patterns */
	POSTFIX_TABLE_INDEXED,	/* hash, btree, lmdb, cdb, dbm, sdbm: postmap source */
	POSTFIX_TABLE_TEXTHASH,	/* texthash: the postmap source itself */
	POSTFIX_TABLE_INLINE,	/* inline:{...} */
	POSTFIX_TABLE_STATIC,	/* static:value */
	POSTFIX_TABLE_PCRE,
	POSTFIX_TABLE_REGEXP,
	POSTFIX_TABLE_FAIL,	/* fail: every lookup fails */
	POSTFIX_TABLE_REMOTE,	/* data held by a server: ldap, mysql, pgsql, sqlite, ... */
	POSTFIX_TABLE_OTHER,	/* local but not evaluated (unix, environ, pipemap, ...) */
};

struct postfix_table_ref {
	enum postfix_table_kind kind;
	char type[32];		/* "hash" (after proxy:), lower case */
	const char *arg;	/* what follows "type:" in the spec (not owned) */
	bool proxied;		/* written proxy:type:name */
};

/*
 * Classify "type:name" (any number of leading "proxy:" removed, as
 * proxymap does).  Returns 0, or -1 when spec has no ':' (no table).
 */
int postfix_table_ref(const char *spec, struct postfix_table_ref *out);

/* Files postmap writes for an indexed type ("hash" -> ".db"), NULL-terminated. */
const char *const *postfix_table_compiled_suffixes(const char *type);

/* ---- exact-key tables: postmap source, texthash, inline ---- */

struct postfix_map_entry {
	const char *key;	/* lower case, quotes kept */
	const char *value;
	unsigned line;
};

struct postfix_map {
	struct postfix_map_entry *v;
	size_t n, cap;
	unsigned duplicates;	/* keys met again (postmap keeps the first; a
				 * texthash: table with any cannot be opened) */
};

/*
 * Parse a postmap source text into m (keys folded, first of duplicates
 * kept; Postfix warns about the rest).  file names it in diagnostics.
 * Returns 0, or -1 when memory runs out (m holds what was read).
 */
int postfix_map_parse(struct postfix_map *m, const char *text, size_t len,
		      const char *file, struct postfix_diags *d);
/* Parse the text after "inline:" ("{ a=1, { b = two words } }"). */
int postfix_map_parse_inline(struct postfix_map *m, const char *spec, const char *file,
			     struct postfix_diags *d);
/* The value of key (already lower case), or NULL. */
const char *postfix_map_get(const struct postfix_map *m, const char *key);
void postfix_map_free(struct postfix_map *m);

/* ---- pcre: and regexp: tables ---- */

enum postfix_regex_op { POSTFIX_REGEX_MATCH, POSTFIX_REGEX_IF, POSTFIX_REGEX_ENDIF };

struct postfix_regex_rule {
	enum postfix_regex_op op;
	bool match;		/* false for "!/pattern/": the rule applies when it does not match */
	void *re;		/* pcre2_code * or regex_t * */
	void *re2;		/* regexp: only: "/p1/!/p2/", p2 (must not match) */
	char *pattern;		/* the pattern's text (for the relay model's analysis) */
	char *result;		/* replacement text, $$ already literal when no $n */
	unsigned max_sub;	/* highest $n in result (0 = literal) */
	size_t endif;		/* IF: index of its ENDIF, or n = none */
	unsigned line;
};

struct postfix_regex_table {
	bool pcre;		/* pcre: (else regexp:) */
	struct postfix_regex_rule *v;
	size_t n, cap;
	void *mctx;		/* pcre2_match_context * (match limit) */
};

/*
 * Parse and compile a pcre: (pcre true) or regexp: table text.  Rules
 * Postfix skips (bad pattern, unknown flag, $n out of range, ...) are
 * skipped and reported to d.  Returns 0, or -1 when memory runs out.
 */
int postfix_regex_table_parse(struct postfix_regex_table *t, bool pcre, const char *text,
			      size_t len, const char *file, struct postfix_diags *d);
/* Does rule i's pattern match key (regexp: p1 and not p2), before its '!'? */
bool postfix_regex_rule_matches(const struct postfix_regex_table *t, size_t i, const char *key);
/* Does rule i apply to key: its pattern matches, or with '!' does not? */
bool postfix_regex_rule_accepts(const struct postfix_regex_table *t, size_t i, const char *key);
/*
 * The table's answer for key, as dict_pcre_lookup/dict_regexp_lookup give
 * it: the first MATCH rule that accepts it inside IF blocks that accept
 * it, its result with $n substituted into buf.  NULL: no rule matched.
 * *rule (may be NULL) gets the index of the rule.
 */
const char *postfix_regex_table_lookup(const struct postfix_regex_table *t, const char *key,
				       char *buf, size_t buflen, size_t *rule);
void postfix_regex_table_free(struct postfix_regex_table *t);

/*
 * postfix_regex_no_client_name - true when pattern (a rule's text) can
 * match no name a client can have verified (smtpd_peer.c: a name whose
 * forward lookup gives the client's address back; valid_hostname.c):
 *   - it can only match a name that ends in a fixed domain of two labels
 *     or more: it ends in "\.<label>\.<label>...$", or is
 *     "^<label>\.<label>...$" (no other meta characters in that tail, no
 *     '|' anywhere): a domain whose DNS the spammer does not control;
 *   - it is "^...$" over digits and dots only ([0-9], \d, "\.", groups,
 *     quantifiers): a numeric name, which smtpd never verifies;
 *   - it ends in "\.<digits>$": a numeric last label, under which nobody
 *     can register a name.
 * Documented in docs/relay-model.md ("What a client can make match").
 */
bool postfix_regex_no_client_name(const char *pattern);

#endif

/*
 * postfix_relay.h - Postfix open-relay evaluator (pure: facts in, verdict out).
 *
 * Question answered, per smtpd service: can an unauthenticated client at an
 * address outside mynetworks, which no specific table entry names (a
 * "spammer somewhere"), get RCPT TO accepted for a domain that is not
 * local?  The semantics follow Postfix smtpd_check.c; every rule, with the
 * source line it comes from, is in docs/relay-model.md.
 *
 * The input is self-contained: restriction lists already split (as
 * smtpd_check_parse() would, braces removed), the booleans that change the
 * evaluation, mynetworks as a match list, restriction classes, and the text
 * of every table the caller could read (cidr:, texthash:, pcre:, regexp:,
 * the postmap source of hash:, btree:, lmdb:, cdb:, dbm:, sdbm:, and
 * /file/name patterns of mynetworks; postfix_table.h parses them).
 * inline: and static: tables are read from their name.  Nothing here does
 * I/O; postfix_relay_table_refs() lists the tables the caller should load.
 *
 * Diagnostics: none are logged; the verdict carries a stable reason code
 * and a human detail.  Malformed table lines are ignored here (the postfix
 * collector reports configuration problems).
 */
#ifndef MTA_POSTFIX_RELAY_H
#define MTA_POSTFIX_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/core/collector.h"
#include "lib/arena.h"
#include "lib/budget.h"

#define POSTFIX_RELAY_MAX_DEPTH 16	/* nested classes / table actions */
/*
 * Work units of one evaluation (postfix_relay.c: 256 a restriction, 1 a
 * byte of table text read or parsed, 1 an entry of a parsed table looked
 * over, 64 a regex rule tried against the probe keys).
 */
#define POSTFIX_RELAY_MAX_WORK (16u << 20)

struct postfix_relay_list {
	const char *const *items;
	size_t n;
};

/* smtpd_restriction_classes: name = list.  value NULL = undefined (fatal). */
struct postfix_relay_class {
	const char *name;
	const char *const *items;
	size_t n;
	bool defined;
};

/* What the caller found on disk for a table (the reader's verdict). */
enum postfix_relay_table_state {
	POSTFIX_RELAY_TABLE_OK,		/* text is what smtpd reads */
	POSTFIX_RELAY_TABLE_UNREADABLE,	/* there, but the exporter cannot read it */
	POSTFIX_RELAY_TABLE_MISSING,	/* smtpd cannot open it: every lookup fails (451) */
	POSTFIX_RELAY_TABLE_STALE,	/* text is the postmap source, newer than the
					 * compiled map smtpd reads: postmap not run */
	POSTFIX_RELAY_TABLE_NO_SOURCE,	/* a compiled map without its source text */
};

/*
 * The text of a table, keyed by its name as written ("cidr:/etc/x",
 * "proxy:hash:/etc/y", "/etc/nets"); for the indexed types (hash:,
 * lmdb: ...) the text is the postmap source beside the compiled map.
 */
struct postfix_relay_table {
	const char *name;
	const char *text;	/* NUL-terminated; NULL = could not be read */
	enum postfix_relay_table_state state;
};

struct postfix_relay_input {
	struct postfix_relay_list client, helo, sender, relay, recipient;
	bool relay_set;		/* smtpd_relay_restrictions set (main.cf or -o) */
	bool compat_below_1;	/* compatibility_level < 1 */
	bool delay_reject;	/* smtpd_delay_reject */
	bool relay_before_recipient;	/* smtpd_relay_before_recipient_restrictions */
	bool helo_required;	/* smtpd_helo_required */
	struct postfix_relay_list mynetworks;	/* effective value, split */
	bool ipv4, ipv6;	/* client families that can reach the service */
	bool access_parent;	/* parent_domain_matches_subdomains has smtpd_access_maps */
	bool mynetworks_parent;	/* ... has mynetworks */
	/* proxy: tables proxymap serves (proxy_read_maps; all when set explicitly) */
	const char *const *proxy_read;
	size_t n_proxy_read;
	bool proxy_read_all;
	const struct postfix_relay_class *classes;
	size_t n_classes;
	const struct postfix_relay_table *tables;
	size_t n_tables;
	struct budget *work;	/* shared by the scrape's evaluations, or NULL */
};

struct postfix_relay_verdict {
	enum relay_verdict verdict;
	const char *reason;	/* stable code, see docs/relay-model.md */
	char detail[512];	/* one human line */
};

/*
 * Evaluate one service.  Never fails; the worst case is RELAY_UNDETERMINED.
 * The work is bounded: a restriction class is walked once per list kind
 * and family (its result is kept), a mynetworks /file and a cidr: client
 * table once per family, any other table parsed once, and every
 * restriction, byte of table text and table entry or rule looked over is
 * charged to a budget
 * (POSTFIX_RELAY_MAX_WORK, and in->work when set); past it the verdict is
 * RELAY_UNDETERMINED with reason "evaluation_too_complex".
 */
void postfix_relay_evaluate(const struct postfix_relay_input *in,
			    struct postfix_relay_verdict *out);

/*
 * Startup guard (smtpd_check_init): true if the relay or the recipient list
 * holds a working reject_unauth_destination, defer_unauth_destination,
 * reject, defer, defer_if_permit or check_relay_domains before any permit,
 * looking into restriction classes.
 */
bool postfix_relay_has_required(const struct postfix_relay_input *in);

/*
 * Table names the evaluator would read (cidr:, texthash:, pcre:, regexp:,
 * the indexed types, any of them behind proxy:, and mynetworks /file/name
 * patterns), each reported once through cb.
 */
void postfix_relay_table_refs(const struct postfix_relay_input *in,
			      void (*cb)(const char *name, void *arg), void *arg);

/*
 * The adapter from a Postfix parameter model: get() returns the effective,
 * expanded value of a parameter for the service (master.cf -o, main.cf,
 * built-in default by version and compatibility level), or NULL when it is
 * unknown; is_set() says whether main.cf or -o sets it.
 */
struct postfix_relay_params {
	const char *(*get)(const void *ctx, const char *name);
	bool (*is_set)(const void *ctx, const char *name);
	const void *ctx;
	/* main.cf's value (proxymap's view: no -o); NULL = use get */
	const char *(*get_main)(const void *ctx, const char *name);
};

/*
 * Fill in from the parameters: the five lists and mynetworks split as
 * smtpd does (", \t\r\n", {} grouping), smtpd_restriction_classes and
 * their definitions, compatibility_level < 1, smtpd_delay_reject,
 * smtpd_relay_before_recipient_restrictions, smtpd_helo_required, the
 * client families from inet_protocols, parent_domain_matches_subdomains,
 * the proxy: tables proxy_read_maps approves (when it is not set: those
 * main.cf's restriction lists and mynetworks name, as its default says).
 * Tables are not loaded (see postfix_relay_table_refs).  Memory from ar;
 * -1 when it runs out.
 */
int postfix_relay_input_from_params(const struct postfix_relay_params *p, struct arena *ar,
				    struct postfix_relay_input *in);

#endif

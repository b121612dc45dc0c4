/*
 * test_postfix_relay.c - the open-relay evaluator's table: each restriction
 * kind, each compatibility-level rule, mynetworks coverage, access tables,
 * restriction classes and the startup guard; the adapter from a parameter
 * model, which asks only for parameters of postfix_params[] (and the
 * restriction classes the configuration names).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "collectors/postfix/postfix_params.h"
#include "collectors/postfix/postfix_relay.h"

#define DEFAULT_RELAY "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"
#define LOOPBACK_NETS "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"

struct row {
	const char *name;
	const char *client, *helo, *sender;
	const char *relay;		/* NULL = unset (default for the level) */
	const char *recipient;
	bool compat0;			/* compatibility_level = 0 */
	bool helo_required;
	const char *mynetworks;
	bool v6;			/* also IPv6 clients */
	bool v6only;
	const char *cls;		/* "name=a b c" */
	const char *t1, *t1text;	/* tables */
	enum postfix_relay_table_state t1state;
	const char *t2, *t2text;
	bool access_flat, mynetworks_flat;	/* not in parent_domain_matches_subdomains */
	size_t work;			/* a shared work budget of that many units (0: none) */
	enum relay_verdict want;
	const char *reason;
	const char *detail_has;
};

static const struct row rows[] = {
	{ .name = "stock Debian main.cf", .relay = DEFAULT_RELAY, .mynetworks = LOOPBACK_NETS,
	  .v6 = true, .want = RELAY_CLOSED, .reason = "restriction_rejects",
	  .detail_has = "defer_unauth_destination" },
	{ .name = "relay unset at level 2: default list", .mynetworks = LOOPBACK_NETS,
	  .want = RELAY_CLOSED, .detail_has = "defer_unauth_destination" },
	{ .name = "permit_mynetworks, reject", .relay = "permit_mynetworks, reject",
	  .mynetworks = LOOPBACK_NETS, .want = RELAY_CLOSED, .detail_has = ": reject rejects" },
	{ .name = "recipient permit with default relay list", .recipient = "permit",
	  .mynetworks = LOOPBACK_NETS, .want = RELAY_CLOSED, .reason = "restriction_rejects" },
	{ .name = "both lists empty at level 0", .compat0 = true, .recipient = "",
	  .want = RELAY_CONFIG_ERROR, .reason = "startup_guard" },
	{ .name = "both lists empty at level 2", .relay = "", .recipient = "",
	  .want = RELAY_CONFIG_ERROR, .reason = "startup_guard" },
	{ .name = "level 0, relay unset, pre-2.10 recipient list", .compat0 = true,
	  .recipient = "permit_mynetworks, reject_unauth_destination",
	  .mynetworks = LOOPBACK_NETS, .want = RELAY_CLOSED },
	{ .name = "level 0, relay unset: the stand-in list never rejects", .compat0 = true,
	  .recipient = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 OK\n", .want = RELAY_OPEN,
	  .reason = "restriction_permits" },
	{ .name = "level 2: the same recipient list is stopped by the relay list",
	  .recipient = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 OK\n", .want = RELAY_CLOSED },
	{ .name = "level 0, relay list set explicitly", .compat0 = true, .relay = "permit",
	  .recipient = "reject_unauth_destination", .want = RELAY_CLOSED },
	{ .name = "a permit first defeats the guard", .compat0 = true,
	  .recipient = "permit, reject_unauth_destination", .want = RELAY_CONFIG_ERROR,
	  .reason = "startup_guard" },
	{ .name = "warn_if_reject hides the guard's restriction", .relay = "warn_if_reject reject_unauth_destination",
	  .recipient = "", .want = RELAY_CONFIG_ERROR, .reason = "startup_guard" },
	{ .name = "warn_if_reject turns a reject into a warning",
	  .relay = "warn_if_reject reject_unauth_destination, check_client_access cidr:/t, reject",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 OK\n", .want = RELAY_OPEN },
	{ .name = "mynetworks = 0.0.0.0/0", .relay = DEFAULT_RELAY, .mynetworks = "0.0.0.0/0",
	  .want = RELAY_OPEN, .reason = "mynetworks_covers_all" },
	{ .name = "mynetworks = 0.0.0.0/0, IPv6 clients too", .relay = DEFAULT_RELAY,
	  .mynetworks = "127.0.0.0/8, 0.0.0.0/0", .v6 = true, .want = RELAY_OPEN,
	  .reason = "mynetworks_covers_all" },
	{ .name = "mynetworks = ::/0 matters only to IPv6 clients", .relay = DEFAULT_RELAY,
	  .mynetworks = "[::]/0", .want = RELAY_CLOSED },
	{ .name = "mynetworks = ::/0 with IPv6 clients", .relay = DEFAULT_RELAY,
	  .mynetworks = "[::]/0", .v6 = true, .want = RELAY_OPEN },
	{ .name = "negated 0/0 first", .relay = DEFAULT_RELAY,
	  .mynetworks = "!0.0.0.0/0, 0.0.0.0/0", .want = RELAY_CLOSED },
	{ .name = "mynetworks specific networks and names", .relay = DEFAULT_RELAY,
	  .mynetworks = "192.0.2.0/24, mail.example.com, .example.org, 0.0.0.0/1",
	  .want = RELAY_CLOSED },
	{ .name = "mynetworks /file/name holding 0/0", .relay = DEFAULT_RELAY,
	  .mynetworks = "127.0.0.0/8 /etc/postfix/nets", .t1 = "/etc/postfix/nets",
	  .t1text = "# trusted\n10.0.0.0/8\n0.0.0.0/0\n", .want = RELAY_OPEN },
	{ .name = "mynetworks pcre table", .relay = DEFAULT_RELAY,
	  .mynetworks = "127.0.0.0/8 pcre:/etc/postfix/nets.pcre", .want = RELAY_UNDETERMINED,
	  .reason = "mynetworks_not_evaluable" },
	{ .name = "mynetworks cidr table with 0/0", .relay = DEFAULT_RELAY,
	  .mynetworks = "cidr:/n", .t1 = "cidr:/n", .t1text = "0.0.0.0/0 x\n", .want = RELAY_OPEN },
	{ .name = "mynetworks hash table: exact keys only", .relay = DEFAULT_RELAY,
	  .mynetworks = "hash:/n", .t1 = "hash:/n", .t1text = "10.0.0.1 x\nmail.example.com x\n",
	  .want = RELAY_CLOSED },
	{ .name = "permit in client restrictions does not skip", .client = "permit",
	  .relay = DEFAULT_RELAY, .mynetworks = LOOPBACK_NETS, .want = RELAY_CLOSED },
	{ .name = "reject in client restrictions stops", .client = "reject",
	  .relay = "permit_mynetworks, check_client_access cidr:/t, reject", .t1 = "cidr:/t",
	  .t1text = "0.0.0.0/0 OK\n", .want = RELAY_CLOSED,
	  .detail_has = "smtpd_client_restrictions" },
	{ .name = "defer_if_permit in client restrictions", .client = "defer_if_permit",
	  .relay = "check_client_access cidr:/t, reject", .t1 = "cidr:/t",
	  .t1text = "0.0.0.0/0 OK\n", .want = RELAY_CLOSED },
	{ .name = "cidr 0/0 OK in relay list", .relay = "permit_mynetworks, check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "# all\n0.0.0.0/0 OK\n", .want = RELAY_OPEN,
	  .reason = "restriction_permits" },
	{ .name = "cidr specific network OK", .relay = "permit_mynetworks, check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "198.51.100.0/24 OK\n", .want = RELAY_CLOSED },
	{ .name = "cidr first match: specific REJECT then 0/0 OK", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "198.51.100.0/24 REJECT\n0.0.0.0/0 OK\n", .want = RELAY_OPEN },
	{ .name = "cidr 0/0 REJECT before permit", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 REJECT\n", .want = RELAY_CLOSED },
	{ .name = "cidr 0/0 nested restriction list", .relay = "check_client_access cidr:/t, permit_mynetworks, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 permit_mynetworks, reject\n", .want = RELAY_CLOSED },
	{ .name = "cidr 0/0 numeric action permits", .relay = "check_client_access cidr:/t, reject",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 1234\n", .want = RELAY_OPEN },
	{ .name = "cidr 0/0 4xx text rejects", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 450 try later\n", .want = RELAY_CLOSED },
	{ .name = "cidr ::/0 for IPv4 clients", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "[::]/0 OK\n", .want = RELAY_CLOSED },
	{ .name = "cidr ::/0 for IPv6-only service", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "::/0 OK\n", .v6only = true, .want = RELAY_OPEN },
	{ .name = "bare cidr: table in relay list is a recipient lookup", .relay = "cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 OK\n", .want = RELAY_UNDETERMINED,
	  .reason = "recipient_table_permits" },
	{ .name = "bare cidr: table in client list", .client = "cidr:/t", .relay = DEFAULT_RELAY,
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 REJECT\n", .want = RELAY_CLOSED,
	  .detail_has = "smtpd_client_restrictions" },
	{ .name = "client table unreadable", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1state = POSTFIX_RELAY_TABLE_UNREADABLE, .want = RELAY_UNDETERMINED,
	  .reason = "table_unreadable" },
	{ .name = "client table unreadable after the decision", .relay = "reject_unauth_destination, check_client_access cidr:/t",
	  .want = RELAY_CLOSED },
	{ .name = "client hash table: exact keys never name everyone", .relay = "check_client_access hash:/t, reject_unauth_destination",
	  .t1 = "hash:/t", .t1text = "10.0.0.1 OK\n192.0.2 OK\nmail.example.com OK\n.example.org OK\n",
	  .want = RELAY_CLOSED },
	{ .name = "client pcre table not read", .relay = "check_client_access pcre:/t, reject_unauth_destination",
	  .want = RELAY_UNDETERMINED, .reason = "table_unreadable" },
	{ .name = "client static:OK", .relay = "check_client_access static:OK, reject_unauth_destination",
	  .want = RELAY_OPEN },
	{ .name = "client static:{REJECT text}", .relay = "check_client_access static:{REJECT go away}, reject_unauth_destination", .detail_has = "static",
	  .want = RELAY_CLOSED },
	{ .name = "sender texthash with an OK entry", .relay = "check_sender_access texthash:/s, reject_unauth_destination",
	  .t1 = "texthash:/s", .t1text = "spam.example REJECT\nexample.com OK\n", .want = RELAY_OPEN },
	{ .name = "sender texthash blacklist only", .relay = "check_sender_access texthash:/s, reject_unauth_destination",
	  .t1 = "texthash:/s", .t1text = "spam.example REJECT\n", .want = RELAY_CLOSED },
	{ .name = "sender hash table: its postmap source", .relay = "check_sender_access hash:/s, reject_unauth_destination",
	  .t1 = "hash:/s", .t1text = "spam.example REJECT\nfriend@example.com OK\n", .want = RELAY_OPEN },
	{ .name = "helo inline table with an OK entry", .relay = "check_helo_access inline:{friend.example=OK}, reject_unauth_destination",
	  .want = RELAY_OPEN },
	{ .name = "helo inline table, grouped entry", .relay = "check_helo_access inline:{spam.example=REJECT, { friend.example = OK }}, reject_unauth_destination",
	  .want = RELAY_OPEN },
	{ .name = "helo inline table, reject only", .relay = "check_helo_access inline:{spam.example=REJECT, { other.example = 550 go away }}, reject_unauth_destination",
	  .want = RELAY_CLOSED },
	{ .name = "recipient table with an OK entry", .relay = "check_recipient_access texthash:/r, reject_unauth_destination",
	  .t1 = "texthash:/r", .t1text = "example.net OK\n", .want = RELAY_UNDETERMINED,
	  .reason = "recipient_table_permits" },
	{ .name = "helo list skipped when HELO is optional", .helo = "reject",
	  .relay = DEFAULT_RELAY, .mynetworks = "0.0.0.0/0", .want = RELAY_OPEN },
	{ .name = "helo list runs when HELO is required", .helo = "reject", .helo_required = true,
	  .relay = DEFAULT_RELAY, .mynetworks = "0.0.0.0/0", .want = RELAY_CLOSED },
	{ .name = "sender list reject", .sender = "reject", .relay = DEFAULT_RELAY,
	  .mynetworks = "0.0.0.0/0", .want = RELAY_CLOSED },
	{ .name = "RBL and reject_unknown_* do not protect",
	  .relay = "reject_rbl_client zen.example.org, reject_unknown_client_hostname, reject_unverified_recipient, check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "0.0.0.0/0 OK\n", .want = RELAY_OPEN },
	{ .name = "RBL argument is consumed", .relay = "permit_mynetworks, reject_rbl_client reject, defer_unauth_destination",
	  .want = RELAY_CLOSED, .detail_has = "defer_unauth_destination" },
	{ .name = "sasl and auth_destination do not apply",
	  .relay = "permit_sasl_authenticated, permit_auth_destination, permit_tls_clientcerts, permit_inet_interfaces, permit_mx_backup, reject",
	  .want = RELAY_CLOSED, .detail_has = ": reject rejects" },
	{ .name = "policy service before the decision", .relay = "check_policy_service inet:127.0.0.1:10023, reject_unauth_destination",
	  .want = RELAY_UNDETERMINED, .reason = "policy_service" },
	{ .name = "policy service after the decision", .relay = "reject_unauth_destination, check_policy_service inet:127.0.0.1:10023",
	  .want = RELAY_CLOSED },
	{ .name = "policy service in the client list, relay list rejects",
	  .client = "check_policy_service unix:private/policy", .relay = DEFAULT_RELAY,
	  .want = RELAY_CLOSED },
	{ .name = "policy service in the client list of an open config",
	  .client = "check_policy_service unix:private/policy", .relay = DEFAULT_RELAY,
	  .mynetworks = "0.0.0.0/0", .want = RELAY_UNDETERMINED, .reason = "policy_service" },
	{ .name = "dnswl in the client list cannot reject", .client = "permit_dnswl_client list.dnswl.org",
	  .relay = DEFAULT_RELAY, .mynetworks = "0.0.0.0/0", .want = RELAY_OPEN },
	{ .name = "dnswl before the decision", .relay = "permit_dnswl_client list.dnswl.org, reject_unauth_destination",
	  .want = RELAY_UNDETERMINED, .reason = "dns_whitelist" },
	{ .name = "permit_tls_all_clientcerts", .relay = "permit_tls_all_clientcerts, reject_unauth_destination",
	  .want = RELAY_UNDETERMINED, .reason = "client_certificate" },
	{ .name = "unknown restriction reached", .relay = "permit_mynetworks, no_such_thing, reject_unauth_destination",
	  .want = RELAY_CONFIG_ERROR, .reason = "unknown_restriction" },
	{ .name = "unknown restriction never reached", .relay = "reject_unauth_destination, no_such_thing",
	  .want = RELAY_CLOSED },
	{ .name = "restriction class permits everyone", .relay = "permit_mynetworks, trusted, reject_unauth_destination",
	  .cls = "trusted=check_client_access cidr:/t", .t1 = "cidr:/t", .t1text = "0.0.0.0/0 OK\n",
	  .want = RELAY_OPEN },
	{ .name = "restriction class satisfies the guard", .relay = "permit_mynetworks, strict",
	  .cls = "strict=permit_sasl_authenticated reject", .want = RELAY_CLOSED },
	{ .name = "restriction class undefined", .relay = DEFAULT_RELAY, .cls = "missing",
	  .want = RELAY_CONFIG_ERROR, .reason = "restriction_class_undefined" },
	{ .name = "case-insensitive names", .relay = "Permit_MyNetworks, REJECT_UNAUTH_DESTINATION",
	  .mynetworks = "0.0.0.0/0", .want = RELAY_OPEN },
	{ .name = "permit in recipient list, relay list open", .relay = "permit_mynetworks, check_client_access static:OK, reject",
	  .recipient = "permit", .want = RELAY_OPEN, .reason = "restriction_permits" },
	{ .name = "table action with a colon is a configuration error",
	  .relay = "check_client_access cidr:/t, reject", .t1 = "cidr:/t",
	  .t1text = "0.0.0.0/0 hash:/x\n", .want = RELAY_CONFIG_ERROR, .reason = "table_action_invalid" },
	{ .name = "cidr table with if/endif", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "if 0.0.0.0/0\n0.0.0.0/0 OK\nendif\n", .want = RELAY_UNDETERMINED },
	{ .name = "second table read by name", .relay = "check_client_access cidr:/a, check_client_access cidr:/b, reject",
	  .t1 = "cidr:/a", .t1text = "10.0.0.0/8 OK\n", .t2 = "cidr:/b", .t2text = "0/0 DUNNO\n0.0.0.0/0 OK\n",
	  .want = RELAY_OPEN },
	/* ---- issue 15: tables read as smtpd reads them ---- */
	{ .name = "client hash: \"unknown\" OK trusts every client without a verified name",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "# clients without PTR\nUNKNOWN   OK\n", .want = RELAY_OPEN,
	  .reason = "restriction_permits" },
	{ .name = "client hash: \"unknown\" REJECT is avoided with a PTR",
	  .relay = "check_client_access hash:/t, check_client_access static:OK, reject_unauth_destination",
	  .t1 = "hash:/t", .t1text = "unknown REJECT\n", .want = RELAY_OPEN },
	{ .name = "client hash: a top-level domain key depends on the world",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "com OK\n", .want = RELAY_UNDETERMINED, .reason = "client_name_tld" },
	{ .name = "client hash: a single label without parent matching is one name",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "com OK\n", .access_flat = true, .want = RELAY_CLOSED },
	{ .name = "client hash: .label always matches below it",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = ".net OK\n", .access_flat = true, .want = RELAY_UNDETERMINED,
	  .reason = "client_name_tld" },
	{ .name = "client hash: localhost and address prefixes are no TLD",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "localhost OK\n127 OK\n2001:db8 OK\n", .want = RELAY_CLOSED },
	{ .name = "client hash: postmap not run", .relay = "check_client_access hash:/t, reject_unauth_destination",
	  .t1 = "hash:/t", .t1text = "10.0.0.1 OK\n", .t1state = POSTFIX_RELAY_TABLE_STALE,
	  .want = RELAY_UNDETERMINED, .reason = "postmap_not_run" },
	{ .name = "stale map after the decision does not matter",
	  .relay = "reject_unauth_destination, check_client_access hash:/t", .t1 = "hash:/t",
	  .t1text = "unknown OK\n", .t1state = POSTFIX_RELAY_TABLE_STALE, .want = RELAY_CLOSED },
	{ .name = "client hash: compiled map missing: 451 when reached",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1state = POSTFIX_RELAY_TABLE_MISSING, .want = RELAY_CONFIG_ERROR,
	  .reason = "table_lookup_error" },
	{ .name = "compiled map without its source", .relay = "check_client_access lmdb:/t, reject_unauth_destination",
	  .t1 = "lmdb:/t", .t1state = POSTFIX_RELAY_TABLE_NO_SOURCE, .want = RELAY_UNDETERMINED,
	  .reason = "table_source_missing" },
	{ .name = "texthash with a duplicate key cannot be opened",
	  .relay = "check_sender_access texthash:/s, reject_unauth_destination", .t1 = "texthash:/s",
	  .t1text = "a@example.org OK\nA@example.org REJECT\n", .want = RELAY_CONFIG_ERROR,
	  .reason = "table_lookup_error" },
	{ .name = "hash with a duplicate key keeps the first",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "unknown REJECT\nunknown OK\n", .want = RELAY_CLOSED },
	{ .name = "postmap source: continuation line and comments",
	  .relay = "check_client_access btree:/t, reject_unauth_destination", .t1 = "btree:/t",
	  .t1text = "# comment\nunknown\n    OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: a pattern every name matches",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/./ OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: a trusted domain's names", .relay = "check_client_access pcre:/t, reject_unauth_destination",
	  .t1 = "pcre:/t", .t1text = "/\\.example\\.com$/ OK\n/^mx1\\.example\\.org$/ OK\n",
	  .want = RELAY_CLOSED },
	{ .name = "client pcre: a domain without a label boundary can be registered",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/example\\.com$/ OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: a name prefix the spammer can choose",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/^mail\\./ OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: a network prefix also matches names (192.168.x.evil.example)",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/(dsl|dynamic|pool)/ REJECT dynamic\n/^192\\.168\\./ OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: an anchored network matches no name",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/^192\\.168\\.[0-9]+\\.[0-9]+$/ OK\n/\\.10\\.\\d+$/ OK\n", .want = RELAY_CLOSED },
	{ .name = "client pcre: every address (IPv4)", .relay = "check_client_access pcre:/t, reject_unauth_destination",
	  .t1 = "pcre:/t", .t1text = "/^[0-9]+(\\.[0-9]+){3}$/ OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: a specific network is somebody else",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/^203\\.0\\.113\\.[0-9]{1,3}$/ OK\n", .want = RELAY_CLOSED },
	{ .name = "client pcre: if/endif around a catch-all",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "if /^unknown$/\n/./ OK\nendif\n", .want = RELAY_OPEN },
	{ .name = "client pcre: if block no client name enters",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "if /\\.example\\.com$/\n/./ OK\nendif\n", .want = RELAY_CLOSED },
	{ .name = "client pcre: negated domain pattern matches every spammer",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "!/\\.example\\.com$/ OK\n", .want = RELAY_OPEN },
	{ .name = "client pcre: result with $1 as the action is not evaluated",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/^(OK)$/ $1\n/^ok/ $1\n", .want = RELAY_UNDETERMINED, .reason = "table_not_evaluable" },
	{ .name = "client regexp: POSIX pattern for every name",
	  .relay = "check_client_access regexp:/t, reject_unauth_destination", .t1 = "regexp:/t",
	  .t1text = "/^.*$/ OK\n", .want = RELAY_OPEN },
	{ .name = "client regexp: /p1/!/p2/ within a trusted domain", .relay = "check_client_access regexp:/t, reject_unauth_destination",
	  .t1 = "regexp:/t", .t1text = "/\\.example\\.com$/!/^dsl/ OK\n", .want = RELAY_CLOSED },
	{ .name = "client regexp: /p1/!/p2/ taking unknown", .relay = "check_client_access regexp:/t, reject_unauth_destination",
	  .t1 = "regexp:/t", .t1text = "/^unknown$/!/x/ OK\n", .want = RELAY_OPEN },
	{ .name = "helo pcre: a permit any HELO can reach",
	  .relay = "check_helo_access pcre:/h, reject_unauth_destination", .t1 = "pcre:/h",
	  .t1text = "/^localhost$/ REJECT\n/^friend\\.example$/ OK\n", .want = RELAY_OPEN },
	{ .name = "helo pcre: a catch-all reject first",
	  .relay = "check_helo_access pcre:/h, reject_unauth_destination", .t1 = "pcre:/h",
	  .t1text = "/./ REJECT\n/^friend\\.example$/ OK\n", .want = RELAY_CLOSED },
	{ .name = "sender regexp: reject only", .relay = "check_sender_access regexp:/s, reject_unauth_destination",
	  .t1 = "regexp:/s", .t1text = "/@spam\\.example$/ REJECT\n", .want = RELAY_CLOSED },
	{ .name = "recipient pcre: a permit for some recipients may be a local domain",
	  .relay = "check_recipient_access pcre:/r, reject_unauth_destination", .t1 = "pcre:/r",
	  .t1text = "/@example\\.net$/ OK\n", .want = RELAY_UNDETERMINED, .reason = "recipient_table_permits" },
	{ .name = "recipient pcre: a permit for every recipient",
	  .relay = "check_recipient_access pcre:/r, reject_unauth_destination", .t1 = "pcre:/r",
	  .t1text = "/@/ OK\n", .want = RELAY_OPEN },
	{ .name = "recipient pcre returns a restriction class",
	  .relay = "check_recipient_access pcre:/r, reject_unauth_destination", .t1 = "pcre:/r",
	  .t1text = "/./ open_class\n", .cls = "open_class=permit", .want = RELAY_OPEN },
	{ .name = "client hash returns a restriction class that rejects",
	  .relay = "check_client_access hash:/t, permit", .recipient = "reject_unauth_destination",
	  .t1 = "hash:/t", .t1text = "unknown strict\n", .cls = "strict=reject", .want = RELAY_CLOSED },
	{ .name = "client inline: unknown key", .relay = "check_client_access inline:{ unknown=OK }, reject_unauth_destination",
	  .want = RELAY_OPEN },
	{ .name = "inline: last duplicate wins", .relay = "check_client_access inline:{ unknown=OK, unknown=REJECT }, reject_unauth_destination",
	  .want = RELAY_CLOSED },
	{ .name = "inline: a bad entry makes the table fail", .relay = "check_client_access inline:{ unknown OK }, reject_unauth_destination",
	  .want = RELAY_CONFIG_ERROR, .reason = "table_lookup_error" },
	{ .name = "fail: table", .relay = "check_client_access fail:x, reject_unauth_destination",
	  .want = RELAY_CONFIG_ERROR, .reason = "table_lookup_error" },
	{ .name = "remote table names the table", .relay = "check_client_access mysql:/etc/postfix/mysql-clients.cf, reject_unauth_destination",
	  .want = RELAY_UNDETERMINED, .reason = "table_remote", .detail_has = "mysql:/etc/postfix/mysql-clients.cf" },
	{ .name = "remote table after the decision", .relay = "reject_unauth_destination, check_client_access ldap:/etc/postfix/ldap.cf",
	  .want = RELAY_CLOSED },
	{ .name = "socketmap and tcp are remote", .relay = "check_sender_access socketmap:inet:127.0.0.1:9, check_client_access tcp:127.0.0.1:9, reject_unauth_destination",
	  .want = RELAY_UNDETERMINED, .reason = "table_remote" },
	{ .name = "proxy: reads the table behind it", .relay = "check_client_access proxy:hash:/t, reject_unauth_destination",
	  .t1 = "proxy:hash:/t", .t1text = "unknown OK\n", .want = RELAY_OPEN },
	{ .name = "mynetworks: unknown is every client without a name", .relay = DEFAULT_RELAY,
	  .mynetworks = "127.0.0.0/8 unknown", .want = RELAY_OPEN, .reason = "mynetworks_covers_all" },
	{ .name = "mynetworks: !unknown is avoided", .relay = DEFAULT_RELAY,
	  .mynetworks = "!unknown 127.0.0.0/8", .want = RELAY_CLOSED },
	{ .name = "mynetworks: a single label below which anyone may register", .relay = DEFAULT_RELAY,
	  .mynetworks = "127.0.0.0/8 com", .want = RELAY_UNDETERMINED, .reason = "mynetworks_not_evaluable" },
	{ .name = "mynetworks: single label without parent matching", .relay = DEFAULT_RELAY,
	  .mynetworks = "127.0.0.0/8 mailhub", .mynetworks_flat = true, .want = RELAY_CLOSED },
	{ .name = "mynetworks: localhost and names of hosts", .relay = DEFAULT_RELAY,
	  .mynetworks = "localhost mx.example.com .example.org", .want = RELAY_CLOSED },
	{ .name = "mynetworks pcre table matching every address", .relay = DEFAULT_RELAY,
	  .mynetworks = "pcre:/n", .t1 = "pcre:/n", .t1text = "/^[0-9.]+$/ x\n", .want = RELAY_OPEN },
	{ .name = "mynetworks hash table with unknown", .relay = DEFAULT_RELAY,
	  .mynetworks = "hash:/n", .t1 = "hash:/n", .t1text = "unknown x\n", .want = RELAY_OPEN },
	{ .name = "mynetworks table missing: 451", .relay = DEFAULT_RELAY,
	  .mynetworks = "cidr:/n", .t1 = "cidr:/n", .t1state = POSTFIX_RELAY_TABLE_MISSING,
	  .want = RELAY_CONFIG_ERROR, .reason = "table_lookup_error" },
	/* bounded work: a loop through a class is cut; a work budget ends the walk */
	{ .name = "class naming itself eight times", .relay = "permit_mynetworks, c, reject_unauth_destination",
	  .cls = "c=c c c c c c c c", .want = RELAY_CONFIG_ERROR, .reason = "nesting_too_deep" },
	{ .name = "class naming a table eight times", .relay = "permit_mynetworks, c, reject_unauth_destination",
	  .cls = "c=check_client_access cidr:/t check_client_access cidr:/t check_client_access cidr:/t "
		 "check_client_access cidr:/t check_client_access cidr:/t check_client_access cidr:/t",
	  .t1 = "cidr:/t", .t1text = "10.0.0.0/8 OK\n", .want = RELAY_CLOSED },
	{ .name = "work budget ends the walk", .relay = DEFAULT_RELAY, .mynetworks = LOOPBACK_NETS,
	  .work = 600, .want = RELAY_UNDETERMINED, .reason = "evaluation_too_complex" },
	{ .name = "work budget counts table bytes",
	  .relay = "check_client_access cidr:/t, reject_unauth_destination", .t1 = "cidr:/t",
	  .t1text = "# padding padding padding padding padding padding padding padding padding\n"
		    "# padding padding padding padding padding padding padding padding padding\n"
		    "10.0.0.0/8 OK\n", .work = 612, .want = RELAY_UNDETERMINED,
	  .reason = "evaluation_too_complex" },
	{ .name = "the same budget with a short table", .relay = "check_client_access cidr:/t, reject_unauth_destination",
	  .t1 = "cidr:/t", .t1text = "10.0.0.0/8 OK\n", .work = 612, .want = RELAY_CLOSED },
	/* a table named in a mynetworks /file, then again (the cache keeps its own name) */
	{ .name = "table named in a mynetworks file and again after it",
	  .relay = "permit_mynetworks, check_client_access cidr:/t, reject_unauth_destination",
	  .mynetworks = "/n cidr:/t", .t1 = "/n", .t1text = "cidr:/t\n", .t2 = "cidr:/t",
	  .t2text = "10.0.0.0/8 OK\n", .want = RELAY_CLOSED },
	/* the table readers of issue 15 charge the same budget: bytes parsed, entries, rules */
	{ .name = "work budget counts parsed postmap source bytes",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "# padding padding padding padding padding padding padding padding padding\n"
		    "# padding padding padding padding padding padding padding padding padding\n"
		    "10.0.0.1 OK\n", .work = 612, .want = RELAY_UNDETERMINED,
	  .reason = "evaluation_too_complex" },
	{ .name = "the same budget with a short postmap source",
	  .relay = "check_client_access hash:/t, reject_unauth_destination", .t1 = "hash:/t",
	  .t1text = "10.0.0.1 OK\n", .work = 612, .want = RELAY_CLOSED },
	{ .name = "work budget counts regex rules (64 a rule)",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/\\.example\\.com$/ OK\n/\\.example\\.net$/ OK\n", .work = 612, .want = RELAY_UNDETERMINED,
	  .reason = "evaluation_too_complex" },
	{ .name = "the same budget with one rule",
	  .relay = "check_client_access pcre:/t, reject_unauth_destination", .t1 = "pcre:/t",
	  .t1text = "/\\.example\\.com$/ OK\n", .work = 612, .want = RELAY_CLOSED },
};

/* Test-side list splitting: ", \t" with {} grouping (braces kept out). */
struct split {
	char buf[2048];
	const char *items[64];
	size_t n;
};

static void
split(struct split *s, const char *text)
{
	char *p = s->buf;

	s->n = 0;
	if (text == NULL)
		return;
	snprintf(s->buf, sizeof(s->buf), "%s", text);
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		s->items[s->n++] = p;
		for (int depth = 0; *p && (depth || (*p != ',' && *p != ' ' && *p != '\t')); p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth)
				depth--;
		}
	}
}

static bool
run_row(const struct row *r)
{
	struct split client, helo, sender, relay, rcpt, mn, clsitems;
	struct postfix_relay_input in;
	struct postfix_relay_class cls;
	struct postfix_relay_table tables[2];
	struct postfix_relay_verdict v;
	struct budget work;
	char clsname[64];
	size_t nt = 0;

	memset(&in, 0, sizeof(in));
	split(&client, r->client);
	split(&helo, r->helo);
	split(&sender, r->sender);
	split(&relay, r->relay ? r->relay : r->compat0 ? "" : DEFAULT_RELAY);
	split(&rcpt, r->recipient);
	split(&mn, r->mynetworks);
	in.client = (struct postfix_relay_list){ client.items, client.n };
	in.helo = (struct postfix_relay_list){ helo.items, helo.n };
	in.sender = (struct postfix_relay_list){ sender.items, sender.n };
	in.relay = (struct postfix_relay_list){ relay.items, relay.n };
	in.recipient = (struct postfix_relay_list){ rcpt.items, rcpt.n };
	in.mynetworks = (struct postfix_relay_list){ mn.items, mn.n };
	in.relay_set = r->relay != NULL;
	in.compat_below_1 = r->compat0;
	in.relay_before_recipient = !r->compat0;
	in.delay_reject = true;
	in.helo_required = r->helo_required;
	in.ipv4 = !r->v6only;
	in.ipv6 = r->v6 || r->v6only;
	in.access_parent = !r->access_flat;
	in.mynetworks_parent = !r->mynetworks_flat;
	in.proxy_read_all = true;
	if (r->cls) {
		const char *eq = strchr(r->cls, '=');

		snprintf(clsname, sizeof(clsname), "%.*s", eq ? (int)(eq - r->cls) : (int)strlen(r->cls), r->cls);
		split(&clsitems, eq ? eq + 1 : NULL);
		cls = (struct postfix_relay_class){ clsname, clsitems.items, clsitems.n, eq != NULL };
		in.classes = &cls;
		in.n_classes = 1;
	}
	if (r->t1)
		tables[nt++] = (struct postfix_relay_table){ r->t1, r->t1text, r->t1state };
	if (r->t2)
		tables[nt++] = (struct postfix_relay_table){ r->t2, r->t2text, POSTFIX_RELAY_TABLE_OK };
	in.tables = tables;
	in.n_tables = nt;
	if (r->work) {
		budget_init(&work, r->work);
		in.work = &work;
	}

	postfix_relay_evaluate(&in, &v);
	if (v.verdict != r->want || (r->reason && strcmp(v.reason, r->reason) != 0)
	    || (r->detail_has && strstr(v.detail, r->detail_has) == NULL)) {
		print_error("row \"%s\": got %s/%s (%s), want %s/%s%s%s\n", r->name,
			    relay_verdict_name(v.verdict), v.reason, v.detail,
			    relay_verdict_name(r->want), r->reason ? r->reason : "*",
			    r->detail_has ? " detail containing " : "",
			    r->detail_has ? r->detail_has : "");
		return false;
	}
	return v.reason != NULL && v.detail[0] != '\0';
}

static void
test_table(void **state)
{
	size_t bad = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!run_row(&rows[i]))
			bad++;
	assert_int_equal(bad, 0);
}

/*
 * A class that names itself three times after an item the environment
 * decides: walked again wherever it is named, 3^16 walks without a bound.
 * The class memo (a class met while it is being walked is a loop) and the
 * work budget (POSTFIX_RELAY_MAX_WORK) end it, undetermined, in well
 * under a second (10 s allowed for a loaded machine under ASan).
 */
static void
test_work_bounded(void **state)
{
	static const struct row r = {
		.name = "self-referencing class after a policy service",
		.relay = "cls, reject_unauth_destination",
		.cls = "cls=check_policy_service inet:127.0.0.1:9, cls, cls, cls",
		.want = RELAY_UNDETERMINED,
	};
	clock_t t0 = clock();

	(void)state;
	assert_true(run_row(&r));
	assert_true(clock() - t0 < 10 * CLOCKS_PER_SEC);
}

static void
collect_ref(const char *name, void *arg)
{
	char *out = arg;

	strcat(out, name);
	strcat(out, ";");
}

static void
test_table_refs(void **state)
{
	struct split relay, mn;
	struct postfix_relay_input in;
	char got[512] = "";

	memset(&in, 0, sizeof(in));
	split(&relay, "check_client_access cidr:/a, check_sender_access proxy:texthash:/b, check_policy_service inet:127.0.0.1:1, hash:/c, pcre:/e, regexp:/f, mysql:/g, inline:{a=b}, static:OK, LMDB:/h");
	split(&mn, "127.0.0.0/8 [::1]/128 /etc/nets !cidr:/d");
	in.relay = (struct postfix_relay_list){ relay.items, relay.n };
	in.mynetworks = (struct postfix_relay_list){ mn.items, mn.n };
	postfix_relay_table_refs(&in, collect_ref, got);
	assert_string_equal(got, "cidr:/a;proxy:texthash:/b;hash:/c;pcre:/e;regexp:/f;LMDB:/h;"
			    "/etc/nets;cidr:/d;");
}

static void
test_has_required(void **state)
{
	static const struct {
		const char *relay, *rcpt;
		bool want;
	} t[] = {
		{ "", "", false },
		{ "defer_unauth_destination", "", true },
		{ "", "reject_unauth_destination", true },
		{ "permit reject", "", false },
		{ "permit_mynetworks, DEFER", "", true },
		{ "defer_if_permit", "", true },
		{ "check_relay_domains", "", true },
		{ "warn_if_reject reject", "", false },
		{ "warn_if_reject reject reject", "", true },
		{ "permit", "reject", true },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct split a, b;
		struct postfix_relay_input in;

		memset(&in, 0, sizeof(in));
		split(&a, t[i].relay);
		split(&b, t[i].rcpt);
		in.relay = (struct postfix_relay_list){ a.items, a.n };
		in.recipient = (struct postfix_relay_list){ b.items, b.n };
		if (postfix_relay_has_required(&in) != t[i].want) {
			print_error("has_required(\"%s\", \"%s\") != %d\n", t[i].relay, t[i].rcpt, t[i].want);
			fail();
		}
	}
}


/* ---- the adapter from a parameter model ---- */

struct kv {
	const char *name, *value;
	bool set;
};

/* The names the adapter asked for that are no parameter of the table. */
static const char *unknown_asked[16];
static size_t n_unknown_asked;

static const char *
kv_get(const void *ctx, const char *name)
{
	if (postfix_param_by_name(name) < 0 && n_unknown_asked < 16)
		unknown_asked[n_unknown_asked++] = name;
	for (const struct kv *k = ctx; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k->value;
	return NULL;
}

static bool
kv_is_set(const void *ctx, const char *name)
{
	for (const struct kv *k = ctx; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k->set;
	return false;
}

static void
test_from_params(void **state)
{
	static const struct kv debian[] = {
		{ "compatibility_level", "3.6", true },
		{ "smtpd_relay_restrictions", "permit_mynetworks permit_sasl_authenticated defer_unauth_destination", true },
		{ "smtpd_recipient_restrictions", "", false },
		{ "smtpd_client_restrictions", "", false },
		{ "mynetworks", "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128", true },
		{ "smtpd_delay_reject", "yes", false },
		{ "smtpd_relay_before_recipient_restrictions", "yes", false },
		{ "inet_protocols", "all", true },
		{ NULL, NULL, false },
	};
	static const struct kv level0[] = {
		{ "smtpd_relay_restrictions", "", false },
		{ "smtpd_recipient_restrictions", "check_client_access static:OK, reject_unauth_destination", true },
		{ "inet_protocols", "ipv4", true },
		{ NULL, NULL, false },
	};
	static const struct kv classes[] = {
		{ "compatibility_level", "2", true },
		{ "smtpd_restriction_classes", "everyone, nobody", true },
		{ "everyone", "check_client_access cidr:/etc/postfix/all.cidr", true },
		{ "nobody", "", true },
		{ "smtpd_relay_restrictions", "permit_mynetworks, everyone, reject_unauth_destination", true },
		{ NULL, NULL, false },
	};
	struct postfix_relay_params p = { kv_get, kv_is_set, debian, NULL };
	struct postfix_relay_input in;
	struct postfix_relay_verdict v;
	struct arena ar;

	arena_init(&ar, 1 << 20);
	n_unknown_asked = 0;
	assert_int_equal(postfix_relay_input_from_params(&p, &ar, &in), 0);
	assert_int_equal(in.relay.n, 3);
	assert_string_equal(in.relay.items[2], "defer_unauth_destination");
	assert_int_equal(in.mynetworks.n, 3);
	assert_string_equal(in.mynetworks.items[1], "[::ffff:127.0.0.0]/104");
	assert_true(in.relay_set);
	assert_false(in.compat_below_1);
	assert_true(in.ipv4 && in.ipv6);
	postfix_relay_evaluate(&in, &v);
	assert_int_equal(v.verdict, RELAY_CLOSED);

	p.ctx = level0;	/* compatibility_level unset = 0 */
	assert_int_equal(postfix_relay_input_from_params(&p, &ar, &in), 0);
	assert_true(in.compat_below_1);
	assert_false(in.relay_set);
	assert_false(in.relay_before_recipient);
	assert_true(in.ipv4 && !in.ipv6);
	assert_string_equal(in.recipient.items[1], "static:OK");
	postfix_relay_evaluate(&in, &v);
	assert_int_equal(v.verdict, RELAY_OPEN);

	p.ctx = classes;
	assert_int_equal(postfix_relay_input_from_params(&p, &ar, &in), 0);
	assert_int_equal(in.n_classes, 2);
	{
		/* braces group anywhere in a token; a whole {group} loses them */
		static const struct kv braces[] = {
			{ "smtpd_relay_restrictions", "check_client_access static:{REJECT go away}, "
			  "check_policy_service { inet:127.0.0.1:9998, timeout=10s }, reject", true },
			{ NULL, NULL, false },
		};
		struct postfix_relay_params pb = { kv_get, kv_is_set, braces, NULL };
		struct postfix_relay_input ib;

		assert_int_equal(postfix_relay_input_from_params(&pb, &ar, &ib), 0);
		assert_int_equal(ib.relay.n, 5);
		assert_string_equal(ib.relay.items[1], "static:{REJECT go away}");
		assert_string_equal(ib.relay.items[3], "inet:127.0.0.1:9998, timeout=10s");
	}
	/* every name it asked for is a parameter of the table, but the
	 * classes' own names (they come from smtpd_restriction_classes) */
	for (size_t i = 0; i < n_unknown_asked; i++)
		if (strcmp(unknown_asked[i], "everyone") != 0 && strcmp(unknown_asked[i], "nobody") != 0)
			fail_msg("the relay adapter asked for \"%s\", which postfix_params[] lacks",
				 unknown_asked[i]);
	assert_int_equal(n_unknown_asked, 2);
	assert_string_equal(in.classes[0].name, "everyone");
	assert_int_equal(in.classes[0].n, 2);
	assert_string_equal(in.classes[0].items[1], "cidr:/etc/postfix/all.cidr");
	assert_false(in.classes[1].defined);
	postfix_relay_evaluate(&in, &v);
	assert_int_equal(v.verdict, RELAY_CONFIG_ERROR);
	assert_string_equal(v.reason, "restriction_class_undefined");
	arena_free(&ar);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_work_bounded),
		cmocka_unit_test(test_table_refs),
		cmocka_unit_test(test_has_required),
		cmocka_unit_test(test_from_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

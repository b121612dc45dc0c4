/*
 * sendmail_conf.h - pure model of sendmail.cf, sendmail.mc and the access
 * database text source, and the relay/hardening decisions taken from them.
 *
 * Nothing here does I/O: callers hand in buffers and get plain structs.
 *
 *   sendmail_cf_parse()     sendmail.cf -> daemons, options, rulesets, markers
 *   sendmail_mc_parse()     sendmail.mc -> FEATURE(...) and DAEMON_OPTIONS(...)
 *   sendmail_access_parse() /etc/mail/access -> Connect: RELAY networks
 *   sendmail_relay_eval()   the relay verdict and the relay-exposure findings
 *   sendmail_daemons_listen() which daemons get their socket (bind conflicts)
 *   sendmail_daemon_relay() one daemon's verdict (M=a, bind conflicts)
 *   sendmail_mc_cf_compare() what the .mc asks for that the .cf does not do
 *   sendmail_privacy_ok(), sendmail_greeting_reveals_version()
 *
 * The rules follow sendmail 8.17 (readcf.c, daemon.c, conf.c) and the m4
 * files of the sendmail-cf package; docs/sendmail.md states the model.
 *
 * Diagnostics: problems in the input are recorded in the result (diags,
 * with the 1-based line) for the caller to log with log_file_warn(); parsing
 * never fails on bad input, and every string and array is bounded.
 */
#ifndef MTA_SENDMAIL_CONF_H
#define MTA_SENDMAIL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/inaddr.h"

#define SENDMAIL_MAX_DAEMONS 64		/* MAXDAEMONS of the Debian build */
#define SENDMAIL_MAX_LINE 65536		/* longest logical line we keep */
#define SENDMAIL_MAX_DIAGS 32
#define SENDMAIL_MAX_FEATURES 64
#define SENDMAIL_MAX_ACCESS 64

struct sendmail_diag {
	unsigned line;			/* 0 = the whole file */
	char msg[160];
};

struct sendmail_diags {
	struct sendmail_diag d[SENDMAIL_MAX_DIAGS];
	size_t n;
	unsigned dropped;		/* diagnostics beyond the cap */
};

enum sendmail_family {
	SENDMAIL_FAMILY_INET,
	SENDMAIL_FAMILY_INET6,
	SENDMAIL_FAMILY_LOCAL,		/* AF_UNIX: not a network listener */
	SENDMAIL_FAMILY_OTHER,		/* iso, ns, x.25, unknown numbers */
};

enum sendmail_addr_kind {
	SENDMAIL_ADDR_ANY,		/* no Addr=: INADDR_ANY / in6addr_any */
	SENDMAIL_ADDR_NUMERIC,
	SENDMAIL_ADDR_HOSTNAME,		/* needs a resolver: not decided offline */
	SENDMAIL_ADDR_PATH,		/* Family=local socket path */
};

/* One O DaemonPortOptions= line (or the implicit default daemon). */
struct sendmail_daemon {
	unsigned line;			/* 0 = implicit (no line at all) */
	char name[64];			/* Name=, else "Daemon<n>" like sendmail */
	enum sendmail_family family;
	enum sendmail_addr_kind addr_kind;
	char addr[256];			/* Addr= as written, "" if absent */
	struct inaddr inaddr;		/* for ANY and NUMERIC */
	char port_text[64];		/* Port= as written, "" if absent */
	uint16_t port;			/* after service-name lookup; 25 default */
	bool port_guessed;		/* unknown service name: 25 assumed */
	char modifiers[64];		/* M= as written */
	char raw[256];			/* the option value, for .mc comparison */
};

/* A feature recognised in the .cf, by its m4 marker or by its rules. */
enum sendmail_feature {
	SENDMAIL_F_PROMISCUOUS_RELAY,
	SENDMAIL_F_RELAY_ENTIRE_DOMAIN,
	SENDMAIL_F_RELAY_BASED_ON_MX,
	SENDMAIL_F_RELAY_LOCAL_FROM,
	SENDMAIL_F_LOOSE_RELAY_CHECK,
	SENDMAIL_F_RELAY_HOSTS_ONLY,
	SENDMAIL_F_ACCESS_DB,
	SENDMAIL_F_NO_DEFAULT_MSA,
	SENDMAIL_F_COUNT,
};
const char *sendmail_feature_name(enum sendmail_feature f);

/* PrivacyOptions flags (conf.c PrivacyValues). */
#define SENDMAIL_PRIV_NOEXPN	0x0001u
#define SENDMAIL_PRIV_NOVRFY	0x0002u
#define SENDMAIL_PRIV_GOAWAY	0x0004u	/* the keyword itself */
#define SENDMAIL_PRIV_NOVERB	0x0008u
#define SENDMAIL_PRIV_NOETRN	0x0010u
#define SENDMAIL_PRIV_AUTHWARNINGS 0x0020u
#define SENDMAIL_PRIV_OTHER	0x8000u	/* recognised, not tracked */

struct sendmail_ruleset {
	char name[64];
	unsigned line;			/* of the S line */
	size_t n_rules;
	unsigned last_rule_line;
	bool last_rule_error;		/* last R line's RHS starts with $#error */
	bool first_rule_canonaddr;	/* first R line's RHS is $: $>CanonAddr */
};

struct sendmail_cf {
	struct sendmail_daemon daemons[SENDMAIL_MAX_DAEMONS];
	size_t n_daemons;
	bool daemons_implicit;		/* no DaemonPortOptions line at all */

	unsigned privacy;		/* SENDMAIL_PRIV_* (cumulative, like sendmail) */
	unsigned privacy_line;		/* last PrivacyOptions line, 0 = none */
	bool helpfile_set;
	char helpfile[256];
	unsigned helpfile_line;
	bool greeting_set;		/* SmtpGreetingMessage */
	char greeting[512];
	unsigned greeting_line;
	bool macro_e_set;		/* De... (old-style greeting macro) */
	char macro_e[512];
	unsigned macro_e_line;

	bool feature[SENDMAIL_F_COUNT];
	unsigned feature_line[SENDMAIL_F_COUNT];
	bool feature_marker[SENDMAIL_F_COUNT];	/* seen as "$Id: x.m4" comment */

	bool auth_anonymous;		/* AuthMechanisms lists ANONYMOUS */
	bool local_srv_features;	/* SLocal_srv_features has rules (LOCAL_SRV_FEATURES) */
	char access_map_type[16];	/* "hash" of "Kaccess hash ... /etc/mail/access", "" */

	bool has_check_rcpt;
	bool has_relay_ok;
	bool has_basic_check_rcpt;
	bool basic_check_rcpt_final_error;
	unsigned basic_check_rcpt_line;
	unsigned basic_check_rcpt_last_line;

	char server_cert[256];		/* O ServerCertFile, "" if unset */
	char server_key[256];		/* O ServerKeyFile */
	char dh_parameters[256];	/* O DHParameters */
	char server_ssl_options[256];	/* O ServerSSLOptions */
	char macro_j[256];		/* Dj, "" if not set in the file */

	unsigned n_lines;		/* physical lines */
	struct sendmail_diags diags;
};

/* Parse sendmail.cf; returns a malloc()ed struct (free()), NULL on ENOMEM. */
struct sendmail_cf *sendmail_cf_parse(const char *buf, size_t len);
/*
 * Option name lookup as sendmail does it: case-insensitive, exact name or a
 * unique prefix of a known option.  Returns the canonical name, or NULL
 * (unknown or ambiguous; *ambiguous tells which, may be NULL).
 */
const char *sendmail_option_lookup(const char *name, size_t len, bool *ambiguous);
/*
 * Parse one DaemonPortOptions value into d (index = position, for the
 * default "Daemon<index>" name).  Problems go to diags at line.
 */
void sendmail_daemon_parse(const char *value, size_t index, unsigned line,
			   struct sendmail_daemon *d, struct sendmail_diags *diags);

struct sendmail_mc_item {
	char name[256];			/* FEATURE name, or DAEMON_OPTIONS text */
	unsigned line;
};

struct sendmail_mc {
	struct sendmail_mc_item features[SENDMAIL_MAX_FEATURES];
	size_t n_features;
	struct sendmail_mc_item daemon_options[SENDMAIL_MAX_DAEMONS];
	size_t n_daemon_options;
	struct sendmail_diags diags;
};

/* Scan sendmail.mc (m4 comments and dnl honoured); malloc()ed, NULL on ENOMEM. */
struct sendmail_mc *sendmail_mc_parse(const char *buf, size_t len);
/* Line of FEATURE(name) in the .mc, 0 if absent. */
unsigned sendmail_mc_feature(const struct sendmail_mc *mc, const char *name);

struct sendmail_access_entry {
	struct inaddr net;
	unsigned prefixlen;
	unsigned line;
	bool tagged;			/* "Connect:" given (else untagged key) */
	bool broad;			/* see sendmail_access_parse() */
	bool internal;			/* no Internet client comes from it (lib/inaddr) */
	char key[64];
};

struct sendmail_access {
	struct sendmail_access_entry relay[SENDMAIL_MAX_ACCESS];	/* RELAY only */
	size_t n_relay;
	unsigned dropped;
	unsigned srv_features_no_auth;	/* line of a Srv_Features: value with 'L', 0 if none */
	struct sendmail_diags diags;
};

/*
 * Parse the text source of the access map: "key<ws>value" lines, # comments.
 * Keeps numeric Connect: (or untagged) keys whose value is RELAY.  A key is
 * broad when it covers more than an IPv4 /8 or IPv6 /32 of address space,
 * i.e. its prefix is at most that long; it is internal when the whole
 * network is private, loopback, link-local or otherwise reserved
 * (inaddr_prefix_is_internal()): no Internet client can come from it.
 * A "Srv_Features:" entry whose value holds 'L' (the srv_features ruleset
 * then lifts M=a's "authentication required", srvrsmtp.c srvfeatures())
 * is remembered by its line.
 */
struct sendmail_access *sendmail_access_parse(const char *buf, size_t len);

/* Relay verdicts (values match enum relay_verdict in collector.h). */
enum sendmail_relay {
	SENDMAIL_RELAY_CLOSED,
	SENDMAIL_RELAY_OPEN,
	SENDMAIL_RELAY_UNDETERMINED,
	SENDMAIL_RELAY_CONFIG_ERROR,	/* the daemon answers nobody */
};

#define SENDMAIL_MAX_FINDINGS 8

struct sendmail_relay_result {
	enum sendmail_relay verdict;
	const char *reason;		/* stable code, see docs/sendmail.md */
	char detail[256];
	bool promiscuous;
	const char *findings[SENDMAIL_MAX_FINDINGS];	/* relay exposure codes */
	size_t n_findings;
};

/* access may be NULL (no text source). */
void sendmail_relay_eval(const struct sendmail_cf *cf,
			 const struct sendmail_access *access,
			 struct sendmail_relay_result *out);

/*
 * Which daemons get a listening socket (daemon.c getrequests() and
 * opendaemonsocket()): sendmail binds every daemon's socket first (with
 * SO_REUSEADDR, so binds do not collide), then listens on them in .cf
 * order.  A daemon whose port is already held by an earlier listening
 * daemon (same family and address, either one the wildcard, or an IPv6
 * wildcard that takes IPv4 too because bindv6only is 0, or an IPv4-mapped
 * address) fails with EADDRINUSE, which sendmail counts as transient: it
 * retries every 5 s, ten times, accepting no connection on any daemon
 * meanwhile, then exits ("server SMTP socket wedged"); later daemons never
 * listen.  An optional daemon (M=O) is disabled instead and the others go
 * on.  Daemons given by host name are not compared (not resolved offline).
 */
struct sendmail_listen {
	bool listens[SENDMAIL_MAX_DAEMONS];	/* gets its socket */
	bool clash[SENDMAIL_MAX_DAEMONS];	/* its port is held by daemon clash_with[i] */
	size_t clash_with[SENDMAIL_MAX_DAEMONS];
	bool wedged;				/* a non-optional daemon cannot listen */
	size_t n_conflicts;
};

void sendmail_daemons_listen(const struct sendmail_cf *cf, bool bindv6only,
			     struct sendmail_listen *out);

/* M=a on the daemon (D_AUTHREQ): MAIL is answered 530 before AUTH. */
bool sendmail_daemon_requires_auth(const struct sendmail_daemon *d);

/*
 * The verdict for daemon i: a daemon that cannot listen, or any daemon of
 * a wedged sendmail, answers nobody (config error, reason
 * daemon_bind_conflict); a daemon with M=a refuses MAIL before AUTH
 * (srvrsmtp.c, "530 5.7.0 Authentication required"), closed, reason
 * auth_required, unless AuthMechanisms offers ANONYMOUS or a srv_features
 * rule may lift the requirement (access may be NULL); else the .cf's
 * verdict (global).  out gets verdict, reason and detail.
 */
void sendmail_daemon_relay(const struct sendmail_cf *cf, const struct sendmail_access *access,
			   const struct sendmail_relay_result *global,
			   const struct sendmail_listen *ls, size_t i,
			   struct sendmail_relay_result *out);

#define SENDMAIL_MAX_MISMATCH 8

struct sendmail_mismatch {
	const char *codes[SENDMAIL_MAX_MISMATCH];	/* e.g. "promiscuous_relay" */
	size_t n;
	char detail[256];
};

/* Compare what the .mc configures with what the .cf contains. */
void sendmail_mc_cf_compare(const struct sendmail_mc *mc, const struct sendmail_cf *cf,
			    struct sendmail_mismatch *out);

/* GEN004660/GEN004680: goaway, or both noexpn and novrfy. */
bool sendmail_privacy_ok(unsigned privacy);
/*
 * The greeting sendmail sends (SmtpGreetingMessage, else the $e macro, else
 * the built-in "$j Sendmail $v ready at $b"); *text receives it.
 * Returns true if it reveals the version ($v, $Z, or a literal x.y.z).
 */
bool sendmail_greeting_reveals_version(const struct sendmail_cf *cf, const char **text);

/*
 * GEN004540: SMTP HELP answers with text only when HelpFile names a file
 * with content (srvrsmtp.c help()); file_has_content is what the caller
 * found at cf->helpfile.
 */
bool sendmail_help_enabled(const struct sendmail_cf *cf, bool file_has_content);

/*
 * TLS (sendmail/tls.c inittls(), 8.17): sendmail_dh_bits() - what
 * DHParameters means: unset or "i" a precomputed 2048-bit group, "2..."
 * and "1..." groups of 2048/1024 bits generated at start, "5..." a 512-bit
 * one, "none" no DHE, "/file" the file (0 bits: read it); *source
 * "builtin", "file" or "none".  sendmail_ssl_versions() - the TLSINFO_BIT
 * mask ServerSSLOptions leaves OpenSSL 3 (+SSL_OP_NO_TLSv1 and the like
 * switch versions off, -... on again; no SSLv3).
 */
unsigned sendmail_dh_bits(const char *value, const char **source);
unsigned sendmail_ssl_versions(const char *options);

/* Well-known TCP service names (Debian /etc/services); -1 if unknown. */
int sendmail_service_port(const char *name);

#endif

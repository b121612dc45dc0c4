/*
 * postfix_params.h - the Postfix parameters the exporter knows: each name
 * written once, with its built-in defaults by version and where Postfix
 * defines them (docs/postfix-defaults.md explains every row).
 *
 * Code asks for a parameter through its symbol (enum postfix_param_id):
 * the effective value of POSTFIX_P_DISABLE_VRFY_COMMAND, never of the
 * string "disable_vrfy_command", so a misspelt name does not compile
 * instead of silently reading as "".  Names reach the table as strings
 * only where they come from the configuration itself ($name expansion,
 * smtpd_restriction_classes, a test driver's command line):
 * postfix_param_by_name().
 *
 * Pure data and lookups; no diagnostics (an unknown name is -1 / NULL).
 */
#ifndef MTA_POSTFIX_PARAMS_H
#define MTA_POSTFIX_PARAMS_H

#include <stddef.h>

/* major*1000000 + minor*1000 + patch; "3.7.11-0+deb12u1" -> 3007011. */
#define POSTFIX_VERSION(ma, mi, pa) ((unsigned)(ma) * 1000000u + (unsigned)(mi) * 1000u + (unsigned)(pa))
#define POSTFIX_VERSION_NEWEST POSTFIX_VERSION(999, 0, 0)

enum postfix_param_id {
	POSTFIX_P_COMPATIBILITY_LEVEL,
	POSTFIX_P_INET_INTERFACES,
	POSTFIX_P_INET_PROTOCOLS,
	POSTFIX_P_PROXY_INTERFACES,
	POSTFIX_P_MYNETWORKS_STYLE,
	POSTFIX_P_MYNETWORKS,
	POSTFIX_P_MYHOSTNAME,
	POSTFIX_P_MYDOMAIN,
	POSTFIX_P_MAIL_VERSION,
	POSTFIX_P_MAIL_NAME,
	POSTFIX_P_MYORIGIN,
	POSTFIX_P_MYDESTINATION,
	POSTFIX_P_RELAY_DOMAINS,
	POSTFIX_P_VIRTUAL_ALIAS_DOMAINS,
	POSTFIX_P_VIRTUAL_ALIAS_MAPS,
	POSTFIX_P_VIRTUAL_MAPS,
	POSTFIX_P_VIRTUAL_MAILBOX_DOMAINS,
	POSTFIX_P_VIRTUAL_MAILBOX_MAPS,
	POSTFIX_P_RELAYHOST,
	POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS,
	POSTFIX_P_SMTPD_HELO_RESTRICTIONS,
	POSTFIX_P_SMTPD_SENDER_RESTRICTIONS,
	POSTFIX_P_SMTPD_RELAY_RESTRICTIONS,
	POSTFIX_P_SMTPD_RECIPIENT_RESTRICTIONS,
	POSTFIX_P_SMTPD_RESTRICTION_CLASSES,
	POSTFIX_P_SMTPD_RELAY_BEFORE_RECIPIENT_RESTRICTIONS,
	POSTFIX_P_SMTPD_DELAY_REJECT,
	POSTFIX_P_DISABLE_VRFY_COMMAND,
	POSTFIX_P_SMTPD_HELO_REQUIRED,
	POSTFIX_P_SMTPD_BANNER,
	POSTFIX_P_SMTPD_TLS_SECURITY_LEVEL,
	POSTFIX_P_SMTPD_USE_TLS,
	POSTFIX_P_SMTPD_ENFORCE_TLS,
	POSTFIX_P_SMTPD_TLS_AUTH_ONLY,
	POSTFIX_P_SMTPD_TLS_CERT_FILE,
	POSTFIX_P_SMTPD_TLS_KEY_FILE,
	POSTFIX_P_SMTPD_TLS_CHAIN_FILES,
	POSTFIX_P_SMTPD_TLS_ECCERT_FILE,
	POSTFIX_P_SMTPD_TLS_ECKEY_FILE,
	POSTFIX_P_SMTPD_TLS_DH1024_PARAM_FILE,
	POSTFIX_P_SMTPD_TLS_PROTOCOLS,
	POSTFIX_P_SMTPD_TLS_MANDATORY_PROTOCOLS,
	POSTFIX_P_SMTPD_TLS_CIPHERS,
	POSTFIX_P_SMTPD_TLS_MANDATORY_CIPHERS,
	POSTFIX_P_SMTPD_TLS_WRAPPERMODE,
	POSTFIX_P_SMTPD_TLS_LOGLEVEL,
	POSTFIX_P_SMTP_TLS_SECURITY_LEVEL,
	POSTFIX_P_SMTP_USE_TLS,
	POSTFIX_P_SMTP_ENFORCE_TLS,
	POSTFIX_P_SMTP_TLS_LOGLEVEL,
	POSTFIX_P_SMTP_SASL_AUTH_ENABLE,
	POSTFIX_P_SMTP_SASL_SECURITY_OPTIONS,
	POSTFIX_P_SMTPD_SASL_AUTH_ENABLE,
	POSTFIX_P_SMTPD_SASL_SECURITY_OPTIONS,
	POSTFIX_P_SMTPD_SASL_TYPE,
	POSTFIX_P_SMTPD_CLIENT_CONNECTION_COUNT_LIMIT,
	POSTFIX_P_SMTPD_CLIENT_CONNECTION_RATE_LIMIT,
	POSTFIX_P_ANVIL_RATE_TIME_UNIT,
	POSTFIX_P_SYSLOG_NAME,
	POSTFIX_P_MULTI_INSTANCE_DIRECTORIES,
	POSTFIX_P_MULTI_INSTANCE_ENABLE,
	POSTFIX_P_MULTI_INSTANCE_NAME,
	POSTFIX_P_MULTI_INSTANCE_GROUP,
	POSTFIX_P_KNOWN_TCP_PORTS,
	POSTFIX_P_PARENT_DOMAIN_MATCHES_SUBDOMAINS,
	POSTFIX_P_PROXY_READ_MAPS,
	POSTFIX_P_COUNT
};

#define POSTFIX_PARAM_RANGES 2		/* version ranges a parameter's default has at most */

/* The default of one parameter for a range of Postfix versions. */
struct postfix_default {
	unsigned min_version;		/* applies from this Postfix version ... */
	unsigned max_version;		/* ... up to and including this one */
	const char *value;		/* unexpanded, as "postconf -d" shows; NULL = computed */
	const char *source;		/* where Postfix defines it; NULL = no such range */
};

struct postfix_param_def {
	const char *name;
	struct postfix_default dflt[POSTFIX_PARAM_RANGES];
};

/* Indexed by enum postfix_param_id (designated initialisers). */
extern const struct postfix_param_def postfix_params[];

/* The name of a parameter. */
const char *postfix_param_name(enum postfix_param_id id);
/* The id of the parameter called name, or -1 when the table does not have it. */
int postfix_param_by_name(const char *name);
/* Its default for that version; NULL when it is no parameter of that version. */
const struct postfix_default *postfix_param_default(enum postfix_param_id id, unsigned version);
/* The same by name (configuration names); NULL also for an unknown name. */
const struct postfix_default *postfix_default_find(const char *name, unsigned version);

#endif

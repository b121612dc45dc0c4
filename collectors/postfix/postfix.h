/*
 * postfix.h - the Postfix collector and its facts, which the Postfix
 * checks read (facts->mta[MTA_POSTFIX].priv points at a struct
 * postfix_facts; postfix_checks.c).
 *
 * The facts keep the parsed configuration of every instance (the default
 * one and each multi_instance_directories entry); effective values are
 * computed on demand with postfix_param(), which applies Postfix's lookup
 * order: that service's master.cf -o overrides, main.cf, the built-in
 * default for the detected version, then expansion.  The collector also
 * fills, for every smtpd inet service, its relay verdict (postfix_relay.h,
 * with the tables it names read through fileio), both in the facts and in
 * facts->mta[MTA_POSTFIX].relays, as the other MTA collectors do.
 *
 * Lifetime: the facts are malloc()ed by the collector and stay valid until
 * the next scrape (or fini), which frees them.
 *
 * Also here, pure and exposed for tests: the mynetworks_style computation
 * and the mynetworks item parser.
 *
 * Diagnostics: what postconf would warn about is collected with its file
 * and line in each instance's diags; the collector logs them
 * (log_file_warn) and counts them in postfix_config_warnings.  A file that
 * exists but cannot be read fails the collector.
 */
#ifndef MTA_POSTFIX_H
#define MTA_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/core/collector.h"
#include "collectors/postfix/postfix_conf.h"
#include "collectors/postfix/postfix_master.h"
#include "collectors/postfix/postfix_relay.h"
#include "collectors/postfix/postfix_resolve.h"
#include "lib/budget.h"
#include "lib/hash.h"

/* Bytes scanned and written by all expansions of one scrape, every instance. */
#define POSTFIX_EXPAND_WORK_PER_SCRAPE (32u << 20)
/* Work units of all relay evaluations of one scrape (postfix_relay.h). */
#define POSTFIX_RELAY_WORK_PER_SCRAPE (32u << 20)

struct postfix_instance {
	char *config_directory;		/* as Postfix sees it (no rootfs) */
	char *label;			/* "" for the default instance, else
					 * multi_instance_name or the directory */
	char *main_path, *master_path;	/* for diagnostics (with rootfs) */
	struct postfix_dict main;
	struct postfix_master master;
	bool have_main, have_master;
	char *mynetworks_default;	/* from mynetworks_style, NULL = unknown */
	char *mn_style, *mn_ifs, *mn_protos;	/* its inputs (expanded), NULL = unknown */
	struct ifaddr *ifaddrs;		/* copy of the host's addresses */
	size_t n_ifaddrs;
	bool ifaddrs_known;
	struct postfix_hosts hosts;	/* the root's /etc/hosts (not owned) */
	struct postfix_env env;		/* main.cf-level environment */
	struct postfix_diags diags;
};

/*
 * One smtpd (or postscreen) inet service of an instance: what a relay
 * verdict and the per-service checks are about.
 */
struct postfix_smtpd {
	const struct postfix_instance *inst;
	const struct postfix_service *svc;	/* whose -o apply: for postscreen, the
						 * smtpd "pass" service behind it */
	const char *name;			/* "<instance>/<service>"; the service
						 * alone in the default instance */
	struct postfix_relay_input relay_in;	/* its restriction lists, tables read */
	struct postfix_relay_verdict relay;
};

struct postfix_facts {
	unsigned version;		/* POSTFIX_VERSION(); NEWEST if unknown */
	char version_str[64];		/* dpkg version, or "unknown" */
	char hostname[256];
	struct postfix_instance *inst;	/* [0] = the default instance */
	size_t n_inst;
	/* Set when the collector succeeded (per-scrape memory, sc->arena): */
	const struct postfix_instance *main_inst;	/* first with a main.cf: "main.cf" */
	struct postfix_smtpd *smtpd;	/* every instance's smtpd inet services */
	size_t n_smtpd;
	bool tls_cert_present;		/* main_inst's smtpd_tls_cert_file exists */
	bool tls_key_present;		/* ... its smtpd_tls_key_file (default: the cert) */
	char *hosts_text;		/* the root's /etc/hosts (NULL: none), which
					 * host names resolve with (postfix_resolve.h) */
	size_t hosts_len;
	struct budget expand_work;	/* shared by every expansion of this scrape */
	struct budget relay_work;	/* shared by every relay evaluation of this scrape */
	struct hash_index endpoint_ix;	/* facts->mta[MTA_POSTFIX].endpoints, for duplicates */
	bool endpoints_full;		/* POSTFIX_MAX_ENDPOINTS reached (a limit, reported) */
};

/* Host inputs for loading (tests fill them by hand). */
struct postfix_host {
	const char *rootfs;		/* "/" or "" = none */
	const char *hostname;
	unsigned version;
	const struct ifaddr *ifaddrs;	/* NULL + !ifaddrs_known = unknown */
	size_t n_ifaddrs;
	bool ifaddrs_known;
	struct postfix_hosts hosts;	/* /etc/hosts text; must outlive the instance */
	struct budget *expand_work;	/* shared expansion budget, or NULL */
};

/*
 * Load one instance from config_directory (under host->rootfs).  Returns 0
 * (also when main.cf is absent: have_main false) or -1 on a read error.
 * Diagnostics go to inst->diags.
 */
int postfix_instance_load(struct postfix_instance *inst, const char *config_directory,
			  const char *label, const struct postfix_host *host);
void postfix_instance_free(struct postfix_instance *inst);

/*
 * Effective, expanded value of a parameter, for one service (svc may be
 * NULL for main.cf).  malloc()ed; NULL if it is no parameter of that
 * version or the expansion failed (reported in inst->diags).
 */
char *postfix_param(const struct postfix_instance *inst, const struct postfix_service *svc,
		    enum postfix_param_id id);
/* The same for a name that comes from outside (a restriction class, a test driver). */
char *postfix_param_named(const struct postfix_instance *inst, const struct postfix_service *svc,
			  const char *name);

/* True for valid, current inet services run by smtpd or postscreen. */
bool postfix_service_is_smtp(const struct postfix_service *svc);

/* ---- mynetworks ---- */

enum postfix_net_kind {
	POSTFIX_NET_CIDR,		/* net/prefixlen is valid */
	POSTFIX_NET_HOST,		/* a hostname: unresolvable offline */
	POSTFIX_NET_FILE,		/* /file/name (items read from it follow) */
	POSTFIX_NET_TABLE,		/* type:table (cidr:/texthash: keys follow) */
	POSTFIX_NET_BAD,		/* unparseable */
};

struct postfix_net {
	enum postfix_net_kind kind;
	bool negate;			/* !pattern */
	struct inaddr net;
	unsigned prefixlen;
	char text[256];			/* the item as written */
};

/* Classify one mynetworks item (pure; no file access). */
void postfix_net_parse(const char *item, struct postfix_net *out);

/*
 * global/mynetworks.c: the default mynetworks for a style ("host",
 * "subnet", "class") over the given interface addresses, keeping only the
 * families in inet_protocols and, unless inet_interfaces is "all", the
 * addresses it lists ("loopback-only" = loopback addresses; host names
 * resolved with postfix_resolve() over hosts, which may be NULL).
 * malloc()ed "127.0.0.0/8 [::1]/128" text, or NULL on a bad style or a
 * name /etc/hosts does not resolve (the default is then unknown).
 */
char *postfix_mynetworks_default(const char *style, const char *inet_interfaces,
				 const char *inet_protocols, const struct ifaddr *ifa,
				 size_t n_ifa, const struct postfix_hosts *hosts);

/*
 * mynetworks for a service, fully parsed: items of the expanded list, with
 * /file/name and cidr:/texthash: tables read (under rootfs) and their
 * entries appended.  Returns a malloc()ed array (*n entries); *unknown is
 * set when the value depends on interface addresses that were not
 * collected.
 */
struct postfix_net *postfix_mynetworks(const struct postfix_instance *inst,
				       const struct postfix_service *svc,
				       const char *rootfs, size_t *n, bool *unknown);

/* ---- relay verdicts ---- */

/*
 * Read the tables a relay input names (cidr:, texthash:, mynetworks
 * /file/name) under rootfs through fileio, into ar, and point in->tables at
 * them.  An unreadable table stays in the list with text NULL (the
 * evaluator then says "undetermined") and is logged.  -1 on memory.
 */
int postfix_relay_load_tables(const char *rootfs, struct arena *ar,
			      struct postfix_relay_input *in);

/*
 * One service's relay verdict from a parameter model (p: that service's
 * effective parameters): its input (postfix_relay_input_from_params), the
 * tables it names read under rootfs, evaluated.  The collector's model is
 * the instance's; tests/tools/postfix_relay_eval's is postconf's.  -1 on
 * memory.
 */
int postfix_relay_verdict_of(const struct postfix_relay_params *p, const char *rootfs,
			     struct arena *ar, struct budget *work,
			     struct postfix_relay_input *in, struct postfix_relay_verdict *out);

extern const struct collector collector_postfix;

#endif

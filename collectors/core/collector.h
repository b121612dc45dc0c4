/*
 * collector.h - the collector interface and the facts collectors share.
 *
 * A collector is one entry in the table in exporter/registry.c (the
 * program decides which collectors it has); table order is execution
 * order, and "checks" runs last because it only reads what the others left
 * in struct facts.  A collector:
 *   - declares its own command-line flags (struct collector_flag), which the
 *     option parser registers as --<name>.<flag>;
 *   - declares the capabilities its collect() needs (caps), which the
 *     program keeps when it drops privileges (exporter/privs.c);
 *   - validates them in init() (called once at startup with the
 *     struct collector_env every collector sees; return -1 with a logged
 *     reason and the exporter exits with status 2);
 *   - in collect(), reads its source, fills its part of struct facts and
 *     emits its metrics; it returns 0 on success and -1 on failure (after
 *     logging why).  A missing MTA is a fact, not a failure.
 * The framework times each collect() and emits
 * mta_exporter_collector_{duration_seconds,success}.
 *
 * Everything a collector allocates for one scrape comes from sc->arena and
 * is released after the scrape; state kept across scrapes (caches) belongs
 * to the collector and is released in fini().
 */
#ifndef MTA_COLLECTOR_H
#define MTA_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/exposition/metrics.h"
#include "lib/arena.h"
#include "lib/inaddr.h"
#include "lib/tlsclient.h"
#include "lib/tlsfile.h"

#define COLLECTOR_MAX 16	/* entries collector_table may have */

/*
 * What every collector is told about the run (set from the command line:
 * exporter/options.c).  Collectors read nothing else of the options.
 */
struct collector_env {
	const char *rootfs;	/* --path.rootfs: prefix of every file read ("/") */
	const char *procfs;	/* --path.procfs: the audited host's procfs ("/proc") */
	bool serving;		/* a long-running server: background work (live TLS
				 * handshakes) may run; false for --once and audit */
	bool enabled[COLLECTOR_MAX];	/* indexed like collector_table */
};

struct collector_flag {
	const char *name;	/* full flag name without "--", e.g. "listeners.ports" */
	const char *help;
	const char *defval;	/* shown in --help; *value starts as this */
	const char **value;	/* where the parser stores the string */
};

/* The MTAs audited; each has a descriptor (collectors/core/mta.h). */
enum mta_kind { MTA_POSTFIX, MTA_EXIM, MTA_SENDMAIL, MTA_COUNT };

/* A listening TCP socket on an audited port, as the kernel reports it. */
struct listener {
	struct inaddr addr;
	uint16_t port;
	bool v6only;		/* IPV6_V6ONLY (only meaningful for AF_INET6 wildcards) */
	uint32_t inode;
	uint32_t uid;
	uint32_t ifindex;	/* SO_BINDTODEVICE, 0 if none */
	char ifname[16];
	bool loopback;		/* after the lo-binding rule */
	char addrstr[INADDR_STRLEN];	/* as bound, e.g. "0.0.0.0", "::1" */
	char process[16];	/* comm of the owner, "" if unknown */
};

/* A host interface address (RTM_GETADDR). */
struct ifaddr {
	struct inaddr addr;
	unsigned prefixlen;
	unsigned scope;		/* RT_SCOPE_* */
	uint32_t ifindex;
	char ifname[16];
};

/* A configured listening endpoint of an MTA service. */
struct mta_endpoint {
	const char *instance;	/* "" for the default instance */
	const char *service;	/* postfix master.cf name, sendmail Name=, "exim" */
	const char *address;	/* textual, as configured ("0.0.0.0", "::", host) */
	struct inaddr addr;	/* parsed when address is numeric */
	bool numeric;		/* addr is valid */
	bool wildcard;
	bool loopback;
	uint16_t port;
};

enum relay_verdict {
	RELAY_CLOSED,
	RELAY_OPEN,
	RELAY_UNDETERMINED,
	RELAY_CONFIG_ERROR,	/* the service would not start / answers nothing */
};

/* "closed", "open", "undetermined", "config_error": the one spelling (audit, tools). */
const char *relay_verdict_name(enum relay_verdict v);

struct mta_relay {
	const char *instance;
	const char *service;
	enum relay_verdict verdict;
	const char *reason;	/* stable short code */
	const char *detail;	/* human text */
};

enum check_status {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_NOT_APPLICABLE,
	CHECK_ERROR,
};

#define CHECK_MAX_REASONS 16

/*
 * What a compliance check is, as the exposition and the audit show it: one
 * catalogue row's fixed part (struct check_row, collectors/core/check.h,
 * embeds it).
 */
struct check_info {
	const char *id;		/* stable, e.g. "postfix_vrfy_disabled" */
	const char *title;
	const char *source;	/* the benchmark or guide it comes from */
	const char *severity;	/* "critical", "warning", "info" */
	const char *remediation;
};

/* A check's outcome in one scrape (decided by collectors/checks/). */
struct check_result {
	const char *id;
	const struct check_info *info;	/* its catalogue row */
	enum check_status status;
	const char *reasons[CHECK_MAX_REASONS];	/* stable finding codes */
	size_t n_reasons;
	const char *detail;	/* human text, may be NULL */
};

#define MTA_TLS_MAX_CERTS 4

/* One certificate (and its key) a service is configured with. */
struct mta_tls_cert {
	const char *cert_path;		/* as configured */
	const char *key_path;		/* as configured (the same file when the key is in it) */
	struct tlsfile cert;		/* cert_path described (lib/tlsfile.h) */
	struct tlsfile key;		/* key_path described */
};

/*
 * TLS as one service's configuration sets it up (static: from files only).
 * Filled by the MTA's collector; the tls collector and the tls_* checks
 * read it (collectors/tls/).
 */
struct mta_tls {
	const char *service;		/* as in endpoints[].service */
	bool offered;			/* the configuration offers STARTTLS or implicit TLS */
	const char *hostname;		/* the name the certificates should cover; "" unknown */
	struct mta_tls_cert certs[MTA_TLS_MAX_CERTS];
	size_t n_certs;
	const char *certs_note;		/* why the certificates are unknown (run-time
					 * expansion, a generated one), or NULL */
	unsigned dh_bits;		/* finite-field DH group bits; 0 unknown or none */
	const char *dh_source;		/* "file", "builtin", "auto", "none" (no DHE) */
	const char *dh_path;		/* the parameter file, for "file" */
	unsigned versions;		/* TLSINFO_BIT mask the settings enable */
	bool versions_known;
	const char *versions_setting;	/* "smtpd_tls_protocols = >=TLSv1", for notes */
};

/*
 * The live view of one service: the last background handshakes with one of
 * its listening sockets (collectors/tls/).
 */
struct mta_tls_live {
	enum mta_kind mta;
	const char *service;
	char address[INADDR_STRLEN];	/* connected to (loopback for a wildcard) */
	uint16_t port;
	double timestamp;		/* when the round ended, Unix seconds */
	struct tlsclient_result main;	/* the default offer */
	struct tlsclient_result dhe;	/* TLS 1.2 DHE only (the seed's EDH check) */
	int accepted[TLSINFO_V_COUNT];	/* pinned handshakes: 1 accepted, 0 refused, -1 unknown */
};

struct mta_facts {
	bool detected;
	bool collected;		/* the collector ran and succeeded */
	bool bound_all;
	bool local_only;
	struct mta_endpoint *endpoints;
	size_t n_endpoints;
	struct mta_relay *relays;
	size_t n_relays;
	unsigned config_warnings;
	struct mta_tls *tls;	/* one per service the configuration names, TLS or not */
	size_t n_tls;
	void *priv;		/* MTA-specific facts, read only by that MTA's module */
};

struct facts {
	int64_t now;		/* when the scrape began, Unix seconds (checks compare dates) */
	bool listeners_collected;
	const uint16_t *ports;	/* audited ports */
	size_t n_ports;
	struct listener *listeners;	/* sockets on audited ports only */
	size_t n_listeners;
	struct ifaddr *ifaddrs;	/* host interface addresses (may be NULL) */
	size_t n_ifaddrs;
	bool ifaddrs_collected;
	bool listeners_replayed;	/* the sockets come from a recording (--netlink.replay) */
	struct mta_facts mta[MTA_COUNT];
	bool tls_live_collected;	/* the tls collector ran (results may still be none) */
	const struct mta_tls_live *tls_live;	/* its last results, per scrape copy */
	size_t n_tls_live;
	struct check_result *checks;	/* the checks collector's results (audit) */
	size_t n_checks;
};

struct scrape_ctx {
	const struct collector_env *env;
	struct metrics *m;
	struct facts *facts;
	struct arena *arena;	/* per-scrape memory */
};

struct collector {
	const char *name;
	const char *help;	/* one line, shown on / and in --help */
	bool default_enabled;
	const struct collector_flag *flags;	/* NULL-name-terminated, or NULL */
	uint64_t caps;		/* capabilities collect() needs (1ull << CAP_*), kept after --runas */
	int (*init)(const struct collector_env *env);
	int (*collect)(struct scrape_ctx *sc);
	void (*fini)(void);
};

/*
 * The table, defined by the program (exporter/registry.c): at most
 * COLLECTOR_MAX entries, NULL-terminated.
 */
extern const struct collector *const collector_table[];
extern const size_t collector_count;

/* collector_index - the table index of the collector named name, or -1. */
int collector_index(const char *name);
/* collector_flag_absolute - for init(): 0, or -1 (logged) when the flag's value is no absolute path. */
int collector_flag_absolute(const struct collector_flag *f);
/* collector_enabled - whether c is in the table and enabled in env. */
bool collector_enabled(const struct collector_env *env, const struct collector *c);

#endif

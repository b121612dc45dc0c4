/*
 * postfix_master.h - Postfix master.cf, parsed as postconf and master do.
 *
 * Pure code: a buffer in, a service table out.  Rules followed:
 *   - logical lines as main.cf (postfix_lline_next);
 *   - fields split on blanks with {} grouping (postconf argv_splitq); eight
 *     columns: service, type, private, unpriv, chroot, wakeup, maxproc,
 *     command + arguments; "-" means "the default";
 *   - column checks of postconf_master.c pcf_check_master_entry(): type in
 *     inet/unix/unix-dgram/fifo/pass, y/n/- booleans, wakeup digits[?] or -,
 *     maxproc digits or -; an inet service must not be private
 *     (master_ent.c).  A failing entry is reported and marked invalid;
 *   - daemon options normalised as pcf_normalize_daemon_args(): "-oname=v"
 *     becomes "-o" "name=v", "-o { name = v }" becomes "-o" "name=v", and a
 *     non-option "{ text }" loses its braces; every "-o name=value" lands in
 *     the service's parameter dictionary (last wins);
 *   - inet service names (util/host_port.c): "[host]:port", "host:port"
 *     (split at the rightmost ':'), or a bare port/service name.
 *
 * Diagnostics go to struct postfix_diags as POSTFIX_DIAG_MASTER with the
 * file and the first line of the entry; a cap exceeded (more than
 * POSTFIX_MASTER_MAX_SERVICES entries, more than POSTFIX_MASTER_MAX_ARGS
 * fields in one) as POSTFIX_DIAG_LIMIT.  The work is linear in the text.
 */
#ifndef MTA_POSTFIX_MASTER_H
#define MTA_POSTFIX_MASTER_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/postfix/postfix_conf.h"

#define POSTFIX_MASTER_MAX_SERVICES 1024
#define POSTFIX_MASTER_MAX_ARGS 1024

enum postfix_master_field {
	POSTFIX_MF_SERVICE, POSTFIX_MF_TYPE, POSTFIX_MF_PRIVATE, POSTFIX_MF_UNPRIV,
	POSTFIX_MF_CHROOT, POSTFIX_MF_WAKEUP, POSTFIX_MF_MAXPROC, POSTFIX_MF_COMMAND,
	POSTFIX_MF_COUNT
};

struct postfix_service {
	char **argv;			/* normalised fields + arguments */
	size_t argc;			/* >= POSTFIX_MF_COUNT */
	struct postfix_dict params;	/* -o name=value */
	bool valid;			/* passed the column checks */
	bool superseded;		/* a later entry has the same name/type */
	char *host;			/* inet: host part ("" = none), no brackets */
	char *port;			/* inet: port or service name */
	const char *file;
	unsigned line;
};

struct postfix_master {
	struct postfix_service *v;
	size_t n, cap;
};

size_t postfix_master_parse(struct postfix_master *m, const char *file,
			    const char *buf, size_t len, struct postfix_diags *d);
void postfix_master_free(struct postfix_master *m);

/* Field accessors. */
static inline const char *
postfix_service_name(const struct postfix_service *s)
{
	return s->argv[POSTFIX_MF_SERVICE];
}
static inline const char *
postfix_service_type(const struct postfix_service *s)
{
	return s->argv[POSTFIX_MF_TYPE];
}
/* basename of the command ("smtpd", "postscreen", ...) */
const char *postfix_service_command(const struct postfix_service *s);

/*
 * host_port(): split an inet service name.  On success 0 with malloc()ed
 * *host ("" when none) and *port; -1 on a syntax error.
 */
int postfix_host_port(const char *name, char **host, char **port);
/*
 * TCP port of a service: numeric, or known_tcp_ports (lmtp=24, smtp=25,
 * smtps=submissions=465, submission=587).  -1 when unknown.
 */
int postfix_port_number(const char *port);

/*
 * The -M line for a service as "postconf -M" prints it, with single spaces
 * between fields (postconf pads to columns; compare after squeezing).  With
 * env != NULL the -o values are expanded (postconf -Mx).  malloc()ed.
 */
char *postfix_service_format(const struct postfix_service *s, const struct postfix_env *env);

#endif

/*
 * sendmail_conf.c - pure model of sendmail.cf / sendmail.mc / access text.
 *
 * Interface: see sendmail_conf.h.  Logical lines of sendmail.cf follow
 * readcf.c: a physical line starting with a space or a tab continues the
 * previous one; lines starting with '#' are comments (and so are their
 * continuations); empty lines are ignored.  Each "O DaemonPortOptions="
 * (or old-style "OO") line adds a daemon; option names are matched
 * case-insensitively, exact or as a unique prefix.  "S" lines open a
 * ruleset that collects the "R" lines up to the next "S" line.
 *
 * Diagnostics: recorded in the result's diags with their line; nothing is
 * fatal, nothing is printed.
 */
#include "collectors/sendmail/sendmail_conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/tlsinfo.h"

static void diag(struct sendmail_diags *dg, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
diag(struct sendmail_diags *dg, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (dg->n >= SENDMAIL_MAX_DIAGS) {
		dg->dropped++;
		return;
	}
	dg->d[dg->n].line = line;
	va_start(ap, fmt);
	vsnprintf(dg->d[dg->n].msg, sizeof(dg->d[dg->n].msg), fmt, ap);
	va_end(ap);
	dg->n++;
}

/* copy at most n bytes of s into a fixed buffer; true if it all fitted */
static bool
copy_text(char *dst, size_t dstlen, const char *s, size_t n)
{
	bool fit = n < dstlen;

	if (!fit)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return fit;
}

/* printable rendering of untrusted text for messages */
static void
show(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 4 < dstlen; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n > 0 && o + 4 >= dstlen && o + 3 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static const char *const feature_names[SENDMAIL_F_COUNT] = {
	[SENDMAIL_F_PROMISCUOUS_RELAY] = "promiscuous_relay",
	[SENDMAIL_F_RELAY_ENTIRE_DOMAIN] = "relay_entire_domain",
	[SENDMAIL_F_RELAY_BASED_ON_MX] = "relay_based_on_MX",
	[SENDMAIL_F_RELAY_LOCAL_FROM] = "relay_local_from",
	[SENDMAIL_F_LOOSE_RELAY_CHECK] = "loose_relay_check",
	[SENDMAIL_F_RELAY_HOSTS_ONLY] = "relay_hosts_only",
	[SENDMAIL_F_ACCESS_DB] = "access_db",
	[SENDMAIL_F_NO_DEFAULT_MSA] = "no_default_msa",
};

const char *
sendmail_feature_name(enum sendmail_feature f)
{
	return (unsigned)f < SENDMAIL_F_COUNT ? feature_names[f] : "?";
}

/*
 * Option names that sendmail 8.17 knows (readcf.c OptionTab), for the
 * unique-prefix rule.  "Timeout" stands for the Timeout.* family.
 */
static const char *const option_names[] = {
	"AliasFile", "AliasWait", "AllowBogusHELO", "AuthMaxBits", "AuthMechanisms",
	"AuthOptions", "AuthRealm", "AutoRebuildAliases", "BadRcptShutdown",
	"BadRcptShutdownGood", "BadRcptThrottle", "BadRcptThrottleDelay", "BlankSub",
	"CACertFile", "CACertPath", "CRLFile", "CRLPath", "CertFingerprintAlgorithm",
	"CheckAliases", "CheckpointInterval", "CipherList", "ClassFactor",
	"ClientCertFile", "ClientKeyFile", "ClientPortOptions", "ClientSSLOptions",
	"ColonOkInAddr", "ConnectOnlyTo", "ConnectionCacheSize",
	"ConnectionCacheTimeout", "ConnectionRateThrottle", "ConnectionRateWindowSize",
	"ControlSocketName", "DANE", "DHParameters", "DaemonPortOptions",
	"DataFileBufferSize", "DeadLetterDrop", "DefaultAuthInfo", "DefaultCharSet",
	"DefaultUser", "DelayLA", "DeliverByMin", "DeliveryMode", "DialDelay",
	"DirectSubmissionModifiers", "DontBlameSendmail", "DontExpandCnames",
	"DontInitGroups", "DontProbeInterfaces", "DontPruneRoutes",
	"DoubleBounceAddress", "EightBitMode", "ErrorHeader", "ErrorMode",
	"FallbackMXhost", "FallbackSmartHost", "FastSplit", "ForkEachJob",
	"ForwardPath", "HeloName", "HelpFile", "HoldExpensive",
	"HostStatusDirectory", "HostsFile", "IgnoreDots", "InputMailFilters",
	"LDAPDefaultSpec", "LogLevel", "MailboxDatabase", "MatchGECOS",
	"MaxAliasRecursion", "MaxDaemonChildren", "MaxHeadersLength", "MaxHopCount",
	"MaxMessageSize", "MaxMimeHeaderLength", "MaxNOOPCommands", "MaxQueueAge",
	"MaxQueueChildren", "MaxQueueRunSize", "MaxRecipientsPerMessage",
	"MaxRunnersPerQueue", "MeToo", "Milter", "MilterLogLevel", "MinFreeBlocks",
	"MinQueueAge", "MustQuoteChars", "NiceQueueRun", "NoRecipientAction",
	"OldStyleHeaders", "OperatorChars", "PidFile", "PostmasterCopy",
	"PrivacyOptions", "ProcessTitlePrefix", "QueueDirectory", "QueueFactor",
	"QueueFileMode", "QueueLA", "QueueSortOrder", "QueueTimeout", "RandFile",
	"RecipientFactor", "RefuseLA", "RejectLogInterval", "RejectNUL",
	"RequiresDirfsync", "ResolverOptions", "RetryFactor", "RrtImpliesDsn",
	"RunAsUser", "SSLEngine", "SSLEnginePath", "SafeFileEnvironment",
	"SaveFromLine", "SendMimeErrors", "ServerCertFile", "ServerKeyFile",
	"ServerSSLOptions", "ServiceSwitchFile", "SevenBitInput", "SharedMemoryKey",
	"SharedMemoryKeyFile", "SingleLineFromHeader", "SingleThreadDelivery",
	"SmtpGreetingMessage", "SoftBounce", "StatusFile", "SuperSafe",
	"TLSFallbacktoClear", "TLSSrvOptions", "TempFileMode", "TimeZoneSpec",
	"Timeout", "TrustedUser", "TryNullMXList", "UnixFromLine",
	"UnsafeGroupWrites", "UseCompressedIPv6Addresses", "UseErrorsTo", "UseMSP",
	"UserDatabaseSpec", "Verbose", "XscriptFileBufferSize",
};

const char *
sendmail_option_lookup(const char *name, size_t len, bool *ambiguous)
{
	const char *sel = NULL;
	size_t nsel = 0;

	if (ambiguous != NULL)
		*ambiguous = false;
	if (len == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++) {
		const char *o = option_names[i];
		if (strncasecmp(o, name, len) != 0)
			continue;
		if (strlen(o) == len)
			return o;
		sel = o;
		nsel++;
	}
	if (nsel == 1)
		return sel;
	if (nsel > 1 && ambiguous != NULL)
		*ambiguous = true;
	return NULL;
}

static const struct {
	const char *name;
	int port;
} services[] = {
	{"smtp", 25}, {"mail", 25}, {"submission", 587}, {"submissions", 465},
	{"smtps", 465}, {"ssmtp", 465}, {"urd", 465}, {"lmtp", 24},
};

int
sendmail_service_port(const char *name)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, name) == 0)
			return services[i].port;
	return -1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* sendmail's atoi() on the value; saturates instead of overflowing */
static long
leading_number(const char *s)
{
	long v = 0;

	while (isspace((unsigned char)*s))
		s++;
	while (isdigit((unsigned char)*s)) {
		if (v < 100000000L)
			v = v * 10 + (*s - '0');
		s++;
	}
	return v;
}

void
sendmail_daemon_parse(const char *value, size_t index, unsigned line,
		      struct sendmail_daemon *d, struct sendmail_diags *diags)
{
	const char *p = value;
	const char *addr = NULL, *port = NULL;
	size_t addrlen = 0, portlen = 0;
	char shown[80];

	memset(d, 0, sizeof(*d));
	d->line = line;
	d->family = SENDMAIL_FAMILY_INET;
	snprintf(d->name, sizeof(d->name), "Daemon%zu", index);
	copy_text(d->raw, sizeof(d->raw), value, strlen(value));

	/* fields separated by ','; key=value; keys known by their first letter */
	while (*p != '\0') {
		const char *f, *v, *end;
		size_t vlen;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		f = p;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		p = *end == ',' ? end + 1 : end;
		v = memchr(f, '=', (size_t)(end - f));
		if (v == NULL) {
			show(shown, sizeof(shown), f, (size_t)(end - f));
			diag(diags, line, "DaemonPortOptions field without '=' ignored: %s", shown);
			continue;
		}
		v++;
		vlen = (size_t)(end - v);
		trim(&v, &vlen);
		switch (*f) {
		case 'A':
		case 'a':
			addr = v;
			addrlen = vlen;
			break;
		case 'F':
		case 'f': {
			char fam[32];
			copy_text(fam, sizeof(fam), v, vlen);
			if (isdigit((unsigned char)fam[0])) {
				long n = leading_number(fam);
				d->family = n == AF_INET ? SENDMAIL_FAMILY_INET :
					    n == AF_INET6 ? SENDMAIL_FAMILY_INET6 :
					    n == AF_UNIX ? SENDMAIL_FAMILY_LOCAL :
					    SENDMAIL_FAMILY_OTHER;
			} else if (strcasecmp(fam, "inet") == 0) {
				d->family = SENDMAIL_FAMILY_INET;
			} else if (strcasecmp(fam, "inet6") == 0) {
				d->family = SENDMAIL_FAMILY_INET6;
			} else if (strcasecmp(fam, "local") == 0 || strcasecmp(fam, "unix") == 0) {
				d->family = SENDMAIL_FAMILY_LOCAL;
			} else {
				show(shown, sizeof(shown), v, vlen);
				diag(diags, line, "unknown address family %s in Family= "
				     "(sendmail rejects it; family unchanged)", shown);
			}
			break;
		}
		case 'M':
		case 'm':
			if (!copy_text(d->modifiers, sizeof(d->modifiers), v, vlen))
				diag(diags, line, "DaemonPortOptions Modifiers= too long, truncated");
			break;
		case 'N':
		case 'n':
			if (!copy_text(d->name, sizeof(d->name), v, vlen))
				diag(diags, line, "DaemonPortOptions Name= too long, truncated");
			break;
		case 'P':
		case 'p':
			port = v;
			portlen = vlen;
			break;
		case 'c': case 'D': case 'd': case 'I': case 'i': case 'L': case 'l':
		case 'q': case 'R': case 'r': case 'S': case 's': case 'T':
			break;	/* known to sendmail; irrelevant to exposure */
		default:
			show(shown, sizeof(shown), f, (size_t)(v - 1 - f));
			diag(diags, line, "DaemonPortOptions parameter \"%s\" unknown", shown);
			break;
		}
	}

	/* address, after the family is known (daemon.c does the same) */
	d->inaddr.family = d->family == SENDMAIL_FAMILY_INET6 ? AF_INET6 : AF_INET;
	if (addr == NULL) {
		d->addr_kind = d->family == SENDMAIL_FAMILY_LOCAL ? SENDMAIL_ADDR_PATH :
			       SENDMAIL_ADDR_ANY;
	} else {
		char a[256];
		if (!copy_text(a, sizeof(a), addr, addrlen))
			diag(diags, line, "DaemonPortOptions Addr= too long, truncated");
		copy_text(d->addr, sizeof(d->addr), a, strlen(a));
		if (d->family == SENDMAIL_FAMILY_LOCAL) {
			d->addr_kind = SENDMAIL_ADDR_PATH;
		} else if (d->family == SENDMAIL_FAMILY_INET) {
			struct in_addr in;
			/* inet_addr(): digits first, and 255.255.255.255 is "none" */
			if (isdigit((unsigned char)a[0]) && inet_aton(a, &in) != 0 &&
			    in.s_addr != INADDR_NONE) {
				d->addr_kind = SENDMAIL_ADDR_NUMERIC;
				memcpy(d->inaddr.a, &in.s_addr, 4);
			} else {
				d->addr_kind = SENDMAIL_ADDR_HOSTNAME;
			}
		} else if (d->family == SENDMAIL_FAMILY_INET6) {
			struct in6_addr in6;
			const char *t = a;
			if (strncasecmp(t, "IPv6:", 5) == 0)
				t += 5;	/* anynet_pton() accepts the tag */
			if (inet_pton(AF_INET6, t, &in6) == 1) {
				d->addr_kind = SENDMAIL_ADDR_NUMERIC;
				memcpy(d->inaddr.a, &in6, 16);
			} else {
				d->addr_kind = SENDMAIL_ADDR_HOSTNAME;
			}
		} else {
			d->addr_kind = SENDMAIL_ADDR_HOSTNAME;
		}
		if (d->addr_kind == SENDMAIL_ADDR_HOSTNAME)
			diag(diags, line, "Addr=%s is a host name; it cannot be resolved "
			     "offline, so this daemon's exposure is not decided", d->addr);
		else if (d->addr_kind == SENDMAIL_ADDR_NUMERIC &&
			 inaddr_is_wildcard(&d->inaddr))
			d->addr_kind = SENDMAIL_ADDR_ANY;
	}

	/* port: number (atoi, truncated to 16 bits) or service name; 0 -> smtp */
	d->port = 25;
	if (port != NULL) {
		if (!copy_text(d->port_text, sizeof(d->port_text), port, portlen))
			diag(diags, line, "DaemonPortOptions Port= too long, truncated");
		if (isdigit((unsigned char)d->port_text[0])) {
			long n = leading_number(d->port_text);
			if (n > 65535)
				diag(diags, line, "Port=%s out of range (sendmail truncates "
				     "it to %ld)", d->port_text, n & 0xffff);
			d->port = (uint16_t)(n & 0xffff);
			if (d->port == 0)
				d->port = 25;
		} else {
			int sp = sendmail_service_port(d->port_text);
			if (sp < 0) {
				diag(diags, line, "Port=%s is not a known service name; "
				     "assuming smtp (25)", d->port_text);
				d->port_guessed = true;
			} else {
				d->port = (uint16_t)sp;
			}
		}
	}
}

/* a line iterator over folded logical lines */
struct lines {
	const char *buf;
	size_t len, pos;
	unsigned lineno;	/* physical line number of the next line */
};

/* physical line [s, e) starting at pos; advances */
static bool
next_physical(struct lines *l, const char **s, size_t *n)
{
	const char *nl;

	if (l->pos >= l->len)
		return false;
	*s = l->buf + l->pos;
	nl = memchr(*s, '\n', l->len - l->pos);
	*n = nl != NULL ? (size_t)(nl - *s) : l->len - l->pos;
	l->pos += *n + (nl != NULL ? 1 : 0);
	l->lineno++;
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static bool
peek_continuation(const struct lines *l)
{
	return l->pos < l->len && (l->buf[l->pos] == ' ' || l->buf[l->pos] == '\t');
}

/*
 * Next logical line into out (NUL-terminated, at most SENDMAIL_MAX_LINE-1
 * bytes, NUL bytes turned into spaces); *first gets its first line number.
 */
static bool
next_logical(struct lines *l, char *out, unsigned *first, struct sendmail_diags *dg)
{
	const char *s;
	size_t n, o = 0;
	bool truncated = false;

	for (;;) {
		if (!next_physical(l, &s, &n))
			return false;
		if (n > 0)
			break;
	}
	*first = l->lineno;
	for (;;) {
		for (size_t i = 0; i < n; i++) {
			if (o + 1 >= SENDMAIL_MAX_LINE) {
				truncated = true;
				break;
			}
			out[o++] = s[i] == '\0' ? ' ' : s[i];
		}
		if (!peek_continuation(l))
			break;
		next_physical(l, &s, &n);
		if (o + 1 < SENDMAIL_MAX_LINE)
			out[o++] = ' ';
	}
	out[o] = '\0';
	if (truncated)
		diag(dg, *first, "line longer than %d bytes, truncated", SENDMAIL_MAX_LINE);
	return true;
}

/* compare an R-line side with a pattern, ignoring all whitespace */
static bool
same_tokens(const char *s, const char *pat)
{
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		while (*pat == ' ')
			pat++;
		if (*s == '\0' || *pat == '\0')
			return *s == '\0' && *pat == '\0';
		if (*s != *pat)
			return false;
		s++;
		pat++;
	}
}

static bool
starts_tokens(const char *s, const char *pat)
{
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		while (*pat == ' ')
			pat++;
		if (*pat == '\0')
			return true;
		if (*s != *pat)
			return false;
		s++;
		pat++;
	}
}

static void
set_feature(struct sendmail_cf *cf, enum sendmail_feature f, unsigned line, bool marker)
{
	if (!cf->feature[f]) {
		cf->feature[f] = true;
		cf->feature_line[f] = line;
	}
	if (marker)
		cf->feature_marker[f] = true;
}

/* "#####  $Id: promiscuous_relay.m4,v 8.13 ..." */
static void
scan_marker(struct sendmail_cf *cf, const char *line, unsigned lineno)
{
	const char *p = strstr(line, "$Id: ");

	if (p == NULL)
		return;
	p += 5;
	for (int f = 0; f < SENDMAIL_F_COUNT; f++) {
		size_t n = strlen(feature_names[f]);
		if (strncmp(p, feature_names[f], n) == 0 && strncmp(p + n, ".m4,", 4) == 0)
			set_feature(cf, (enum sendmail_feature)f, lineno, true);
	}
}

static void
set_string(char *dst, size_t dstlen, const char *v, struct sendmail_diags *dg,
	   unsigned line, const char *what)
{
	size_t n = strlen(v);

	trim(&v, &n);
	if (!copy_text(dst, dstlen, v, n))
		diag(dg, line, "%s value too long, truncated", what);
}

static const struct {
	const char *name;
	unsigned flags;
} privacy_values[] = {
	{"public", 0},
	{"needmailhelo", SENDMAIL_PRIV_OTHER},
	{"needexpnhelo", SENDMAIL_PRIV_OTHER},
	{"needvrfyhelo", SENDMAIL_PRIV_OTHER},
	{"noexpn", SENDMAIL_PRIV_NOEXPN},
	{"novrfy", SENDMAIL_PRIV_NOVRFY},
	{"restrictexpand", SENDMAIL_PRIV_OTHER},
	{"restrictmailq", SENDMAIL_PRIV_OTHER},
	{"restrictqrun", SENDMAIL_PRIV_OTHER},
	{"noetrn", SENDMAIL_PRIV_NOETRN},
	{"noverb", SENDMAIL_PRIV_NOVERB},
	{"authwarnings", SENDMAIL_PRIV_AUTHWARNINGS},
	{"noreceipts", SENDMAIL_PRIV_OTHER},
	{"nobodyreturn", SENDMAIL_PRIV_OTHER},
	{"noactualrecipient", SENDMAIL_PRIV_OTHER},
	{"nomtahelo", SENDMAIL_PRIV_OTHER},
	/* goaway = all of the above (conf.c PRIV_GOAWAY) */
	{"goaway", SENDMAIL_PRIV_GOAWAY | SENDMAIL_PRIV_NOEXPN | SENDMAIL_PRIV_NOVRFY |
		   SENDMAIL_PRIV_NOETRN | SENDMAIL_PRIV_NOVERB | SENDMAIL_PRIV_AUTHWARNINGS |
		   SENDMAIL_PRIV_OTHER},
};

static void
parse_privacy(struct sendmail_cf *cf, const char *v, unsigned line)
{
	char word[64], shown[80];

	while (*v != '\0') {
		size_t n = 0;
		bool found = false;

		while (*v != '\0' && (isspace((unsigned char)*v) || *v == ','))
			v++;
		if (*v == '\0')
			break;
		while (v[n] != '\0' && !isspace((unsigned char)v[n]) && v[n] != ',')
			n++;
		copy_text(word, sizeof(word), v, n);
		for (size_t i = 0; i < sizeof(privacy_values) / sizeof(privacy_values[0]); i++) {
			if (strcasecmp(word, privacy_values[i].name) == 0) {
				cf->privacy |= privacy_values[i].flags;
				found = true;
			}
		}
		if (!found) {
			show(shown, sizeof(shown), v, n);
			diag(&cf->diags, line, "unknown PrivacyOptions value %s ignored", shown);
		}
		v += n;
	}
	cf->privacy_line = line;
}

static void
apply_option(struct sendmail_cf *cf, const char *opt, const char *v, unsigned line)
{
	if (strcmp(opt, "DaemonPortOptions") == 0) {
		if (cf->n_daemons >= SENDMAIL_MAX_DAEMONS) {
			diag(&cf->diags, line, "more than %d DaemonPortOptions lines; "
			     "sendmail ignores the rest", SENDMAIL_MAX_DAEMONS);
			return;
		}
		sendmail_daemon_parse(v, cf->n_daemons, line, &cf->daemons[cf->n_daemons],
				      &cf->diags);
		cf->n_daemons++;
	} else if (strcmp(opt, "PrivacyOptions") == 0) {
		parse_privacy(cf, v, line);
	} else if (strcmp(opt, "HelpFile") == 0) {
		set_string(cf->helpfile, sizeof(cf->helpfile), v, &cf->diags, line, "HelpFile");
		cf->helpfile_set = true;
		cf->helpfile_line = line;
	} else if (strcmp(opt, "AuthMechanisms") == 0) {
		/* an ANONYMOUS mechanism authenticates anybody */
		for (const char *p = v; (p = strcasestr(p, "anonymous")) != NULL; p += 9) {
			bool start = p == v || isspace((unsigned char)p[-1]) || p[-1] == ',';
			bool end = !isalnum((unsigned char)p[9]) && p[9] != '-' && p[9] != '_';
			if (start && end)
				cf->auth_anonymous = true;
		}
	} else if (strcmp(opt, "SmtpGreetingMessage") == 0) {
		set_string(cf->greeting, sizeof(cf->greeting), v, &cf->diags, line,
			   "SmtpGreetingMessage");
		cf->greeting_set = true;
		cf->greeting_line = line;
	} else if (strcmp(opt, "ServerCertFile") == 0) {
		set_string(cf->server_cert, sizeof(cf->server_cert), v, &cf->diags, line, opt);
	} else if (strcmp(opt, "ServerKeyFile") == 0) {
		set_string(cf->server_key, sizeof(cf->server_key), v, &cf->diags, line, opt);
	} else if (strcmp(opt, "DHParameters") == 0) {
		set_string(cf->dh_parameters, sizeof(cf->dh_parameters), v, &cf->diags, line, opt);
	} else if (strcmp(opt, "ServerSSLOptions") == 0) {
		set_string(cf->server_ssl_options, sizeof(cf->server_ssl_options), v, &cf->diags,
			   line, opt);
	}
}

static void
parse_option_line(struct sendmail_cf *cf, const char *l, unsigned line)
{
	char shown[80];

	if (l[1] == ' ' || l[1] == '\t') {
		const char *p = l + 1, *name;
		size_t n = 0;
		bool amb;
		const char *opt;

		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (name[n] != '\0' && name[n] != '=' && !isspace((unsigned char)name[n]))
			n++;
		p = name + n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '=')
			p++;
		while (*p == ' ' || *p == '\t')
			p++;
		/* Timeout.x: the family; the suboption is not our business */
		if (n > 8 && strncasecmp(name, "Timeout.", 8) == 0)
			return;
		opt = sendmail_option_lookup(name, n, &amb);
		if (opt == NULL) {
			show(shown, sizeof(shown), name, n);
			diag(&cf->diags, line, amb ? "ambiguous option name %s ignored" :
			     "unknown option name %s ignored", shown);
			return;
		}
		apply_option(cf, opt, p, line);
		return;
	}
	/* old-style single-character options */
	switch (l[1]) {
	case 'O':
		apply_option(cf, "DaemonPortOptions", l + 2, line);
		break;
	case 'p':
		apply_option(cf, "PrivacyOptions", l + 2, line);
		break;
	case 'H':
		apply_option(cf, "HelpFile", l + 2, line);
		break;
	default:
		break;
	}
}

static struct sendmail_ruleset *
ruleset_open(struct sendmail_ruleset *rs, const char *l)
{
	const char *p = l + 1;
	size_t n = 0;

	memset(rs, 0, sizeof(*rs));
	while (*p == ' ' || *p == '\t')
		p++;
	while (p[n] != '\0' && p[n] != '=' && !isspace((unsigned char)p[n]))
		n++;
	copy_text(rs->name, sizeof(rs->name), p, n);
	return rs;
}

static void
ruleset_close(struct sendmail_cf *cf, const struct sendmail_ruleset *rs)
{
	if (rs->name[0] == '\0')
		return;
	if (strcmp(rs->name, "check_rcpt") == 0)
		cf->has_check_rcpt = true;
	else if (strcmp(rs->name, "Relay_ok") == 0)
		cf->has_relay_ok = true;
	else if (strcmp(rs->name, "Basic_check_rcpt") == 0) {
		cf->has_basic_check_rcpt = true;
		cf->basic_check_rcpt_line = rs->line;
		cf->basic_check_rcpt_final_error = rs->last_rule_error;
		cf->basic_check_rcpt_last_line = rs->last_rule_line;
	} else if (strcmp(rs->name, "Rcpt_ok") == 0 && rs->first_rule_canonaddr)
		set_feature(cf, SENDMAIL_F_LOOSE_RELAY_CHECK, rs->line, false);
	else if (strcmp(rs->name, "Local_srv_features") == 0 && rs->n_rules > 0)
		cf->local_srv_features = true;
}

/* split "Rlhs<TAB>rhs<TAB>comment" (tabs only separate, like readcf) */
static void
rule_sides(const char *l, char *lhs, size_t lhslen, char *rhs, size_t rhslen)
{
	const char *p = l + 1, *t;

	t = strchr(p, '\t');
	if (t == NULL) {
		copy_text(lhs, lhslen, p, strlen(p));
		rhs[0] = '\0';
		return;
	}
	copy_text(lhs, lhslen, p, (size_t)(t - p));
	while (*t == '\t')
		t++;
	p = t;
	t = strchr(p, '\t');
	copy_text(rhs, rhslen, p, t != NULL ? (size_t)(t - p) : strlen(p));
}

static void
scan_rule(struct sendmail_cf *cf, struct sendmail_ruleset *rs, const char *l,
	  unsigned line, bool *saw_from_macro)
{
	char lhs[512], rhs[512];

	rule_sides(l, lhs, sizeof(lhs), rhs, sizeof(rhs));
	if (rs->n_rules == 0)
		rs->first_rule_canonaddr = starts_tokens(rhs, "$: $>CanonAddr");
	rs->n_rules++;
	rs->last_rule_line = line;
	rs->last_rule_error = starts_tokens(rhs, "$#error");

	/* relay_entire_domain: R$+ < @ $* $=m >  $@ RELAY */
	if (same_tokens(lhs, "$+ < @ $* $=m >") && starts_tokens(rhs, "$@ RELAY"))
		set_feature(cf, SENDMAIL_F_RELAY_ENTIRE_DOMAIN, line, false);
	/* relay_local_from (in Relay_ok): the sender ($&f) checked against $=w */
	if (strstr(rhs, "$>CanonAddr $&f") != NULL || same_tokens(rhs, "$: <?> $>CanonAddr $&f"))
		*saw_from_macro = true;
	if (*saw_from_macro && same_tokens(lhs, "<?> $+ < @ $=w >") && starts_tokens(rhs, "$@ RELAY"))
		set_feature(cf, SENDMAIL_F_RELAY_LOCAL_FROM, line, false);
}

struct sendmail_cf *
sendmail_cf_parse(const char *buf, size_t len)
{
	struct sendmail_cf *cf = calloc(1, sizeof(*cf));
	char *l = malloc(SENDMAIL_MAX_LINE);
	struct lines it = {.buf = buf, .len = len};
	struct sendmail_ruleset rs = {0};
	unsigned line;
	bool saw_from = false;

	if (cf == NULL || l == NULL) {
		free(cf);
		free(l);
		return NULL;
	}
	while (next_logical(&it, l, &line, &cf->diags)) {
		switch (l[0]) {
		case '#':
			scan_marker(cf, l, line);
			break;
		case 'O':
			parse_option_line(cf, l, line);
			break;
		case 'S':
			ruleset_close(cf, &rs);
			ruleset_open(&rs, l);
			rs.line = line;
			saw_from = false;
			break;
		case 'R':
			if (rs.name[0] == '\0')
				diag(&cf->diags, line, "rule outside any ruleset");
			else
				scan_rule(cf, &rs, l, line, &saw_from);
			break;
		case 'K':
			if (strncmp(l, "Kmxserved", 9) == 0 && isspace((unsigned char)l[9]) &&
			    strstr(l, "bestmx") != NULL)
				set_feature(cf, SENDMAIL_F_RELAY_BASED_ON_MX, line, false);
			else if (strncmp(l, "Kaccess", 7) == 0 && isspace((unsigned char)l[7])) {
				const char *t = l + 7;
				size_t n = 0;

				set_feature(cf, SENDMAIL_F_ACCESS_DB, line, false);
				while (isspace((unsigned char)*t))
					t++;
				while (t[n] && !isspace((unsigned char)t[n]))
					n++;
				copy_text(cf->access_map_type, sizeof(cf->access_map_type), t, n);
			}
			break;
		case 'D':
			if (l[1] == 'j')
				set_string(cf->macro_j, sizeof(cf->macro_j), l + 2, &cf->diags, line,
					   "Dj");
			if (l[1] == 'e') {
				set_string(cf->macro_e, sizeof(cf->macro_e), l + 2, &cf->diags,
					   line, "De macro");
				cf->macro_e_set = true;
				cf->macro_e_line = line;
			}
			break;
		case ' ':
		case '\t':
			break;	/* continuation of nothing, as sendmail: ignored */
		default:
			break;	/* C F H M P Q T V E L: not needed here */
		}
	}
	ruleset_close(cf, &rs);
	cf->n_lines = it.lineno;
	if (cf->n_daemons == 0) {
		/* initdaemon(): one daemon, IPv4 INADDR_ANY, port smtp */
		sendmail_daemon_parse("", 0, 0, &cf->daemons[0], &cf->diags);
		cf->n_daemons = 1;
		cf->daemons_implicit = true;
	}
	free(l);
	return cf;
}

/*
 * .mc scanning: a small m4 lexer that honours `quotes', # comments and dnl,
 * and finds NAME(args) calls of FEATURE and DAEMON_OPTIONS.
 */
static bool
word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* first argument of a call starting at the '(' at *pp; strips one quote level */
static size_t
mc_first_arg(const char *buf, size_t len, size_t pos, unsigned *lineno,
	     char *out, size_t outlen, bool *closed)
{
	int depth = 0, quote = 0;
	size_t o = 0;
	bool first = true;

	for (pos++; pos < len; pos++) {
		char c = buf[pos];
		if (c == '\n')
			(*lineno)++;
		if (quote > 0) {
			if (c == '`')
				quote++;
			else if (c == '\'')
				quote--;
			if (quote == 0 && depth == 0)
				continue;	/* closing outer quote */
		} else if (c == '`') {
			quote++;
			if (depth == 0 && quote == 1)
				continue;	/* opening outer quote */
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (depth == 0) {
				*closed = true;
				return pos + 1;
			}
			depth--;
		} else if (c == ',' && depth == 0) {
			first = false;
		}
		if (first && o + 1 < outlen && !(o == 0 && isspace((unsigned char)c)))
			out[o++] = c;
		out[o] = '\0';
	}
	return pos;
}

struct sendmail_mc *
sendmail_mc_parse(const char *buf, size_t len)
{
	struct sendmail_mc *mc = calloc(1, sizeof(*mc));
	unsigned lineno = 1;
	int quote = 0;
	/*
	 * cfhead.m4 does changecom(): '#' starts an m4 comment only before
	 * the .mc includes cf.m4 (when it does; "m4 cf.m4 x.mc" never).
	 */
	const char *incl = memmem(buf, len, "cf.m4", 5);
	size_t comment_until = incl != NULL ? (size_t)(incl - buf) : 0;

	if (mc == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			lineno++;
			continue;
		}
		if (quote > 0) {
			if (c == '`')
				quote++;
			else if (c == '\'')
				quote--;
			continue;
		}
		if (c == '`') {
			quote++;
			continue;
		}
		if (c == '#' && i < comment_until) {
			while (i + 1 < len && buf[i + 1] != '\n')
				i++;
			continue;
		}
		if (!word_char(c) || (i > 0 && word_char(buf[i - 1])))
			continue;
		size_t n = 0;
		while (i + n < len && word_char(buf[i + n]))
			n++;
		if (n == 3 && strncmp(buf + i, "dnl", 3) == 0) {
			/* dnl swallows up to and including the newline */
			while (i < len && buf[i] != '\n')
				i++;
			if (i < len)
				lineno++;
			continue;
		}
		bool feature = n == 7 && strncmp(buf + i, "FEATURE", 7) == 0;
		bool dopts = n == 14 && strncmp(buf + i, "DAEMON_OPTIONS", 14) == 0;
		if ((feature || dopts) && i + n < len && buf[i + n] == '(') {
			unsigned start = lineno;
			char arg[256];
			struct sendmail_mc_item *it = NULL;
			bool closed = false;
			arg[0] = '\0';
			size_t end = mc_first_arg(buf, len, i + n, &lineno, arg, sizeof(arg),
						  &closed);
			if (!closed)
				diag(&mc->diags, start, "unterminated %s( call",
				     feature ? "FEATURE" : "DAEMON_OPTIONS");
			size_t al = strlen(arg);
			const char *a = arg;
			trim(&a, &al);
			if (feature && mc->n_features < SENDMAIL_MAX_FEATURES)
				it = &mc->features[mc->n_features++];
			else if (dopts && mc->n_daemon_options < SENDMAIL_MAX_DAEMONS)
				it = &mc->daemon_options[mc->n_daemon_options++];
			else
				diag(&mc->diags, start, "too many %s calls; rest ignored",
				     feature ? "FEATURE" : "DAEMON_OPTIONS");
			if (it != NULL) {
				copy_text(it->name, sizeof(it->name), a, al);
				it->line = start;
			}
			i = end > 0 ? end - 1 : end;
			continue;
		}
		i += n - 1;
	}
	if (quote > 0)
		diag(&mc->diags, 0, "unbalanced m4 quotes at end of file");
	return mc;
}

unsigned
sendmail_mc_feature(const struct sendmail_mc *mc, const char *name)
{
	for (size_t i = 0; i < mc->n_features; i++)
		if (strcmp(mc->features[i].name, name) == 0)
			return mc->features[i].line;
	return 0;
}

/*
 * Access map keys for Connect: are IP prefixes in dotted form: "10",
 * "192.168.1", "IPv6:2001:db8" (sendmail looks up the address and its
 * shorter prefixes).
 */
static bool
access_key_prefix(const char *k, struct inaddr *net, unsigned *plen)
{
	memset(net, 0, sizeof(*net));
	if (strncasecmp(k, "IPv6:", 5) == 0) {
		/* sendmail strips groups from the end: the prefix is whole groups */
		char tmp[64];
		size_t groups = 1;
		const char *p = k + 5;
		struct in6_addr in6;
		if (strstr(p, "::") != NULL) {
			if (inet_pton(AF_INET6, p, &in6) != 1)
				return false;
			net->family = AF_INET6;
			memcpy(net->a, &in6, 16);
			*plen = 128;
			return true;
		}
		for (const char *q = p; *q != '\0'; q++)
			if (*q == ':')
				groups++;
		if (groups > 8)
			return false;
		snprintf(tmp, sizeof(tmp), "%s%s", p, groups < 8 ? "::" : "");
		if (inet_pton(AF_INET6, tmp, &in6) != 1)
			return false;
		net->family = AF_INET6;
		memcpy(net->a, &in6, 16);
		*plen = (unsigned)groups * 16;
		return true;
	}
	unsigned oct = 0, val = 0;
	bool digit = false;
	net->family = AF_INET;
	for (const char *p = k;; p++) {
		if (isdigit((unsigned char)*p)) {
			val = val * 10 + (unsigned)(*p - '0');
			if (val > 255)
				return false;
			digit = true;
		} else if (*p == '.' || *p == '\0') {
			if (!digit || oct >= 4)
				return false;
			net->a[oct++] = (uint8_t)val;
			val = 0;
			digit = false;
			if (*p == '\0')
				break;
		} else {
			return false;
		}
	}
	*plen = oct * 8;
	return true;
}

struct sendmail_access *
sendmail_access_parse(const char *buf, size_t len)
{
	struct sendmail_access *ac = calloc(1, sizeof(*ac));
	struct lines it = {.buf = buf, .len = len};
	const char *s;
	size_t n;

	if (ac == NULL)
		return NULL;
	while (next_physical(&it, &s, &n)) {
		char line[512], *key, *val, *p;
		bool tagged = false;

		if (n == 0 || s[0] == '#')
			continue;
		if (!copy_text(line, sizeof(line), s, n))
			diag(&ac->diags, it.lineno, "line too long, truncated");
		for (p = line; *p != '\0'; p++)
			if (*p == '\t')
				*p = ' ';
		key = line;
		while (*key == ' ')
			key++;
		if (*key == '\0' || *key == '#')
			continue;
		val = strchr(key, ' ');
		if (val == NULL) {
			diag(&ac->diags, it.lineno, "access entry without a value");
			continue;
		}
		*val++ = '\0';
		while (*val == ' ')
			val++;
		for (p = val + strlen(val); p > val && p[-1] == ' '; p--)
			p[-1] = '\0';
		if (strncasecmp(key, "Srv_Features:", 13) == 0) {
			/* srv_features: an upper-case letter turns a feature off; L: AUTH not required */
			if (strchr(val, 'L') != NULL && ac->srv_features_no_auth == 0)
				ac->srv_features_no_auth = it.lineno;
			continue;
		}
		if (strncasecmp(key, "Connect:", 8) == 0) {
			key += 8;
			tagged = true;
		} else if (strchr(key, ':') != NULL && strncasecmp(key, "IPv6:", 5) != 0) {
			continue;	/* another tag (To:, From:, Spam:, ...) */
		}
		if (strcasecmp(val, "RELAY") != 0)
			continue;
		struct sendmail_access_entry e = {0};
		if (!access_key_prefix(key, &e.net, &e.prefixlen))
			continue;	/* a host or domain name: not a network */
		if (ac->n_relay >= SENDMAIL_MAX_ACCESS) {
			ac->dropped++;
			continue;
		}
		e.line = it.lineno;
		e.tagged = tagged;
		e.broad = e.prefixlen <= (e.net.family == AF_INET ? 8u : 32u);
		e.internal = inaddr_prefix_is_internal(&e.net, e.prefixlen);
		copy_text(e.key, sizeof(e.key), key, strlen(key));
		ac->relay[ac->n_relay++] = e;
	}
	if (ac->dropped > 0)
		diag(&ac->diags, 0, "more than %d RELAY entries; %u not examined",
		     SENDMAIL_MAX_ACCESS, ac->dropped);
	return ac;
}

static void
add_finding(struct sendmail_relay_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i], code) == 0)
			return;
	if (r->n_findings < SENDMAIL_MAX_FINDINGS)
		r->findings[r->n_findings++] = code;
}

void
sendmail_relay_eval(const struct sendmail_cf *cf, const struct sendmail_access *access,
		    struct sendmail_relay_result *out)
{
	memset(out, 0, sizeof(*out));

	/* promiscuous relay: any of the three signs in the .cf */
	if (cf->feature[SENDMAIL_F_PROMISCUOUS_RELAY]) {
		out->promiscuous = true;
		out->reason = "promiscuous_relay";
		snprintf(out->detail, sizeof(out->detail),
			 "FEATURE(promiscuous_relay) marker at line %u",
			 cf->feature_line[SENDMAIL_F_PROMISCUOUS_RELAY]);
	} else if (!cf->has_relay_ok) {
		out->promiscuous = true;
		out->reason = "relay_ok_missing";
		snprintf(out->detail, sizeof(out->detail),
			 "no SRelay_ok ruleset: the relay check is not compiled in");
	} else if (!cf->has_basic_check_rcpt || !cf->basic_check_rcpt_final_error) {
		out->promiscuous = true;
		out->reason = "no_final_relay_denied";
		if (cf->has_basic_check_rcpt)
			snprintf(out->detail, sizeof(out->detail),
				 "Basic_check_rcpt (line %u) does not end with a $#error rule "
				 "(last rule at line %u)", cf->basic_check_rcpt_line,
				 cf->basic_check_rcpt_last_line);
		else
			snprintf(out->detail, sizeof(out->detail),
				 "no SBasic_check_rcpt ruleset");
	}
	if (out->promiscuous) {
		out->verdict = SENDMAIL_RELAY_OPEN;
		add_finding(out, "promiscuous_relay");
	}

	if (cf->feature[SENDMAIL_F_RELAY_ENTIRE_DOMAIN])
		add_finding(out, "relay_entire_domain");
	if (cf->feature[SENDMAIL_F_LOOSE_RELAY_CHECK])
		add_finding(out, "loose_relay_check");
	if (cf->feature[SENDMAIL_F_RELAY_BASED_ON_MX])
		add_finding(out, "relay_based_on_MX");
	if (cf->feature[SENDMAIL_F_RELAY_LOCAL_FROM])
		add_finding(out, "relay_local_from");

	const struct sendmail_access_entry *broad = NULL;
	if (access != NULL && cf->feature[SENDMAIL_F_ACCESS_DB]) {
		for (size_t i = 0; i < access->n_relay; i++) {
			const struct sendmail_access_entry *e = &access->relay[i];

			/*
			 * a private, loopback or reserved network holds no Internet
			 * client: it cannot open relaying to one; a whole private /8
			 * (IPv6 /32) is still worth a look
			 */
			if (e->broad && !e->internal && broad == NULL)
				broad = e;
			else if (e->broad && e->internal && !inaddr_is_loopback(&e->net))
				add_finding(out, "access_relay_private");
		}
		if (broad != NULL)
			add_finding(out, "access_relay_broad");
	}

	if (out->promiscuous)
		return;
	/* a forged local sender address is enough to relay */
	if (cf->feature[SENDMAIL_F_RELAY_LOCAL_FROM]) {
		out->verdict = SENDMAIL_RELAY_OPEN;
		out->reason = "relay_local_from";
		snprintf(out->detail, sizeof(out->detail),
			 "relay_local_from (line %u): any client that claims a local "
			 "sender address may relay", cf->feature_line[SENDMAIL_F_RELAY_LOCAL_FROM]);
		return;
	}
	if (broad != NULL) {
		char a[INADDR_STRLEN];
		inaddr_format(&broad->net, a, sizeof(a));
		out->verdict = SENDMAIL_RELAY_UNDETERMINED;
		out->reason = "access_relay_broad";
		snprintf(out->detail, sizeof(out->detail),
			 "access line %u: %s%s RELAY allows relaying from %s/%u",
			 broad->line, broad->tagged ? "Connect:" : "", broad->key, a,
			 broad->prefixlen);
		return;
	}
	if (cf->feature[SENDMAIL_F_RELAY_BASED_ON_MX]) {
		out->verdict = SENDMAIL_RELAY_UNDETERMINED;
		out->reason = "relay_based_on_MX";
		snprintf(out->detail, sizeof(out->detail),
			 "relay_based_on_MX (line %u): relaying depends on DNS MX records "
			 "that anyone may point here", cf->feature_line[SENDMAIL_F_RELAY_BASED_ON_MX]);
		return;
	}
	out->verdict = SENDMAIL_RELAY_CLOSED;
	out->reason = "relay_denied";
	snprintf(out->detail, sizeof(out->detail),
		 "Basic_check_rcpt ends with $#error (line %u)", cf->basic_check_rcpt_last_line);
}

/* the addresses a network daemon binds, for the conflict test; false: a host name */
static bool
daemon_net(const struct sendmail_daemon *d, struct inaddr *a, bool *any)
{
	if (d->family != SENDMAIL_FAMILY_INET && d->family != SENDMAIL_FAMILY_INET6)
		return false;
	if (d->addr_kind != SENDMAIL_ADDR_ANY && d->addr_kind != SENDMAIL_ADDR_NUMERIC)
		return false;
	*a = d->inaddr;
	a->family = d->family == SENDMAIL_FAMILY_INET6 ? AF_INET6 : AF_INET;
	*any = d->addr_kind == SENDMAIL_ADDR_ANY;
	return true;
}

/* can b not listen on its port while a (listening) holds it (Linux rules) */
static bool
daemons_clash(const struct sendmail_daemon *a, const struct sendmail_daemon *b, bool bindv6only)
{
	struct inaddr x, y;
	bool xany, yany;

	if (a->port != b->port || !daemon_net(a, &x, &xany) || !daemon_net(b, &y, &yany))
		return false;
	if (x.family == y.family)
		return xany || yany || inaddr_equal(&x, &y);
	/* one IPv6, one IPv4: the v6 socket holds IPv4 when it is a dual-stack wildcard */
	const struct inaddr *v6 = x.family == AF_INET6 ? &x : &y, *v4 = x.family == AF_INET6 ? &y : &x;
	bool v6any = x.family == AF_INET6 ? xany : yany, v4any = x.family == AF_INET6 ? yany : xany;
	if (v6any)
		return !bindv6only;
	struct inaddr m = inaddr_unmap(v6);
	return m.family == AF_INET && (v4any || inaddr_equal(&m, v4));
}

void
sendmail_daemons_listen(const struct sendmail_cf *cf, bool bindv6only, struct sendmail_listen *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cf->n_daemons && !out->wedged; i++) {
		const struct sendmail_daemon *d = &cf->daemons[i];

		out->listens[i] = true;
		for (size_t j = 0; j < i; j++) {
			if (!out->listens[j] || !daemons_clash(&cf->daemons[j], d, bindv6only))
				continue;
			out->listens[i] = false;
			out->clash[i] = true;
			out->clash_with[i] = j;
			out->n_conflicts++;
			/* M=O: an optional socket is disabled; otherwise sendmail exits */
			if (strchr(d->modifiers, 'O') == NULL)
				out->wedged = true;
			break;
		}
	}
}

bool
sendmail_daemon_requires_auth(const struct sendmail_daemon *d)
{
	return strchr(d->modifiers, 'a') != NULL;
}

void
sendmail_daemon_relay(const struct sendmail_cf *cf, const struct sendmail_access *access,
		      const struct sendmail_relay_result *global, const struct sendmail_listen *ls,
		      size_t i, struct sendmail_relay_result *out)
{
	const struct sendmail_daemon *d = &cf->daemons[i];

	*out = *global;
	if (ls->wedged || !ls->listens[i]) {
		size_t k = i;

		/* name the clash that decides: this daemon's, else the one that wedged sendmail */
		for (size_t j = 0; !ls->clash[k] && j < cf->n_daemons; j++)
			if (ls->clash[j])
				k = j;
		out->verdict = SENDMAIL_RELAY_CONFIG_ERROR;
		out->reason = "daemon_bind_conflict";
		if (!ls->clash[k]) {
			snprintf(out->detail, sizeof(out->detail), "daemon %s does not listen", d->name);
			return;
		}
		snprintf(out->detail, sizeof(out->detail),
			 "daemon %s (line %u) cannot listen: port %u is held by daemon %s (line %u); %s",
			 cf->daemons[k].name, cf->daemons[k].line, (unsigned)cf->daemons[k].port,
			 cf->daemons[ls->clash_with[k]].name, cf->daemons[ls->clash_with[k]].line,
			 ls->wedged ? "sendmail retries for about 50 s, answering nobody, then exits"
				    : "that optional socket is disabled");
		return;
	}
	if (!sendmail_daemon_requires_auth(d) || global->verdict == SENDMAIL_RELAY_CLOSED)
		return;
	if (cf->auth_anonymous || cf->local_srv_features ||
	    (access != NULL && access->srv_features_no_auth != 0)) {
		snprintf(out->detail, sizeof(out->detail), "%.150s (M=a, but %s may lift it)",
			 global->detail,
			 cf->auth_anonymous ? "AuthMechanisms offers ANONYMOUS"
			 : cf->local_srv_features ? "Local_srv_features"
			 : "a Srv_Features: entry with L");
		return;
	}
	out->verdict = SENDMAIL_RELAY_CLOSED;
	out->reason = "auth_required";
	snprintf(out->detail, sizeof(out->detail),
		 "daemon %s (line %u) has M=a: MAIL is refused with 530 before AUTH, so no "
		 "unauthenticated client reaches RCPT (the .cf alone: %s)",
		 d->name, d->line, global->reason ? global->reason : "");
}

/* normalise a DaemonPortOptions value for comparison: drop whitespace */
static void
squash(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < outlen; s++)
		if (!isspace((unsigned char)*s))
			out[o++] = *s;
	out[o] = '\0';
}

static void
add_mismatch(struct sendmail_mismatch *m, const char *code)
{
	if (m->n < SENDMAIL_MAX_MISMATCH)
		m->codes[m->n++] = code;
}

void
sendmail_mc_cf_compare(const struct sendmail_mc *mc, const struct sendmail_cf *cf,
		       struct sendmail_mismatch *out)
{
	static const enum sendmail_feature compared[] = {
		SENDMAIL_F_PROMISCUOUS_RELAY, SENDMAIL_F_RELAY_ENTIRE_DOMAIN,
		SENDMAIL_F_RELAY_BASED_ON_MX, SENDMAIL_F_RELAY_LOCAL_FROM,
		SENDMAIL_F_LOOSE_RELAY_CHECK,
	};
	size_t o = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(compared) / sizeof(compared[0]); i++) {
		enum sendmail_feature f = compared[i];
		unsigned mcline = sendmail_mc_feature(mc, feature_names[f]);
		/* the .cf side: the m4 marker, or (promiscuous) its signs */
		bool in_cf = cf->feature[f];
		if (f == SENDMAIL_F_PROMISCUOUS_RELAY) {
			struct sendmail_relay_result r;
			sendmail_relay_eval(cf, NULL, &r);
			in_cf = r.promiscuous;
		}
		if ((mcline != 0) != in_cf) {
			add_mismatch(out, feature_names[f]);
			if (o < sizeof(out->detail))
				o += (size_t)snprintf(out->detail + o, sizeof(out->detail) - o,
						      "%s%s %s in .mc, %s in .cf",
						      o > 0 ? "; " : "", feature_names[f],
						      mcline ? "on" : "off", in_cf ? "on" : "off");
		}
	}

	/* the daemons proto.m4 would emit */
	char want[SENDMAIL_MAX_DAEMONS + 1][256];
	size_t nwant = 0;
	for (size_t i = 0; i < mc->n_daemon_options && nwant < SENDMAIL_MAX_DAEMONS; i++)
		squash(mc->daemon_options[i].name, want[nwant++], sizeof(want[0]));
	if (nwant == 0)
		squash("Name=MTA", want[nwant++], sizeof(want[0]));
	if (sendmail_mc_feature(mc, "no_default_msa") == 0)
		squash("Port=587, Name=MSA, M=E", want[nwant++], sizeof(want[0]));
	bool same = !cf->daemons_implicit && nwant == cf->n_daemons;
	for (size_t i = 0; same && i < nwant; i++) {
		char have[256];
		squash(cf->daemons[i].raw, have, sizeof(have));
		same = strcmp(have, want[i]) == 0;
	}
	if (!same) {
		add_mismatch(out, "daemon_options");
		if (o < sizeof(out->detail))
			snprintf(out->detail + o, sizeof(out->detail) - o,
				 "%s.mc gives %zu daemon(s), .cf has %zu different",
				 o > 0 ? "; " : "", nwant, cf->n_daemons);
	}
}

bool
sendmail_privacy_ok(unsigned privacy)
{
	return (privacy & SENDMAIL_PRIV_GOAWAY) != 0 ||
	       ((privacy & SENDMAIL_PRIV_NOEXPN) != 0 && (privacy & SENDMAIL_PRIV_NOVRFY) != 0);
}

bool
sendmail_greeting_reveals_version(const struct sendmail_cf *cf, const char **text)
{
	const char *g;

	if (cf->greeting_set)
		g = cf->greeting;
	else if (cf->macro_e_set)
		g = cf->macro_e;
	else
		g = "$j Sendmail $v ready at $b";
	if (text != NULL)
		*text = g;
	if (strstr(g, "$v") != NULL || strstr(g, "$Z") != NULL ||
	    strstr(g, "${version}") != NULL)
		return true;
	/* a literal version number: digits '.' digits ('.' digits) */
	for (const char *p = g; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || (p > g && isdigit((unsigned char)p[-1])))
			continue;
		const char *q = p;
		int dots = 0;
		while (isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1]))) {
			if (*q == '.')
				dots++;
			q++;
		}
		if (dots >= 2)
			return true;
	}
	return false;
}

bool
sendmail_help_enabled(const struct sendmail_cf *cf, bool file_has_content)
{
	return cf->helpfile_set && cf->helpfile[0] != '\0' && file_has_content;
}

unsigned
sendmail_dh_bits(const char *value, const char **source)
{
	if (value == NULL || *value == '\0' || *value == 'i' || *value == 'I') {
		*source = "builtin";	/* precomputed 2048-bit (tls.c get_dh2048) */
		return 2048;
	}
	switch (*value) {
	case '/':
		*source = "file";
		return 0;
	case '1':
		*source = "builtin";	/* generated at start */
		return 1024;
	case '2':
		*source = "builtin";
		return 2048;
	case '5':
		*source = "builtin";	/* precomputed 512-bit */
		return 512;
	case 'n':
	case 'N':
		*source = "none";
		return 0;
	default:
		*source = "builtin";	/* "illegal value": the default */
		return 2048;
	}
}

unsigned
sendmail_ssl_versions(const char *options)
{
	static const struct {
		const char *name;
		enum tlsinfo_version v;
	} opts[] = {
		{ "SSL_OP_NO_SSLv3", TLSINFO_SSL3 }, { "SSL_OP_NO_TLSv1_1", TLSINFO_TLS1_1 },
		{ "SSL_OP_NO_TLSv1_2", TLSINFO_TLS1_2 }, { "SSL_OP_NO_TLSv1_3", TLSINFO_TLS1_3 },
		{ "SSL_OP_NO_TLSv1", TLSINFO_TLS1_0 },
	};
	/* OpenSSL 3.0 in Debian: no SSLv3; TLS 1.0 up to 1.3 unless switched off */
	unsigned mask = TLSINFO_BIT(TLSINFO_TLS1_0) | TLSINFO_BIT(TLSINFO_TLS1_1)
			| TLSINFO_BIT(TLSINFO_TLS1_2) | TLSINFO_BIT(TLSINFO_TLS1_3);
	const char *p = options ? options : "";

	while (*p) {
		size_t n;
		bool minus;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		minus = *p == '-';
		if (*p == '+' || *p == '-') {
			p++;
			n--;
		}
		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			if (strlen(opts[i].name) == n && strncmp(p, opts[i].name, n) == 0) {
				if (minus)
					mask |= TLSINFO_BIT(opts[i].v);
				else
					mask &= ~TLSINFO_BIT(opts[i].v);
			}
		p += n;
	}
	return mask & ~TLSINFO_BIT(TLSINFO_SSL3);
}

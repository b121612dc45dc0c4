/*
 * options.c - command-line parsing (see options.h).
 *
 * Flags follow the Prometheus exporters' conventions: --name=value or
 * --name value, repeatable --web.listen-address, --collector.<name> /
 * --no-collector.<name> / --collector.disable-defaults (explicit flags win
 * whatever their order), and collector-declared flags --<collector>.<flag>.
 * Every error fills opts->error with a message naming the flag.
 */
#include "exporter/options.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/core/collector.h"

enum opt_id {
	OPT_LISTEN, OPT_TELEMETRY, OPT_ROOTFS, OPT_PROCFS, OPT_LOG_LEVEL,
	OPT_LOG_FORMAT, OPT_MAX_CONN, OPT_MAX_CONN_IP, OPT_CONN_TIMEOUT,
	OPT_MAX_BODY, OPT_ONCE, OPT_DISABLE_DEFAULTS, OPT_HELP, OPT_VERSION, OPT_FORMAT,
	/* web security and privileges */
	OPT_WEB_CONFIG, OPT_SYSTEMD_SOCKET, OPT_RUNAS, OPT_DISABLE_EXPORTER_METRICS,
};

enum opt_arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

struct opt_def {
	const char *name;
	enum opt_id id;
	enum opt_arg arg;
	const char *metavar;
	const char *help;
};

static const struct opt_def opt_defs[] = {
	{ "web.listen-address", OPT_LISTEN, ARG_REQUIRED, "ADDR",
	  "Address to listen on, host:port or [v6]:port (repeatable). Default " OPTIONS_DEFAULT_LISTEN "." },
	{ "web.telemetry-path", OPT_TELEMETRY, ARG_REQUIRED, "PATH",
	  "Path under which to expose metrics. Default /metrics." },
	{ "web.max-connections", OPT_MAX_CONN, ARG_REQUIRED, "N",
	  "Maximum concurrent HTTP connections; when reached, the busiest clients' idle connections are closed for newcomers. Default 512." },
	{ "web.max-connections-per-ip", OPT_MAX_CONN_IP, ARG_REQUIRED, "N",
	  "Maximum concurrent HTTP connections from one client address (IPv6: its /64). Default 16." },
	{ "web.connection-timeout", OPT_CONN_TIMEOUT, ARG_REQUIRED, "SECONDS",
	  "Close connections idle for this long. Default 10." },
	{ "web.max-body-bytes", OPT_MAX_BODY, ARG_REQUIRED, "BYTES",
	  "Largest exposition body; a scrape that would exceed it answers 500. Default 8388608." },
	{ "web.config.file", OPT_WEB_CONFIG, ARG_REQUIRED, "FILE",
	  "Web configuration file (exporter-toolkit format: TLS, basic auth, headers); re-read on SIGHUP." },
	{ "web.systemd-socket", OPT_SYSTEMD_SOCKET, ARG_NONE, NULL,
	  "Require sockets from systemd socket activation (sockets systemd passes are used even without this flag, instead of --web.listen-address)." },
	{ "web.disable-exporter-metrics", OPT_DISABLE_EXPORTER_METRICS, ARG_NONE, NULL,
	  "Leave out the process_* metrics about the exporter's own process (the mta_exporter_* metrics stay)." },
	{ "runas", OPT_RUNAS, ARG_REQUIRED, "USER",
	  "When started as root, switch to USER after binding (keeping only the capabilities enabled collectors need)." },
	{ "path.rootfs", OPT_ROOTFS, ARG_REQUIRED, "DIR",
	  "Prefix for every file the collectors read (audit a mounted image, or the host at /host). Default /." },
	{ "path.procfs", OPT_PROCFS, ARG_REQUIRED, "DIR",
	  "procfs mount point. Default /proc." },
	{ "log.level", OPT_LOG_LEVEL, ARG_REQUIRED, "LEVEL",
	  "Only log messages with this severity or above: debug, info, warn, error. Default info." },
	{ "log.format", OPT_LOG_FORMAT, ARG_REQUIRED, "FORMAT",
	  "Log format: logfmt or json. Default logfmt." },
	{ "once", OPT_ONCE, ARG_OPTIONAL, "FILE",
	  "Scrape once, write text 0.0.4 to stdout (or atomically to FILE) and exit; status 1 if a collector failed." },
	{ "format", OPT_FORMAT, ARG_REQUIRED, "FORMAT",
	  "audit only: report as text (default) or json." },
	{ "collector.disable-defaults", OPT_DISABLE_DEFAULTS, ARG_NONE, NULL,
	  "Disable every collector not enabled explicitly with --collector.<name>." },
	{ "help", OPT_HELP, ARG_NONE, NULL, "Show this help and exit." },
	{ "version", OPT_VERSION, ARG_NONE, NULL, "Show the version and exit." },
};

#define N_OPT_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

static int __attribute__((format(printf, 2, 3)))
fail(struct options *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->error, sizeof(o->error), fmt, ap);
	va_end(ap);
	return -1;
}

static int
parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = MODE_SERVE;
	o->telemetry_path = "/metrics";
	o->env.rootfs = "/";
	o->env.procfs = "/proc";
	o->audit_format = "text";
	o->log_level = LOG_LEVEL_INFO;
	o->log_format = LOG_FORMAT_LOGFMT;
	o->max_body_bytes = 8u << 20;
	o->max_connections = 512;	/* with fair eviction, enough; bounds memory: docs/security.md */
	o->max_connections_per_ip = 16;
	o->connection_timeout_s = 10;
	for (size_t i = 0; i < collector_count; i++) {
		const struct collector_flag *f = collector_table[i]->flags;

		for (; f && f->name; f++)
			*f->value = f->defval;
	}
}

static const struct collector_flag *
find_collector_flag(const char *name)
{
	for (size_t i = 0; i < collector_count; i++) {
		const struct collector_flag *f = collector_table[i]->flags;

		for (; f && f->name; f++)
			if (strcmp(f->name, name) == 0)
				return f;
	}
	return NULL;
}

static int
apply(struct options *o, const struct opt_def *d, const char *flag, const char *val)
{
	unsigned long n;

	switch (d->id) {
	case OPT_LISTEN:
		if (o->n_listen == OPTIONS_MAX_LISTEN)
			return fail(o, "--%s: at most 8 addresses", flag);
		if (*val == '\0')
			return fail(o, "--%s: empty address", flag);
		o->listen[o->n_listen++] = val;
		break;
	case OPT_TELEMETRY:
		if (val[0] != '/' || strcmp(val, "/") == 0 || strcmp(val, "/-/healthy") == 0)
			return fail(o, "--%s: must start with '/' and not be / or /-/healthy (got \"%s\")", flag, val);
		o->telemetry_path = val;
		break;
	case OPT_ROOTFS:
		if (*val == '\0')
			return fail(o, "--%s: empty path", flag);
		o->env.rootfs = val;
		break;
	case OPT_PROCFS:
		if (*val == '\0')
			return fail(o, "--%s: empty path", flag);
		o->env.procfs = val;
		break;
	case OPT_LOG_LEVEL:
		if (log_parse_level(val, &o->log_level) < 0)
			return fail(o, "--%s: unknown level \"%s\" (debug, info, warn, error)", flag, val);
		break;
	case OPT_LOG_FORMAT:
		if (log_parse_format(val, &o->log_format) < 0)
			return fail(o, "--%s: unknown format \"%s\" (logfmt, json)", flag, val);
		break;
	case OPT_MAX_CONN:
		if (parse_uint(val, 1, 65535, &n) < 0)
			return fail(o, "--%s: expected a number from 1 to 65535, got \"%s\"", flag, val);
		o->max_connections = (unsigned)n;
		break;
	case OPT_MAX_CONN_IP:
		if (parse_uint(val, 1, 65535, &n) < 0)
			return fail(o, "--%s: expected a number from 1 to 65535, got \"%s\"", flag, val);
		o->max_connections_per_ip = (unsigned)n;
		break;
	case OPT_CONN_TIMEOUT:
		if (parse_uint(val, 1, 3600, &n) < 0)
			return fail(o, "--%s: expected seconds from 1 to 3600, got \"%s\"", flag, val);
		o->connection_timeout_s = (unsigned)n;
		break;
	case OPT_MAX_BODY:
		if (parse_uint(val, 4096, 1ul << 30, &n) < 0)
			return fail(o, "--%s: expected bytes from 4096 to 1073741824, got \"%s\"", flag, val);
		o->max_body_bytes = n;
		break;
	case OPT_ONCE:
		if (o->mode == MODE_AUDIT)
			return fail(o, "--%s cannot be used with the audit command", flag);
		o->mode = MODE_ONCE;
		if (val && *val == '\0')
			return fail(o, "--%s: empty file name", flag);
		o->once_file = val;
		break;
	case OPT_WEB_CONFIG:
		if (*val == '\0')
			return fail(o, "--%s: empty file name", flag);
		o->web_config_file = val;
		break;
	case OPT_SYSTEMD_SOCKET:
		o->systemd_socket = true;
		break;
	case OPT_DISABLE_EXPORTER_METRICS:
		o->disable_exporter_metrics = true;
		break;
	case OPT_RUNAS:
		if (*val == '\0')
			return fail(o, "--%s: empty user name", flag);
		o->runas = val;
		break;
	case OPT_FORMAT:
		if (o->mode != MODE_AUDIT)
			return fail(o, "--%s is only valid with the audit command", flag);
		if (strcmp(val, "text") != 0 && strcmp(val, "json") != 0)
			return fail(o, "--%s: expected text or json, got \"%s\"", flag, val);
		o->audit_format = val;
		break;
	case OPT_DISABLE_DEFAULTS:
		break;	/* handled after the loop */
	case OPT_HELP:
		o->mode = MODE_HELP;
		break;
	case OPT_VERSION:
		o->mode = MODE_VERSION;
		break;
	}
	return 0;
}

int
options_parse(struct options *o, int argc, char **argv)
{
	signed char explicit[COLLECTOR_MAX] = { 0 };	/* +1 on, -1 off */
	bool disable_defaults = false, help = false, version = false;
	char name[128];

	set_defaults(o);
	assert(collector_count <= COLLECTOR_MAX);	/* registry.c's _Static_assert */
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "audit") == 0) {	/* mta_exporter audit [flags] */
		o->mode = MODE_AUDIT;
		first = 2;
	}
	for (int i = first; i < argc; i++) {
		const char *arg = argv[i], *eq, *val = NULL;
		const struct opt_def *d = NULL;
		const struct collector_flag *cf;
		size_t nlen;
		int ci;

		if (strcmp(arg, "-h") == 0) {
			help = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			return fail(o, "unexpected argument \"%s\"", arg);
		arg += 2;
		eq = strchr(arg, '=');
		nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		if (nlen >= sizeof(name))
			return fail(o, "unknown flag \"--%.60s\"", arg);
		memcpy(name, arg, nlen);
		name[nlen] = '\0';
		if (eq)
			val = eq + 1;

		if (strncmp(name, "collector.", 10) == 0 && strcmp(name, "collector.disable-defaults") != 0) {
			if ((ci = collector_index(name + 10)) < 0)
				return fail(o, "--%s: unknown collector \"%s\"", name, name + 10);
			if (val)
				return fail(o, "--%s takes no value (use --no-%s to disable)", name, name);
			explicit[ci] = 1;
			continue;
		}
		if (strncmp(name, "no-collector.", 13) == 0) {
			if ((ci = collector_index(name + 13)) < 0)
				return fail(o, "--%s: unknown collector \"%s\"", name, name + 13);
			if (val)
				return fail(o, "--%s takes no value", name);
			explicit[ci] = -1;
			continue;
		}
		if ((cf = find_collector_flag(name)) != NULL) {
			if (val == NULL) {
				if (i + 1 >= argc)
					return fail(o, "--%s needs a value", name);
				val = argv[++i];
			}
			*cf->value = val;
			continue;
		}
		for (size_t k = 0; k < N_OPT_DEFS; k++)
			if (strcmp(opt_defs[k].name, name) == 0)
				d = &opt_defs[k];
		if (d == NULL)
			return fail(o, "unknown flag \"--%s\" (see --help)", name);
		if (d->arg == ARG_NONE && val)
			return fail(o, "--%s takes no value", name);
		if (d->arg == ARG_REQUIRED && val == NULL) {
			if (i + 1 >= argc)
				return fail(o, "--%s needs a value", name);
			val = argv[++i];
		}
		if (d->id == OPT_DISABLE_DEFAULTS)
			disable_defaults = true;
		if (d->id == OPT_HELP) {
			help = true;
			continue;
		}
		if (d->id == OPT_VERSION) {
			version = true;
			continue;
		}
		if (apply(o, d, name, val) < 0)
			return -1;
	}
	for (size_t i = 0; i < collector_count; i++) {
		bool on = disable_defaults ? false : collector_table[i]->default_enabled;

		if (explicit[i])
			on = explicit[i] > 0;
		o->env.enabled[i] = on;
	}
	if (o->n_listen == 0)
		o->listen[o->n_listen++] = OPTIONS_DEFAULT_LISTEN;
	if (help)
		o->mode = MODE_HELP;
	else if (version)
		o->mode = MODE_VERSION;
	o->env.serving = o->mode == MODE_SERVE;
	return 0;
}

void
options_usage(FILE *out)
{
	fprintf(out, "usage: mta_exporter [flags]\n"
		     "       mta_exporter audit [--format=text|json] [flags]\n\n"
		     "Prometheus exporter that audits the hardening of local MTAs\n"
		     "(Postfix, Exim, Sendmail): exposure beyond loopback, open relay,\n"
		     "CIS 2.1.21 and DISA STIG mail rules.\n\nFlags:\n");
	for (size_t i = 0; i < N_OPT_DEFS; i++) {
		const struct opt_def *d = &opt_defs[i];
		char left[64];

		if (d->arg == ARG_REQUIRED)
			snprintf(left, sizeof(left), "--%s=%s", d->name, d->metavar);
		else if (d->arg == ARG_OPTIONAL)
			snprintf(left, sizeof(left), "--%s[=%s]", d->name, d->metavar);
		else
			snprintf(left, sizeof(left), "--%s", d->name);
		fprintf(out, "  %-36s %s\n", left, d->help);
	}
	fprintf(out, "  %-36s %s\n", "-h", "Same as --help.");
	fprintf(out, "\nCollectors (--collector.<name> to enable, --no-collector.<name> to disable):\n");
	for (size_t i = 0; i < collector_count; i++) {
		const struct collector *c = collector_table[i];

		fprintf(out, "  %-36s %s [default: %s]\n", c->name, c->help,
			c->default_enabled ? "enabled" : "disabled");
	}
	fprintf(out, "\nCollector flags:\n");
	for (size_t i = 0; i < collector_count; i++) {
		for (const struct collector_flag *f = collector_table[i]->flags; f && f->name; f++) {
			char left[64];

			snprintf(left, sizeof(left), "--%s=VALUE", f->name);
			fprintf(out, "  %-36s %s Default \"%s\".\n", left, f->help, f->defval);
		}
	}
}

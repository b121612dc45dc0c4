/*
 * options.h - command-line options (Prometheus exporter conventions).
 *
 * options_parse() is pure: argv in, struct options out, and on error a
 * message in opts->error and a return of -1 (the caller exits 2).  Collector
 * flags are declared by the collectors themselves (collectors/core/collector.h) and parsed
 * here as --<collector>.<flag>=VALUE.
 */
#ifndef MTA_OPTIONS_H
#define MTA_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "collectors/core/collector.h"
#include "lib/log.h"

#define OPTIONS_MAX_LISTEN 8
#define OPTIONS_DEFAULT_LISTEN "127.0.0.1:10425"

enum options_mode { MODE_SERVE, MODE_ONCE, MODE_AUDIT, MODE_HELP, MODE_VERSION };

struct options {
	enum options_mode mode;
	const char *listen[OPTIONS_MAX_LISTEN];
	size_t n_listen;
	const char *telemetry_path;
	struct collector_env env;	/* --path.rootfs, --path.procfs, which collectors run */
	const char *once_file;		/* NULL = stdout */
	const char *web_config_file;
	bool systemd_socket;
	bool disable_exporter_metrics;	/* no process_* series */
	const char *runas;
	const char *audit_format;	/* "text", "json" or "junit" */
	enum log_level log_level;
	enum log_format log_format;
	size_t max_body_bytes;
	unsigned max_connections;
	unsigned max_connections_per_ip;
	unsigned connection_timeout_s;
	char error[256];
};

int options_parse(struct options *opts, int argc, char **argv);
void options_usage(FILE *out);

#endif

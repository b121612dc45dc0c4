/*
 * main.c - mta_exporter entry point.
 *
 * Parses flags (exit 2 on bad ones), initialises the collectors, then
 * either serves HTTP until SIGTERM/SIGINT or, with --once, runs one scrape
 * and writes text 0.0.4 to stdout or atomically to a file (exit 1 if a
 * collector failed), or with "audit" prints the compliance report.  Signals are blocked in every thread and taken
 * synchronously with sigwait(), so shutdown is ordinary code.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collectors/core/scrape.h"
#include "exporter/audit.h"
#include "exporter/http.h"
#include "exporter/options.h"
#include "exporter/privs.h"
#include "exporter/procself.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/version.h"

static int
run_once(struct scrape *s, const struct options *opts)
{
	struct buf out;
	bool failed;
	int rc;

	buf_init(&out, opts->max_body_bytes);
	if (scrape_render(s, METRICS_TEXT_004, &out, &failed) < 0) {
		log_error("the metrics could not be produced completely", NULL);
		buf_free(&out);
		return 2;
	}
	if (opts->once_file) {
		rc = fileio_write_atomic(opts->once_file, out.data, out.len);
		if (rc < 0)
			log_error("cannot write output", "file", opts->once_file, "err", strerror(errno), NULL);
	} else {
		rc = buf_write_all(STDOUT_FILENO, out.data, out.len);
		if (rc < 0)
			log_error("cannot write to stdout", "err", strerror(errno), NULL);
	}
	buf_free(&out);
	if (rc < 0)
		return 2;
	return failed ? 1 : 0;
}

/* Allow as many descriptors as the connection limit needs. */
static void
raise_nofile(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < (rlim_t)want + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)want + 64 ? rl.rlim_max : (rlim_t)want + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
serve(struct scrape *s, const struct options *opts)
{
	struct http_server *h;
	sigset_t set;
	char err[256], who[160];
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* inherited by MHD's threads */
	signal(SIGPIPE, SIG_IGN);
	/* libmicrohttpd may hold up to twice the limit while connections are closed to make room */
	raise_nofile((2 * opts->max_connections + HTTP_MHD_EXTRA) * (unsigned)opts->n_listen);

	h = http_bind(opts, s);
	if (h == NULL)
		return 1;
	/* Sockets are bound; drop privileges before any HTTP thread exists. */
	if (privs_drop(opts->runas, privs_needed_caps(opts), err, sizeof(err)) < 0) {
		log_error("cannot drop privileges", "err", err, NULL);
		http_stop(h);
		return 1;
	}
	privs_describe(who, sizeof(who));
	log_info("privileges", "state", who, NULL);
	if (http_start(h) < 0) {
		http_stop(h);
		return 1;
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* Collector configuration is read on every scrape; SIGHUP re-reads the web config. */
			http_reload(h);
			continue;
		}
		break;
	}
	log_info("shutting down", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
	http_stop(h);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct options opts;
	static struct scrape scrape;
	struct scrape_config cfg;
	int rc;

	if (options_parse(&opts, argc, argv) < 0) {
		fprintf(stderr, "mta_exporter: %s\n", opts.error);
		return 2;
	}
	if (opts.mode == MODE_HELP) {
		options_usage(stdout);
		return 0;
	}
	if (opts.mode == MODE_VERSION) {
		printf("mta_exporter version %s (revision %s)\n", MTA_VERSION, MTA_REVISION);
		return 0;
	}
	log_setup(opts.log_level, opts.log_format);
	if (opts.mode == MODE_SERVE)	/* the addresses follow, one "listening" line each */
		log_info("starting mta_exporter", "version", MTA_VERSION, "revision", MTA_REVISION, NULL);
	if (geteuid() == 0 && opts.mode == MODE_SERVE && opts.runas == NULL)
		log_warn("running as root is not needed; run as an unprivileged user "
			 "or use --runas (see docs/privileges.md for what each collector needs)", NULL);
	cfg = (struct scrape_config){
		.env = &opts.env,
		.max_body_bytes = opts.max_body_bytes,
		/* a --once output outlives its process: no process_* there */
		.self_metrics = opts.mode == MODE_SERVE && !opts.disable_exporter_metrics
					? procself_metrics : NULL,
	};
	if (scrape_init(&scrape, &cfg) < 0)
		return 2;
	if (opts.mode == MODE_ONCE)
		rc = run_once(&scrape, &opts);
	else if (opts.mode == MODE_AUDIT)
		rc = audit_run(&scrape, &opts);	/* exporter/audit.c */
	else
		rc = serve(&scrape, &opts);
	scrape_fini(&scrape);
	return rc;
}

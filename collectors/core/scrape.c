/*
 * scrape.c - run the enabled collectors and add the framework's own
 * metrics (see scrape.h).
 *
 * Self-metrics: mta_exporter_build_info, mta_exporter_collector_success,
 * mta_exporter_collector_duration_seconds, mta_exporter_scrape_duration_seconds;
 * then the metrics all MTAs share, from the facts (collectors/core/mta_metrics.h),
 * so mta_detected exists for all three even when a collector is disabled;
 * last the program's own metrics, cfg.self_metrics (main.c passes the
 * process_* metrics of exporter/procself.h only when serving: a --once
 * output outlives its process, and node_exporter's textfile collector
 * would see them clash with its own; and not with
 * --web.disable-exporter-metrics).
 *
 * Every collector runs through scrape_collector(): after an MTA's collector
 * succeeded, the relay rules every MTA shares are applied to its facts
 * (collectors/core/mta_relay.h), before the checks collector reads them.
 *
 * Each pass ends the log's pass (log_file_warn_pass_end), so that a file
 * warning repeated by the next scrape is not logged again (lib/log.h).
 */
#include "collectors/core/scrape.h"

#include <string.h>
#include <time.h>

#include "collectors/core/mta.h"
#include "collectors/core/mta_metrics.h"
#include "collectors/core/mta_relay.h"
#include "lib/log.h"
#include "lib/version.h"

#define STR2(x) #x
#define STR(x) STR2(x)
#if defined(__clang__)
#define MTA_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define MTA_COMPILER "gcc " STR(__GNUC__) "." STR(__GNUC_MINOR__) "." STR(__GNUC_PATCHLEVEL__)
#else
#define MTA_COMPILER "unknown"
#endif

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
scrape_init(struct scrape *s, const struct scrape_config *cfg)
{
	const struct collector_env *env = cfg->env;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->cfg = *cfg;
	arena_init(&s->arena, SCRAPE_ARENA_MAX);
	for (size_t i = 0; i < collector_count; i++) {
		const struct collector *c = collector_table[i];

		if (!env->enabled[i] || c->init == NULL) {
			s->initialized[i] = env->enabled[i];
			continue;
		}
		if (c->init(env) < 0) {
			log_error("collector refused its configuration", "collector", c->name, NULL);
			scrape_fini(s);
			return -1;
		}
		s->initialized[i] = true;
	}
	return 0;
}

void
scrape_fini(struct scrape *s)
{
	for (size_t i = 0; i < collector_count; i++) {
		if (s->initialized[i] && collector_table[i]->fini)
			collector_table[i]->fini();
		s->initialized[i] = false;
	}
	arena_free(&s->arena);
	pthread_mutex_destroy(&s->lock);
}

int
scrape_collector(struct scrape_ctx *sc, const struct collector *c)
{
	int r = c->collect(sc);

	if (r != 0)
		return r;
	for (int k = 0; k < MTA_COUNT; k++)
		if (mta_table[k]->collector == c)
			mta_relay_settle(&sc->facts->mta[k], sc->arena);
	return r;
}

int
scrape_collect(struct scrape *s, struct metrics *m, bool *failed)
{
	struct metric_family *dur, *ok;
	struct scrape_ctx sc;
	double t0 = now_seconds();

	*failed = false;
	arena_reset(&s->arena);
	memset(&s->facts, 0, sizeof(s->facts));
	s->facts.now = (int64_t)time(NULL);
	sc.env = s->cfg.env;
	sc.m = m;
	sc.facts = &s->facts;
	sc.arena = &s->arena;

	metrics_add(metrics_family(m, "mta_exporter_build_info",
				   "Build information of the running exporter.", METRIC_INFO),
		    1, "version", MTA_VERSION, "revision", MTA_REVISION,
		    "compiler", MTA_COMPILER, NULL);
	dur = metrics_family(m, "mta_exporter_collector_duration_seconds",
			     "Time a collector took in this scrape.", METRIC_GAUGE);
	ok = metrics_family(m, "mta_exporter_collector_success",
			    "1 if the collector succeeded in this scrape, 0 if it failed (see the log).",
			    METRIC_GAUGE);
	for (size_t i = 0; i < collector_count; i++) {
		const struct collector *c = collector_table[i];
		double t;
		int r;

		if (!s->cfg.env->enabled[i])
			continue;
		t = now_seconds();
		r = scrape_collector(&sc, c);
		if (r == 0 && s->arena.failed) {
			log_warn("collector ran out of per-scrape memory", "collector", c->name, NULL);
			r = -1;
		}
		if (r < 0) {
			*failed = true;
			log_warn("collector failed", "collector", c->name, NULL);
		}
		s->arena.failed = false;
		metrics_add(dur, now_seconds() - t, "collector", c->name, NULL);
		metrics_add(ok, r < 0 ? 0 : 1, "collector", c->name, NULL);
	}
	mta_metrics_emit(m, &s->facts);
	metrics_add(metrics_family(m, "mta_exporter_scrape_duration_seconds",
				   "Time all collectors took in this scrape.", METRIC_GAUGE),
		    now_seconds() - t0, NULL);
	if (s->cfg.self_metrics)
		s->cfg.self_metrics(m);
	log_file_warn_pass_end();
	return metrics_failed(m) ? -1 : 0;
}

int
scrape_render(struct scrape *s, enum metrics_format fmt, struct buf *out, bool *failed)
{
	struct metrics *m = metrics_new(s->cfg.max_body_bytes * 2);
	int r;

	if (m == NULL)
		return -1;
	pthread_mutex_lock(&s->lock);
	r = scrape_collect(s, m, failed);
	pthread_mutex_unlock(&s->lock);
	if (r == 0)
		r = metrics_render(m, fmt, out);
	metrics_free(m);
	return r;
}

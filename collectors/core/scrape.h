/*
 * scrape.h - one collection pass over the enabled collectors.
 *
 * Concurrency model: collection is serialized.  struct scrape holds a mutex;
 * scrape_collect() runs every enabled collector in table order under it,
 * using one per-scrape arena that is reset at the start of the next pass.
 * Concurrent HTTP requests therefore never share collector state; they
 * queue for the lock (a full pass takes well under a millisecond), and each
 * renders its own body outside the lock.
 *
 * The program configures a scrape with a struct scrape_config: what the
 * collectors see (struct collector_env), the body cap, and optionally its
 * own process_* metrics, added last (exporter/procself.c when serving).
 *
 * Diagnostics: a collector that refuses its configuration is logged and
 * scrape_init() fails; a collector that fails (or runs out of per-scrape
 * memory) in a pass is logged, its mta_exporter_collector_success is 0
 * and *failed is set, and the rest of the pass is still served.
 */
#ifndef MTA_SCRAPE_H
#define MTA_SCRAPE_H

#include <pthread.h>
#include <stdbool.h>

#include "collectors/core/collector.h"
#include "exporter/exposition/metrics.h"
#include "lib/buf.h"

#define SCRAPE_ARENA_MAX (16u << 20)

struct scrape_config {
	const struct collector_env *env;	/* what the collectors see; must outlive the scrape */
	size_t max_body_bytes;	/* largest body; the samples may take twice that */
	void (*self_metrics)(struct metrics *m);	/* added after everything else; NULL = none */
};

struct scrape {
	pthread_mutex_t lock;
	struct scrape_config cfg;
	struct arena arena;
	struct facts facts;
	bool initialized[COLLECTOR_MAX];
};

/* scrape_init - init() every enabled collector; -1 if one refused (logged). */
int scrape_init(struct scrape *s, const struct scrape_config *cfg);
void scrape_fini(struct scrape *s);

/*
 * scrape_collect - run the collectors into m.  Caller holds s->lock (the
 * facts stay valid until it is released).  *failed is set when any
 * collector failed.  Returns 0, or -1 when m itself failed.
 */
int scrape_collect(struct scrape *s, struct metrics *m, bool *failed);

/*
 * scrape_collector - run one collector's collect() in sc, then, when it
 * succeeded and fills an MTA's facts (mta_table), settle that MTA's relay
 * verdicts with the rules every MTA shares (collectors/core/mta_relay.h).
 * Returns what collect() returned.  scrape_collect() runs every enabled
 * collector through it; tests that drive one collector use it too.
 */
int scrape_collector(struct scrape_ctx *sc, const struct collector *c);

/*
 * scrape_render - lock, collect, render in fmt into out, unlock.
 * Returns 0, or -1 when no complete body could be produced.
 */
int scrape_render(struct scrape *s, enum metrics_format fmt, struct buf *out, bool *failed);

#endif

/*
 * mta_relay.h - the relay rules every MTA shares, decided once for all of
 * them instead of in each MTA module.
 *
 * An MTA's collector fills facts->mta[k].relays with its own verdicts
 * (what its configuration answers to the attacker of docs/relay-model.md);
 * the framework then settles them with mta_relay_settle()
 * (collectors/core/scrape.c: scrape_collector(), right after the
 * collector that fills MTA k succeeded, before the checks read them):
 *
 *   loopback only: a service whose configured endpoints are all loopback
 *   addresses cannot be reached by a client anywhere else, whatever its
 *   configuration would answer: an open, undetermined or closed verdict
 *   becomes closed with reason "loopback_only", and the MTA's own verdict
 *   is kept in the detail.  A config_error stays: the service would not
 *   start, which the operator should see.  A service with no endpoint, or
 *   one given as a host name (not known to be loopback), is left alone.
 *
 * Diagnostics: none.  When per-scrape memory runs out the detail is the
 * short text without the MTA's own verdict (the arena records the
 * failure, and the scrape reports the collector as failed).
 */
#ifndef MTA_MTA_RELAY_H
#define MTA_MTA_RELAY_H

#include "collectors/core/collector.h"
#include "lib/arena.h"

/* mta_relay_settle - apply the shared rules to one MTA's relay verdicts. */
void mta_relay_settle(struct mta_facts *mf, struct arena *ar);

/* mta_relay_loopback_only - every endpoint of that service is loopback (and there is one). */
bool mta_relay_loopback_only(const struct mta_facts *mf, const struct mta_relay *r);

#endif

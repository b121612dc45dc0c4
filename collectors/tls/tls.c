/*
 * tls.c - the "tls" collector: targets from the facts, a background
 * thread that handshakes with them, and the live series (see tls.h).
 *
 * Diagnostics: see tls.h.
 */
#include "collectors/tls/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "collectors/core/mta.h"
#include "collectors/core/mta_metrics.h"
#include "lib/log.h"
#include "lib/text.h"
#include "lib/tlsclient.h"

#define TLS_MIN_RESCAN_MS 60000	/* a changed target set starts a round at most this often */

static const char *flag_interval = "10m";
static const char *flag_timeout = "5s";

static const struct collector_flag tls_flags[] = {
	{ "tls.interval", "How often the background TLS handshakes run.", "10m", &flag_interval },
	{ "tls.timeout", "Deadline of one TLS handshake (connect and SMTP included).", "5s",
	  &flag_timeout },
	{ NULL, NULL, NULL, NULL },
};

/* A target as the thread keeps it (its own copy of every string). */
struct job {
	enum mta_kind mta;
	char service[64];
	char address[INADDR_STRLEN];
	uint16_t port;
	char ehlo[256];
	struct tlsclient_target t;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool started, stop;
	long long interval_ms, timeout_ms;
	struct job jobs[TLS_MAX_TARGETS];	/* what the last scrape asked for */
	size_t n_jobs;
	bool changed;
	struct mta_tls_live live[TLS_MAX_TARGETS];	/* results, one per job of its round */
	struct job live_job[TLS_MAX_TARGETS];
	size_t n_live;
	bool warned_offer;
} bg = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

/* ---- targets ---- */

/* The service of MTA k that names port (and the socket's address, if it can). */
static const char *
service_of(const struct mta_facts *m, const struct listener *l)
{
	const char *any = NULL;

	for (size_t i = 0; i < m->n_endpoints; i++) {
		const struct mta_endpoint *e = &m->endpoints[i];
		struct inaddr a, b;

		if (e->port != l->port)
			continue;
		if (any == NULL)
			any = e->service;
		a = inaddr_unmap(&e->addr);
		b = inaddr_unmap(&l->addr);
		if (e->numeric && inaddr_equal(&a, &b))
			return e->service;
	}
	return any;
}

static const char *
hostname_of(const struct mta_facts *m, const char *service)
{
	for (size_t i = 0; i < m->n_tls; i++)
		if (strcmp(m->tls[i].service, service) == 0 && m->tls[i].hostname)
			return m->tls[i].hostname;
	return NULL;
}

size_t
tls_targets(const struct facts *f, struct tls_target *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n_listeners && n < max; i++) {
		const struct listener *l = &f->listeners[i];

		for (int k = 0; k < MTA_COUNT && n < max; k++) {
			const struct mta_facts *m = &f->mta[k];
			struct tls_target *t = &out[n];
			struct inaddr a = inaddr_unmap(&l->addr);
			const char *svc;
			bool dup = false;

			if (!m->detected || !m->collected || !mta_process_is(l->process, (enum mta_kind)k))
				continue;
			if ((svc = service_of(m, l)) == NULL)
				continue;
			for (size_t j = 0; j < n; j++)
				if (out[j].mta == (enum mta_kind)k && strcmp(out[j].service, svc) == 0)
					dup = true;
			if (dup)
				break;
			memset(t, 0, sizeof(*t));
			t->mta = (enum mta_kind)k;
			t->service = svc;
			t->port = l->port;
			if (inaddr_is_wildcard(&a))
				inaddr_parse(a.family == AF_INET ? "127.0.0.1" : "::1", &a);
			inaddr_format(&a, t->address, sizeof(t->address));
			if (a.family == AF_INET) {
				struct sockaddr_in *s = (struct sockaddr_in *)&t->t.addr;

				s->sin_family = AF_INET;
				s->sin_port = htons(l->port);
				memcpy(&s->sin_addr, a.a, 4);
				t->t.addrlen = sizeof(*s);
			} else {
				struct sockaddr_in6 *s = (struct sockaddr_in6 *)&t->t.addr;

				s->sin6_family = AF_INET6;
				s->sin6_port = htons(l->port);
				memcpy(&s->sin6_addr, a.a, 16);
				s->sin6_scope_id = l->ifindex;
				t->t.addrlen = sizeof(*s);
			}
			t->t.mode = l->port == 465 || strcmp(svc, "smtps") == 0
					    || strcmp(svc, "submissions") == 0
					    ? TLSCLIENT_IMPLICIT : TLSCLIENT_STARTTLS_SMTP;
			t->t.ehlo = hostname_of(m, svc);
			n++;
			break;
		}
	}
	return n;
}

/* ---- the background thread ---- */

static bool
job_same(const struct job *a, const struct job *b)
{
	return a->mta == b->mta && a->port == b->port && strcmp(a->service, b->service) == 0
	       && strcmp(a->address, b->address) == 0;
}

static void
probe(const struct job *j, struct mta_tls_live *out)
{
	static const enum tlsinfo_version pinned[] = { TLSINFO_TLS1_0, TLSINFO_TLS1_1 };
	struct tlsclient_offer def = TLSCLIENT_OFFER_DEFAULT, dhe = { 0, true };
	int timeout = (int)bg.timeout_ms;
	char port[8];

	memset(out, 0, sizeof(*out));
	out->mta = j->mta;
	snprintf(out->address, sizeof(out->address), "%s", j->address);
	out->port = j->port;
	for (int v = 0; v < TLSINFO_V_COUNT; v++)
		out->accepted[v] = -1;
	snprintf(port, sizeof(port), "%u", (unsigned)j->port);
	if (tlsclient_handshake(&j->t, &def, timeout, &out->main) != TLSCLIENT_OK) {
		log_debug("TLS handshake failed", "mta", mta_name(j->mta), "service", j->service,
			  "address", j->address, "port", port, "outcome",
			  tlsclient_outcome_name(out->main.outcome), "err", out->main.error, NULL);
	} else {
		out->accepted[out->main.version] = 1;
		(void)tlsclient_handshake(&j->t, &dhe, timeout, &out->dhe);
		for (size_t i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
			struct tlsclient_offer o = { TLSINFO_BIT(pinned[i]), false };
			struct tlsclient_result r;
			enum tlsclient_outcome rc = tlsclient_handshake(&j->t, &o, timeout, &r);

			if (rc == TLSCLIENT_OK)
				out->accepted[pinned[i]] = r.version == pinned[i];
			else if (rc == TLSCLIENT_REFUSED)
				out->accepted[pinned[i]] = 0;
			else if (rc == TLSCLIENT_CANNOT_OFFER && !bg.warned_offer) {
				bg.warned_offer = true;
				log_warn("cannot test a TLS version: the series is omitted",
					 "version", tlsinfo_version_name(pinned[i]), "err", r.error, NULL);
			}
		}
	}
	out->timestamp = (double)time(NULL);
}

static void *
tls_thread(void *arg)
{
	long long next = 0, last_round = 0;

	(void)arg;
	pthread_mutex_lock(&bg.lock);
	while (!bg.stop) {
		struct job jobs[TLS_MAX_TARGETS];
		struct mta_tls_live res[TLS_MAX_TARGETS];
		size_t n;
		long long now = tlsclient_now_ms();

		if (!(now >= next || (bg.changed && now - last_round >= TLS_MIN_RESCAN_MS))) {
			long long until = bg.changed ? last_round + TLS_MIN_RESCAN_MS : next;
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			until = until - now > 1000 ? 1000 : until - now;	/* re-check each second */
			ts.tv_sec += (time_t)(until / 1000);
			ts.tv_nsec += (long)(until % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&bg.wake, &bg.lock, &ts);
			continue;
		}
		n = bg.n_jobs;
		memcpy(jobs, bg.jobs, n * sizeof(jobs[0]));
		for (size_t i = 0; i < n; i++)
			jobs[i].t.ehlo = jobs[i].ehlo;	/* our copy, not bg.jobs' */
		bg.changed = false;
		pthread_mutex_unlock(&bg.lock);
		/* the handshakes: no lock held */
		for (size_t i = 0; i < n; i++) {
			probe(&jobs[i], &res[i]);
			pthread_mutex_lock(&bg.lock);
			if (bg.stop) {
				pthread_mutex_unlock(&bg.lock);
				return NULL;
			}
			pthread_mutex_unlock(&bg.lock);
		}
		pthread_mutex_lock(&bg.lock);
		memcpy(bg.live, res, n * sizeof(res[0]));
		memcpy(bg.live_job, jobs, n * sizeof(jobs[0]));
		for (size_t i = 0; i < n; i++)
			bg.live_job[i].t.ehlo = bg.live_job[i].ehlo;	/* not the thread's stack */
		bg.n_live = n;
		last_round = tlsclient_now_ms();
		next = last_round + bg.interval_ms;
	}
	pthread_mutex_unlock(&bg.lock);
	return NULL;
}

/* ---- the collector ---- */

/* Hand the scrape's targets to the thread (starting it the first time). */
static void
publish(const struct tls_target *t, size_t n)
{
	struct job jobs[TLS_MAX_TARGETS];
	bool same;

	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < n; i++) {
		jobs[i].mta = t[i].mta;
		snprintf(jobs[i].service, sizeof(jobs[i].service), "%s", t[i].service);
		snprintf(jobs[i].address, sizeof(jobs[i].address), "%s", t[i].address);
		snprintf(jobs[i].ehlo, sizeof(jobs[i].ehlo), "%s",
			 t[i].t.ehlo && *t[i].t.ehlo ? t[i].t.ehlo : "localhost");
		jobs[i].port = t[i].port;
		jobs[i].t = t[i].t;
		jobs[i].t.ehlo = NULL;	/* set by the thread's copy below */
	}
	pthread_mutex_lock(&bg.lock);
	same = n == bg.n_jobs;
	for (size_t i = 0; same && i < n; i++)
		same = job_same(&jobs[i], &bg.jobs[i]);
	if (!same) {
		memcpy(bg.jobs, jobs, sizeof(jobs));
		for (size_t i = 0; i < n; i++)
			bg.jobs[i].t.ehlo = bg.jobs[i].ehlo;
		bg.n_jobs = n;
		bg.changed = true;
		pthread_cond_signal(&bg.wake);
	}
	if (!bg.started) {
		if (pthread_create(&bg.thread, NULL, tls_thread, NULL) == 0)
			bg.started = true;
		else
			log_warn("cannot start the TLS probe thread", NULL);
	}
	pthread_mutex_unlock(&bg.lock);
}

/* The live series of the results lv (this scrape's copy). */
static void
live_emit(struct scrape_ctx *sc, const struct mta_tls_live *lv, size_t n)
{
	struct mta_tls_families tf;
	struct metric_family *ok, *ts, *info, *acc;

	mta_metrics_tls_families(sc->m, &tf);
	ok = metrics_family(sc->m, "mta_tls_probe_success",
			    "1 if the last background TLS handshake with the service succeeded.",
			    METRIC_GAUGE);
	ts = metrics_family(sc->m, "mta_tls_probe_timestamp_seconds",
			    "When the last background TLS handshakes with the service ended.",
			    METRIC_GAUGE);
	info = metrics_family(sc->m, "mta_tls_probe_info",
			      "What the last default TLS handshake with the service negotiated.",
			      METRIC_GAUGE);
	acc = metrics_family(sc->m, "mta_tls_protocol_accepted",
			     "1 if the service accepts a handshake pinned to that protocol version.",
			     METRIC_GAUGE);
	for (size_t i = 0; i < n; i++) {
		const struct mta_tls_live *l = &lv[i];
		const char *mta = mta_name(l->mta);
		bool up = l->main.outcome == TLSCLIENT_OK;

		metrics_add(ok, up ? 1 : 0, "mta", mta, "service", l->service, NULL);
		metrics_add(ts, l->timestamp, "mta", mta, "service", l->service, NULL);
		if (!up)
			continue;
		metrics_add(info, 1, "mta", mta, "service", l->service, "version",
			    tlsinfo_version_name(l->main.version), "cipher", l->main.cipher, "group",
			    l->main.kx_group, NULL);
		for (int v = 0; v < TLSINFO_V_COUNT; v++)
			if (l->accepted[v] >= 0)
				metrics_add(acc, l->accepted[v], "mta", mta, "service", l->service,
					    "version", tlsinfo_version_name((enum tlsinfo_version)v),
					    NULL);
		if (l->main.have_peer) {
			metrics_add(tf.not_after, (double)l->main.peer.not_after, "mta", mta, "service",
				    l->service, "source", "live", NULL);
			metrics_add(tf.key_bits, l->main.peer.key_bits, "mta", mta, "service",
				    l->service, "source", "live", "algorithm", l->main.peer.key_alg, NULL);
		}
		if (l->dhe.outcome == TLSCLIENT_OK && l->dhe.kx_dh)
			metrics_add(tf.dh_bits, l->dhe.kx_bits, "mta", mta, "service", l->service,
				    "source", "live", NULL);
	}
}

static int
tls_collect(struct scrape_ctx *sc)
{
	struct facts *f = sc->facts;
	struct tls_target t[TLS_MAX_TARGETS];
	struct mta_tls_live *lv;
	size_t n = 0;

	f->tls_live_collected = true;
	if (sc->env->serving && f->listeners_collected && !f->listeners_replayed)
		publish(t, tls_targets(f, t, TLS_MAX_TARGETS));
	pthread_mutex_lock(&bg.lock);
	lv = arena_calloc(sc->arena, bg.n_live + 1, sizeof(*lv));
	for (size_t i = 0; lv != NULL && i < bg.n_live; i++) {
		/* only results for sockets that are still targets */
		bool current = false;

		for (size_t j = 0; j < bg.n_jobs; j++)
			if (job_same(&bg.live_job[i], &bg.jobs[j]))
				current = true;
		if (!current)
			continue;
		lv[n] = bg.live[i];
		lv[n].service = arena_strdup(sc->arena, bg.live_job[i].service);
		if (lv[n].service == NULL)
			break;
		n++;
	}
	pthread_mutex_unlock(&bg.lock);
	if (lv == NULL || sc->arena->failed)
		return -1;
	f->tls_live = lv;
	f->n_tls_live = n;
	live_emit(sc, lv, n);
	return 0;
}

static int
tls_init(const struct collector_env *env)
{
	if (text_duration_ms(flag_interval, &bg.interval_ms) < 0 || bg.interval_ms < 1000) {
		log_error("invalid --tls.interval (a duration of at least 1s, e.g. 10m)", "value",
			  flag_interval, NULL);
		return -1;
	}
	if (text_duration_ms(flag_timeout, &bg.timeout_ms) < 0 || bg.timeout_ms < 100
	    || bg.timeout_ms > 60000) {
		log_error("invalid --tls.timeout (a duration from 100ms to 1m, e.g. 5s)", "value",
			  flag_timeout, NULL);
		return -1;
	}
	return 0;
}

static void
tls_fini(void)
{
	pthread_mutex_lock(&bg.lock);
	bg.stop = true;
	pthread_cond_signal(&bg.wake);
	pthread_mutex_unlock(&bg.lock);
	if (bg.started)
		pthread_join(bg.thread, NULL);
	pthread_mutex_lock(&bg.lock);
	bg.started = false;
	bg.stop = false;
	bg.n_jobs = bg.n_live = 0;
	pthread_mutex_unlock(&bg.lock);
}

const struct collector collector_tls = {
	.name = "tls",
	.help = "Live TLS handshakes with the MTAs' listening sockets, in the background "
		"(version, cipher, key exchange, certificate, TLS 1.0/1.1 acceptance).",
	.default_enabled = true,
	.flags = tls_flags,
	.init = tls_init,
	.collect = tls_collect,
	.fini = tls_fini,
};

/*
 * sendmail.c - the "sendmail" collector: what Sendmail listens on, whether
 * it relays for anyone, and the STIG hardening options.
 *
 * Interface: collector_sendmail (sendmail.h).  Flag: --sendmail.config,
 * the compiled sendmail.cf (default /etc/mail/sendmail.cf); sendmail.mc and
 * the access text source are looked for in the same directory.  All paths
 * are taken under --path.rootfs.
 *
 * Reads (through fileio): sendmail.cf, sendmail.mc, access, the HelpFile
 * named by the .cf (only its size matters), the modification time of the
 * compiled access map (access.db) against its text; the sendmail-bin
 * version comes from collectors/host/dpkg.h; the kernel's bindv6only from
 * collectors/host/listeners.h (under --path.procfs).  Parsing and
 * decisions are in sendmail_conf.c.
 *
 * Facts: facts->mta[MTA_SENDMAIL] (endpoints = one per network daemon that
 * gets its socket, with the daemon's Name as service; relays = one per
 * network daemon, sendmail_daemon_relay()) and a struct sendmail_facts in
 * .priv, which the Sendmail checks read
 * (sendmail_checks.c: sendmail_privacy_options, sendmail_greeting_no_version,
 * sendmail_help_file, sendmail_relay_features, sendmail_mc_cf_consistent,
 * sendmail_daemons_listen, sendmail_access_db_current).
 *
 * Metrics (docs/metrics.md): mta_bound_all_interfaces, mta_local_only,
 * mta_service_info, mta_open_relay_risk, mta_open_relay_undetermined (all
 * with mta="sendmail"), sendmail_promiscuous_relay, sendmail_info,
 * sendmail_config_warnings, sendmail_mc_cf_mismatch.
 *
 * Diagnostics: every problem in an input is logged with log_file_warn()
 * naming the file and line (said once per version of the file, see
 * lib/log.h) and counted in sendmail_config_warnings at every scrape;
 * an unreadable sendmail.cf fails the collector, a missing one means "not
 * installed".
 */
#include "collectors/sendmail/sendmail.h"

#include <arpa/inet.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collectors/host/dpkg.h"
#include "collectors/host/listeners.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/tlsfile.h"

#define SENDMAIL_DEFAULT_CONFIG "/etc/mail/sendmail.cf"

static const char *flag_config = SENDMAIL_DEFAULT_CONFIG;

static const struct collector_flag sendmail_flags[] = {
	{ "sendmail.config", "Path of the compiled sendmail.cf (sendmail.mc and access are looked for beside it).",
	  SENDMAIL_DEFAULT_CONFIG, &flag_config },
	{ NULL, NULL, NULL, NULL },
};

static unsigned
log_diags(const char *path, const struct sendmail_diags *dg)
{
	for (size_t i = 0; i < dg->n; i++)
		log_file_warn(path, dg->d[i].line, "%s", dg->d[i].msg);
	if (dg->dropped > 0)
		log_file_warn(path, 0, "%u more problems not shown", dg->dropped);
	return (unsigned)dg->n + dg->dropped;
}

/* read rootfs+path; FILEIO_ABSENT quietly, errors logged */
static enum fileio_result
read_file(const char *rootfs, const char *path, char *full, size_t fulllen,
	  char **data, size_t *len, struct fileio_stat *st)
{
	char err[256];
	enum fileio_result r;

	if (fileio_path(rootfs, path, full, fulllen) == NULL) {
		log_warn("path too long", "file", path, NULL);
		return FILEIO_ERROR;
	}
	r = fileio_read(rootfs, path, FILEIO_MAX_CONFIG, data, len, st, err, sizeof(err));
	if (r == FILEIO_ERROR)
		log_warn("cannot read file", "file", full, "err", err, NULL);
	return r;
}

static enum relay_verdict
to_verdict(enum sendmail_relay r)
{
	switch (r) {
	case SENDMAIL_RELAY_OPEN:
		return RELAY_OPEN;
	case SENDMAIL_RELAY_CLOSED:
		return RELAY_CLOSED;
	case SENDMAIL_RELAY_CONFIG_ERROR:
		return RELAY_CONFIG_ERROR;
	default:
		return RELAY_UNDETERMINED;
	}
}

static void
fill_endpoint(struct arena *ar, const struct sendmail_daemon *d, struct mta_endpoint *ep)
{
	char a[INADDR_STRLEN];

	ep->instance = "";
	ep->service = arena_strdup(ar, d->name);
	ep->port = d->port;
	switch (d->addr_kind) {
	case SENDMAIL_ADDR_ANY:
		ep->addr = d->inaddr;
		ep->numeric = true;
		ep->wildcard = true;
		ep->address = d->family == SENDMAIL_FAMILY_INET6 ? "::" : "0.0.0.0";
		break;
	case SENDMAIL_ADDR_NUMERIC:
		ep->addr = d->inaddr;
		ep->numeric = true;
		ep->loopback = inaddr_is_loopback(&d->inaddr);
		inaddr_format(&d->inaddr, a, sizeof(a));
		ep->address = arena_strdup(ar, a);
		break;
	default:
		/* a host name: not resolved offline, neither loopback nor wildcard */
		ep->address = arena_strdup(ar, d->addr);
		break;
	}
}

/* the file the .cf's access map type compiles the text into, "" if unknown */
static const char *
access_db_suffix(const char *type)
{
	if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)
		return ".db";
	if (strcmp(type, "cdb") == 0)
		return ".cdb";
	if (strcmp(type, "dbm") == 0)
		return ".pag";
	return "";
}

static bool
older(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * The compiled access map against its text (text_st): sendmail reads the
 * compiled one, so when it is older the text shows what it will do after
 * the next makemap, not what it does.
 */
static enum sendmail_access_db
access_db_state(const char *rootfs, const struct sendmail_cf *cf, const char *acpath,
		const struct fileio_stat *text_st, char *dbfull, size_t dbfulllen)
{
	const char *suffix = access_db_suffix(cf->access_map_type);
	char dbpath[4096], err[256];
	struct fileio_stat st;
	enum fileio_result r;

	if (!cf->feature[SENDMAIL_F_ACCESS_DB])
		return SENDMAIL_ACCESS_DB_NOT_USED;
	if (*suffix == '\0')
		return SENDMAIL_ACCESS_DB_UNKNOWN;
	if ((size_t)snprintf(dbpath, sizeof(dbpath), "%s%s", acpath, suffix) >= sizeof(dbpath) ||
	    fileio_path(rootfs, dbpath, dbfull, dbfulllen) == NULL)
		return SENDMAIL_ACCESS_DB_UNKNOWN;
	r = fileio_stat(rootfs, dbpath, &st, err, sizeof(err));
	if (r == FILEIO_ABSENT)
		return SENDMAIL_ACCESS_DB_MISSING;
	if (r != FILEIO_OK)
		return SENDMAIL_ACCESS_DB_UNKNOWN;
	return older(&st.mtime, &text_st->mtime) ? SENDMAIL_ACCESS_DB_OLDER : SENDMAIL_ACCESS_DB_CURRENT;
}

/* What one daemon's STARTTLS is configured with (sendmail.cf O options). */
static void
sendmail_tls_facts(struct scrape_ctx *sc, const struct sendmail_cf *cf, const char *service,
		   struct mta_tls *t)
{
	struct mta_tls_cert *mc;

	t->service = service;
	t->hostname = arena_strdup(sc->arena, cf->macro_j);
	/* sendmail offers STARTTLS when a server certificate and key are set */
	t->offered = cf->server_cert[0] && cf->server_key[0];
	if (cf->server_cert[0]) {
		mc = &t->certs[t->n_certs++];
		mc->cert_path = arena_strdup(sc->arena, cf->server_cert);
		mc->key_path = arena_strdup(sc->arena, cf->server_key[0] ? cf->server_key
									   : cf->server_cert);
		if (mc->cert_path == NULL || mc->key_path == NULL) {
			t->n_certs = 0;
		} else {
			tlsfile_read(sc->env->rootfs, mc->cert_path, t->hostname, &mc->cert);
			tlsfile_read(sc->env->rootfs, mc->key_path, NULL, &mc->key);
		}
	}
	t->dh_bits = sendmail_dh_bits(cf->dh_parameters, &t->dh_source);
	if (strcmp(t->dh_source, "file") == 0) {
		struct tlsfile f;

		t->dh_path = arena_strdup(sc->arena, cf->dh_parameters);
		tlsfile_read(sc->env->rootfs, cf->dh_parameters, NULL, &f);
		t->dh_bits = f.state == TLSFILE_OK && f.have_dh ? f.dh_bits : 0;
	}
	t->versions = sendmail_ssl_versions(cf->server_ssl_options);
	t->versions_known = true;
	t->versions_setting = arena_printf(sc->arena, "ServerSSLOptions = %s",
					   cf->server_ssl_options[0] ? cf->server_ssl_options
								     : "(default)");
}

static int
sendmail_collect(struct scrape_ctx *sc)
{
	struct mta_facts *mf = &sc->facts->mta[MTA_SENDMAIL];
	const char *rootfs = sc->env != NULL ? sc->env->rootfs : "/";
	struct arena *ar = sc->arena;
	char cfpath[4096], mcpath[4096], acpath[4096], dir[4096], full[4096];
	char *data = NULL;
	size_t len = 0;
	struct fileio_stat st;
	struct sendmail_cf *cf = NULL;
	struct sendmail_mc *mc = NULL;
	struct sendmail_access *ac = NULL;
	struct sendmail_relay_result rr;
	struct sendmail_mismatch mm = {0};
	struct sendmail_facts *sf;
	struct sendmail_listen ls;
	enum sendmail_access_db adb = SENDMAIL_ACCESS_DB_NOT_USED;
	char dbfull[4096] = "";
	bool v6only;
	enum fileio_result r;
	int rc = -1;

	r = read_file(rootfs, flag_config, cfpath, sizeof(cfpath), &data, &len, NULL);
	if (r == FILEIO_ABSENT) {
		mf->detected = false;
		mf->collected = true;
		return 0;
	}
	if (r != FILEIO_OK)
		return -1;
	mf->detected = true;
	cf = sendmail_cf_parse(data, len);
	free(data);
	data = NULL;
	if (cf == NULL) {
		log_warn("out of memory parsing sendmail.cf", "file", cfpath, NULL);
		return -1;
	}
	mf->config_warnings += log_diags(cfpath, &cf->diags);

	/* sendmail.mc and access beside the .cf */
	snprintf(dir, sizeof(dir), "%s", flag_config);
	{
		const char *d = dirname(dir);
		const char *sep = strcmp(d, "/") == 0 ? "" : "/";
		snprintf(mcpath, sizeof(mcpath), "%s%ssendmail.mc", d, sep);
		snprintf(acpath, sizeof(acpath), "%s%saccess", d, sep);
	}
	r = read_file(rootfs, mcpath, full, sizeof(full), &data, &len, NULL);
	if (r == FILEIO_OK) {
		mc = sendmail_mc_parse(data, len);
		free(data);
		data = NULL;
		if (mc == NULL)
			goto out;
		mf->config_warnings += log_diags(full, &mc->diags);
	}
	snprintf(mcpath, sizeof(mcpath), "%s", full);
	r = read_file(rootfs, acpath, full, sizeof(full), &data, &len, &st);
	if (r == FILEIO_OK) {
		ac = sendmail_access_parse(data, len);
		free(data);
		data = NULL;
		if (ac == NULL)
			goto out;
		mf->config_warnings += log_diags(full, &ac->diags);
		adb = access_db_state(rootfs, cf, acpath, &st, dbfull, sizeof(dbfull));
		if (adb == SENDMAIL_ACCESS_DB_OLDER || adb == SENDMAIL_ACCESS_DB_MISSING)
			log_file_warn(full, 0, "the access map was not rebuilt: %s %s; sendmail uses "
				      "the compiled map, the verdict is taken from the text",
				      dbfull, adb == SENDMAIL_ACCESS_DB_OLDER ? "is older" : "does not exist");
	}

	sendmail_relay_eval(cf, ac, &rr);
	if (adb == SENDMAIL_ACCESS_DB_OLDER || adb == SENDMAIL_ACCESS_DB_MISSING) {
		size_t n = strlen(rr.detail);
		const char *base = strrchr(dbfull, '/');

		snprintf(rr.detail + n, sizeof(rr.detail) - n, " (from the access text: %s %s)",
			 base != NULL ? base + 1 : dbfull,
			 adb == SENDMAIL_ACCESS_DB_OLDER ? "is older" : "is missing");
	}
	v6only = listeners_bindv6only(sc->env != NULL ? sc->env->procfs : "/proc");
	sendmail_daemons_listen(cf, v6only, &ls);
	for (size_t i = 0; i < cf->n_daemons; i++) {
		if (ls.clash[i]) {
			const struct sendmail_daemon *with = &cf->daemons[ls.clash_with[i]];

			mf->config_warnings++;
			log_file_warn(cfpath, cf->daemons[i].line,
				      "daemon %s cannot listen: port %u is held by daemon %s (line %u)%s",
				      cf->daemons[i].name, (unsigned)cf->daemons[i].port,
				      with->name, with->line,
				      ls.wedged ? "; sendmail retries for about 50 s, answering nobody, "
						  "then exits" : "");
		}
	}
	if (mc != NULL)
		sendmail_mc_cf_compare(mc, cf, &mm);

	/* endpoints and relays: one per network daemon */
	mf->endpoints = arena_calloc(ar, cf->n_daemons, sizeof(*mf->endpoints));
	mf->relays = arena_calloc(ar, cf->n_daemons, sizeof(*mf->relays));
	sf = arena_calloc(ar, 1, sizeof(*sf));
	if (mf->endpoints == NULL || mf->relays == NULL || sf == NULL)
		goto out;
	mf->bound_all = false;
	mf->local_only = true;
	sf->all_daemons_loopback = !cf->daemons_implicit;
	for (size_t i = 0; i < cf->n_daemons; i++) {
		const struct sendmail_daemon *d = &cf->daemons[i];
		struct sendmail_relay_result dr;
		struct mta_relay *rl;

		if (d->family != SENDMAIL_FAMILY_INET && d->family != SENDMAIL_FAMILY_INET6)
			continue;	/* a UNIX socket is not reachable over the network */
		if (ls.listens[i]) {
			struct mta_endpoint *ep = &mf->endpoints[mf->n_endpoints++];

			fill_endpoint(ar, d, ep);
			if (ep->wildcard)
				mf->bound_all = true;
			if (!ep->loopback) {
				mf->local_only = false;
				sf->all_daemons_loopback = false;
			}
		}
		sendmail_daemon_relay(cf, ac, &rr, &ls, i, &dr);
		rl = &mf->relays[mf->n_relays++];
		rl->instance = "";
		rl->service = arena_strdup(ar, d->name);
		rl->verdict = to_verdict(dr.verdict);
		rl->reason = dr.reason;
		rl->detail = arena_strdup(ar, dr.detail);
	}
	if (mf->n_endpoints == 0) {
		mf->local_only = true;	/* nothing on the network at all */
		sf->all_daemons_loopback = true;
	}
	/* TLS: one server configuration for every daemon (docs/tls.md) */
	mf->tls = arena_calloc(ar, mf->n_endpoints + 1, sizeof(*mf->tls));
	if (mf->tls == NULL)
		goto out;
	for (size_t i = 0; i < mf->n_endpoints; i++)
		sendmail_tls_facts(sc, cf, mf->endpoints[i].service, &mf->tls[mf->n_tls++]);

	sf->promiscuous_relay = rr.promiscuous;
	sf->promiscuous_reason = rr.promiscuous ? rr.reason : NULL;
	sf->mc_present = mc != NULL;
	sf->mc_promiscuous_relay = mc != NULL && sendmail_mc_feature(mc, "promiscuous_relay") != 0;
	sf->mc_cf_mismatch = mm.n > 0;
	sf->mc_cf_detail = mm.n > 0 ? arena_strdup(ar, mm.detail) : NULL;
	sf->cf_path = arena_strdup(ar, cfpath);
	mf->priv = sf;
	if (mm.n > 0)
		log_file_warn(cfpath, 0, "sendmail.cf was not rebuilt from %s: %s", mcpath, mm.detail);

	/* what the Sendmail checks read (sendmail_checks.c) */
	{
		struct sendmail_cf *copy = arena_alloc(ar, sizeof(*copy));

		if (copy != NULL)
			*copy = *cf;
		sf->cf = copy;
	}
	sf->relay = rr;
	sf->mismatch = mm;
	sf->bindv6only = v6only;
	sf->listen = ls;
	sf->access_db = adb;
	sf->access_db_path = dbfull[0] ? arena_strdup(ar, dbfull) : NULL;
	sf->help_has_content = false;
	if (cf->helpfile_set && cf->helpfile[0] != '\0') {
		char hp[4096], err[256];

		if (fileio_path(rootfs, cf->helpfile, hp, sizeof(hp)) != NULL &&
		    fileio_stat(rootfs, cf->helpfile, &st, err, sizeof(err)) == FILEIO_OK)
			sf->help_has_content = st.size > 0;
	}
	if (ar->failed)
		goto out;

	/* metrics */
	{
		struct metric_family *f_prom, *f_info, *f_warn, *f_mm;
		char ver[128];

		f_prom = metrics_family(sc->m, "sendmail_promiscuous_relay",
					"1 if sendmail.cf relays for anyone (promiscuous_relay or no relay check compiled in).",
					METRIC_GAUGE);
		f_warn = metrics_family(sc->m, "sendmail_config_warnings",
					"Number of problems found in sendmail.cf, sendmail.mc and access (logged with file and line).",
					METRIC_GAUGE);
		f_mm = metrics_family(sc->m, "sendmail_mc_cf_mismatch",
				      "1 if sendmail.cf does not match sendmail.mc (not rebuilt); absent without sendmail.mc.",
				      METRIC_GAUGE);

		metrics_add(f_prom, rr.promiscuous, NULL);
		metrics_add(f_warn, mf->config_warnings, NULL);
		if (mc != NULL)
			metrics_add(f_mm, mm.n > 0, NULL);

		if (dpkg_version(rootfs, "sendmail-bin", ver, sizeof(ver)) == 0) {
			f_info = metrics_family(sc->m, "sendmail_info",
						"Installed sendmail-bin package version.", METRIC_INFO);
			metrics_add(f_info, 1, "version", ver, NULL);
		}
	}
	mf->collected = true;
	rc = 0;
out:
	if (rc != 0)
		log_warn("sendmail collector failed (out of memory)", "file", cfpath, NULL);
	free(data);
	free(cf);
	free(mc);
	free(ac);
	return rc;
}

static int
sendmail_init(const struct collector_env *env)
{
	return collector_flag_absolute(&sendmail_flags[0]);
}

const struct collector collector_sendmail = {
	.name = "sendmail",
	.help = "Sendmail: daemons, relay verdict and STIG options from sendmail.cf/.mc.",
	.default_enabled = true,
	.flags = sendmail_flags,
	.init = sendmail_init,
	.collect = sendmail_collect,
};

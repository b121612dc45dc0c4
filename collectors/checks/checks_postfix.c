/*
 * checks_postfix.c - the Postfix view of the checks: from the postfix
 * collector's facts (collectors/postfix/postfix.h) to a struct checks_postfix.
 *
 * Interface: checks_postfix_view() (checks.h).  For every smtpd or
 * postscreen inet service of every instance it offers the effective,
 * expanded parameters (postfix_param(): -o overrides, main.cf, defaults
 * by version and compatibility level); a postscreen service is judged with
 * the parameters of the smtpd "pass" service behind it.  Service names of
 * instances other than the default are "<instance>/<service>".  Then
 * checks_postfix_build() evaluates every service.
 *
 * File access: only through fileio (tables, certificate existence).  A
 * certificate or key counts as present unless it is absent: an exporter
 * running unprivileged may not see into /etc/ssl/private.
 *
 * Diagnostics: an unreadable table is logged with its path by
 * checks_postfix_load_tables() (checks.c); the view is NULL when the
 * Postfix facts are missing, which the checks report as an error status.
 */
#include "collectors/checks/checks.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix.h"
#include "lib/fileio.h"

struct pf_service {
	const struct postfix_instance *inst;
	const struct postfix_service *svc;	/* whose -o apply */
	const char *name;			/* label-prefixed */
};

struct pf_ctx {
	const struct postfix_facts *pf;
	const struct postfix_instance *main_inst;
	struct pf_service *s;
	size_t n;
	struct arena *ar;
	const char *rootfs;
};

static const struct pf_service *
find(const struct pf_ctx *c, const char *service)
{
	for (size_t i = 0; service && i < c->n; i++)
		if (strcmp(c->s[i].name, service) == 0)
			return &c->s[i];
	return NULL;
}

static const char *
pf_param(const void *ctx, const char *service, const char *name)
{
	const struct pf_ctx *c = ctx;
	const struct pf_service *s = find(c, service);
	char *v = postfix_param(s ? s->inst : c->main_inst, s ? s->svc : NULL, name);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = arena_strdup(c->ar, v);
	free(v);
	return copy;
}

static bool
pf_is_set(const void *ctx, const char *service, const char *name)
{
	const struct pf_ctx *c = ctx;
	const struct pf_service *s = find(c, service);
	const struct postfix_instance *in = s ? s->inst : c->main_inst;

	if (s && s->svc && postfix_dict_get(&s->svc->params, name))
		return true;
	return postfix_dict_get(&in->main, name) != NULL;
}

static bool
pf_readable(const void *ctx, const char *path)
{
	const struct pf_ctx *c = ctx;
	char full[4096], err[256];
	struct fileio_stat st;

	if (path[0] != '/' || fileio_path(c->rootfs, path, full, sizeof(full)) == NULL)
		return false;
	return fileio_stat(c->rootfs, path, &st, err, sizeof(err)) != FILEIO_ABSENT;
}

/* The smtpd "pass" service a postscreen service hands clients to. */
static const struct postfix_service *
smtpd_pass(const struct postfix_instance *in)
{
	for (size_t i = 0; i < in->master.n; i++) {
		const struct postfix_service *s = &in->master.v[i];

		if (s->valid && !s->superseded && strcmp(postfix_service_type(s), "pass") == 0
		    && strcmp(postfix_service_command(s), "smtpd") == 0)
			return s;
	}
	return NULL;
}

/*
 * Every endpoint of that service is loopback (and there is one).  The
 * postfix collector names endpoints "<instance>/<service>" like we do.
 */
static bool
service_loopback_only(const struct mta_facts *mf, const char *service)
{
	size_t n = 0;

	for (size_t i = 0; i < mf->n_endpoints; i++) {
		const struct mta_endpoint *e = &mf->endpoints[i];

		if (strcmp(e->service, service) != 0)
			continue;
		if (!e->loopback)
			return false;
		n++;
	}
	return n > 0;
}

const struct checks_postfix *
checks_postfix_view(struct scrape_ctx *sc)
{
	const struct mta_facts *mf = &sc->facts->mta[MTA_POSTFIX];
	const struct postfix_facts *pf = mf->priv;
	struct checks_postfix_source *src;
	struct checks_postfix *view;
	struct pf_ctx *c;
	const char **names;
	bool *lo;
	size_t cap = 0;

	if (!mf->detected || !mf->collected || pf == NULL || pf->n_inst == 0)
		return NULL;
	for (size_t i = 0; i < pf->n_inst; i++)
		cap += pf->inst[i].master.n;
	c = arena_calloc(sc->arena, 1, sizeof(*c));
	src = arena_calloc(sc->arena, 1, sizeof(*src));
	view = arena_calloc(sc->arena, 1, sizeof(*view));
	if (c == NULL || src == NULL || view == NULL
	    || (c->s = arena_calloc(sc->arena, cap + 1, sizeof(*c->s))) == NULL
	    || (names = arena_calloc(sc->arena, cap + 1, sizeof(*names))) == NULL
	    || (lo = arena_calloc(sc->arena, cap + 1, sizeof(*lo))) == NULL)
		return NULL;
	c->pf = pf;
	c->ar = sc->arena;
	c->rootfs = sc->env->rootfs;
	for (size_t i = 0; i < pf->n_inst; i++) {
		const struct postfix_instance *in = &pf->inst[i];

		if (!in->have_main)
			continue;
		if (c->main_inst == NULL)
			c->main_inst = in;
		for (size_t k = 0; k < in->master.n; k++) {
			const struct postfix_service *svc = &in->master.v[k];
			const char *sname = postfix_service_name(svc);
			struct pf_service *s = &c->s[c->n];

			if (!postfix_service_is_smtp(svc))
				continue;
			s->inst = in;
			s->svc = svc;
			if (strcmp(postfix_service_command(svc), "postscreen") == 0 && smtpd_pass(in))
				s->svc = smtpd_pass(in);
			s->name = *in->label ? arena_printf(sc->arena, "%s/%s", in->label, sname)
					     : sname;
			if (s->name == NULL)
				return NULL;
			names[c->n] = s->name;
			lo[c->n] = service_loopback_only(mf, s->name);
			c->n++;
		}
	}
	if (c->main_inst == NULL)
		return NULL;
	src->param = pf_param;
	src->is_set = pf_is_set;
	src->readable = pf_readable;
	src->ctx = c;
	src->services = names;
	src->loopback_only = lo;
	src->n_services = c->n;
	if (checks_postfix_build(src, c->rootfs, sc->arena, view) < 0)
		return NULL;
	return view;
}

/*
 * postfix_dump.c - test driver: load a Postfix configuration directory
 * through the collector's own code and print what postconf would print,
 * so tests/e2e/postfix_postconf.sh can diff the two.
 *
 *   postfix_dump DIR main NAME...          "NAME = value" (postconf -x)
 *   postfix_dump DIR service SVC/TYPE NAME...
 *                                          effective values for one service
 *                                          (main.cf + its -o, expanded)
 *   postfix_dump DIR P | Px | M | Mx       postconf -P, -Px, -M, -Mx
 *   postfix_dump DIR services              SVC/TYPE of each smtpd service
 *   postfix_dump DIR warnings              every diagnostic, file:line: msg
 *
 * The version comes from the host's dpkg status (as in the collector), the
 * host name from gethostname(), the interface addresses from getifaddrs(),
 * host names in inet_interfaces from /etc/hosts.
 * Exit 0, 3 when a requested value failed to expand (postconf: fatal), 2 on
 * usage or read errors.
 */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/host/dpkg.h"
#include "collectors/postfix/postfix.h"
#include "lib/fileio.h"

static unsigned
host_version(void)
{
	char ver[64];
	unsigned v = POSTFIX_VERSION_NEWEST;

	if (dpkg_version("/", "postfix", ver, sizeof(ver)) == 0)
		postfix_version_parse(ver, &v);
	return v;
}

static unsigned
mask_len(const struct sockaddr *sa)
{
	const unsigned char *p;
	size_t n;
	unsigned bits = 0;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		p = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else {
		p = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		for (int b = 7; b >= 0; b--)
			if (p[i] & (1u << b))
				bits++;
	return bits;
}

static struct ifaddr *
host_ifaddrs(size_t *n)
{
	struct ifaddrs *ifa, *i;
	struct ifaddr *v = NULL;

	*n = 0;
	if (getifaddrs(&ifa) != 0)
		return NULL;
	for (i = ifa; i; i = i->ifa_next) {
		struct ifaddr *t;

		if (i->ifa_addr == NULL ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if ((t = realloc(v, (*n + 1) * sizeof(*t))) == NULL)
			break;
		v = t;
		memset(&v[*n], 0, sizeof(v[*n]));
		v[*n].addr.family = i->ifa_addr->sa_family;
		if (i->ifa_addr->sa_family == AF_INET)
			memcpy(v[*n].addr.a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(v[*n].addr.a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		v[*n].prefixlen = mask_len(i->ifa_netmask);
		snprintf(v[*n].ifname, sizeof(v[*n].ifname), "%s", i->ifa_name);
		(*n)++;
	}
	freeifaddrs(ifa);
	return v;
}

/* postconf prints "name =" for an empty value */
static void
print_nv(const char *name, const char *value)
{
	printf("%s =%s%s\n", name, *value ? " " : "", value);
}

static void
print_nv3(const char *svc, const char *type, const char *name, const char *value)
{
	printf("%s/%s/%s =%s%s\n", svc, type, name, *value ? " " : "", value);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* postconf -P / -Px: every service's -o parameters, sorted by name */
static int
dump_params(const struct postfix_instance *in, bool expand)
{
	int rc = 0;

	for (size_t s = 0; s < in->master.n; s++) {
		const struct postfix_service *svc = &in->master.v[s];
		const char **names = calloc(svc->params.n + 1, sizeof(*names));

		if (names == NULL)
			return 2;
		struct postfix_dict merged = {0};

		/* postconf keys -P by service/type: duplicates share their -o */
		for (size_t o = 0; o < in->master.n; o++) {
			const struct postfix_service *x = &in->master.v[o];

			if (strcmp(postfix_service_name(x), postfix_service_name(svc)) == 0 &&
			    strcmp(postfix_service_type(x), postfix_service_type(svc)) == 0)
				for (size_t i = 0; i < x->params.n; i++)
					postfix_dict_set(&merged, x->params.v[i].name,
							 x->params.v[i].value, x->file, x->line, NULL);
		}
		svc = &(struct postfix_service){.argv = svc->argv, .argc = svc->argc,
						.params = merged, .file = svc->file,
						.line = svc->line};
		names = realloc(names, (merged.n + 1) * sizeof(*names));
		if (names == NULL)
			return 2;
		for (size_t i = 0; i < svc->params.n; i++)
			names[i] = svc->params.v[i].name;
		qsort(names, svc->params.n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < svc->params.n; i++) {
			const char *raw = postfix_dict_get(&svc->params, names[i])->value;
			char *val = NULL;

			if (expand) {
				struct postfix_env e = in->env;

				e.local = &svc->params;
				val = postfix_expand(&e, raw, svc->line);
				if (val == NULL)
					rc = 3;
			}
			print_nv3(postfix_service_name(svc), postfix_service_type(svc), names[i],
				  val ? val : raw);
			free(val);
		}
		free(names);
		postfix_dict_free(&merged);
	}
	return rc;
}

static const struct postfix_service *
find_service(const struct postfix_instance *in,
	     const char *spec)
{
	const struct postfix_service *found = NULL;

	for (size_t s = 0; s < in->master.n; s++) {
		const struct postfix_service *svc = &in->master.v[s];
		char buf[1024];

		snprintf(buf, sizeof(buf), "%s/%s", postfix_service_name(svc),
			 postfix_service_type(svc));
		if (strcmp(buf, spec) == 0)
			found = svc;
	}
	return found;
}

/* the diagnostics added since `before` are about runaway nesting */
static bool
nesting_error(const struct postfix_diags *d, unsigned before)
{
	if (d->total == before || d->n == 0)
		return false;
	return strstr(d->v[d->n - 1].msg, "nesting") != NULL ||
	       strstr(d->v[d->n - 1].msg, "too complex") != NULL;
}

/*
 * postconf exits (fatal) when any parameter it knows fails to expand,
 * whichever one was asked for: check the known ones that are set.
 */
static bool
expands_cleanly(const struct postfix_instance *in, const struct postfix_service *svc,
		bool strict)
{
	const struct postfix_dict *dicts[2] = {&in->main, svc ? &svc->params : NULL};

	/* postconf expands every master.cf -o value as it loads master.cf */
	for (size_t s = 0; s < in->master.n; s++) {
		const struct postfix_service *x = &in->master.v[s];
		struct postfix_env e = in->env;

		e.local = &x->params;
		for (size_t i = 0; i < x->params.n; i++) {
			unsigned before = in->diags.total;
			char *v = postfix_expand(&e, x->params.v[i].value, x->line);

			/*
			 * postconf checks the syntax of every -o value, but only
			 * follows references of parameters it knows: a runaway
			 * recursion in an unknown one is no error to it, except
			 * with -Mx, which expands every -o value.
			 */
			if (v == NULL && (strict ||
					  postfix_default_find(x->params.v[i].name, in->env.version) ||
					  !nesting_error(&in->diags, before)))
				return false;
			free(v);
		}
	}
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; dicts[k] != NULL && i < dicts[k]->n; i++) {
			const char *name = dicts[k]->v[i].name;
			char *v;

			if (postfix_default_find(name, in->env.version) == NULL)
				continue;
			if ((v = postfix_param_named(in, svc, name)) == NULL)
				return false;
			free(v);
		}
	}
	return true;
}

int
main(int argc, char **argv)
{
	struct postfix_instance in;
	struct postfix_host host;
	char hostname[256], err[256], *hosts = NULL;
	const char *mode;
	size_t n_ifa;
	struct ifaddr *ifa;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: postfix_dump DIR main|service|P|Px|M|Mx|services|warnings ...\n");
		return 2;
	}
	mode = argv[2];
	if (gethostname(hostname, sizeof(hostname)) != 0)
		snprintf(hostname, sizeof(hostname), "localhost");
	hostname[sizeof(hostname) - 1] = 0;
	ifa = host_ifaddrs(&n_ifa);
	memset(&host, 0, sizeof(host));
	host.rootfs = "/";
	host.hostname = hostname;
	host.version = host_version();
	host.ifaddrs = ifa;
	host.n_ifaddrs = n_ifa;
	host.ifaddrs_known = ifa != NULL;
	/* inet_interfaces names resolve from /etc/hosts, as the collector's do */
	if (fileio_read("/", "/etc/hosts", 1u << 20, &hosts, &host.hosts.len, NULL, err,
			sizeof(err)) == FILEIO_OK)
		host.hosts.text = hosts;
	if (postfix_instance_load(&in, argv[1], "", &host) < 0 || !in.have_main) {
		fprintf(stderr, "postfix_dump: cannot load %s\n", argv[1]);
		free(ifa);
		free(hosts);
		return 2;
	}
	if (strcmp(mode, "main") == 0 || strcmp(mode, "service") == 0) {
		const struct postfix_service *svc = NULL;
		int first = 3;

		if (strcmp(mode, "service") == 0) {
			if (argc < 4 || (svc = find_service(&in, argv[3])) == NULL) {
				fprintf(stderr, "postfix_dump: no service %s\n", argc > 3 ? argv[3] : "");
				rc = 2;
				goto out;
			}
			first = 4;
		}
		if (!expands_cleanly(&in, svc, false)) {
			rc = 3;
			goto out;
		}
		for (int i = first; i < argc; i++) {
			char *v = postfix_param_named(&in, svc, argv[i]);

			if (v == NULL) {
				rc = 3;
				continue;
			}
			print_nv(argv[i], v);
			free(v);
		}
	} else if (strchr("PM", mode[0]) != NULL &&
		   !expands_cleanly(&in, NULL, strcmp(mode, "Mx") == 0)) {
		rc = 3;
	} else if (strcmp(mode, "P") == 0 || strcmp(mode, "Px") == 0) {
		rc = dump_params(&in, mode[1] == 'x');
	} else if (strcmp(mode, "M") == 0 || strcmp(mode, "Mx") == 0) {
		for (size_t s = 0; s < in.master.n; s++) {
			char *line = postfix_service_format(&in.master.v[s],
							    mode[1] == 'x' ? &in.env : NULL);

			printf("%s\n", line ? line : "?");
			free(line);
		}
	} else if (strcmp(mode, "services") == 0) {
		for (size_t s = 0; s < in.master.n; s++)
			if (postfix_service_is_smtp(&in.master.v[s]))
				printf("%s/%s\n", postfix_service_name(&in.master.v[s]),
				       postfix_service_type(&in.master.v[s]));
	} else if (strcmp(mode, "warnings") == 0) {
		for (size_t i = 0; i < in.diags.n; i++)
			printf("%s:%u: %s\n", in.diags.v[i].file, in.diags.v[i].line,
			       in.diags.v[i].msg);
	} else {
		fprintf(stderr, "postfix_dump: unknown mode %s\n", mode);
		rc = 2;
	}
out:
	postfix_instance_free(&in);
	free(ifa);
	free(hosts);
	return rc;
}

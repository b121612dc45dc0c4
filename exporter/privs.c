/*
 * privs.c - --runas, capability bounding and no_new_privs (see privs.h).
 *
 * Uses the raw capget/capset system calls (no libcap): the kernel's
 * version 3 interface, two 32-bit words per set.
 *
 * DIAGNOSTICS: every failure fills err with the failing step and errno
 * text; the caller refuses to start (never serve with more privilege than
 * asked for).
 */
#include "exporter/privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collectors/core/collector.h"

/* What the enabled collectors declare they need (struct collector caps). */
uint64_t
privs_needed_caps(const struct options *opts)
{
	uint64_t caps = 0;

	for (size_t i = 0; i < collector_count; i++)
		if (opts->env.enabled[i])
			caps |= collector_table[i]->caps;
	return caps;
}

static int
capset_mask(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].permitted = data[0].effective = (uint32_t)keep;
	data[1].permitted = data[1].effective = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

static uint64_t
cap_effective(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
}

int
privs_drop(const char *runas, uint64_t keep, char *err, size_t errlen)
{
	struct passwd pw, *pwp = NULL;
	char *pwbuf;
	long bufsz = sysconf(_SC_GETPW_R_SIZE_MAX);
	int r;

	if (runas != NULL) {
		if (geteuid() != 0) {
			snprintf(err, errlen, "--runas=%s needs to be started as root", runas);
			return -1;
		}
		if (bufsz < 16384)
			bufsz = 16384;
		pwbuf = malloc((size_t)bufsz);
		if (pwbuf == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r = getpwnam_r(runas, &pw, pwbuf, (size_t)bufsz, &pwp);
		if (pwp == NULL) {
			snprintf(err, errlen, "--runas: unknown user \"%s\"%s%s", runas, r ? ": " : "",
				 r ? strerror(r) : "");
			free(pwbuf);
			return -1;
		}
		if (pw.pw_uid == 0) {
			snprintf(err, errlen, "--runas: \"%s\" is root; name an unprivileged user", runas);
			free(pwbuf);
			return -1;
		}
		if (initgroups(pw.pw_name, pw.pw_gid) < 0) {
			snprintf(err, errlen, "initgroups(%s): %s", runas, strerror(errno));
			free(pwbuf);
			return -1;
		}
		if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
			snprintf(err, errlen, "prctl(PR_SET_KEEPCAPS): %s", strerror(errno));
			free(pwbuf);
			return -1;
		}
		if (setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) < 0 || setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) < 0) {
			snprintf(err, errlen, "cannot switch to user %s: %s", runas, strerror(errno));
			free(pwbuf);
			return -1;
		}
		free(pwbuf);
		/* Going back must be impossible. */
		if (setuid(0) == 0 || geteuid() == 0) {
			snprintf(err, errlen, "could regain root after switching to %s", runas);
			return -1;
		}
		if (capset_mask(keep) < 0) {
			snprintf(err, errlen, "capset: %s", strerror(errno));
			return -1;
		}
		if (keep)
			prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
privs_describe(char *out, size_t outlen)
{
	snprintf(out, outlen, "uid=%ld gid=%ld caps=%#llx no_new_privs=%d", (long)geteuid(), (long)getegid(),
		 (unsigned long long)cap_effective(), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

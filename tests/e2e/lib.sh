# lib.sh - helpers for the end-to-end tests (sourced, not run).
# shellcheck shell=bash
#
# Every test gets a private temp dir ($T) removed on exit, and every process
# started with start_bg is killed on exit, even when the test fails.
set -euo pipefail

: "${MTA_EXPORTER:?MTA_EXPORTER must point at the binary (ctest sets it)}"
: "${MTA_SOURCE_DIR:?MTA_SOURCE_DIR must point at the source tree}"

T=$(mktemp -d /tmp/mta-e2e.XXXXXX)
E2E_PIDS=()
E2E_CLEANUPS=()

# Runs once, on exit or on a signal: kill what start_bg started, then the
# on_exit cleanups, newest first.  Everything it calls is defined above the
# trap, and each cleanup was checked when it was registered, so a test that
# fails half-way through its set-up still cleans up what it had set up.
e2e_cleanup() {
	local rc=$?
	local pid i
	trap - EXIT INT TERM
	for pid in "${E2E_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${E2E_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for ((i = ${#E2E_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${E2E_CLEANUPS[i]}" || echo "cleanup failed: ${E2E_CLEANUPS[i]}" >&2
	done
	rm -rf "$T"
	exit "$rc"
}
trap e2e_cleanup EXIT INT TERM

# on_exit CMD [ARG...]: run CMD ARG... at exit (after the processes started
# with start_bg are killed; the last registered runs first).  CMD is one
# function or command, not a shell string; a function must be defined
# before it is registered, which is checked here, so that the exit trap can
# never call a function the test had not defined yet.
on_exit() {
	[ -n "$(type -t "$1")" ] || fail "on_exit: '$1' is not defined (register a cleanup after defining it)"
	E2E_CLEANUPS+=("$(printf '%q ' "$@")")
}

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# sanitized: true when $MTA_EXPORTER is an ASan/UBSan build.  ldd's output
# is read whole: `ldd | grep -q` can kill ldd with SIGPIPE, and under
# pipefail the pipeline then reports "no match" for a match.
sanitized() {
	local libs
	libs=$(ldd "$MTA_EXPORTER" 2>/dev/null) || true
	case "$libs" in *libasan* | *libubsan*) return 0 ;; esac
	[ -n "${MTA_SANITIZE:-}" ]
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root" >&2
		exit 77
	fi
}

# apt_need CMD PKG...: install PKG with apt-get if CMD is missing.
apt_need() {
	local cmd=$1; shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || fail "$cmd missing and not root to install $*"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "$@" >/dev/null
}

# start_bg LOG CMD...: start CMD in the background, remember its pid in $BG_PID.
start_bg() {
	local log=$1; shift
	"$@" >"$log" 2>&1 &
	BG_PID=$!
	E2E_PIDS+=("$BG_PID")
}

# wait_http URL [SECONDS]: wait until URL answers 200.
wait_http() {
	local url=$1 n=${2:-10} i
	for ((i = 0; i < n * 10; i++)); do
		if curl -fsS -o /dev/null "$url" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	fail "$url did not come up"
}

# The samples whose value changes from one scrape of the same host to the
# next (strip_volatile and mask_volatile both use this).
VOLATILE_SAMPLES='mta_exporter_(collector_duration_seconds|scrape_duration_seconds)'

# strip_volatile: drop sample lines whose value changes between scrapes, and
# the process_* families (served only when serving, not by --once).
strip_volatile() {
	grep -vE "^${VOLATILE_SAMPLES}[{ ]|^(# (HELP|TYPE) )?process_"
}

# mask_volatile: the exposition with each value that is not the audited
# host's replaced by <masked>: the timings' values, and build_info's label
# values (version, revision, compiler: the build's).  Every line stays, so
# that a series appearing or going away shows in a diff.
mask_volatile() {
	sed -E -e "s/^(${VOLATILE_SAMPLES}(\{[^}]*\})?) .*/\1 <masked>/" \
		-e '/^mta_exporter_build_info\{/s/="([^"\\]|\\.)*"/="<masked>"/g'
}

# promtool_check FILE: `promtool check metrics` on FILE, except its one
# naming lint that docs/metrics.md documents as a decision: TLS key and DH
# sizes are in bits (mta_tls_certificate_key_bits, mta_tls_dh_bits), as the
# issue names them and every TLS tool reports them (P-521 or X25519 have no
# whole number of bytes).  Prints promtool's other findings; fails on any,
# and on a parse error.
promtool_check() {
	local out rc=0
	out=$(promtool check metrics <"$1" 2>&1) || rc=$?
	[ "$rc" = 0 ] && return 0
	out=$(printf '%s\n' "$out" |
		grep -vxE 'mta_tls_(certificate_key|dh)_bits use base unit "bytes" instead of "bits"' || true)
	[ -n "$out" ] && { printf '%s\n' "$out"; return 1; }
	# promtool exits 3 for lint problems only
	[ "$rc" = 3 ] || { echo "promtool exited $rc"; return 1; }
}

# combined_root DIR: a root holding all three MTAs at once: Postfix
# listening everywhere (postfix/rootfs-wild), an Exim open relay
# (exim/oracle/03_stock_relay_star.conf) and a sendmail.cf with warnings
# (sendmail/rootfs-bad).
combined_root() {
	local dir=$1 fix=$MTA_SOURCE_DIR/tests/fixtures
	mkdir -p "$dir/etc/exim4" "$dir/etc/mail"
	cp -r "$fix/postfix/rootfs-wild/etc/postfix" "$dir/etc/"
	cp "$fix/exim/oracle/03_stock_relay_star.conf" "$dir/etc/exim4/exim4.conf"
	cp -r "$fix/sendmail/rootfs-bad/etc/mail/." "$dir/etc/mail/"
}

# --- oracle binaries unpacked from Debian packages (dpkg -x) -------------
# They are run from ROOT, never installed, so nothing made sure that the
# shared libraries they need are on this machine.

# oracle_libpath ROOT: the LD_LIBRARY_PATH to run ROOT's binaries with (its
# own library directories first, in case a package unpacked there has one).
oracle_libpath() {
	local root=$1 d p=
	for d in "$root"/usr/lib/*-linux-gnu* "$root"/lib/*-linux-gnu* "$root/usr/lib" "$root/lib"; do
		[ -d "$d" ] && p=${p:+$p:}$d
	done
	printf '%s' "$p"
}

# lib_package SONAME: the Debian package that ships SONAME, named by the
# Debian policy rule (libfoo.so.1 -> libfoo1, libfoo2.so.0 -> libfoo2-0,
# libdb-5.3.so -> libdb5.3) and confirmed with apt-cache; "?" if unknown.
lib_package() {
	local so=$1 name ver c
	case "$so" in
	*.so.*) name=${so%%.so.*} ver=${so#*.so.} ;;
	*) name=${so%.so} ver= ;;
	esac
	name=$(printf '%s' "$name" | tr '[:upper:]_' '[:lower:]-')
	case "$name" in *[0-9]) [ -n "$ver" ] && name=$name- ;; esac
	for c in "$name$ver" "${name//-/}$ver"; do
		if apt-cache show --no-all-versions "$c" >/dev/null 2>&1; then
			echo "$c"
			return 0
		fi
	done
	echo "?"
}

# oracle_check_libs ROOT BINARY...: each BINARY (a path under ROOT) must find
# all its shared libraries with LD_LIBRARY_PATH=$(oracle_libpath ROOT), the
# way the tests run it.  Otherwise fail once, naming each missing library
# and the package that provides it (scripts/deps.sh test installs them).
oracle_check_libs() {
	local root=$1 b out so pkg missing=() who=()
	shift
	for b in "$@"; do
		[ -x "$b" ] || fail "oracle binary $b is missing (unpacking its package failed?)"
		out=$(LD_LIBRARY_PATH=$(oracle_libpath "$root") ldd "$b" 2>&1) ||
			fail "ldd $b: $out"
		for so in $(printf '%s\n' "$out" | awk '$2 == "=>" && $3 == "not" && $4 == "found" { print $1 }'); do
			case " ${missing[*]} " in *" $so "*) ;; *) missing+=("$so") ;; esac
			case " ${who[*]} " in *" ${b##*/} "*) ;; *) who+=("${b##*/}") ;; esac
		done
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local msg=
	for so in "${missing[@]}"; do
		pkg=$(lib_package "$so")
		if [ "$pkg" = "?" ]; then
			msg+="${msg:+, }$so (no package of that name; apt-file search $so)"
		else
			msg+="${msg:+, }$so (package $pkg)"
		fi
	done
	fail "oracle ${who[*]} cannot run, missing shared libraries: $msg; install them with scripts/deps.sh test"
}

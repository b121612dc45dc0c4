# lib.sh - helpers for the end-to-end tests (sourced, not run).
#
# Every test gets a private temp dir ($T) removed on exit, and every process
# started with start_bg is killed on exit, even when the test fails.
set -euo pipefail

: "${MTA_EXPORTER:?MTA_EXPORTER must point at the binary (ctest sets it)}"
: "${MTA_SOURCE_DIR:?MTA_SOURCE_DIR must point at the source tree}"

T=$(mktemp -d /tmp/mta-e2e.XXXXXX)
E2E_PIDS=()
E2E_CLEANUPS=()

e2e_cleanup() {
	local rc=$?
	local pid c
	for pid in "${E2E_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${E2E_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for c in "${E2E_CLEANUPS[@]}"; do
		eval "$c" || true
	done
	rm -rf "$T"
	exit "$rc"
}
trap e2e_cleanup EXIT INT TERM

# on_exit CMD: run CMD at exit (after background processes are killed).
on_exit() { E2E_CLEANUPS+=("$1"); }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

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

# strip_volatile: drop sample lines whose value changes between scrapes, and
# the process_* families (served only when serving, not by --once).
strip_volatile() {
	grep -vE '^mta_exporter_(collector_duration_seconds|scrape_duration_seconds)[{ ]|^(# (HELP|TYPE) )?process_'
}

#!/bin/bash
# listeners_scale.sh - does the listeners collector's scrape time stay flat
# under load?  (A benchmark, not a ctest test.)
#
# In a private network namespace: an MTA-like listener on 0.0.0.0:25, then
# load = 20,000 established loopback connections (40,000 sockets held by
# one process) + 500 unrelated listeners.  The exporter runs as a server in
# the namespace and is scraped repeatedly; the listeners collector's own
# duration (mta_exporter_collector_duration_seconds) is compared idle vs
# loaded, and `ss -plntu` is timed on the same namespace for reference.
#
# usage: MTA_EXPORTER=build/default/mta_exporter bash bench/listeners_scale.sh
#        [CONNECTIONS] [LISTENERS] [SCRAPES]
# Exit status 1 if the loaded/idle ratio of the median scrape exceeds 2.
set -euo pipefail
: "${MTA_EXPORTER:?set MTA_EXPORTER to the binary}"
CONNS=${1:-20000}
LISTENERS=${2:-500}
SCRAPES=${3:-30}
ns=mlst-bench-$$
T=$(mktemp -d /tmp/mlst-bench.XXXXXX)
pids=()
cleanup() {
	# the load generator's workers are its children: end them too
	for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
# Background processes are started with `ip netns exec` itself (not nsx),
# so that $! is their pid and cleanup reaches them and their children.
nsx() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
ip -n "$ns" link set lo up
for i in 2 3 4 5 6; do ip -n "$ns" addr add 127.0.0.$i/8 dev lo; done

# An MTA-like listener (its own process).
start_mta() {
	rm -f "$T/mta.ready"
	ip netns exec "$ns" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 25)); s.listen(); open("'"$T"'/mta.ready", "w").close()
time.sleep(1e6)' &
	MTA=$!
	pids+=($MTA)
	while [ ! -e "$T/mta.ready" ]; do sleep 0.1; done
}
start_mta

start_exporter() {
	ip netns exec "$ns" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:20199 >"$T/exporter.log" 2>&1 &
	EXPORTER=$!
	pids+=($EXPORTER)
	for _ in $(seq 100); do
		nsx curl -fsS -o /dev/null http://127.0.0.1:20199/metrics 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$T/exporter.log" >&2
	exit 1
}

# median of the listeners collector's duration over $SCRAPES scrapes (ms)
measure() {
	local i
	for ((i = 0; i < SCRAPES; i++)); do
		nsx curl -fsS http://127.0.0.1:20199/metrics |
			awk '/^mta_exporter_collector_duration_seconds\{collector="listeners"\}/ {printf "%.3f\n", $2 * 1000}'
	done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# median_ms CMD...: wall time of one run of CMD in the namespace (output
# discarded), median of 5 (ms)
median_ms() {
	local i t0 t1
	for ((i = 0; i < 5; i++)); do
		t0=$(date +%s%N)
		nsx "$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{v[NR] = $1} END {printf "%.3f\n", v[3] / 1000}'
}

# wall time of one `ss -plntu`, and of one `mta_exporter --once` (cold caches)
time_ss() { median_ms ss -plntu; }
time_once() { median_ms "$MTA_EXPORTER" --once; }

start_exporter
idle=$(measure)
idle_once=$(time_once)
idle_ss=$(time_ss)

# The load: unrelated listeners on 127.0.0.2-6:20100-20199, and
# connections to one more listener on 127.0.0.1:20100, made (and accepted)
# by several worker processes so each stays under the fd limit.
ip netns exec "$ns" python3 -c '
import os, resource, socket, sys, time
conns, nlisten, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
keep = []
for i in range(nlisten):
    s = socket.socket(); s.bind(("127.0.0.%d" % (2 + i // 100), 20100 + i % 100)); s.listen(); keep.append(s)
srv = socket.socket(); srv.bind(("127.0.0.1", 20100)); srv.listen(4096)
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
per = max(1, (hard - nlisten - 200) // 2)
workers = (conns + per - 1) // per
for w in range(workers):
    if os.fork() == 0:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        mine = []
        for i in range(min(per, conns - w * per)):
            c = socket.socket(); c.connect(("127.0.0.1", 20100)); a, _ = srv.accept(); mine += [c, a]
        open("%s.%d" % (ready, w), "w").close()
        time.sleep(1e6)
while sum(os.path.exists("%s.%d" % (ready, w)) for w in range(workers)) < workers:
    if os.waitpid(-1, os.WNOHANG)[0]:
        sys.exit("a load worker died")
    time.sleep(0.2)
open(ready, "w").close()
time.sleep(1e6)' "$CONNS" "$LISTENERS" "$T/load.ready" &
LOAD=$!
pids+=($LOAD)
for _ in $(seq 600); do
	[ -e "$T/load.ready" ] && break
	kill -0 "$LOAD" 2>/dev/null || { echo "load generator died" >&2; exit 2; }
	sleep 0.2
done
[ -e "$T/load.ready" ] || { echo "load generator too slow" >&2; exit 2; }
established=$(nsx ss -Htn state established | wc -l)
listening=$(nsx ss -Hltn | wc -l)

loaded=$(measure)
loaded_once=$(time_once)
loaded_ss=$(time_ss)
# Worst case for a cold lookup: the MTA restarts after the load, so its
# pid is higher and a /proc scan passes the 40,000 connection fds first.
kill "$MTA"; wait "$MTA" 2>/dev/null || true
start_mta
late_once=$(time_once)
late_first=$(nsx curl -fsS http://127.0.0.1:20199/metrics |
	awk '/^mta_exporter_collector_duration_seconds\{collector="listeners"\}/ {printf "%.3f\n", $2 * 1000}')
late=$(measure)

ratio=$(awk -v a="$loaded" -v b="$idle" 'BEGIN {printf "%.2f", a / b}')
ratio_once=$(awk -v a="$loaded_once" -v b="$idle_once" 'BEGIN {printf "%.2f", a / b}')
ratio_ss=$(awk -v a="$loaded_ss" -v b="$idle_ss" 'BEGIN {printf "%.2f", a / b}')

cat <<REPORT
load: $established established TCP sockets, $listening listening sockets (kernel $(uname -r))
                                  idle ms   loaded ms   ratio
listeners collector, warm scrape  $idle      $loaded      $ratio
mta_exporter --once (cold cache)  $idle_once    $loaded_once    $ratio_once
ss -plntu                         $idle_ss    $loaded_ss    $ratio_ss
MTA restarted after the load (its pid is higher than the load's):
  --once (cold, scans the load's fds)      $late_once ms
  first scrape after the restart (rescan)  $late_first ms
  warm scrape afterwards                   $late ms
REPORT
awk -v r="$ratio" 'BEGIN {exit !(r <= 2)}' || { echo "FAIL: warm scrape ratio $ratio > 2"; exit 1; }
echo "ok: warm scrape ratio $ratio <= 2"

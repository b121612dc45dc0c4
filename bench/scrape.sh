#!/usr/bin/env bash
# scrape.sh - scrape latency, throughput and peak RSS of the exporter.
#
#   bench/scrape.sh [BINARY] [-- exporter flags...]
#
# Reports:
#   - collection time: median and p99 of mta_exporter_scrape_duration_seconds
#     over N scrapes (what the collectors cost, without HTTP);
#   - request latency: median and p99 of curl's time_total for N sequential
#     scrapes over loopback (HTTP + collection + rendering);
#   - throughput: wrk with 2 threads and 16 connections for 10 s, and the
#     number of non-2xx answers / socket errors;
#   - peak RSS of the exporter over the whole run (/usr/bin/time -v).
# Targets for the finished exporter: collection under 1 ms median, peak RSS
# under 4 MiB, thousands of scrapes per second with no errors.
# Not a test: numbers depend on the machine. Uses only loopback.
set -euo pipefail
BIN=${1:-build/default/mta_exporter}
shift || true
[ "${1:-}" = -- ] && shift
N=${N:-1000}
PORT=${PORT:-20090}
ADDR=127.0.0.1:$PORT
for t in curl wrk /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: needs $t (apt-get install curl wrk time)" >&2; exit 1; }
done
T=$(mktemp -d)
trap 'kill "$EXP" "$PID" 2>/dev/null || true; rm -rf "$T"' EXIT

/usr/bin/time -v -o "$T/time" "$BIN" --web.listen-address=$ADDR --log.level=error "$@" &
PID=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://$ADDR/-/healthy" && break; sleep 0.05; done
EXP=$(pgrep -P "$PID")	# the exporter itself, child of time(1)

pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int((NR-1)*p/100)+1; printf "%.3f", a[i]*1000}'; }

for _ in $(seq "$N"); do
	curl -s -o "$T/body" -w '%{time_total}\n' "http://$ADDR/metrics" >>"$T/lat"
	awk '/^mta_exporter_scrape_duration_seconds /{print $2}' "$T/body" >>"$T/coll"
done
echo "scrapes:              $N"
echo "collection time (ms): median $(pct 50 <"$T/coll")  p99 $(pct 99 <"$T/coll")"
echo "request latency (ms): median $(pct 50 <"$T/lat")  p99 $(pct 99 <"$T/lat")"
echo "body size (bytes):    $(wc -c <"$T/body")"
wrk -t2 -c16 -d10s "http://$ADDR/metrics" >"$T/wrk" 2>&1 || true
echo "throughput:           $(awk '/Requests\/sec/{print $2}' "$T/wrk") req/s"
echo "errors:               $(grep -E 'Non-2xx|Socket errors' "$T/wrk" || echo none)"
kill -TERM "$EXP"
wait "$PID" || true
echo "peak RSS (KiB):       $(awk -F: '/Maximum resident/{gsub(/ /,"",$2); print $2}' "$T/time")"

#!/usr/bin/env bash
# vs_cis_script.sh - the exporter against the seed CIS 2.1.21 audit script:
# time and verdict on this host.
#
#   bench/vs_cis_script.sh [BINARY] [SEED_FILE]
#
# SEED_FILE is the CIS rule text (shared/seeds/000_*.txt beside the
# checkout by default); its audit script is extracted from the ```bash block
# at run time, never stored here. Reports the median wall time of N runs of
# the script, of N `mta_exporter audit` processes (start-up included) and
# the median collection time of N scrapes of a running exporter, the ratios,
# and both verdicts (PASS/FAIL). Not a test: numbers depend on the host.
set -euo pipefail
BIN=${1:-build/default/mta_exporter}
SEED=${2:-$(ls "$(dirname "$0")"/../../shared/seeds/000_*.txt 2>/dev/null | head -1)}
N=${N:-50}
PORT=${PORT:-20095}
[ -f "$SEED" ] || { echo "seed file not found; pass it as the second argument" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$T"' EXIT
awk '/^```bash/{f=1; next} /^```/{if (f) exit} f' "$SEED" >"$T/cis.sh"
grep -q 'ss -plntu' "$T/cis.sh" || { echo "could not extract the audit script" >&2; exit 1; }

now() { date +%s%N; }
median_ms() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1e6}'; }

for _ in $(seq "$N"); do
	s=$(now); bash "$T/cis.sh" >"$T/cis.out" 2>&1 || true; e=$(now)
	echo $((e - s)) >>"$T/cis.ns"
done
for _ in $(seq "$N"); do
	s=$(now); "$BIN" audit --format=json >"$T/audit.json" 2>/dev/null || true; e=$(now)
	echo $((e - s)) >>"$T/audit.ns"
done
"$BIN" --web.listen-address=127.0.0.1:$PORT --log.level=error &
PID=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/-/healthy" && break; sleep 0.05; done
for _ in $(seq "$N"); do
	curl -s "http://127.0.0.1:$PORT/metrics" |
		awk '/^mta_exporter_scrape_duration_seconds /{printf "%d\n", $2 * 1e9}' >>"$T/scrape.ns"
done

cis=$(median_ms <"$T/cis.ns")
aud=$(median_ms <"$T/audit.ns")
scr=$(median_ms <"$T/scrape.ns")
cis_verdict=$(grep -oE '\*\* (PASS|FAIL) \*\*' "$T/cis.out" | tr -d '* ')
our_verdict=$(python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
c=[c for c in r["checks"] if c["id"]=="cis_2_1_21"][0]
print(c["status"].upper())' "$T/audit.json")
echo "CIS seed script:            median ${cis} ms  verdict ${cis_verdict}"
echo "mta_exporter audit process: median ${aud} ms  ($(awk -v a="$cis" -v b="$aud" 'BEGIN{printf "%.0f", a/b}')x faster)"
echo "scrape collection:          median ${scr} ms  ($(awk -v a="$cis" -v b="$scr" 'BEGIN{printf "%.0f", a/b}')x faster)"
echo "exporter cis_2_1_21:        ${our_verdict}"

#!/usr/bin/env bash
# fuzz-campaign.sh - run every libFuzzer target (fuzz preset) for a while,
# then minimise its corpus back into tests/fuzz/corpus/<name>/.
#
#   scripts/fuzz-campaign.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Default 600 s per target, all targets.  MINIMIZE=0 leaves the committed
# corpora alone (numbers only).  Each run uses one job (the
# machines this runs on are shared); the last "stat::number_of_executed_units"
# line and the crash count are printed per target, to be copied into
# docs/fuzzing.md.  A crash stops the script with its reproducer path.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-600}
shift || true
BUILD=$SRC/build/fuzz
cmake --workflow --preset fuzz >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$SRC"/tests/fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		targets+=("${n#fuzz_}")
	done
fi
WORK=$(mktemp -d /tmp/fuzz-campaign.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '%-12s %10s %12s %8s %7s\n' target seconds execs exec/s crashes
for t in "${targets[@]}"; do
	bin=$BUILD/tests/fuzz_$t
	corpus=$SRC/tests/fuzz/corpus/$t
	[ -x "$bin" ] || { echo "no fuzzer $bin" >&2; exit 1; }
	mkdir -p "$WORK/$t" "$WORK/$t.crash" "$corpus"
	cp -r "$corpus"/. "$WORK/$t"/
	set +e
	"$bin" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$WORK/$t.crash/" "$WORK/$t" >"$WORK/$t.log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$t.log" | tail -1)
	crashes=$(find "$WORK/$t.crash" -type f | wc -l)
	printf '%-12s %10s %12s %8s %7s\n' "$t" "$SECS" "${execs:-?}" "${rate:-?}" "$crashes"
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
		mkdir -p "$SRC/build/fuzz-crashes/$t"
		cp "$WORK/$t.crash"/* "$WORK/$t.log" "$SRC/build/fuzz-crashes/$t/" 2>/dev/null || true
		echo "fuzz_$t failed (rc $rc); reproducers and log in build/fuzz-crashes/$t/" >&2
		exit 1
	fi
	[ "${MINIMIZE:-1}" = 0 ] && continue
	# Minimise: keep only inputs that add coverage, named by content hash.
	mkdir -p "$WORK/$t.min"
	"$bin" -merge=1 -max_len=65536 "$WORK/$t.min" "$WORK/$t" >/dev/null 2>&1
	rm -f "$corpus"/*
	cp "$WORK/$t.min"/* "$corpus"/
done

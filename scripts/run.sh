#!/usr/bin/env bash
# run.sh - install build dependencies, build (release with debug info) and
# start the exporter in the foreground.  Extra arguments go to the exporter:
#   scripts/run.sh --web.listen-address=0.0.0.0:10425
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake --workflow --preset default >/dev/null
exec build/default/mta_exporter "$@"

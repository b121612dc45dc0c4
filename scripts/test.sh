#!/usr/bin/env bash
# test.sh - install build and test dependencies, build, and run the whole
# test suite (unit, fuzz smoke, end-to-end against real Postfix,
# Prometheus and Alertmanager).  End-to-end tests need root for network
# namespaces and package installs; as non-root they report "skipped".
#   scripts/test.sh            default preset
#   scripts/test.sh asan       AddressSanitizer + UBSan build
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
scripts/deps.sh test
cmake --workflow --preset "$preset" >/dev/null
ctest --preset "$preset" --timeout 900

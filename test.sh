#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite.
# Ends with one line `N passed, M failed` counting individual test cases; exits non-zero on any
# failure. Extra arguments go to `bazel test` (e.g. ./test.sh --config=asan).
set -uo pipefail
cd "$(dirname "$0")"

tools/ensure-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

events=$(mktemp /tmp/gatehouse-test-events.XXXXXX.json)
trap 'rm -f "$events"' EXIT
bazel test //... --build_event_json_file="$events" "$@"
bazel_status=$?

python3 tools/test_summary.py "$events" "$bazel_status"
summary_status=$?
if [[ $bazel_status -ne 0 || $summary_status -ne 0 ]]; then
  exit 1
fi

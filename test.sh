#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite.
# Ends with one line `N passed, M failed` counting individual test cases; exits non-zero on any
# failure. Extra arguments go to `bazel test` (e.g. ./test.sh --config=asan).
set -uo pipefail
cd "$(dirname "$0")"

tools/ensure-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

# Every package under the real top-level folders: not `//...`, which would also walk the
# `bazel-<folder name>` link Bazel leaves in a clone under any name (and fail on the system
# library links inside it).
targets=()
for dir in */; do
  dir=${dir%/}
  [[ -L $dir ]] && continue
  [[ -n $(find "$dir" \( -name BUILD -o -name BUILD.bazel \) -print -quit) ]] && targets+=("//$dir/...")
done

events=$(mktemp /tmp/gatehouse-test-events.XXXXXX.json)
trap 'rm -f "$events"' EXIT
bazel test "${targets[@]}" --build_event_json_file="$events" "$@"
bazel_status=$?

python3 tools/test_summary.py "$events" "$bazel_status"
summary_status=$?
if [[ $bazel_status -ne 0 || $summary_status -ne 0 ]]; then
  exit 1
fi

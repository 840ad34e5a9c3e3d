#!/usr/bin/env bash
# The gatehouse binary's command-line surface: --version, --help for every sub-command, and
# exit codes for usage errors.
set -u
gatehouse="$1"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

out=$("$gatehouse" --version) || fail "--version exited $?"
[[ "$out" == gatehouse\ * ]] || fail "--version printed '$out'"

out=$("$gatehouse" --help) || fail "--help exited $?"
for command in run check eval render explain plugins; do
  grep -q "$command" <<< "$out" || fail "--help does not list $command"
  "$gatehouse" "$command" --help > /dev/null || fail "$command --help exited $?"
done

"$gatehouse" > /dev/null 2>&1
[[ $? -eq 64 ]] || fail "no sub-command should exit 64"
"$gatehouse" no-such-command > /dev/null 2>&1
[[ $? -eq 64 ]] || fail "an unknown sub-command should exit 64"

echo "$failures failures"
[[ $failures -eq 0 ]]

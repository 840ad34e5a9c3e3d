#!/usr/bin/env bash
# `gatehouse plugins` through the real binary: the human table, --json, and --plugin-dir with the
# example .so plugin.
set -u
gatehouse="$1"
example_so="$2"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

out=$("$gatehouse" plugins) || fail "plugins exited $?"
for provider in agent env host local local_dynamic path; do
  grep -Eq "^  $provider +(context|dynamic) +built-in" <<< "$out" || fail "table lacks $provider"
done
grep -q "check_interval  *duration  *default 5m" <<< "$out" || fail "table lacks host's option"

json=$("$gatehouse" plugins --json) || fail "plugins --json exited $?"
python3 - "$json" <<'PY' || fail "--json content"
import json, sys
catalog = json.loads(sys.argv[1])
providers = {p["name"]: p for p in catalog["providers"]}
assert {"agent", "env", "host", "local", "local_dynamic", "path"} <= providers.keys(), providers.keys()
assert providers["local_dynamic"]["kind"] == "dynamic"
assert providers["env"]["origin"] == "built-in"
opt = {o["name"]: o for o in providers["host"]["options"]}["check_interval"]
assert opt == {"name": "check_interval", "type": "duration", "default": "5m",
               "description": opt["description"], "required": False}, opt
assert isinstance(catalog["inputs"], list) and isinstance(catalog["outputs"], list)
PY

dir="${TEST_TMPDIR:-/tmp}/plugins"
mkdir -p "$dir"
cp "$example_so" "$dir/libexample_provider.so"
json=$("$gatehouse" plugins --json --plugin-dir "$dir") || fail "plugins --plugin-dir exited $?"
python3 - "$json" "$dir/libexample_provider.so" <<'PY' || fail "--plugin-dir content"
import json, sys
catalog = json.loads(sys.argv[1])
example = [p for p in catalog["providers"] if p["name"] == "example"]
assert example and example[0]["origin"] == sys.argv[2], example
assert [o["name"] for o in example[0]["options"]] == ["greeting", "interval"]
PY

"$gatehouse" plugins --plugin-dir "$dir/missing" > /dev/null 2>&1
[[ $? -eq 64 ]] || fail "a missing plugin dir should exit 64"

echo "$failures failures"
[[ $failures -eq 0 ]]

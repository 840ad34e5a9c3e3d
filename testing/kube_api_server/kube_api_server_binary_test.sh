#!/bin/bash
# The standalone server: prints its port, serves Leases, and takes faults over /admin.
set -euo pipefail
server="$1"
out="${TEST_TMPDIR}/server.out"
"$server" --token=t1=alice > "$out" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^port ' "$out" && break; sleep 0.05; done
port=$(awk '/^port /{print $2}' "$out")
[[ -n "$port" ]] || { echo "no port printed"; exit 1; }
base="http://127.0.0.1:${port}/apis/coordination.k8s.io/v1/namespaces/default/leases"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer t1' "$base/x")
[[ "$code" == 404 ]] || { echo "GET: want 404, got $code"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/x")
[[ "$code" == 401 ]] || { echo "no token: want 401, got $code"; exit 1; }
curl -s -X POST -d '{"action":"fault","code":503,"count":1}' "http://127.0.0.1:${port}/admin/faults" >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer t1' "$base/x")
[[ "$code" == 503 ]] || { echo "fault: want 503, got $code"; exit 1; }
curl -s "http://127.0.0.1:${port}/admin/counters" | grep -q '"verb":"get"' || { echo "no counters"; exit 1; }
kill -TERM $pid
wait $pid
echo PASS

#!/usr/bin/env bash
# The Gatehouse demo: three agents on this machine share a lease (the file back-end) and the
# demo policy (deploy/demo/policy.yml), whose state_container stream is gated on
# `${kubernetes_leaderelection.leader} == true`. Only the leader scrapes the kube-state-metrics
# test server and writes events; kill it and another agent takes over.
# Installs what is missing and builds first. Ctrl-C at any time stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

tools/ensure-deps.sh
say "building gatehouse and the kube-state-metrics test server (the first build takes a few minutes)"
if ! bazel build //agent:gatehouse //testing/ksm_server:ksm_server > /tmp/gatehouse-demo-build.log 2>&1; then
  grep -E 'ERROR|error:' /tmp/gatehouse-demo-build.log | head -20 >&2
  echo "demo: the build failed (full log: /tmp/gatehouse-demo-build.log)" >&2
  exit 1
fi
bin="$(bazel info bazel-bin 2>/dev/null)"
gatehouse="$bin/agent/gatehouse"

demo="$PWD/.demo"
rm -rf "$demo"
mkdir -p "$demo/leases"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
}
trap cleanup EXIT
trap 'echo; echo "interrupted: stopping everything"; exit 130' INT TERM

"$bin/testing/ksm_server/ksm_server" --file testdata/ksm/cluster.prom --port 0 > "$demo/ksm.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$demo/ksm.log" && break; sleep 0.1; done
ksm=$(grep -oE '127\.0\.0\.1:[0-9]+' "$demo/ksm.log" | head -1)
say "kube-state-metrics test server on http://$ksm/metrics (6 containers in 4 pods)"

declare -A agent_pid
start_agent() {
  local name=$1
  KSM_ADDRESS="$ksm" GATEHOUSE_LEASE_DIR="$demo/leases" GATEHOUSE_AGENT_NAME="$name" \
    GATEHOUSE_AGENT_ID="$name" \
    "$gatehouse" run --policy deploy/demo/policy.yml --path.data "$demo/$name" \
    --status-addr 127.0.0.1:0 > "$demo/$name.log" 2>&1 &
  agent_pid[$name]=$!
  pids+=($!)
}
events() { [[ -f "$demo/$1/events.ndjson" ]] && wc -l < "$demo/$1/events.ndjson" || echo 0; }
leader() {
  local name
  for name in agent-1 agent-2 agent-3; do
    [[ -n "${agent_pid[$name]:-}" ]] || continue
    # The last leadership line of each log tells its current state.
    if grep -E 'became leader|lost leadership' "$demo/$name.log" 2> /dev/null | tail -1 |
        grep -q 'became leader'; then
      echo "$name"
      return
    fi
  done
}
wait_for_leader() {
  for _ in $(seq 200); do
    local who
    who=$(leader)
    [[ -n "$who" ]] && { echo "$who"; return; }
    sleep 0.1
  done
  echo "demo: no agent became leader; see $demo/agent-*.log" >&2
  exit 1
}
show_events() {
  local name
  for name in agent-1 agent-2 agent-3; do
    local state="follower"
    [[ "$name" == "$1" ]] && state="LEADER  "
    [[ -z "${agent_pid[$name]:-}" ]] && state="killed  "
    printf '    %s  %s  %4s state_container events\n' "$name" "$state" "$(events "$name")"
  done
}

say 'starting three agents with the same policy: the stream runs only where ${kubernetes_leaderelection.leader} == true'
for name in agent-1 agent-2 agent-3; do start_agent "$name"; done
first=$(wait_for_leader)
echo "    $first won the lease ($demo/leases/); the others follow."
grep -h 'input kubernetes-cluster-metrics' "$demo/$first.log" | head -2 | sed 's/^/    /'
sleep 7
say "after a few 2-second periods, only the leader has written events:"
show_events "$first"

say "killing the leader ($first) with SIGKILL: it cannot release the lease, so the others wait for it to expire (6 s)"
kill -KILL "${agent_pid[$first]}"
wait "${agent_pid[$first]}" 2> /dev/null || true
unset "agent_pid[$first]"
killed_events=$(events "$first")
second=$(wait_for_leader)
echo "    $second took over: $(grep -h 'became leader' "$demo/$second.log" | tail -1 | cut -c1-24)"
sleep 7
say "the new leader writes the events now; $first stopped at $killed_events:"
show_events "$second"

say "stopping the agents with SIGTERM: each drains its queue and releases the lease"
for name in "${!agent_pid[@]}"; do kill -TERM "${agent_pid[$name]}"; done
for name in "${!agent_pid[@]}"; do wait "${agent_pid[$name]}" 2> /dev/null || true; done
grep -h 'stopped cleanly' "$demo"/agent-*.log | sed 's/^/    /'

say "look at: $demo/agent-N.log (what each agent did and why), $demo/agent-N/events.ndjson (the events), $demo/leases/ (the lease file)"

#!/usr/bin/env bash
# Installs what is missing, builds Gatehouse and runs it on its built-in demo policy.
set -euo pipefail
cd "$(dirname "$0")"

tools/ensure-deps.sh
echo "==> building gatehouse (the first build takes a few minutes)"
bazel build //agent:gatehouse 2>&1 | grep -E '^(ERROR|FAILED)' || true
bin="$(bazel info bazel-bin 2>/dev/null)/agent/gatehouse"
[[ -x "$bin" ]] || { echo "demo: the build failed; run 'bazel build //agent:gatehouse' to see why" >&2; exit 1; }

echo "==> $("$bin" --version)"
"$bin" --help

#!/usr/bin/env bash
# Installs, only when missing, every Debian 12 package the build and the tests need.
# Quiet and fast when everything is present; runs `apt-get update` only when it must install.
set -euo pipefail

PACKAGES=(
  # The build: Debian's Bazel and the local pieces it needs offline.
  bazel-bootstrap bazel-rules-java bazel-platforms default-jdk-headless
  g++ clang-14 libclang-rt-14-dev pkg-config python3
  # Libraries (third_party/system.BUILD names each one).
  libabsl-dev libyaml-cpp-dev libcurl4-openssl-dev libre2-dev libssl-dev zlib1g-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # Tests and the demo drive real processes with these.
  procps curl openssl
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "ensure-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo > /dev/null; then
    SUDO=(sudo)
  else
    echo "ensure-deps: these Debian packages are missing and installing them needs root:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=()
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update -qq > /tmp/gatehouse-apt-update.log 2>&1; then
  echo "ensure-deps: 'apt-get update' failed (see /tmp/gatehouse-apt-update.log):" >&2
  tail -5 /tmp/gatehouse-apt-update.log >&2
  exit 1
fi
if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    > /tmp/gatehouse-apt-install.log 2>&1; then
  echo "ensure-deps: 'apt-get install' failed (see /tmp/gatehouse-apt-install.log):" >&2
  tail -15 /tmp/gatehouse-apt-install.log >&2
  exit 1
fi
echo "ensure-deps: done" >&2

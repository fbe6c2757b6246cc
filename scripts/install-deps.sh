#!/usr/bin/env bash
# Installs the Debian 12 packages Lethe builds, tests and benchmarks with,
# skipping any already present. Needs root (or sudo).
set -euo pipefail
pkgs=(build-essential cmake ninja-build ccache pkg-config
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsqlite3-dev sqlite3 libsodium-dev libssl-dev libcurl4-openssl-dev
      libgtest-dev libgmock-dev libbenchmark-dev curl jq ffmpeg
      libarchive-dev python3-jsonschema)
if [ "${1:-}" = "--bench" ]; then pkgs+=(nginx-light wrk python3); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

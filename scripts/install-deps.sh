#!/usr/bin/env bash
# Installs the Debian 12 packages Lethe builds, tests and benchmarks with,
# skipping any already present. Needs root (or sudo).
set -euo pipefail
pkgs=(build-essential cmake ninja-build ccache pkg-config
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsqlite3-dev sqlite3 libsodium-dev libssl-dev libcurl4-openssl-dev
      libgtest-dev libgmock-dev libbenchmark-dev curl jq ffmpeg
      libpq-dev postgresql-15 libarchive-dev python3-jsonschema
      python3-yaml  # docs/openapi.yaml becomes the served JSON at build time
      liboath-dev libqrencode-dev
      libfido2-dev libcbor-dev  # passkeys: WebAuthn verification (issue 15)
      libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
      libexiv2-dev exiv2  # probe, scrub, posters (issue 14)
      libwebp-dev libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
      espeak-ng  # speech for the transcription tests
      chromium)  # the browser test (tests/browser/), driven by playwright-core
# node and npm for s3rver, from Debian unless the machine has them another way
# (a nodesource nodejs ships npm inside and conflicts with Debian's npm).
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
if [ "${1:-}" = "--bench" ]; then pkgs+=(nginx-light wrk python3); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The local S3 server of the tests (s3rver) and the AWS SDK's SigV4 signer
# its checking proxy uses (@smithy/signature-v4), pinned by
# tests/s3/package-lock.json.
s3="$(cd "$(dirname "$0")/.." && pwd)/tests/s3"
if [ ! -f "$s3/node_modules/s3rver/bin/s3rver.js" ] ||
   [ ! -f "$s3/node_modules/@smithy/signature-v4/package.json" ] ||
   [ "$s3/package-lock.json" -nt "$s3/node_modules" ]; then
  echo "installing: s3rver, @smithy/signature-v4 (npm ci in tests/s3)"
  (cd "$s3" && npm ci --no-audit --no-fund --loglevel=error)
fi
# playwright-core and axe-core for the browser tests, pinned by tests/browser/package-lock.json;
# it drives Debian's chromium (above) and downloads no browser of its own.
browser="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if [ ! -f "$browser/node_modules/playwright-core/package.json" ] || [ "$browser/package-lock.json" -nt "$browser/node_modules" ]; then
  echo "installing: playwright-core, axe-core (npm ci in tests/browser)"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The portal's front end (web/portal: Preact, TypeScript, Vite), pinned by
# its package-lock.json; CMake builds it with these packages, offline.
portal="$(cd "$(dirname "$0")/.." && pwd)/web/portal"
if [ ! -f "$portal/node_modules/vite/package.json" ] || [ "$portal/package-lock.json" -nt "$portal/node_modules" ]; then
  echo "installing: the portal's npm packages (npm ci in web/portal)"
  (cd "$portal" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The embeds (web/embeds: <lethe-recorder>, <lethe-player>; TypeScript, Vite,
# tus-js-client bundled in), pinned by their package-lock.json; CMake builds them.
embeds="$(cd "$(dirname "$0")/.." && pwd)/web/embeds"
if [ ! -f "$embeds/node_modules/vite/package.json" ] || [ "$embeds/package-lock.json" -nt "$embeds/node_modules" ]; then
  echo "installing: the embeds' npm packages (npm ci in web/embeds)"
  (cd "$embeds" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The OpenAPI 3.1 validator of the OpenAPI test, pinned by tests/openapi/package-lock.json.
openapi="$(cd "$(dirname "$0")/.." && pwd)/tests/openapi"
if [ ! -f "$openapi/node_modules/@seriousme/openapi-schema-validator/package.json" ] || [ "$openapi/package-lock.json" -nt "$openapi/node_modules" ]; then
  echo "installing: @seriousme/openapi-schema-validator (npm ci in tests/openapi)"
  (cd "$openapi" && npm ci --no-audit --no-fund --loglevel=error)
fi

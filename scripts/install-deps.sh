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
# npm packages, each set pinned by its package-lock.json: `npm ci` in DIR
# (below the repository) when a MARKER file (relative to its node_modules)
# is missing or the lock file is newer than node_modules.
root="$(cd "$(dirname "$0")/.." && pwd)"
npm_ci() {
  local rel="$1" what="$2"
  local dir="$root/$rel"
  shift 2
  local marker
  for marker in "$@"; do
    if [ ! -f "$dir/node_modules/$marker" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      echo "installing: $what (npm ci in $rel)"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      return
    fi
  done
}
# The local S3 server of the tests (s3rver) and the AWS SDK's SigV4 signer
# its checking proxy uses (@smithy/signature-v4).
npm_ci tests/s3 "s3rver, @smithy/signature-v4" s3rver/bin/s3rver.js @smithy/signature-v4/package.json
# playwright-core and axe-core for the browser tests; it drives Debian's
# chromium (above) and downloads no browser of its own.
npm_ci tests/browser "playwright-core, axe-core" playwright-core/package.json
# The portal's front end (web/portal: Preact, TypeScript, Vite) and the
# embeds (web/embeds: <lethe-recorder>, <lethe-player>, tus-js-client
# bundled in); CMake builds both with these packages, offline.
npm_ci web/portal "the portal's npm packages" vite/package.json
npm_ci web/embeds "the embeds' npm packages" vite/package.json
# The OpenAPI 3.1 validator of the OpenAPI test.
npm_ci tests/openapi "@seriousme/openapi-schema-validator" @seriousme/openapi-schema-validator/package.json

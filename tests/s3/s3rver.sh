#!/usr/bin/env bash
# Starts or stops the local S3 server of the tests (s3rver, pinned in
# package.json beside this script, installed by scripts/install-deps.sh).
#   s3rver.sh start DIR   # data in DIR/data, endpoint written to DIR/endpoint
#   s3rver.sh stop DIR
# ctest runs these as the fixture of the S3 tests (CMakeLists.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:?start|stop}"
dir="${2:?directory}"
stop() {
  if [ -f "$dir/pid" ]; then
    pid="$(cat "$dir/pid")"
    # Only our own server: the pid file may be stale.
    if grep -q s3rver "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/pid"
  fi
  rm -f "$dir/endpoint"
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    stop
    bin="$here/node_modules/s3rver/bin/s3rver.js"
    if [ ! -f "$bin" ]; then
      echo "s3rver is not installed: run scripts/install-deps.sh (npm ci in tests/s3)" >&2
      exit 1
    fi
    rm -rf "$dir/data" && mkdir -p "$dir/data"
    # The legacy provider: s3rver's continuation tokens use DES, which
    # Node's OpenSSL 3 keeps there.
    setsid node --openssl-legacy-provider "$bin" -d "$dir/data" -a 127.0.0.1 -p 0 \
      --no-vhost-buckets --silent >"$dir/log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
      port="$(grep -o 'listening on 127.0.0.1:[0-9]*' "$dir/log" 2>/dev/null | grep -o '[0-9]*$' || true)"
      if [ -n "$port" ]; then
        echo "http://127.0.0.1:$port" >"$dir/endpoint"
        echo "s3rver on http://127.0.0.1:$port (pid $(cat "$dir/pid"), data $dir/data)"
        exit 0
      fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    echo "s3rver did not start:" >&2
    cat "$dir/log" >&2
    exit 1
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

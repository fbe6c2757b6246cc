#!/usr/bin/env bash
# Starts or stops the local S3 server of the tests: s3rver (pinned in
# package.json beside this script, installed by scripts/install-deps.sh),
# behind sigv4_proxy.mjs, which checks every request's SigV4 signature
# and payload hash as S3 does (s3rver checks none) before passing it on.
#   s3rver.sh start DIR [--no-proxy]  # data in DIR/data, endpoint in DIR/endpoint
#   s3rver.sh stop DIR
# The endpoint is the proxy's; --no-proxy gives s3rver's own (the bench:
# it measures the store, not the checker). The proxy knows s3rver's key
# (S3RVER/S3RVER); tests add others at /_sigv4/keys/.
# ctest runs these as the fixture of the S3 tests (CMakeLists.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:?start|stop}"
dir="${2:?directory}"
proxy=1
[ "${3:-}" = "--no-proxy" ] && proxy=0

# Kills the process in pid file $1 if its command line holds $2: the file
# may be stale, and the pid someone else's.
kill_own() {
  local file="$1" what="$2" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if grep -q "$what" "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}
stop() {
  kill_own "$dir/proxy.pid" sigv4_proxy
  kill_own "$dir/pid" s3rver
  rm -f "$dir/endpoint" "$dir/s3rver_endpoint"
}
# Waits for "$2 ... HOST:PORT" in log $1 while pid file $3's process lives;
# prints http://HOST:PORT.
wait_port() {
  local log="$1" pattern="$2" pidfile="$3" port
  for _ in $(seq 100); do
    port="$(grep -o "$pattern 127.0.0.1:[0-9]*" "$log" 2>/dev/null | grep -o '[0-9]*$' || true)"
    if [ -n "$port" ]; then
      echo "http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.1
  done
  echo "$pattern: did not start:" >&2
  cat "$log" >&2
  return 1
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    stop
    bin="$here/node_modules/s3rver/bin/s3rver.js"
    if [ ! -f "$bin" ] || [ ! -d "$here/node_modules/@smithy/signature-v4" ]; then
      echo "s3rver is not installed: run scripts/install-deps.sh (npm ci in tests/s3)" >&2
      exit 1
    fi
    rm -rf "$dir/data" && mkdir -p "$dir/data"
    # The legacy provider: s3rver's continuation tokens use DES, which
    # Node's OpenSSL 3 keeps there.
    setsid node --openssl-legacy-provider "$bin" -d "$dir/data" -a 127.0.0.1 -p 0 \
      --no-vhost-buckets --silent >"$dir/log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    upstream="$(wait_port "$dir/log" "listening on" "$dir/pid")" || { stop; exit 1; }
    echo "$upstream" >"$dir/s3rver_endpoint"
    endpoint="$upstream"
    if [ "$proxy" = 1 ]; then
      setsid node "$here/sigv4_proxy.mjs" --upstream "$upstream" --region us-east-1 \
        --key S3RVER:S3RVER >"$dir/proxy.log" 2>&1 </dev/null &
      echo $! >"$dir/proxy.pid"
      endpoint="$(wait_port "$dir/proxy.log" "sigv4 proxy listening on" "$dir/proxy.pid")" ||
        { stop; exit 1; }
    fi
    echo "$endpoint" >"$dir/endpoint"
    echo "s3rver on $upstream (pid $(cat "$dir/pid"), data $dir/data)" \
      "$([ "$proxy" = 1 ] && echo "behind the SigV4 proxy on $endpoint (pid $(cat "$dir/proxy.pid"))")"
    ;;
  stop)
    # The proxy's tally, for the test log.
    [ -f "$dir/proxy.log" ] && kill_own "$dir/proxy.pid" sigv4_proxy &&
      grep -h "^sigv4 proxy: verified" "$dir/proxy.log" || true
    stop
    ;;
  *) echo "usage: $0 start|stop DIR [--no-proxy]" >&2; exit 2 ;;
esac

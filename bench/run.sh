#!/usr/bin/env bash
# Lethe benchmark: compares Lethe with a reference on the same machine, in
# the same run, and prints each ratio against its bar (see bench/README.md).
#
#   bench/run.sh LETHE_BINARY
#
# Environment (all optional):
#   LETHE_BENCH_THREADS  lethe --threads (default 4, as lethe serve)
#   LETHE_BENCH_SECS     wrk measuring time per side (default 10)
#   LETHE_BENCH_WARMUP   wrk warm-up time per side (default 2)
#   LETHE_BENCH_ROUNDS   alternating rounds the measuring time is split into (default 2)
#   LETHE_BENCH_UPLOAD_MIB  upload file size in MiB (default 1024)
#   LETHE_BENCH_ONLY     run only these comparisons, e.g. "download small"
#   LETHE_BENCH_STRICT=1 exit 1 when a bar is missed (default: exit 0)
#   LETHE_BENCH_KEEP=1   keep the work directory under bench/out/
#
# Needs: nginx, wrk, curl, python3 (make bench installs nginx-light and wrk).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 LETHE_BINARY" >&2
  exit 2
fi
LETHE=$(readlink -f "$1")
[ -x "$LETHE" ] || { echo "bench: $1 is not an executable" >&2; exit 2; }
for tool in nginx wrk curl python3 dd; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "bench: $tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

HERE=$(cd "$(dirname "$0")" && pwd)
THREADS=${LETHE_BENCH_THREADS:-4}
SECS=${LETHE_BENCH_SECS:-10}
WARMUP=${LETHE_BENCH_WARMUP:-2}
ROUNDS=${LETHE_BENCH_ROUNDS:-2}
UPLOAD_MIB=${LETHE_BENCH_UPLOAD_MIB:-1024}
ONLY=${LETHE_BENCH_ONLY:-download upload small}
DOWNLOAD_MIB=100

# Bars: Lethe must reach this fraction of the reference.
BAR_DOWNLOAD=0.60
BAR_UPLOAD=0.80
BAR_SMALL=0.70

# Work directory on the same disk as the repository (bench/out is ignored by git).
mkdir -p "$HERE/out"
WORK=$(mktemp -d "$HERE/out/run.XXXXXX")
LETHE_PID=""
NGINX_PID=""

cleanup() {
  local rc=$?
  # Only the processes this script started, by pid.
  if [ -n "$LETHE_PID" ]; then kill "$LETHE_PID" 2>/dev/null || true; fi
  if [ -n "$NGINX_PID" ]; then kill -QUIT "$NGINX_PID" 2>/dev/null || true; fi
  for pid in $LETHE_PID $NGINX_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${LETHE_BENCH_KEEP:-0}" = 1 ]; then
    echo "bench: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

json_get() {  # json_get EXPR  (EXPR applied to the parsed stdin as `j`)
  python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# Makes a file the MP4 sniffer accepts: an ftyp box, then random bytes.
make_media() {  # make_media PATH MIB
  { printf '\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'
    head -c $(($2 * 1024 * 1024 - 24)) /dev/urandom; } > "$1"
}

# wrk prints this line from its done() hook: exact bytes, time and errors.
cat > "$WORK/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d bytes=%d duration_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status))
end
EOF

# run_wrk THREADS CONNS SECS URL [AUTH_HEADER] -> "requests bytes seconds"
run_wrk() {
  local t=$1 c=$2 d=$3 url=$4 auth=${5:-}
  local args=(-t"$t" -c"$c" -d"${d}s" --timeout 30s -s "$WORK/report.lua")
  [ -n "$auth" ] && args+=(-H "$auth")
  local out
  out=$(wrk "${args[@]}" "$url" 2>&1) || { echo "$out" >&2; return 1; }
  echo "$out" >> "$WORK/wrk.log"
  echo "$out" | awk '/^WRK /{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["errors"] + v["non2xx"] > 0)
        printf "bench: wrk saw %d socket errors and %d non-2xx responses\n",
               v["errors"], v["non2xx"] > "/dev/stderr"
      printf "%d %d %.6f\n", v["requests"], v["bytes"], v["duration_us"] / 1e6 }'
}

# CPU time (user+system, in clock ticks) used so far by a server: lethe is
# one process; nginx is its master plus the worker children.
cpu_ticks() {  # cpu_ticks PID...
  local t=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$t"
}
server_pids() {  # server_pids lethe|nginx
  if [ "$1" = lethe ]; then echo "$LETHE_PID"; else echo "$NGINX_PID $(ps -o pid= --ppid "$NGINX_PID")"; fi
}
TICKS=$(getconf CLK_TCK)

# compare_wrk CONNS LETHE_URL NGINX_URL bytes|requests
# Warms both up, then alternates ROUNDS rounds of SECS/ROUNDS seconds per
# side and keeps each side's best round: load from elsewhere on the machine
# only ever slows a round down, so the best round is the least disturbed.
# Prints "lethe_count lethe_secs nginx_count nginx_secs".
compare_wrk() {
  local conns=$1 lurl=$2 nurl=$3 what=$4 field secs bl="" bn="" r out c0 c1
  field=$([ "$what" = bytes ] && echo 2 || echo 1)
  secs=$(awk -v s="$SECS" -v r="$ROUNDS" 'BEGIN{printf "%d", (s / r < 1) ? 1 : s / r}')
  run_wrk 2 "$conns" "$WARMUP" "$lurl" "$AUTH" > /dev/null
  run_wrk 2 "$conns" "$WARMUP" "$nurl" > /dev/null
  for r in $(seq "$ROUNDS"); do
    c0=$(cpu_ticks $(server_pids lethe))
    out=$(run_wrk 2 "$conns" "$secs" "$lurl" "$AUTH")
    c1=$(cpu_ticks $(server_pids lethe))
    log "  round $r lethe: $(rate "$out" "$field"), server CPU $(cpu_use "$out" $((c1 - c0)))"
    bl=$(best_of "$bl" "$out" "$field")
    c0=$(cpu_ticks $(server_pids nginx))
    out=$(run_wrk 2 "$conns" "$secs" "$nurl")
    c1=$(cpu_ticks $(server_pids nginx))
    log "  round $r nginx: $(rate "$out" "$field"), server CPU $(cpu_use "$out" $((c1 - c0)))"
    bn=$(best_of "$bn" "$out" "$field")
  done
  echo "$(echo "$bl" | awk -v f="$field" '{print $f, $3}') $(echo "$bn" | awk -v f="$field" '{print $f, $3}')"
}
rate() {  # rate "req bytes secs" FIELD -> "123.4 MiB/s" or "123.4 req/s"
  echo "$1" | awk -v f="$2" '{ if (f == 2) printf "%.1f MiB/s", $2 / $3 / 1048576;
                               else printf "%.1f req/s", $1 / $3 }'
}
cpu_use() {  # cpu_use "req bytes secs" TICKS -> "0.85 cores, 1.23 s/GiB, 45 us/req"
  echo "$1" | awk -v t="$2" -v hz="$TICKS" '{ c = t / hz;
    printf "%.2f cores, %.2f s/GiB, %.0f us/req", c / $3, c / ($2 / 1073741824), c / $1 * 1e6 }'
}
best_of() {  # best_of "req bytes secs" "req bytes secs" FIELD -> the higher rate
  if [ -z "$1" ]; then echo "$2"; return; fi
  awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN{split(a, x, " "); split(b, y, " ");
    print (y[f] / y[3] > x[f] / x[3]) ? b : a}'
}

ratio_line() {  # ratio_line NAME LETHE REF UNIT BAR
  python3 - "$@" <<'EOF'
import sys
name, lethe, ref, unit, bar = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], float(sys.argv[5])
refname = "dd" if name == "upload" else "nginx"
ratio = lethe / ref if ref > 0 else 0.0
verdict = "MET" if ratio >= bar else "MISS"
print(f"{name}: lethe {lethe:.1f} {unit}, {refname} {ref:.1f} {unit}, ratio {ratio:.2f} (bar {bar:.2f}) {verdict}")
EOF
}

RESULTS=()
record() { local line; line=$(ratio_line "$@"); echo "$line"; RESULTS+=("$line"); }

# ---- setup -------------------------------------------------------------

log "work dir $WORK ($(df -h --output=source,fstype "$WORK" | tail -1 | tr -s ' '))"
log "machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM; lethe --threads $THREADS"
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD1" -v n="$(nproc)" 'BEGIN{exit !(l > n / 2)}'; then
  log "WARNING: load average $LOAD1 on $(nproc) cores before starting: other work is running and the figures will be noisy"
fi

NGINX_PORT=$(free_port)

# Port 0: lethe binds a free port itself and prints it.
"$LETHE" serve --listen "127.0.0.1:0" --data "$WORK/lethe-data" \
  --max-media-bytes $(( ((UPLOAD_MIB > DOWNLOAD_MIB ? UPLOAD_MIB : DOWNLOAD_MIB) + 64) * 1048576 )) --threads "$THREADS" \
  > "$WORK/lethe.log" 2>&1 &
LETHE_PID=$!

mkdir -p "$WORK/www" "$WORK/nginx"
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"
cat > "$WORK/nginx/nginx.conf" <<EOF
$USER_LINE
worker_processes $(nproc);
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  types { application/json json; video/mp4 mp4; }
  client_body_temp_path $WORK/nginx/client_body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" \
  > "$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

for _ in $(seq 100); do
  grep -q "listening on" "$WORK/lethe.log" 2>/dev/null && break
  kill -0 "$LETHE_PID" 2>/dev/null || { cat "$WORK/lethe.log" >&2; exit 2; }
  sleep 0.1
done
grep -q "listening on" "$WORK/lethe.log" || { log "lethe did not start"; cat "$WORK/lethe.log" >&2; exit 2; }
LETHE_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/lethe.log" | head -1)
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx/error.log" >&2; exit 2; }
  sleep 0.1
done

L="http://127.0.0.1:$LETHE_PORT"
N="http://127.0.0.1:$NGINX_PORT"

SESSION=$(curl -sf -X POST "$L/v1/signup" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","email":"bench@example.com","password":"bench-password-123","country":"US","birth_date":"1990-01-01"}' |
  json_get 'j["session"]["token"]')
API_TOKEN=$(curl -sf -X POST "$L/v1/accounts" -H "Authorization: Bearer $SESSION" \
  -H 'Content-Type: application/json' -d '{"name":"bench","region":"us"}' | json_get 'j["api_token"]')
AUTH="Authorization: Bearer $API_TOKEN"

upload() {  # upload FILE -> media id
  local code
  code=$(curl -s -X POST "$L/v1/media" -H "$AUTH" -H 'Content-Type: video/mp4' \
    --data-binary @"$1" -o "$WORK/upload.json" -w '%{http_code}') || true
  if [ "$code" != 201 ]; then
    log "upload of $1 failed: HTTP $code $(head -c 500 "$WORK/upload.json" 2>/dev/null)"
    tail -5 "$WORK/lethe.log" >&2
    exit 2
  fi
  json_get 'j["id"]' < "$WORK/upload.json"
}

want() { [[ " $ONLY " == *" $1 "* ]]; }

MEDIA_ID=""
if want download || want small; then
  log "preparing a ${DOWNLOAD_MIB} MiB media (lethe) and the same bytes as a plain file (nginx)"
  make_media "$WORK/www/media.mp4" "$DOWNLOAD_MIB"
  MEDIA_ID=$(upload "$WORK/www/media.mp4")
  # Sanity: lethe returns the bytes it was given.
  got=$(curl -sf -H "$AUTH" "$L/v1/media/$MEDIA_ID/content" | sha256sum | cut -d' ' -f1)
  want_sum=$(sha256sum "$WORK/www/media.mp4" | cut -d' ' -f1)
  [ "$got" = "$want_sum" ] || { log "downloaded bytes differ from the upload"; exit 2; }
  # The small-request reference: a static JSON file the size of the metadata body.
  curl -sf -H "$AUTH" "$L/v1/media/$MEDIA_ID" > "$WORK/www/meta.json"
  [ "$(curl -sf "$N/meta.json" | wc -c)" -eq "$(wc -c < "$WORK/www/meta.json")" ] ||
    { log "nginx does not serve the reference file"; exit 2; }
fi

# ---- download ----------------------------------------------------------

if want download; then
  log "download: wrk -t2 -c4 on a ${DOWNLOAD_MIB} MiB object, ${SECS}s per side in $ROUNDS alternating rounds (warm-up ${WARMUP}s each)"
  read -r lb ls nb ns < <(compare_wrk 4 "$L/v1/media/$MEDIA_ID/content" "$N/media.mp4" bytes)
  [ -n "${ns:-}" ] || { log "download comparison failed (see above)"; exit 2; }
  record download "$(awk -v b="$lb" -v s="$ls" 'BEGIN{print b/s/1048576}')" \
    "$(awk -v b="$nb" -v s="$ns" 'BEGIN{print b/s/1048576}')" MiB/s "$BAR_DOWNLOAD"
fi

# ---- small request -----------------------------------------------------

if want small; then
  log "small: wrk -t2 -c64, ${SECS}s per side in $ROUNDS alternating rounds, GET /v1/media/{id} vs a $(wc -c < "$WORK/www/meta.json")-byte static file"
  ns=""
  read -r lr ls nr ns < <(compare_wrk 64 "$L/v1/media/$MEDIA_ID" "$N/meta.json" requests)
  [ -n "$ns" ] || { log "small-request comparison failed (see above)"; exit 2; }
  record small "$(awk -v r="$lr" -v s="$ls" 'BEGIN{print r/s}')" \
    "$(awk -v r="$nr" -v s="$ns" 'BEGIN{print r/s}')" req/s "$BAR_SMALL"
fi

# ---- upload ------------------------------------------------------------

if want upload; then
  if [ -n "$MEDIA_ID" ]; then  # free the disk the download object used
    curl -sf -X DELETE -H "$AUTH" "$L/v1/media/$MEDIA_ID" > /dev/null || true
    rm -f "$WORK/www/media.mp4"
  fi
  log "upload: ${UPLOAD_MIB} MiB, curl -X POST -T FILE vs dd bs=1M conv=fsync (best of 2 each)"
  SRC="$WORK/upload.mp4"
  make_media "$SRC" "$UPLOAD_MIB"
  sync
  cat "$SRC" > /dev/null  # into the page cache, for both sides

  # curl sends "Expect: 100-continue" for a body this large and waits up to
  # 1 s for the interim response before sending it anyway; that wait counts,
  # since every curl user pays it. It is logged separately.
  lethe_upload() {  # lethe_upload [MIB] -> "seconds seconds_before_body"
    local out id src=(-T "$SRC")
    [ -n "${1:-}" ] && src=(--data-binary @-)
    out=$( { if [ -n "${1:-}" ]; then head -c $(($1 * 1048576)) "$SRC"; fi; } |
      curl -sf -X POST "$L/v1/media" -H "$AUTH" -H 'Content-Type: video/mp4' \
        "${src[@]}" -o "$WORK/upload.json" -w '%{time_total} %{time_starttransfer}')
    id=$(json_get 'j["id"]' < "$WORK/upload.json")
    curl -sf -X DELETE -H "$AUTH" "$L/v1/media/$id" > /dev/null
    sync
    echo "$out"
  }
  dd_copy() {  # dd_copy [MIB] -> seconds
    local t0 t1 count=()
    [ -n "${1:-}" ] && count=("count=$1")
    t0=$(date +%s.%N)
    dd if="$SRC" of="$WORK/dd.target" bs=1M conv=fsync status=none "${count[@]}"
    t1=$(date +%s.%N)
    rm -f "$WORK/dd.target"
    sync
    awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}'
  }
  # Warm-up: 64 MiB of each.
  lethe_upload 64 > /dev/null
  dd_copy 64 > /dev/null
  best_l=""; best_d=""
  for _ in 1 2; do
    read -r t wait < <(lethe_upload)
    log "  lethe ${t}s (the body started after ${wait}s)"
    best_l=$(awk -v a="$t" -v b="$best_l" 'BEGIN{print (b == "" || a < b) ? a : b}')
    t=$(dd_copy); log "  dd    ${t}s"
    best_d=$(awk -v a="$t" -v b="$best_d" 'BEGIN{print (b == "" || a < b) ? a : b}')
  done
  record upload "$(awk -v m="$UPLOAD_MIB" -v s="$best_l" 'BEGIN{print m/s}')" \
    "$(awk -v m="$UPLOAD_MIB" -v s="$best_d" 'BEGIN{print m/s}')" MiB/s "$BAR_UPLOAD"
fi

# ---- summary -----------------------------------------------------------

met=0; total=${#RESULTS[@]}
for line in "${RESULTS[@]}"; do [[ "$line" == *" MET" ]] && met=$((met + 1)); done
echo "summary: $met of $total bars met (lethe --threads $THREADS, $(nproc) cores, load average $LOAD1 at start)"
mkdir -p "$HERE/out"
printf '%s\n' "${RESULTS[@]}" "summary: $met of $total bars met" > "$HERE/out/last-results.txt"
if [ "${LETHE_BENCH_STRICT:-0}" = 1 ] && [ "$met" -lt "$total" ]; then exit 1; fi
exit 0

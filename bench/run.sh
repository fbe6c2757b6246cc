#!/usr/bin/env bash
# Lethe benchmark: compares Lethe with a reference on the same machine, in
# the same run, and prints one line per bar (see bench/README.md). Given
# the erasure benchmark's binary too, it then runs that (in-process: erase
# one end user among many, against the 30 days of USE-5); given the export
# bench's binary as well, that (a subject export with 1 GiB of media through
# the real server against `cat` of its encrypted blobs, issue 11); given the
# ingest bench's binary as well, that (a 100 MB MP4 ingested with and without
# probe and scrub, issue 14). Then "scale": the media comparisons again
# (download, small-get, upload, small-upload) with lethe on a PostgreSQL and
# an s3rver that the bench starts (issue 13), against the same references;
# those lines start with "pg+s3 " and also give PostgreSQL's and s3rver's
# CPU per unit of work.
#
#   bench/run.sh LETHE_BINARY [ERASURE_BENCH_BINARY [EXPORT_BENCH_BINARY [INGEST_BENCH_BINARY]]]
#
# Environment (all optional):
#   LETHE_BENCH_ONLY       comparisons to run (default all):
#                          "download small-get upload small-upload healthz erasure export ingest derived scale"
#                          (erasure only with ERASURE_BENCH_BINARY, export only with
#                          EXPORT_BENCH_BINARY, ingest only with INGEST_BENCH_BINARY)
#   LETHE_BENCH_SCALE_ONLY      comparisons of the scale pass (default
#                               "download small-get upload small-upload")
#   LETHE_BENCH_INGEST_MIB      size of the ingested MP4 (default 100)
#   LETHE_BENCH_EXPORT_FILES    media files of the exported subject (default 8)
#   LETHE_BENCH_EXPORT_MIB      MiB per file (default 128)
#   LETHE_BENCH_ERASURE_TOTAL   media seeded for the erasure bench (default 1000000)
#   LETHE_BENCH_ERASURE_VICTIM  media of the erased end user (default 10000)
#   LETHE_BENCH_MEDIA_MIB  size of the downloaded and uploaded media (default 1024)
#   LETHE_BENCH_SECS       measuring time per side for small-get and small-upload (default 10)
#   LETHE_BENCH_ROUNDS     alternating rounds per comparison (default 2)
#   LETHE_BENCH_WARMUP     warm-up seconds per side for small-get and small-upload (default 2)
#   LETHE_BENCH_THREADS    lethe --threads (default 4, as lethe serve); healthz always uses 1
#   LETHE_BENCH_PIN        1: servers on the first half of the CPUs, clients on the
#                          other half (default 1 with 2 or more CPUs); 0: no pinning
#   LETHE_BENCH_STREAMS    parallel curl downloads (default 4)
#   LETHE_BENCH_CONNS      wrk connections for small-get (default 64)
#   LETHE_BENCH_UPLOADERS  wrk connections for small-upload (default 16)
#   LETHE_BENCH_WRK_THREADS  wrk threads (default: the client CPUs)
#   LETHE_BENCH_SIGNINS    sign-ins in the healthz burst (default 32, 8 at a time)
#   LETHE_BENCH_STRICT=1   exit 1 when a bar is missed (default: exit 0)
#   LETHE_BENCH_KEEP=1     keep the work directory under bench/out/
#
# Exit: 0 whatever the figures (1 with LETHE_BENCH_STRICT=1 and a missed
# bar), 2 when it cannot set up, 130 when interrupted.
# Needs: nginx, wrk, curl, python3, dd, cc (scripts/install-deps.sh --bench); the
# erasure bench alone needs none of them.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 4 ]; then
  echo "usage: $0 LETHE_BINARY [ERASURE_BENCH_BINARY [EXPORT_BENCH_BINARY [INGEST_BENCH_BINARY]]]" >&2
  exit 2
fi
LETHE=$(readlink -f "$1")
[ -x "$LETHE" ] || { echo "bench: $1 is not an executable" >&2; exit 2; }
ERASURE=""
if [ $# -ge 2 ]; then
  ERASURE=$(readlink -f "$2")
  [ -x "$ERASURE" ] || { echo "bench: $2 is not an executable" >&2; exit 2; }
fi
EXPORT=""
if [ $# -ge 3 ]; then
  EXPORT=$(readlink -f "$3")
  [ -x "$EXPORT" ] || { echo "bench: $3 is not an executable" >&2; exit 2; }
fi
INGEST=""
if [ $# -eq 4 ]; then
  INGEST=$(readlink -f "$4")
  [ -x "$INGEST" ] || { echo "bench: $4 is not an executable" >&2; exit 2; }
fi
# "erasure" is this script's; the rest goes to bench.py.
ONLY=${LETHE_BENCH_ONLY:-download small-get upload small-upload healthz erasure export ingest derived scale}
HTTP_ONLY=""
RUN_ERASURE=0
RUN_EXPORT=0
RUN_INGEST=0
RUN_DERIVED=0
RUN_SCALE=0
for name in $ONLY; do
  if [ "$name" = erasure ]; then RUN_ERASURE=1;
  elif [ "$name" = scale ]; then RUN_SCALE=1;
  elif [ "$name" = derived ]; then RUN_DERIVED=1;
  elif [ "$name" = export ]; then RUN_EXPORT=1;
  elif [ "$name" = ingest ]; then RUN_INGEST=1;
  else HTTP_ONLY="$HTTP_ONLY $name"; fi
done
if [ "$RUN_EXPORT" = 1 ] && [ -z "$EXPORT" ]; then
  if [ -n "${LETHE_BENCH_ONLY:-}" ]; then
    echo "bench: LETHE_BENCH_ONLY names export: give EXPORT_BENCH_BINARY" >&2
    exit 2
  fi
  RUN_EXPORT=0
fi
if [ "$RUN_INGEST" = 1 ] && [ -z "$INGEST" ]; then
  if [ -n "${LETHE_BENCH_ONLY:-}" ]; then
    echo "bench: LETHE_BENCH_ONLY names ingest: give INGEST_BENCH_BINARY" >&2
    exit 2
  fi
  RUN_INGEST=0
fi
HTTP_ONLY=${HTTP_ONLY# }
if [ "$RUN_ERASURE" = 1 ] && [ -z "$ERASURE" ]; then
  if [ -n "${LETHE_BENCH_ONLY:-}" ]; then
    echo "bench: LETHE_BENCH_ONLY names erasure: give ERASURE_BENCH_BINARY" >&2
    exit 2
  fi
  RUN_ERASURE=0
fi
if [ -n "$HTTP_ONLY" ] || [ "$RUN_SCALE" = 1 ]; then
  for tool in nginx wrk curl python3 dd cc; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
      { echo "bench: $tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
  done
fi
if [ "$RUN_SCALE" = 1 ]; then
  for tool in node psql /usr/lib/postgresql/15/bin/initdb; do
    command -v "$tool" >/dev/null ||
      { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
  done
fi

HERE=$(cd "$(dirname "$0")" && pwd)
# Work directory on the same disk as the repository (bench/out is ignored by git).
mkdir -p "$HERE/out"
WORK=$(mktemp -d "$HERE/out/run.XXXXXX")
DRIVER=""

cleanup() {
  local rc=$?
  # The driver stops what it started; this only waits for it, by pid.
  if [ -n "$DRIVER" ] && kill -0 "$DRIVER" 2>/dev/null; then
    kill -TERM "$DRIVER" 2>/dev/null || true
    wait "$DRIVER" 2>/dev/null || true
  fi
  if [ "${LETHE_BENCH_KEEP:-0}" = 1 ]; then
    echo "bench: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The small-upload reference, built here so that nothing is downloaded.
if [ -n "$HTTP_ONLY" ] || [ "$RUN_SCALE" = 1 ]; then
  cc -O2 -Wall -o "$WORK/fsync_loop" "$HERE/fsync_loop.c" ||
    { echo "bench: cannot build bench/fsync_loop.c" >&2; exit 2; }
fi

rc=0
RESULTS="$HERE/out/last-results.txt"
if [ -n "$HTTP_ONLY" ]; then
  LETHE_BENCH_ONLY="$HTTP_ONLY" python3 -B "$HERE/bench.py" "$LETHE" "$WORK" "$WORK/fsync_loop" &
  DRIVER=$!
  wait "$DRIVER" || rc=$?
  DRIVER=""
  [ "$rc" -le 1 ] || exit $rc
else
  : >"$RESULTS"
fi

if [ "$RUN_SCALE" = 1 ]; then
  # The same comparisons on PostgreSQL and S3, in a work directory of their
  # own; bench.py adds its lines to last-results.txt.
  mkdir "$WORK/scale"
  src=0
  LETHE_BENCH_STORES=postgres+s3 \
    LETHE_BENCH_ONLY="${LETHE_BENCH_SCALE_ONLY:-download small-get upload small-upload}" \
    python3 -B "$HERE/bench.py" "$LETHE" "$WORK/scale" "$WORK/fsync_loop" &
  DRIVER=$!
  wait "$DRIVER" || src=$?
  DRIVER=""
  [ "$src" -le 1 ] || exit $src
  [ "$src" -eq 0 ] || rc=1
fi

if [ "$RUN_ERASURE" = 1 ]; then
  # Its data directory lives in the work directory; its result lines join
  # bench.py's in last-results.txt.
  erc=0
  "$ERASURE" --work-dir "$WORK" --total "${LETHE_BENCH_ERASURE_TOTAL:-1000000}" \
    --victim "${LETHE_BENCH_ERASURE_VICTIM:-10000}" > >(tee -a "$RESULTS") &
  DRIVER=$!
  wait "$DRIVER" || erc=$?
  DRIVER=""
  wait  # for tee
  # 1: the erasure left something readable or behind; 2: could not set up.
  [ "$erc" -eq 0 ] || { echo "bench: the erasure bench failed ($erc)" >&2; exit 2; }
  if [ "${LETHE_BENCH_STRICT:-0}" = 1 ] && grep -q '^erasure-.*MISSED' "$RESULTS"; then
    rc=1
  fi
fi

if [ "$RUN_EXPORT" = 1 ]; then
  # Seeds its own data directory in the work directory, then runs `lethe
  # serve` on it; its result lines join the others in last-results.txt.
  xrc=0
  "$EXPORT" --lethe "$LETHE" --work-dir "$WORK" --files "${LETHE_BENCH_EXPORT_FILES:-8}" \
    --mib "${LETHE_BENCH_EXPORT_MIB:-128}" > >(tee -a "$RESULTS") &
  DRIVER=$!
  wait "$DRIVER" || xrc=$?
  DRIVER=""
  wait  # for tee
  # 1: the download was not the whole export; 2: could not set up.
  [ "$xrc" -eq 0 ] || { echo "bench: the export bench failed ($xrc)" >&2; exit 2; }
  if [ "${LETHE_BENCH_STRICT:-0}" = 1 ] && grep -q '^export-.*MISSED' "$RESULTS"; then
    rc=1
  fi
fi
if [ "$RUN_INGEST" = 1 ]; then
  # In-process, on its own data directory in the work directory.
  irc=0
  "$INGEST" --work-dir "$WORK" --mib "${LETHE_BENCH_INGEST_MIB:-100}" > >(tee -a "$RESULTS") &
  DRIVER=$!
  wait "$DRIVER" || irc=$?
  DRIVER=""
  wait  # for tee
  [ "$irc" -eq 0 ] || { echo "bench: the ingest bench failed ($irc)" >&2; exit 2; }
  if [ "${LETHE_BENCH_STRICT:-0}" = 1 ] && grep -q '^ingest-.*MISSED' "$RESULTS"; then
    rc=1
  fi
fi

if [ "$RUN_DERIVED" = 1 ]; then
  # Posters and transcripts (issue 14): the media worker, timed on its own.
  drc=0
  python3 -B "$HERE/derived.py" "$LETHE" "$WORK" > >(tee -a "$RESULTS") || drc=$?
  wait  # for tee
  [ "$drc" -eq 0 ] || { echo "bench: the posters and transcripts bench failed ($drc)" >&2; exit 2; }
fi
exit $rc

#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests: `start DIR` runs initdb into
# DIR/data and pg_ctl with its only socket in DIR (no TCP), then prints the
# libpq conninfo on stdout; `stop DIR` stops it and removes DIR.
#
# Trust authentication over a Unix socket in a directory only its owner can
# enter; fsync off (a test server holds nothing worth a sync), unless
# LETHE_PG_FSYNC=on (the bench: a durable server, as in production). initdb
# refuses to run as root, so as root the server runs as the `postgres` user
# (made by the Debian package) and DIR belongs to it.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
bin=/usr/lib/postgresql/15/bin
fsync=${LETHE_PG_FSYNC:-off}
[ "$fsync" = on ] || fsync=off
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start)
    if [ ! -x "$bin/initdb" ]; then
      echo "$0: PostgreSQL 15 is not installed (scripts/install-deps.sh installs it)" >&2
      exit 1
    fi
    stop  # a server left over by an interrupted run
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -c fsync=$fsync -c full_page_writes=$fsync \
          -c max_connections=200 -c shared_buffers=32MB" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir user=postgres dbname=postgres"
    ;;
  stop)
    stop
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

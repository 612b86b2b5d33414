#!/usr/bin/env bash
# A throw-away PostgreSQL server for the ledger tests (issue #19): a cluster made by initdb in
# a fresh directory under /tmp, listening only on a unix socket in that directory (no TCP
# port), trust authentication for the superuser `vouch`.
#
#   bash .ci/postgres.sh start [--watch PID]
#       prints `VOUCH_TEST_POSTGRES_URL=postgresql://...` and `VOUCH_TEST_POSTGRES_DIR=...`;
#       with --watch, the server is stopped and its directory removed once PID exits.
#   bash .ci/postgres.sh stop DIR
#
# initdb refuses to run as root: as root, the cluster belongs to the `postgres` user (made
# by Debian's `postgresql` package) and its programs run through `runuser`.
set -euo pipefail

bindir() {
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || { echo "postgres.sh: no initdb found (install Debian's postgresql)" >&2; exit 3; }
  echo "$d"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  local dir=$1 bin
  bin=$(bindir)
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf -- "$dir"
}

start() {
  local watch="" bin dir
  if [ "${1:-}" = --watch ]; then watch=$2; fi
  bin=$(bindir)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "postgres.sh: running as root and there is no \`postgres\` user to own the cluster" >&2
    exit 3
  fi
  dir=$(mktemp -d /tmp/vouch-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if ! as_owner "$bin/initdb" -D "$dir/data" -U vouch --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf -- "$dir"
    exit 3
  fi
  # Only the socket: other helpers and CI jobs on the machine never collide on a port.
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses= -k $dir -c max_connections=200 -c fsync=off" start >/dev/null; then
    cat "$dir/server.log" >&2
    rm -rf -- "$dir"
    exit 3
  fi
  local host=${dir//\//%2F}
  echo "VOUCH_TEST_POSTGRES_URL=postgresql://vouch@$host/postgres"
  echo "VOUCH_TEST_POSTGRES_DIR=$dir"
  if [ -n "$watch" ]; then
    # Detached from our stdout so that the caller's read of it ends now.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' \
      _ "$watch" "$0" "$dir" </dev/null >/dev/null 2>&1 &
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start [--watch PID] | stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A throw-away PostgreSQL server for the ledger tests (issue #19): a cluster made by initdb in
# a fresh directory under /tmp, trust authentication for the superuser `vouch`, listening on a
# unix socket in that directory and on 127.0.0.1 (a free port) with TLS: a test CA and a
# server certificate for the name `ledger-db.test`, made here with openssl, and a second CA
# that signed nothing (for the tests that a wrong CA is refused). When Debian's `pgbouncer` is
# installed, a PgBouncer in transaction pooling mode listens on another port of 127.0.0.1, in
# front of the cluster, without TLS.
#
#   bash .ci/postgres.sh start [--watch PID]
#       prints `VOUCH_TEST_POSTGRES_URL=postgresql://...` (the socket), `VOUCH_TEST_POSTGRES_DIR=...`,
#       `VOUCH_TEST_POSTGRES_TLS_URL=postgresql://vouch@ledger-db.test:PORT/postgres?hostaddr=127.0.0.1&sslmode=require&sslrootcert=DIR/tls/ca.crt`
#       (DIR/tls/other-ca.crt is the CA that signed nothing) and, with PgBouncer,
#       `VOUCH_TEST_PGBOUNCER_URL=postgresql://vouch@127.0.0.1:PORT/postgres`;
#       with --watch, the servers are stopped and the directory removed once PID exits.
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
  [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
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
  certificates "$dir/tls"
  # 127.0.0.1 only, on a port no one listens on (tried again on another if taken meanwhile),
  # so other helpers and CI jobs on the machine do not collide.
  local port="" try
  for try in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -k $dir -c max_connections=200 -c fsync=off -c ssl=on -c ssl_cert_file=$dir/tls/server.crt -c ssl_key_file=$dir/tls/server.key" \
        start >/dev/null; then
      break
    fi
    port=""
  done
  if [ -z "$port" ]; then
    cat "$dir/server.log" >&2
    rm -rf -- "$dir"
    exit 3
  fi
  local host=${dir//\//%2F}
  echo "VOUCH_TEST_POSTGRES_URL=postgresql://vouch@$host:$port/postgres"
  echo "VOUCH_TEST_POSTGRES_DIR=$dir"
  echo "VOUCH_TEST_POSTGRES_TLS_URL=postgresql://vouch@ledger-db.test:$port/postgres?hostaddr=127.0.0.1&sslmode=require&sslrootcert=$dir/tls/ca.crt"
  if command -v pgbouncer >/dev/null; then
    pgbouncer_start "$dir" "$port"
  else
    echo "postgres.sh: no pgbouncer (install Debian's pgbouncer); its tests will skip" >&2
  fi
  if [ -n "$watch" ]; then
    # Detached from our stdout so that the caller's read of it ends now.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' \
      _ "$watch" "$0" "$dir" </dev/null >/dev/null 2>&1 &
  fi
}

# A port of 127.0.0.1 that nothing listens on now.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# The test CA, the server's certificate (for `ledger-db.test`, signed by the CA) and key, and
# another CA, in DIR.
certificates() {
  local d=$1
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -keyout ca.key -out ca.crt -subj "/CN=vouch test CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -keyout other-ca.key -out other-ca.crt -subj "/CN=another CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout server.key -out server.csr -subj "/CN=ledger-db.test"
    printf '%s\n' 'subjectAltName=DNS:ledger-db.test' 'extendedKeyUsage=serverAuth' \
      'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.crt
  ) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; exit 3; }
  chmod 600 "$d/server.key"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$d"
  return 0
}

# PgBouncer in transaction pooling mode on 127.0.0.1 in front of the cluster in DIR (port
# PORT), every database, trust for `vouch`; prints its URL, or says on stderr why there is none.
pgbouncer_start() {
  local dir=$1 port=$2 bport try
  printf '"vouch" ""\n' >"$dir/userlist.txt"
  for try in 1 2 3 4 5; do
    bport=$(free_port)
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$dir port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 4
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pgbouncer.ini" "$dir/userlist.txt"
    if as_owner pgbouncer -d -q "$dir/pgbouncer.ini" 2>>"$dir/pgbouncer.start"; then
      local i
      for i in $(seq 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$bport") 2>/dev/null; then
          echo "VOUCH_TEST_PGBOUNCER_URL=postgresql://vouch@127.0.0.1:$bport/postgres"
          return 0
        fi
        sleep 0.1
      done
    fi
    [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
  done
  echo "postgres.sh: pgbouncer did not start: $(tail -n 3 "$dir/pgbouncer.start" "$dir/pgbouncer.log" 2>/dev/null)" >&2
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start [--watch PID] | stop DIR" >&2; exit 2 ;;
esac

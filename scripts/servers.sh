# Starts throwaway PostgreSQL and MariaDB servers for foal's tests and
# benchmarks, installing a missing server package first (Debian). Sourced by
# scripts/test.sh and scripts/bench.sh; exports FOAL_TEST_POSTGRES_URL,
# FOAL_TEST_MYSQL_URL, FOAL_TEST_PG_BIN and FOAL_TEST_MARIADBD, and stops the
# servers when the calling script exits. Fails, saying why, when a server
# cannot start: no backend is ever skipped.

# FOAL_PIN_CPU=N runs the servers on CPU N only (the benchmarks pin their
# client there too, so a round trip is two context switches on one core
# instead of cross-core wake-ups whose cost swings with the scheduler).
PIN=""
if [ -n "${FOAL_PIN_CPU:-}" ]; then PIN="taskset -c $FOAL_PIN_CPU"; fi

log() { printf '\033[1m[foal-test]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi
}

apt_install() {
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${FOAL_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq || die "apt-get update failed"
    FOAL_APT_UPDATED=1
  fi
  # Debian starts services on install; this is a throwaway environment and
  # foal starts its own servers, so policy-rc.d may refuse: that is fine.
  as_root apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

pg_bindir() {
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

mariadbd_path() {
  local p
  for p in "$(command -v mariadbd 2>/dev/null || true)" /usr/sbin/mariadbd /usr/libexec/mariadbd; do
    [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return; }
  done
  return 1
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

WORK=$(mktemp -d /tmp/foal-test.XXXXXX)
PG_DATA=""
MY_PID=""
cleanup() {
  local status=$?
  if [ -n "$PG_DATA" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "$MY_PID" ]; then
    kill "$MY_PID" 2>/dev/null || true
    wait "$MY_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT INT TERM

# ---------------------------------------------------------------- PostgreSQL
PG_BIN=$(pg_bindir) || { apt_install postgresql; PG_BIN=$(pg_bindir) || die "PostgreSQL's initdb not found after install"; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
PG_DIR="$WORK/pg"
mkdir -p "$PG_DIR"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; chmod 755 "$WORK"; fi
PG_PORT=$(free_port)
log "starting PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
PG_DATA="$PG_DIR/data"
as_pg $PIN "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
  start >/dev/null || { cat "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE foal" >/dev/null \
  || die "cannot create the PostgreSQL test database"
export FOAL_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/foal"
# The fault tests start (and stop) servers of their own with these.
export FOAL_TEST_PG_BIN="$PG_BIN"

# ------------------------------------------------------------------- MariaDB
MY_BIN=$(mariadbd_path) || { apt_install mariadb-server; MY_BIN=$(mariadbd_path) || die "mariadbd not found after install"; }
MY_DIR="$WORK/my"
mkdir -p "$MY_DIR"
MY_PORT=$(free_port)
log "starting MariaDB ($("$MY_BIN" --version | awk '{print $3}')) on 127.0.0.1:$MY_PORT"
mariadb-install-db --no-defaults --user=root --datadir="$MY_DIR/data" --auth-root-authentication-method=normal \
  --skip-test-db >"$WORK/install-db.log" 2>&1 || { cat "$WORK/install-db.log" >&2; die "mariadb-install-db failed"; }
$PIN "$MY_BIN" --no-defaults --user=root --datadir="$MY_DIR/data" --socket="$MY_DIR/sock" --port="$MY_PORT" \
  --bind-address=127.0.0.1 --skip-name-resolve --max-connections=500 --innodb-flush-log-at-trx-commit=0 \
  --innodb-doublewrite=0 --log-error="$MY_DIR/server.log" --pid-file="$MY_DIR/pid" &
MY_PID=$!
for _ in $(seq 1 120); do
  if mariadb-admin --no-defaults --socket="$MY_DIR/sock" -uroot ping >/dev/null 2>&1; then break; fi
  kill -0 "$MY_PID" 2>/dev/null || { cat "$MY_DIR/server.log" >&2; die "MariaDB exited during startup"; }
  sleep 0.25
done
mariadb --no-defaults --socket="$MY_DIR/sock" -uroot -e "
  CREATE DATABASE foal;
  CREATE USER 'foal'@'%' IDENTIFIED BY 'foal';
  GRANT ALL PRIVILEGES ON *.* TO 'foal'@'%' WITH GRANT OPTION;" \
  || { cat "$MY_DIR/server.log" >&2; die "MariaDB did not accept connections"; }
export FOAL_TEST_MYSQL_URL="mysql://foal:foal@127.0.0.1:$MY_PORT/foal"
export FOAL_TEST_MARIADBD="$MY_BIN"


# Starts the extra server topologies of foal's tests, next to the main
# PostgreSQL and MariaDB of servers.sh: a throwaway CA, a PostgreSQL that
# requires TLS and SCRAM, a MariaDB with TLS, pgbouncer (transaction and
# session pooling) and a streaming replica in front of / behind the main
# PostgreSQL, and a three-node MariaDB Galera cluster. All on 127.0.0.1, on
# free ports, in folders under $WORK, started in parallel.
#
# Sourced AFTER servers.sh (uses log, die, free_port, as_pg, PG_BIN, MY_BIN,
# PG_PORT, WORK); sourcing wraps servers.sh's trap so that every process
# started here is stopped by pid before servers.sh's cleanup runs:
#
#   source "$(dirname "$0")/servers.sh"
#   source "$(dirname "$0")/topologies.sh"
#   start_topologies
#
# FOAL_TOPOLOGIES picks them (unset: all; empty: none), words of
#   tls (= pg_tls mysql_tls)  pg_tls  mysql_tls  pgbouncer  replica  galera
# The CA is made whenever a TLS server is. A topology that cannot start
# fails the script with its log: none is ever skipped.
#
# Exported (only for the topologies started):
#   FOAL_TEST_TLS_CA, FOAL_TEST_TLS_WRONG_CA     CA certificates (PEM): the servers' and an unrelated one
#   FOAL_TEST_TLS_CLIENT_CERT, _CLIENT_KEY       client certificate (CN=foal_cert) and key, signed by the CA
#   FOAL_TEST_PG_TLS_URL            user foal (SCRAM), TLS only: sslmode=disable is rejected
#   FOAL_TEST_PG_TLS_CLEARTEXT_URL  user foal_clear: the server asks for a cleartext password, with or without TLS
#   FOAL_TEST_PG_TLS_MD5_URL        user foal_md5: md5, with or without TLS
#   FOAL_TEST_PG_TLS_CERT_URL       user foal_cert: TLS + client certificate (`cert` method), no password
#   FOAL_TEST_MYSQL_TLS_URL         user foal (REQUIRE SSL); _PLAIN_URL: user plain (no TLS needed);
#   FOAL_TEST_MYSQL_TLS_X509_URL    user foal_x509 (REQUIRE X509: needs the client certificate)
#   FOAL_TEST_PGBOUNCER_URL, FOAL_TEST_PGBOUNCER_SESSION_URL   pgbouncer (pool_mode transaction / session,
#                                   default_pool_size 2) in front of FOAL_TEST_POSTGRES_URL's server
#   FOAL_TEST_PG_REPLICA_URL, FOAL_TEST_PG_REPLICA_DATA        hot standby streaming from the main PostgreSQL
#   FOAL_TEST_GALERA_URLS           three comma-separated mysql:// URLs (user foal), one per node
#   FOAL_TEST_GALERA_PIDS, FOAL_TEST_GALERA_DATADIRS, FOAL_TEST_GALERA_CNFS   space-separated, node order
# A test kills node i with `kill -KILL <pid i>` and restarts it with
# `$FOAL_TEST_MARIADBD --defaults-file=<cnf i> &` (it rejoins by IST); the
# cleanup stops it too, found by the pid-file named in that cnf.

TOPO_DIR="$WORK/topologies"
mkdir -p "$TOPO_DIR"
chmod 755 "$WORK" "$TOPO_DIR"
# What the cleanup stops: lines "pid PID SIGNAL MATCH" or "pidfile FILE
# SIGNAL MATCH" (the pid is the file's first line); a process is signalled
# only if its command line contains MATCH (its own data folder or config
# file), so a recycled pid is never hit.
TOPO_REG="$TOPO_DIR/registry"
: >"$TOPO_REG"
TOPO_JOBS=()          # "pid:name" of the start jobs
TOPO_PORTS="${PG_PORT:-} ${MY_PORT:-}"

topo_register() { echo "$*" >>"$TOPO_REG"; }

# Sets TOPO_P to N free loopback ports not handed out before (the jobs
# start in parallel, so ports are all picked here, in the calling shell).
topo_ports() { # n
  local p
  TOPO_P=()
  while [ ${#TOPO_P[@]} -lt "$1" ]; do
    p=$(free_port) || die "no free port"
    case " $TOPO_PORTS " in *" $p "*) continue ;; esac
    TOPO_PORTS="$TOPO_PORTS $p"
    TOPO_P+=("$p")
  done
}

topo_matches() { # pid match
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# Sends each registered process still alive its signal (postgres: QUIT, an
# immediate stop; pgbouncer, mariadbd: TERM), waits up to 10 s, then
# SIGKILLs what is left. Called from the trap with the exit status, which
# it returns so that the next trap command (servers.sh's cleanup) sees it
# in $?; it turns errexit off first, since under errexit a trap's command
# list stops at its first failing command.
topologies_cleanup() {
  local status=${1:-$?} j kind what sig match pid pids="" alive
  set +e
  for j in "${TOPO_JOBS[@]}"; do kill -TERM "${j%%:*}" 2>/dev/null || true; done
  for j in "${TOPO_JOBS[@]}"; do wait "${j%%:*}" 2>/dev/null || true; done
  TOPO_JOBS=()
  if [ -f "$TOPO_REG" ]; then
    while read -r kind what sig match; do
      pid=$what
      if [ "$kind" = pidfile ]; then pid=$(head -n1 "$what" 2>/dev/null || true); fi
      case "$pid" in '' | *[!0-9]*) continue ;; esac
      case " $pids " in *" $pid:$match "*) continue ;; esac
      topo_matches "$pid" "$match" || continue
      kill -"$sig" "$pid" 2>/dev/null || true
      pids="$pids $pid:$match"
    done <"$TOPO_REG"
    for _ in $(seq 1 40); do
      alive=""
      for j in $pids; do if topo_matches "${j%%:*}" "${j#*:}"; then alive="$alive $j"; fi; done
      pids=$alive
      [ -z "$pids" ] && break
      sleep 0.25
    done
    for j in $pids; do kill -KILL "${j%%:*}" 2>/dev/null || true; done
  fi
  return $status
}

# Run topologies_cleanup before whatever servers.sh (or anyone) trapped.
topo_wrap_trap() {
  local sig old
  for sig in EXIT INT TERM; do
    old=$(trap -p "$sig")
    if [ -n "$old" ]; then
      eval "set -- $old"     # trap -- 'command' SIG
      old=$3
    fi
    # shellcheck disable=SC2064
    trap "topologies_cleanup \$?; ${old:-:}" "$sig"
  done
}
topo_wrap_trap

topo_show_log() { # file...: the end of server logs, into the job's log
  local f
  for f in "$@"; do [ -f "$f" ] && { echo "----- $f"; tail -n 60 "$f"; }; done
  return 0
}

topo_retry_while() { # pid seconds command...: until it succeeds; fails at once if pid exits
  local pid=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ -n "$(tr -d '\0' <"/proc/$pid/cmdline" 2>/dev/null)" ] || return 1 # gone, or a zombie
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.25
  done
}

topo_retry() { # seconds command...: until it succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.25
  done
}

# ------------------------------------------------------------------ the CA
topo_tls_ca() {
  local d="$TOPO_DIR/tls"
  mkdir -p "$d"
  cat >"$d/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
  (
    set -e
    cd "$d"
    for ca in ca wrong-ca; do
      openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$ca.key" -out "$ca.pem" -days 30 \
        -config openssl.cnf -extensions ca_ext -subj "/CN=foal test $ca"
    done
    for leaf in server:localhost client:foal_cert; do
      local name=${leaf%%:*} cn=${leaf#*:}
      openssl req -new -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -config openssl.cnf -subj "/CN=$cn"
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAserial ca.srl -CAcreateserial \
        -out "$name.pem" -days 30 -extfile openssl.cnf -extensions "${name}_ext"
    done
    openssl verify -CAfile ca.pem server.pem client.pem
    ! openssl verify -CAfile wrong-ca.pem server.pem
  ) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; die "tls: making the certificates failed"; }
  chmod 644 "$d"/*.pem
  chmod 600 "$d"/*.key
  export FOAL_TEST_TLS_CA="$d/ca.pem"
  export FOAL_TEST_TLS_WRONG_CA="$d/wrong-ca.pem"
  export FOAL_TEST_TLS_CLIENT_CERT="$d/client.pem"
  export FOAL_TEST_TLS_CLIENT_KEY="$d/client.key"
}

# ---------------------------------------------- PostgreSQL requiring TLS
topo_pg_tls() { # port
  local port=$1 d="$TOPO_DIR/pg_tls" tls="$TOPO_DIR/tls"
  mkdir -p "$d"
  cp "$tls/server.pem" "$tls/server.key" "$tls/ca.pem" "$d/"
  chown -R postgres:postgres "$d"
  chmod 600 "$d/server.key"
  as_pg "$PG_BIN/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$d/initdb.log" 2>&1 \
    || { cat "$d/initdb.log"; die "pg_tls: initdb failed"; }
  # First match wins. Plain TCP is refused except for the two users whose
  # password methods let a client's "no password without TLS" policy be
  # tested: the server would ask them for a cleartext / md5 password.
  cat >"$d/data/pg_hba.conf" <<EOF
local     all  all         trust
hostnossl all  foal_clear  127.0.0.1/32  password
hostnossl all  foal_md5    127.0.0.1/32  md5
hostnossl all  all         127.0.0.1/32  reject
hostssl   all  foal_cert   127.0.0.1/32  cert
hostssl   all  foal_clear  127.0.0.1/32  password
hostssl   all  foal_md5    127.0.0.1/32  md5
hostssl   all  all         127.0.0.1/32  scram-sha-256
EOF
  cat >>"$d/data/postgresql.conf" <<EOF

# foal: topologies.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$d'
ssl = on
ssl_cert_file = '$d/server.pem'
ssl_key_file = '$d/server.key'
ssl_ca_file = '$d/ca.pem'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  chown postgres:postgres "$d/data/pg_hba.conf" "$d/data/postgresql.conf"
  topo_register pidfile "$d/data/postmaster.pid" QUIT "$d/data"
  as_pg "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 start >/dev/null \
    || { topo_show_log "$d/server.log"; die "pg_tls: PostgreSQL did not start"; }
  as_pg "$PG_BIN/psql" -h "$d" -p "$port" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 >/dev/null <<'EOF' \
    || { topo_show_log "$d/server.log"; die "pg_tls: creating the users failed"; }
CREATE ROLE foal LOGIN PASSWORD 'foal';
CREATE DATABASE foal OWNER foal;
CREATE ROLE foal_clear LOGIN PASSWORD 'foal_clear';
CREATE ROLE foal_cert LOGIN;
SET password_encryption = 'md5';
CREATE ROLE foal_md5 LOGIN PASSWORD 'foal_md5';
EOF
  local base="127.0.0.1:$port/foal"
  cat >"$TOPO_DIR/pg_tls.env" <<EOF
export FOAL_TEST_PG_TLS_URL="postgres://foal:foal@$base"
export FOAL_TEST_PG_TLS_CLEARTEXT_URL="postgres://foal_clear:foal_clear@$base"
export FOAL_TEST_PG_TLS_MD5_URL="postgres://foal_md5:foal_md5@$base"
export FOAL_TEST_PG_TLS_CERT_URL="postgres://foal_cert@$base"
EOF
}

# ------------------------------------------------------- MariaDB with TLS
topo_mysql_tls() { # port
  local port=$1 d="$TOPO_DIR/mysql_tls" tls="$TOPO_DIR/tls" pid
  mkdir -p "$d"
  mariadb-install-db --no-defaults --user=root --datadir="$d/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$d/install-db.log" 2>&1 || { cat "$d/install-db.log"; die "mysql_tls: mariadb-install-db failed"; }
  "$MY_BIN" --no-defaults --user=root --datadir="$d/data" --socket="$d/sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve --max-connections=200 --innodb-flush-log-at-trx-commit=0 \
    --innodb-doublewrite=0 --innodb-buffer-pool-size=64M \
    --ssl-ca="$tls/ca.pem" --ssl-cert="$tls/server.pem" --ssl-key="$tls/server.key" \
    --log-error="$d/server.log" --pid-file="$d/pid" </dev/null >"$d/stdout.log" 2>&1 &
  pid=$!
  topo_register pid "$pid" TERM "$d/data"
  topo_register pidfile "$d/pid" TERM "$d/data"
  topo_retry_while "$pid" 60 mariadb-admin --no-defaults --socket="$d/sock" -uroot ping \
    || { topo_show_log "$d/stdout.log" "$d/server.log"; die "mysql_tls: MariaDB did not start"; }
  local ssl
  ssl=$(mariadb --no-defaults --socket="$d/sock" -uroot -NBe "SELECT @@have_ssl")
  [ "$ssl" = YES ] || { topo_show_log "$d/server.log"; die "mysql_tls: have_ssl is '$ssl', not YES"; }
  mariadb --no-defaults --socket="$d/sock" -uroot -e "
    CREATE DATABASE foal;
    CREATE USER 'foal'@'%' IDENTIFIED BY 'foal' REQUIRE SSL;
    CREATE USER 'plain'@'%' IDENTIFIED BY 'plain';
    CREATE USER 'foal_x509'@'%' IDENTIFIED BY 'foal_x509' REQUIRE X509;
    GRANT ALL PRIVILEGES ON *.* TO 'foal'@'%' WITH GRANT OPTION;
    GRANT ALL PRIVILEGES ON *.* TO 'plain'@'%';
    GRANT ALL PRIVILEGES ON *.* TO 'foal_x509'@'%';" \
    || { topo_show_log "$d/server.log"; die "mysql_tls: creating the users failed"; }
  cat >"$TOPO_DIR/mysql_tls.env" <<EOF
export FOAL_TEST_MYSQL_TLS_URL="mysql://foal:foal@127.0.0.1:$port/foal"
export FOAL_TEST_MYSQL_TLS_PLAIN_URL="mysql://plain:plain@127.0.0.1:$port/foal"
export FOAL_TEST_MYSQL_TLS_X509_URL="mysql://foal_x509:foal_x509@127.0.0.1:$port/foal"
EOF
}

# ------------------------------------------------------------- pgbouncer
topo_pgbouncer_one() { # name pool_mode port
  local name=$1 mode=$2 port=$3 d="$TOPO_DIR/$1"
  mkdir -p "$d"
  echo '"postgres" ""' >"$d/userlist.txt"
  cat >"$d/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $d
auth_type = trust
auth_file = $d/userlist.txt
admin_users = postgres
pool_mode = $mode
default_pool_size = 2
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 200
max_db_connections = 0
server_lifetime = 3600
logfile = $d/pgbouncer.log
pidfile = $d/pgbouncer.pid
EOF
  chown -R postgres:postgres "$d"
  topo_register pidfile "$d/pgbouncer.pid" TERM "$d/pgbouncer.ini"
  # pgbouncer refuses to run as root.
  as_pg pgbouncer -d -q "$d/pgbouncer.ini" || { topo_show_log "$d/pgbouncer.log"; die "$name: pgbouncer did not start"; }
  topo_retry 30 as_pg "$PG_BIN/psql" "host=127.0.0.1 port=$port user=postgres dbname=foal sslmode=disable" -qAtXc 'SELECT 1' \
    || { topo_show_log "$d/pgbouncer.log"; die "$name: pgbouncer does not reach the main PostgreSQL"; }
  local got
  got=$(as_pg "$PG_BIN/psql" "host=127.0.0.1 port=$port user=postgres dbname=pgbouncer sslmode=disable" -qAtX \
    -c 'SHOW CONFIG' | awk -F'|' '$1 == "pool_mode" { print $2 }')
  [ "$got" = "$mode" ] || die "$name: pool_mode is '$got', not $mode"
}

topo_pgbouncer() { # transaction_port session_port
  topo_pgbouncer_one pgbouncer transaction "$1"
  topo_pgbouncer_one pgbouncer_session session "$2"
  cat >"$TOPO_DIR/pgbouncer.env" <<EOF
export FOAL_TEST_PGBOUNCER_URL="postgres://postgres@127.0.0.1:$1/foal"
export FOAL_TEST_PGBOUNCER_SESSION_URL="postgres://postgres@127.0.0.1:$2/foal"
EOF
}

# ------------------------------------------- streaming replica of the main PG
# servers.sh's initdb (-A trust) already has `host replication all
# 127.0.0.1/32 trust`, and PostgreSQL 15 defaults to wal_level=replica and
# max_wal_senders=10: the primary needs no change.
topo_replica() { # port
  local port=$1 d="$TOPO_DIR/replica" psql_primary psql_replica
  mkdir -p "$d"
  chown postgres:postgres "$d"
  as_pg "$PG_BIN/pg_basebackup" -D "$d/data" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X stream -R -c fast --no-sync \
    >"$d/basebackup.log" 2>&1 || { cat "$d/basebackup.log"; die "replica: pg_basebackup failed"; }
  topo_register pidfile "$d/data/postmaster.pid" QUIT "$d/data"
  # A hot standby needs max_connections >= the primary's (400 in servers.sh).
  as_pg "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 \
    -o "-p $port -k $d -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { topo_show_log "$d/server.log"; die "replica: the standby did not start"; }
  psql_primary=(as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1)
  psql_replica=(as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1)
  [ "$("${psql_replica[@]}" -c 'SELECT pg_is_in_recovery()')" = t ] || die "replica: the standby is not in recovery"
  local token="t$(date +%s%N)"
  "${psql_primary[@]}" -c "CREATE TABLE foal_replica_check_$token (v int); INSERT INTO foal_replica_check_$token VALUES (1)" \
    || die "replica: cannot write on the primary"
  topo_retry 30 "${psql_replica[@]}" -c "SELECT v FROM foal_replica_check_$token" \
    || { topo_show_log "$d/server.log"; die "replica: a row written on the primary never reached the standby"; }
  "${psql_primary[@]}" -c "DROP TABLE foal_replica_check_$token" || die "replica: cleanup of the check table failed"
  cat >"$TOPO_DIR/replica.env" <<EOF
export FOAL_TEST_PG_REPLICA_URL="postgres://postgres@127.0.0.1:$port/foal"
export FOAL_TEST_PG_REPLICA_DATA="$d/data"
EOF
}

# ---------------------------------------------------- MariaDB Galera, 3 nodes
galera_lib() {
  local p
  for p in /usr/lib/galera/libgalera_smm.so /usr/lib/galera-4/libgalera_smm.so /usr/lib64/galera-4/libgalera_smm.so \
    /usr/lib/libgalera_smm.so; do
    [ -f "$p" ] && { echo "$p"; return; }
  done
  return 1
}

galera_sql() { # node sql
  mariadb --no-defaults --socket="$TOPO_DIR/galera/node$1/sock" -uroot -NBe "$2"
}

galera_status() { # node variable
  galera_sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | awk '{ print $2 }'
}

galera_alive() { # nodes...: each started process still runs
  local n pid
  for n in "$@"; do
    pid=$(cat "$TOPO_DIR/galera/node$n/started.pid" 2>/dev/null) || return 1
    topo_matches "$pid" "$TOPO_DIR/galera/node$n/my.cnf" || return 1
  done
}

galera_synced() { # node [cluster size]
  [ "$(galera_status "$1" wsrep_local_state_comment)" = Synced ] || return 1
  [ -z "${2:-}" ] || [ "$(galera_status "$1" wsrep_cluster_size)" = "$2" ]
}

# Waits until every node of NODES is Synced in a cluster of SIZE; fails at
# once if one of their processes exits.
galera_wait() { # seconds size nodes...
  local deadline=$((SECONDS + $1)) size=$2 n ok
  shift 2
  while :; do
    galera_alive "$@" || return 1
    ok=1
    for n in "$@"; do galera_synced "$n" "$size" || { ok=0; break; }; done
    [ $ok = 0 ] || return 0
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.25
  done
}

# Starts node N from its cnf (as a test's restart would), in the background.
galera_start_node() { # node [--wsrep-new-cluster]
  local n=$1 d="$TOPO_DIR/galera/node$1" pid
  shift
  "$MY_BIN" --defaults-file="$d/my.cnf" "$@" </dev/null >>"$d/stdout.log" 2>&1 &
  pid=$!
  topo_register pid "$pid" TERM "$d/my.cnf"
  topo_register pidfile "$d/pid" TERM "$d/my.cnf"
  echo "$pid" >"$d/started.pid"
}

# SIGKILLs node N (by the pid in its pid-file) and waits until it is gone.
galera_kill_node() { # node
  local d="$TOPO_DIR/galera/node$1" pid
  pid=$(cat "$d/pid" 2>/dev/null) || return 1
  topo_matches "$pid" "$d/my.cnf" || return 1
  kill -KILL "$pid"
  topo_retry 10 eval "! topo_matches $pid $d/my.cnf"
}

topo_galera() { # port1 port2 port3 (client ports; more are picked here)
  local lib n d gm=() ist=() sst=() ports=("$@") addr=""
  lib=$(galera_lib) || die "galera: libgalera_smm.so not found (apt-get install galera-4)"
  command -v rsync >/dev/null || die "galera: rsync (the SST method) is not installed"
  for n in 1 2 3; do
    gm[$n]=${GALERA_GMCAST_PORTS[$((n - 1))]}
    ist[$n]=${GALERA_IST_PORTS[$((n - 1))]}
    sst[$n]=${GALERA_SST_PORTS[$((n - 1))]}
    addr="$addr${addr:+,}127.0.0.1:${gm[$n]}"
  done
  for n in 1 2 3; do
    d="$TOPO_DIR/galera/node$n"
    mkdir -p "$d/data"
    cat >"$d/my.cnf" <<EOF
[mysqld]
user = mysql
datadir = $d/data
socket = $d/sock
port = ${ports[$((n - 1))]}
bind-address = 127.0.0.1
skip-name-resolve
pid-file = $d/pid
log-error = $d/server.log
max_connections = 200
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = $lib
wsrep_cluster_name = foal_test
wsrep_cluster_address = gcomm://$addr
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:${gm[$n]}
wsrep_node_incoming_address = 127.0.0.1:${ports[$((n - 1))]}
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:${gm[$n]};ist.recv_addr=127.0.0.1:${ist[$n]};gcache.size=32M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT4S"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:${sst[$n]}
wsrep_auto_increment_control = ON
EOF
  done
  # The nodes run as `mysql`, not root: the joiner's rsync SST runs an rsync
  # daemon, which as root switches to `nobody` and then cannot write the
  # datadir. Only the bootstrap node is initialised; the others get its
  # files by SST.
  chown -R mysql:mysql "$TOPO_DIR/galera"
  d="$TOPO_DIR/galera/node1"
  mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$d/install-db.log" 2>&1 || { cat "$d/install-db.log"; die "galera: mariadb-install-db failed"; }
  galera_start_node 1 --wsrep-new-cluster
  galera_wait 60 1 1 || { topo_show_log "$d/stdout.log" "$d/server.log"; die "galera: node 1 did not bootstrap"; }
  galera_sql 1 "
    CREATE DATABASE foal;
    CREATE USER 'foal'@'%' IDENTIFIED BY 'foal';
    GRANT ALL PRIVILEGES ON *.* TO 'foal'@'%' WITH GRANT OPTION;" \
    || { topo_show_log "$d/server.log"; die "galera: creating the user failed"; }
  # One joiner at a time: two state transfers asked of the same donor at
  # once made the second joiner abort ("SST request callback failed").
  galera_start_node 2
  galera_wait 120 2 1 2 || {
    topo_show_log "$TOPO_DIR"/galera/node*/stdout.log "$TOPO_DIR"/galera/node*/server.log
    die "galera: node 2 did not join"
  }
  galera_start_node 3
  galera_wait 180 3 1 2 3 || {
    topo_show_log "$TOPO_DIR"/galera/node*/stdout.log "$TOPO_DIR"/galera/node*/server.log
    die "galera: the three nodes did not sync into one cluster"
  }
  local inc pids="" dirs="" cnfs="" urls=""
  for n in 1 2 3; do
    inc=$(galera_sql "$n" "SELECT @@auto_increment_increment")
    [ "$inc" = 3 ] || die "galera: node $n has auto_increment_increment $inc, not 3"
    d="$TOPO_DIR/galera/node$n"
    pids="$pids${pids:+ }$(cat "$d/pid")"
    dirs="$dirs${dirs:+ }$d/data"
    cnfs="$cnfs${cnfs:+ }$d/my.cnf"
    urls="$urls${urls:+,}mysql://foal:foal@127.0.0.1:${ports[$((n - 1))]}/foal"
  done
  [ "$(galera_sql 3 "SELECT COUNT(*) FROM mysql.user WHERE user = 'foal'")" = 1 ] || die "galera: the user did not reach node 3"
  cat >"$TOPO_DIR/galera.env" <<EOF
export FOAL_TEST_GALERA_URLS="$urls"
export FOAL_TEST_GALERA_PIDS="$pids"
export FOAL_TEST_GALERA_DATADIRS="$dirs"
export FOAL_TEST_GALERA_CNFS="$cnfs"
EOF
}

# ------------------------------------------------------------------- start
topo_now() { echo "${EPOCHREALTIME/,/.}"; }
topo_since() { awk -v a="$1" -v b="$(topo_now)" 'BEGIN { printf "%.1f", b - a }'; }

topo_job() { # name function args...: in the background, logging to $TOPO_DIR/name.log
  local name=$1
  shift
  (
    trap - EXIT INT TERM
    set -euo pipefail
    exec >"$TOPO_DIR/$name.log" 2>&1
    t0=$(topo_now)
    "$@"
    topo_since "$t0" >"$TOPO_DIR/$name.time"
  ) &
  TOPO_JOBS+=("$!:$name")
}

start_topologies() {
  local wanted=() w t0 t1 j name failed="" summary=""
  for w in ${FOAL_TOPOLOGIES-all}; do
    case "$w" in
      all) set -- pg_tls mysql_tls pgbouncer replica galera ;;
      tls) set -- pg_tls mysql_tls ;;
      pg_tls | mysql_tls | pgbouncer | replica | galera) set -- "$w" ;;
      *) die "FOAL_TOPOLOGIES: unknown topology '$w' (tls pg_tls mysql_tls pgbouncer replica galera all)" ;;
    esac
    for name in "$@"; do
      case " ${wanted[*]} " in *" $name "*) ;; *) wanted+=("$name") ;; esac
    done
  done
  [ ${#wanted[@]} -gt 0 ] || { log "no extra topologies (FOAL_TOPOLOGIES is empty)"; return 0; }
  local has=" ${wanted[*]} "
  # Packages the topologies need beyond servers.sh's two servers (Debian);
  # installed before the parallel jobs start, one apt-get at a time.
  if [[ $has == *" pgbouncer "* ]] && ! command -v pgbouncer >/dev/null; then apt_install pgbouncer; fi
  if [[ $has == *" galera "* ]]; then
    galera_lib >/dev/null || apt_install galera-4
    command -v rsync >/dev/null || apt_install rsync
  fi
  log "starting topologies: ${wanted[*]}"
  t0=$(topo_now)
  if [[ $has == *" pg_tls "* || $has == *" mysql_tls "* ]]; then
    t1=$(topo_now)
    topo_tls_ca
    summary="$summary ca=$(topo_since "$t1")s"
  fi
  if [[ $has == *" pg_tls "* ]]; then topo_ports 1; topo_job pg_tls topo_pg_tls "${TOPO_P[@]}"; fi
  if [[ $has == *" mysql_tls "* ]]; then topo_ports 1; topo_job mysql_tls topo_mysql_tls "${TOPO_P[@]}"; fi
  if [[ $has == *" pgbouncer "* ]]; then topo_ports 2; topo_job pgbouncer topo_pgbouncer "${TOPO_P[@]}"; fi
  if [[ $has == *" replica "* ]]; then topo_ports 1; topo_job replica topo_replica "${TOPO_P[@]}"; fi
  if [[ $has == *" galera "* ]]; then
    topo_ports 3; GALERA_GMCAST_PORTS=("${TOPO_P[@]}")
    topo_ports 3; GALERA_IST_PORTS=("${TOPO_P[@]}")
    topo_ports 3; GALERA_SST_PORTS=("${TOPO_P[@]}")
    topo_ports 3; topo_job galera topo_galera "${TOPO_P[@]}"
  fi
  for j in "${TOPO_JOBS[@]}"; do
    name=${j#*:}
    if wait "${j%%:*}"; then
      summary="$summary $name=$(cat "$TOPO_DIR/$name.time")s"
    else
      failed="$failed $name"
      log "topology $name failed to start; its log:"
      cat "$TOPO_DIR/$name.log" >&2
    fi
  done
  TOPO_JOBS=()
  [ -z "$failed" ] || die "topologies failed to start:$failed"
  for name in pg_tls mysql_tls pgbouncer replica galera; do
    if [ -f "$TOPO_DIR/$name.env" ]; then
      # shellcheck disable=SC1090
      source "$TOPO_DIR/$name.env"
    fi
  done
  log "topologies up in $(topo_since "$t0")s (wall, in parallel):$summary"
}

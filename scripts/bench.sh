#!/usr/bin/env bash
# Runs foal's comparison benchmark on SQLite, PostgreSQL and MariaDB.
#
# Starts throwaway servers like scripts/test.sh (same settings for every
# contender: fsync off, local loopback), builds the runner in release mode
# and runs it; arguments go to the runner.
#
#   scripts/bench.sh                      # every backend, full run
#   scripts/bench.sh --backend postgres --quick
#   scripts/bench.sh --peers              # with Diesel, SQLx and SeaORM (benches/peers)
#   FOAL_BENCH_ALIGN=0 scripts/bench.sh   # without the function alignment below
set -euo pipefail
cd "$(dirname "$0")/.."

# Every function starts on a 64-byte boundary, in Rust and in C (the
# bundled SQLite), so that code added in one place does not move the hot
# loops of another across cache lines: without it the same hand-written
# SQLite loop measured 0.35 to 0.39 us from one build to the next, and
# foal's ratio moved by as much (docs/performance.md). This is a setting of
# the benchmark only, for both contenders alike; no application has it, so
# the tests and clippy build without it, and the benchmarks build in a
# target directory of their own.
if [ "${FOAL_BENCH_ALIGN:-1}" = 1 ]; then
  export RUSTFLAGS="${RUSTFLAGS:-} -C llvm-args=-align-all-functions=6"
  export CFLAGS="${CFLAGS:-} -falign-functions=64"
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/bench-aligned}"
else
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/bench-plain}"
fi

# Servers and runner share one CPU: see FOAL_PIN_CPU in servers.sh.
export FOAL_PIN_CPU="${FOAL_PIN_CPU:-0}"
source "$(dirname "$0")/servers.sh"

export FOAL_BENCH_POSTGRES_URL="$FOAL_TEST_POSTGRES_URL"
export FOAL_BENCH_MYSQL_URL="$FOAL_TEST_MYSQL_URL"

args=("$@")
if printf '%s\n' "${args[@]:-}" | grep -qx -- '--peers'; then
  # Diesel's MySQL backend links the MariaDB client library.
  if ! pkg-config --exists libmariadb 2>/dev/null && ! pkg-config --exists mysqlclient 2>/dev/null; then
    apt_install libmariadb-dev pkg-config
  fi
  log "building the peers' runner (Diesel, SQLx, SeaORM; release, a few minutes the first time)"
  cargo build --release -q --manifest-path benches/peers/Cargo.toml --target-dir "$CARGO_TARGET_DIR/peers"
fi
if ! printf '%s\n' "${args[@]:-}" | grep -q -- '--backend'; then
  args+=(--backend all)
fi
log "building the comparison runner (release)"
cargo build --release --locked -q -p foal-benches --bin compare ${FOAL_BENCH_FEATURES:+--features "$FOAL_BENCH_FEATURES"}
log "running: compare ${args[*]}"
taskset -c "$FOAL_PIN_CPU" "$CARGO_TARGET_DIR/release/compare" "${args[@]}"

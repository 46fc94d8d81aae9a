#!/usr/bin/env bash
# Runs every test of foal on SQLite, PostgreSQL and MariaDB.
#
# Installs a missing PostgreSQL or MariaDB server package (Debian), starts a
# throwaway server of each in a temporary directory on a free loopback port,
# exports their URLs for the test binaries, runs the tests and the doc build,
# and stops the servers at the end. Fails, saying why, when a server cannot
# start: no backend is ever skipped.
#
#   scripts/test.sh                               # everything
#   scripts/test.sh -p foal-tests --test smoke    # arguments replace `--workspace`
#   scripts/test.sh --sqlite                      # the fast loop: SQLite only, no server
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--sqlite" ]; then
  shift
  echo "[foal-test] SQLite only (FOAL_BACKENDS=sqlite): no server is started" >&2
  export FOAL_BACKENDS=sqlite
  if [ $# -gt 0 ]; then exec cargo test --locked "$@"; else exec cargo test --workspace --locked; fi
fi

source "$(dirname "$0")/servers.sh"

# ------------------------------------------------------------ topologies
# The extra servers of the production tests (scripts/topologies.sh), in
# parallel: the ones a test file needs. With arguments, only those
# FOAL_TOPOLOGIES names (none by default), e.g.
#   FOAL_TOPOLOGIES=galera scripts/test.sh -p foal-tests --test galera
source "$(dirname "$0")/topologies.sh"
if [ $# -gt 0 ]; then
  export FOAL_TOPOLOGIES="${FOAL_TOPOLOGIES-}"
else
  export FOAL_TOPOLOGIES="${FOAL_TOPOLOGIES-all}"
fi
start_topologies

# --------------------------------------------------------------------- tests
log "running the tests on SQLite, PostgreSQL and MariaDB"
if [ $# -gt 0 ]; then
  cargo test --locked "$@"
else
  cargo test --workspace --locked
  log "building the docs"
  RUSTDOCFLAGS="-Dwarnings" cargo doc --workspace --no-deps --locked --quiet
fi
log "all tests passed"

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
set -euo pipefail
cd "$(dirname "$0")/.."

source "$(dirname "$0")/servers.sh"

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

#!/usr/bin/env bash
# Run a command (the test suite) with a throwaway PostgreSQL cluster for the deal-library tests.
#
#   bash .ci/with-postgres.sh .venv/bin/python -m pytest -q
#
# Installs Debian's postgresql when its binaries are missing, creates a cluster in a fresh
# folder under /tmp as an unprivileged user (the package's `postgres` user when run as root:
# PostgreSQL refuses to run as root), listening only on a Unix socket in that folder (no TCP
# port, nothing reachable from outside), exports DABS_TEST_PG_URL for the tests, runs the
# command, then stops the cluster and removes the folder, whatever the command's outcome.
# A DABS_TEST_PG_URL already set (a developer's own server) is used as is.
set -euo pipefail

if [ -n "${DABS_TEST_PG_URL:-}" ]; then
  exec "$@"
fi

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin)" ] || [ ! -x "$(find_bin)/initdb" ]; then
  if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=""; fi
  echo "installing Debian package: postgresql"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    postgresql >/dev/null
fi
BIN="$(find_bin)"

if [ "$(id -u)" = "0" ]; then
  OWNER=postgres
  id -u "$OWNER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OWNER"
  as_owner() { runuser -u "$OWNER" -- "$@"; }
else
  OWNER="$(id -un)"
  as_owner() { "$@"; }
fi

DIR="$(mktemp -d /tmp/dabs-pg.XXXXXX)"
chmod 755 "$DIR"
[ "$(id -u)" = "0" ] && chown "$OWNER" "$DIR"

cleanup() {
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

as_owner "$BIN/initdb" -D "$DIR/data" -U dabs --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log"; exit 1; }
# throwaway cluster: no fsync; Unix socket in $DIR only (listen_addresses empty)
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
  start >/dev/null || { cat "$DIR/server.log"; exit 1; }
as_owner "$BIN/createdb" -h "$DIR" -U dabs dabs_test

export DABS_TEST_PG_URL="postgresql+psycopg://dabs@/dabs_test?host=$DIR"
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') for the library tests: $DABS_TEST_PG_URL"

set +e
"$@"
rc=$?
set -e
exit $rc

#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests (Debian's package; installed if missing) and
# print the SQLAlchemy URL of an empty database on it. Socket-only (no TCP), trust auth, data in
# a temporary folder owned by the postgres user. Stop it with: pg_ctl -D "$PGDATA_DIR" stop
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
dir=$(mktemp -d /tmp/gvckit-pg.XXXXXX)
chown postgres:postgres "$dir"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
  -o "-k $dir -c listen_addresses='' -p 54329" start >/dev/null
as_pg "$bin/createdb" -h "$dir" -p 54329 -U postgres gvckit_test
echo "postgresql+psycopg://postgres@/gvckit_test?host=$dir&port=54329"

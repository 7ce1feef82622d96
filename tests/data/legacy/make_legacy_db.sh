#!/usr/bin/env bash
# Rebuild gvckit_before_store.db: a database made by `gvckit chain save` and `gvckit portfolio
# scan` as they were before the shared Alembic history (commit a6f3794), for the upgrade test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$repo" archive a6f3794 src | tar -x -C "$tmp"
rm -f "$here/gvckit_before_store.db"
db="sqlite:///$here/gvckit_before_store.db"
PYTHONPATH="$tmp/src" "${PYTHON:-python3}" -c "from gvckit.cli import run; run()" chain save "$repo/tests/data/chain_small.yaml" --db "$db"
PYTHONPATH="$tmp/src" "${PYTHON:-python3}" -c "from gvckit.cli import run; run()" portfolio scan "$here/activities.xml" --db "$db"

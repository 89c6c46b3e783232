#!/usr/bin/env bash
# Registry benchmark (issue 3): import 100,000 enterprises x 8 years into SQLite and PostgreSQL,
# re-import the same files, and assess from the registry.
#   scripts/bench-registry.sh [ENTERPRISES] [PG_URL]
# defaults: 100000, postgres://postgres@127.0.0.1:5432/test (a database lz_bench is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
pg=${2:-postgres://postgres@127.0.0.1:5432/test}
cargo build --release -p lianzhang
bin=$PWD/target/release/lianzhang
dir=bench-data/demo-$n
[ -f "$dir/annual.csv" ] || "$bin" demo --enterprises "$n" --out "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t() { /usr/bin/time -f "$1: %e s wall, %M KB peak" "${@:2}" >/dev/null; }

t "import sqlite" "$bin" import --db "sqlite://$work/r.db" "$dir"
t "re-import sqlite" "$bin" import --db "sqlite://$work/r.db" "$dir"
for i in 1 2 3; do
  t "assess --db sqlite (run $i)" "$bin" assess --db "sqlite://$work/r.db" --year 2024 --format json --out "$work/a.json"
done

psql "$pg" -qc "DROP DATABASE IF EXISTS lz_bench WITH (FORCE)" -c "CREATE DATABASE lz_bench"
pgdb="${pg%/*}/lz_bench"
t "import postgres" "$bin" import --db "$pgdb" "$dir"
t "re-import postgres" "$bin" import --db "$pgdb" "$dir"
for i in 1 2 3; do
  t "assess --db postgres (run $i)" "$bin" assess --db "$pgdb" --year 2024 --format json --out "$work/p.json"
done
cmp "$work/a.json" "$work/p.json" && echo "SQLite and PostgreSQL assessments identical"
psql "$pg" -qc "DROP DATABASE IF EXISTS lz_bench WITH (FORCE)"

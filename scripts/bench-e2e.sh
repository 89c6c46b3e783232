#!/usr/bin/env bash
# End-to-end benchmark of `lianzhang assess` on a generated dataset (not committed).
#   scripts/bench-e2e.sh [ENTERPRISES] [YEAR]      default: 1000000 2024
# Generates bench-data/demo-N (CSV, 2018–2025) once, then times assess with /usr/bin/time -v
# (wall time and peak resident memory).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
year=${2:-2024}
cargo build --release -p lianzhang
bin=target/release/lianzhang
dir=bench-data/demo-$n
if [ ! -f "$dir/annual.csv" ]; then
  mkdir -p bench-data
  /usr/bin/time -f "demo: %e s wall, %M KB peak" "$bin" demo --enterprises "$n" --out "$dir"
fi
du -sh "$dir"
for fmt in json; do
  /usr/bin/time -f "assess --format $fmt: %e s wall, %U s user, %M KB peak" \
    "$bin" assess --data "$dir" --year "$year" --format "$fmt" --out "bench-data/assess-$n-$year.$fmt"
done

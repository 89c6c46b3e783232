#!/usr/bin/env bash
# Side by side: lianzhang vs the OpenFisca peer on generated demo datasets.
#   bench/openfisca/side-by-side.sh [ENTERPRISES...]    default: 10000 100000 1000000
# For each size: generate bench-data/demo-N once, run both for 2022–2025 with /usr/bin/time,
# compare the outcomes with compare.py. Figures go to stdout; BENCHMARKS.md quotes them.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x bench/openfisca/.venv/bin/python ] || bench/openfisca/setup.sh
cargo build --release -p lianzhang
bin=target/release/lianzhang
py=bench/openfisca/.venv/bin/python
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
mkdir -p bench-data/side
for n in "${sizes[@]}"; do
  dir=bench-data/demo-$n
  [ -f "$dir/annual.csv" ] || "$bin" demo --enterprises "$n" --out "$dir"
  for y in 2022 2023 2024 2025; do
    a=bench-data/side/lz-$n-$y.json
    b=bench-data/side/of-$n-$y.json
    /usr/bin/time -f "n=$n y=$y lianzhang: %e s wall, %M KB peak" \
      "$bin" assess --data "$dir" --year "$y" --format json --out "$a"
    /usr/bin/time -f "n=$n y=$y openfisca: %e s wall, %M KB peak" \
      "$py" bench/openfisca/run.py --data "$dir" --year "$y" --out "$b"
    if "$py" bench/openfisca/compare.py "$a" "$b" >"bench-data/side/diff-$n-$y.txt"; then
      echo "n=$n y=$y outcomes: identical ($("$py" -c "import json,sys; print(len(json.load(open(sys.argv[1]))[\"outcomes\"]))" "$a") outcomes)"
    else
      echo "n=$n y=$y outcomes: DIFFER (see bench-data/side/diff-$n-$y.txt)"
    fi
  done
done

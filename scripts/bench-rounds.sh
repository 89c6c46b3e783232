#!/usr/bin/env bash
# Award-round benchmark (issue 10): a 100,000-enterprise demo registry in SQLite; the time to
# create a round (assess, record the run, store the lines and the frozen facts of every listed
# enterprise); then `lianzhang serve` and wrk on the round's lines page (filtered, paged), signed in.
#   scripts/bench-rounds.sh [ENTERPRISES] [YEAR]     default 100000 2024; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
year=${2:-2024}
cargo build --release -p lianzhang
bin=$PWD/target/release/lianzhang
dir=bench-data/demo-$n
[ -f "$dir/annual.csv" ] || "$bin" demo --enterprises "$n" --out "$dir"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
db="sqlite://$work/rounds.db"
"$bin" import --db "$db" "$dir" >/dev/null 2>&1
echo 'bench-password-1' | "$bin" user add --db "$db" --username bench --role bureau --password-stdin
echo "== round create ($n enterprises, $year)"
/usr/bin/time -f "%e s wall, %M KB peak" "$bin" round create --db "$db" --user bench --year "$year" --name 基准批次
"$bin" round show 1 --db "$db" --user bench | head -5
"$bin" serve --db "$db" --bind 127.0.0.1:8098 >"$work/serve.log" 2>&1 &
server=$!
sleep 2
csrf=$(curl -s -c "$work/jar" http://127.0.0.1:8098/login | grep -o 'name="csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null -d "username=bench&password=bench-password-1&csrf=$csrf" http://127.0.0.1:8098/login
sid=$(awk '/lz_session/ {print $7}' "$work/jar")
token=$("$bin" token create --db "$db" --username bench)
curl -s -o /dev/null -b "lz_session=$sid" http://127.0.0.1:8098/rounds/1      # replays and indexes the round once
curl -s -o /dev/null -b "lz_session=$sid" http://127.0.0.1:8098/dashboard     # builds the dashboard snapshot once
for path in "/rounds/1" "/rounds/1?status=confirmation&page=5" "/rounds/1?chain=steel&status=confirmation&page=2" \
  "/rounds/1?tab=referrals&page=2" "/dashboard" "/home"; do
  echo "== $path"
  wrk -t2 -c8 -d15s --latency -H "Cookie: lz_session=$sid" "http://127.0.0.1:8098$path" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
done
path="/api/v1/rounds/1/lines?status=confirmation&page=3"
echo "== $path (bearer token)"
wrk -t2 -c8 -d15s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:8098$path" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "server resident memory: $(ps -o rss= -p $server) KB"

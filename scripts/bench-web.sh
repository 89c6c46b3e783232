#!/usr/bin/env bash
# Web benchmark (issue 4): a 100,000-enterprise demo registry in SQLite, `lianzhang serve`,
# wrk on loopback against the dashboard and the enterprise list (signed-in session), then the
# server's resident memory.
#   scripts/bench-web.sh [ENTERPRISES]     default 100000; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release -p lianzhang
bin=$PWD/target/release/lianzhang
dir=bench-data/demo-$n
[ -f "$dir/annual.csv" ] || "$bin" demo --enterprises "$n" --out "$dir"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
db="sqlite://$work/web.db"
"$bin" import --db "$db" "$dir" >/dev/null 2>&1
echo 'bench-password-1' | "$bin" user add --db "$db" --username bench --role bureau --password-stdin
"$bin" serve --db "$db" --bind 127.0.0.1:8097 >"$work/serve.log" 2>&1 &
server=$!
sleep 2
csrf=$(curl -s -c "$work/jar" http://127.0.0.1:8097/login | grep -o 'name="csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null -d "username=bench&password=bench-password-1&csrf=$csrf" http://127.0.0.1:8097/login
sid=$(awk '/lz_session/ {print $7}' "$work/jar")
curl -s -o /dev/null -b "lz_session=$sid" http://127.0.0.1:8097/dashboard   # builds the dashboard snapshot
for path in /dashboard /enterprises "/enterprises?chain=steel&page=3" "/enterprises?q=%E9%92%A2&chain=steel&page=3" \
  "/enterprises?q=%E9%92%A2%E9%93%81" "/api/v1/enterprises?chain=food&page=2"; do
  echo "== $path"
  wrk -t2 -c8 -d15s --latency -H "Cookie: lz_session=$sid" "http://127.0.0.1:8097$path" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
done
echo "server resident memory: $(ps -o rss= -p $server) KB"

#!/usr/bin/env bash
# Builds the web font embedded in the binary: Noto Sans CJK SC Regular (SIL OFL 1.1, see
# crates/web/assets/fonts/OFL.txt), cut down to the characters a county registry shows:
# ASCII and Latin-1, general and CJK punctuation, full-width forms, all of GB 2312 (6,763 hanzi
# and its symbols), and every character the repository's own Chinese text uses (templates,
# policy, demo data). Characters outside it fall back to the system fonts of the CSS stack.
#
#   apt-get install fonts-noto-cjk && pip install fonttools brotli && scripts/make-font.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
out=crates/web/assets/fonts/lianzhang-sans-sc.woff2
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
python3 - "$chars" <<'PY'
import pathlib, sys
chars = set(map(chr, range(0x20, 0x7f))) | set(map(chr, range(0xa0, 0x100)))
chars |= set(map(chr, range(0x2000, 0x206f))) | set(map(chr, range(0x3000, 0x303f)))
chars |= set(map(chr, range(0xff01, 0xff5f))) | set("￥→←↑↓≥≤×÷±△▲▼●○■□★☆√✓✗…—")
for hi in range(0xa1, 0xf8):
    for lo in range(0xa1, 0xff):
        try:
            chars |= set(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for pattern in ("crates/**/*.rs", "crates/**/*.html", "policies/*", "crates/**/*.toml", "crates/**/*.txt"):
    for path in pathlib.Path(".").glob(pattern):
        chars |= {c for c in path.read_text(encoding="utf-8", errors="ignore") if ord(c) >= 0x2e80}
pathlib.Path(sys.argv[1]).write_text("".join(sorted(chars)), encoding="utf-8")
print(f"{len(chars)} characters", file=sys.stderr)
PY
# Index 2 of the collection is the Simplified Chinese face.
pyftsubset "$src" --font-number=2 --text-file="$chars" --flavor=woff2 --layout-features='*' \
  --no-hinting --desubroutinize --name-IDs='*' --output-file="$out"
ls -l "$out"

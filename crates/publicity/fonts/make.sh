#!/usr/bin/env bash
# Builds the two fonts embedded in lianzhang-publicity: Noto Sans CJK SC Regular and Bold (SIL OFL
# 1.1, see OFL.txt beside this script), face index 2 of Debian's fonts-noto-cjk collections (the
# Simplified Chinese face), cut down to what a public list prints:
#   ASCII and Latin-1, general punctuation, CJK symbols and punctuation, full-width forms, a few
#   symbols, all of GB 2312 (6,763 hanzi and its symbols) and all of the 通用规范汉字表 (2013,
#   8,105 hanzi, Unicode's kTGH field, from Debian's unicode-data Unihan files), which holds the
#   name characters GB 2312 lacks (喆, 堃, 赟, 珺, 玥 …).
#
#   apt-get install fonts-noto-cjk unicode-data && pip install fonttools
#   crates/publicity/fonts/make.sh
set -euo pipefail
cd "$(dirname "$0")"
src_dir=${1:-/usr/share/fonts/opentype/noto}
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
python3 - "$chars" <<'PY'
import bz2, pathlib, sys
chars = set(map(chr, range(0x20, 0x7f))) | set(map(chr, range(0xa0, 0x100)))
chars |= set(map(chr, range(0x2000, 0x206f))) | set(map(chr, range(0x3000, 0x3040)))
chars |= set(map(chr, range(0xff01, 0xff5f))) | set(map(chr, range(0xffe0, 0xffe7)))
chars |= set("→←↑↓≥≤×÷±△▲▼●○■□★☆√✓✗…—〔〕")
for hi in range(0xa1, 0xf8):
    for lo in range(0xa1, 0xff):
        try:
            chars |= set(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
with bz2.open("/usr/share/unicode/Unihan_OtherMappings.txt.bz2", "rt", encoding="utf-8") as f:
    for line in f:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1] == "kTGH":
            chars.add(chr(int(parts[0][2:], 16)))
pathlib.Path(sys.argv[1]).write_text("".join(sorted(chars)), encoding="utf-8")
print(f"{len(chars)} characters", file=sys.stderr)
PY
for weight in Regular Bold; do
  # Index 2 of the collection is the Simplified Chinese face.
  pyftsubset "$src_dir/NotoSansCJK-$weight.ttc" --font-number=2 --text-file="$chars" \
    --layout-features='*' --no-hinting --name-IDs='*' \
    --output-file="NotoSansCJKsc-$weight-subset.otf"
done
ls -l NotoSansCJKsc-*-subset.otf

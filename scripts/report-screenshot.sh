#!/usr/bin/env bash
# Writes RECIPE's report (lathe report) and screenshots it in headless Chromium, failing if the
# page logs anything to the browser console. The README's screenshot command:
#
#   scripts/report-screenshot.sh pipelines/demo.yaml report.png
#   scripts/report-screenshot.sh pipelines/demo.yaml report.png 1200x2600   # taller page
#
# Uses $LATHE, else .build/release/lathe, else .build/debug/lathe. Needs chromium (scripts/setup.sh).
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 RECIPE OUT.png [WIDTHxHEIGHT]   (default size 1200x2000)" >&2
  exit 64
fi
recipe=$1
out=$2
size=${3:-1200x2000}
case "$size" in
  *x*) width=${size%x*}; height=${size#*x} ;;
  *) echo "$0: size must look like 1200x2000, got '$size'" >&2; exit 64 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
lathe=${LATHE:-}
if [ -z "$lathe" ]; then
  for candidate in "$root/.build/release/lathe" "$root/.build/debug/lathe"; do
    if [ -x "$candidate" ]; then lathe=$candidate; break; fi
  done
fi
if [ -z "$lathe" ]; then
  echo "$0: no lathe binary; build one with: swift build -c release --product lathe" >&2
  exit 1
fi
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
  echo "$0: chromium is not installed; run scripts/setup.sh (apt-get install chromium)" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$lathe" report "$recipe" -o "$scratch/report.html"

case "$out" in /*) target=$out ;; *) target=$PWD/$out ;; esac
mkdir -p "$(dirname "$target")"
rm -f "$target"
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
  --user-data-dir="$scratch/profile" --enable-logging=stderr --v=0 \
  --window-size="$width,$height" --screenshot="$target" "file://$scratch/report.html" \
  >"$scratch/chromium.out" 2>"$scratch/chromium.log" || true

if [ ! -s "$target" ]; then
  echo "$0: chromium wrote no screenshot; its log:" >&2
  tail -20 "$scratch/chromium.log" >&2
  exit 1
fi
if grep -E ':CONSOLE[:(]' "$scratch/chromium.log" >&2; then
  echo "$0: the report logged the console messages above" >&2
  exit 1
fi
echo "Wrote $out (${width}x${height}) from $recipe"

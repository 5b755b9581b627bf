#!/usr/bin/env bash
# Looks at the report as a person would: builds a tiny synthetic grid (tools/make_report_grid.py),
# runs ./clapaudit report on it, and screenshots the HTML with headless Chromium (Debian's `chromium`).
# Usage: tools/screenshot_report.sh [OUT_DIR] [extra report options, e.g. --no-tsne]
# Writes OUT_DIR/grid/, OUT_DIR/report.html (+ report.json, report_files/) and OUT_DIR/report.png.
# Check the PNG: every table and figure present, nothing cut off, class names readable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/.cache/screenshot}"
shift || true
chromium_bin="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$chromium_bin" ] || { echo "screenshot_report: chromium not found (Debian: apt-get install chromium)" >&2; exit 1; }

rm -rf "$out/grid"
mkdir -p "$out"
/usr/bin/python3 "$root/tools/make_report_grid.py" "$out/grid" --missing clean/none --classes "${CLASSES:-20}" --per-class "${PER_CLASS:-12}"
"$root/clapaudit" report "$out/grid" --out "$out/report.html" "$@"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${WIDTH:-1400},${HEIGHT:-9000}" --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
# The first Figure 2 panel opened full size (the click-to-enlarge view), to check the class names.
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1400,1000 --screenshot="$out/report_zoom.png" "file://$out/report.html#fig2a" 2>/dev/null
echo "Screenshots: $out/report.png (whole page), $out/report_zoom.png (a map opened full size)"

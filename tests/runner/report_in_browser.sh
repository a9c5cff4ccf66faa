#!/usr/bin/env bash
# `flowrun report` end to end: a short demo run (with test masks saved), its
# report.html self-contained (nothing it would fetch), panels per kept
# checkpoint (--checkpoints), rendered in headless
# Chromium with no console message, the script's tables and figures in the
# DOM, and a screenshot that is not blank. Two reports of the same folder
# are identical but for the time they were written. The screenshot stays in
# OUT_DIR (the build tree), out of git.
# usage: report_in_browser.sh FLOWRUN_EXE SOURCE_DIR OUT_DIR
set -uo pipefail
exe=$1 src=$2 out=$3
fail() { echo "report_in_browser: $*" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "report_in_browser: skipped: no chromium (scripts/install-deps.sh installs it)"; exit 77; }
rm -rf "$out" && mkdir -p "$out"
run=$out/run
"$exe" run "$src/graphs/demo.json" --out "$run" --set params.iterations=4 --set nodes.validate.every=2 \
  --set nodes.validate.save_predictions=true --set nodes.checkpoint.keep_every=2 --set nodes.crop.patch=[32,32,32] \
  >"$out/run.log" 2>&1 || { tail -5 "$out/run.log"; fail "the demo run failed"; }
for f in graph.json graph.dot log.jsonl profile.json summary.json; do [[ -f $run/$f ]] || fail "the run wrote no $f"; done
"$exe" report "$run" >"$out/report.out" 2>&1 || { cat "$out/report.out"; fail "flowrun report failed"; }
html=$run/report.html
[[ -f $html ]] || fail "no $html"
# Self-contained: no external script, style, image or font.
if grep -Eo '(src|href)="(https?:)?//[^"]*"|<link[^>]*>|@import|url\((https?:)?//' "$html" | head -3 | grep .; then
  fail "report.html refers to something outside itself"
fi
grep -q 'data:image/png;base64,' "$html" || fail "report.html has no segmentation panel"
# Deterministic apart from the time stamp.
"$exe" report "$run" -o "$out/again.html" >/dev/null 2>&1 || fail "second report failed"
diff <(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC//' "$html") \
     <(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC//' "$out/again.html") >/dev/null ||
  fail "two reports of one run folder differ"
# Fig. 2: one column per kept checkpoint (keep_every 2 of 4 iterations, and last.pt), segmented by flowrun infer.
"$exe" report "$run" --checkpoints --cases 1 -o "$out/checkpoints.html" >"$out/checkpoints.out" 2>&1 ||
  { cat "$out/checkpoints.out"; fail "flowrun report --checkpoints failed"; }
for want in '"checkpoint":"iteration 2"' '"checkpoint":"iteration 4"' '"checkpoint":"last.pt"'; do
  grep -q -- "$want" "$out/checkpoints.html" || fail "report --checkpoints lacks $want"
done
[[ -f $run/report_cache/iter_2/case_016.nii.gz ]] || fail "no cached segmentation in $run/report_cache"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --enable-logging=stderr --v=0)
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$html" >"$out/dom.html" 2>"$out/browser.log" ||
  fail "chromium --dump-dom failed: $(tail -3 "$out/browser.log")"
if grep -a 'CONSOLE' "$out/browser.log"; then fail "the page wrote to the console (an error?)"; fi
grep -q 'data-rendered="yes"' "$out/dom.html" || fail "the page's script did not finish"
for want in '>Curves<' '>Graph<' '>Test metrics<' 'mean ± sd' 'validation dice' 'compute chain' 'case_0'; do
  grep -q -- "$want" "$out/dom.html" || fail "the rendered page lacks '$want'"
done
svgs=$(grep -o '<svg' "$out/dom.html" | wc -l)
((svgs >= 8)) || fail "only $svgs figures rendered"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$out/report.png" "file://$html" \
  >/dev/null 2>>"$out/browser.log" || fail "chromium --screenshot failed"
# Not blank: the share of pixels that differ from the page's background.
/usr/bin/python3 - "$out/report.png" <<'PY' || fail "the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w, h, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4}[ctype]
stride = w * bpp
prev = bytearray(stride)
ink = 0
for y in range(h):
    f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = row[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: row[i] = (row[i] + a) & 255
        elif f == 2: row[i] = (row[i] + b) & 255
        elif f == 3: row[i] = (row[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    ink += sum(1 for x in range(0, stride, bpp) if row[x:x + 3] != b"\xff\xff\xff")
    prev = row
share = ink / (w * h)
print("report_in_browser: %.1f %% of the screenshot's pixels are not white" % (100 * share))
sys.exit(0 if share > 0.03 else 1)
PY
echo "report_in_browser: ok ($svgs figures; screenshot $out/report.png)"

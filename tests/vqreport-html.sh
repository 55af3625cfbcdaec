#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The HTML report loads in a real browser with every plot rendered: headless
# Chromium (Debian's chromium, installed by scripts/setup.sh) dumps the DOM
# after load; the page's own script sets the title to "vqreport: N plots ok"
# when every <img> is complete with naturalWidth > 0, or "BROKEN PLOTS ...".
# A screenshot is kept in $O/test-logs/vqreport-html.png for a person to look at.
# To repeat by hand: see docs/vqreport.md, "Checking the HTML report".
set -u
. "$(dirname "$0")/data/vqreport-test-lib.sh"
command -v gnuplot >/dev/null || { echo "skip: gnuplot not installed (scripts/setup.sh)"; exit 77; }
command -v chromium >/dev/null || { echo "skip: chromium not installed (scripts/setup.sh)"; exit 77; }

chrome() {
	local prof
	prof=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" --virtual-time-budget=10000 "$@" 2>>"$tmp/chrome.log"
	local rc=$?
	rm -rf "$prof"
	return $rc
}

run=$tmp/run
"$gen" "$run" --seed 11 --trace --effect in_order=on:5 --fail c1:2 \
	--axes 'in_order=off,on;ring=split,packed;workload=net-tx,net-rx' >/dev/null
expect_rc "vqreport report" 0 "$V" report "$run"
grep_out "prints the report paths" "^$run/report/report.html$"
html=$run/report/report.html md=$run/report/report.md plots=$run/report/plots
ngp=$(ls "$plots"/plot*.gp | wc -l)
nsvg=$(ls "$plots"/*.svg | wc -l)
npng=$(ls "$plots"/*.png | wc -l)
[ "$ngp" -ge 10 ] && [ "$nsvg" = "$ngp" ] && [ "$npng" = "$ngp" ] &&
	ok "one SVG and one PNG per gnuplot script ($ngp)" || bad "plots: $ngp .gp, $nsvg .svg, $npng .png"
[ "$(ls "$plots"/*.dat | wc -l)" = "$ngp" ] && ok "a data file beside every script" || bad "data files missing"
grep_out "HTML states the accelerator" 'The guests ran under TCG' "$html"
grep_out "HTML states QEMU's version" '<td>QEMU</td><td>10.0.2</td>' "$html"
grep_out "HTML has the in_order pivot (off | on | change)" '<th class="num">off</th><th class="num">on</th><th class="num">change</th>' "$html"
grep_out "HTML has a ring section" '<h2>ring: ' "$html"
grep_out "HTML has tracer histograms" '<h2>Tracer histograms</h2>' "$html"
grep_out "HTML lists the failed sample" '<td>c1</td><td>2</td>' "$html"
grep_out "Markdown has the pivot" '^\| workload \| metric \| unit \| off \| on \| change \| p \| verdict \|$' "$md"
missing=0
for p in $(grep -o 'plots/plot[0-9]*\.png' "$md"); do [ -s "$run/report/$p" ] || missing=$((missing + 1)); done
[ "$missing" = 0 ] && ok "every PNG the Markdown names exists" || bad "$missing PNG(s) named in the Markdown are missing"
[ "$(grep -c '!\[' "$md")" = "$ngp" ] && ok "Markdown shows every plot" || bad "Markdown shows $(grep -c '!\[' "$md") of $ngp plots"

chrome --dump-dom "file://$html" >"$tmp/dom.html"
grep_out "Chromium: every plot loaded (title)" "<title>vqreport: $nsvg plots ok</title>" "$tmp/dom.html"
grep_out "Chromium: data-plots=ok" 'data-plots="ok"' "$tmp/dom.html"
mkdir -p "$O/test-logs"
shot=$O/test-logs/vqreport-html.png
rm -f "$shot"
chrome --window-size=1280,2400 --screenshot="$shot" "file://$html" >/dev/null
[ -s "$shot" ] && ok "screenshot written: $shot" || bad "no screenshot"

# The check can fail: a report with one plot removed is reported broken.
cp -r "$run/report" "$tmp/broken"
rm "$tmp/broken/plots/plot002.svg"
chrome --dump-dom "file://$tmp/broken/report.html" >"$tmp/dom.html"
grep_out "Chromium: a missing SVG is caught" '<title>vqreport: BROKEN PLOTS plots/plot002.svg</title>' "$tmp/dom.html"

# -j, md alone, --no-plots, -o.
expect_rc "-j html" 0 "$V" -j html "$run" -o "$tmp/out-html"
jcheck "-j html: paths and counts" 'd["html"].endswith("/out-html/report.html") and d["md"] is None and d["plots"] >= 10 and d["plot_errors"] == [] and [s["axis"] for s in d["sections"]] == ["in_order", "ring"]'
[ -z "$(ls "$tmp/out-html/plots/"*.png 2>/dev/null)" ] && ok "html alone renders no PNG" || bad "html alone rendered PNGs"
expect_rc "md --no-plots" 0 "$V" md "$run" --no-plots -o "$tmp/noplots"
! grep -q '!\[' "$tmp/noplots/report.md" && ok "--no-plots: no image in the Markdown" || bad "--no-plots left images"
expect_rc "html --by ring=split" 0 "$V" -j html "$run" --by ring=split -o "$tmp/by"
jcheck "--by: one section" '[s["axis"] for s in d["sections"]] == ["ring"]'
expect_rc "html --by on a missing axis" 1 "$V" html "$run" --by colour=red -o "$tmp/by2"
# Retpoline (mitigation x kernel) and queue-size reports come from the axes.
"$gen" "$tmp/rp" --seed 12 --effect mitigation=retpoline:-6 \
	--axes 'kernel=debian:bookworm,debian:sid;mitigation=off,retpoline;rx_queue_size=256,1024;workload=net-tx' >/dev/null
expect_rc "retpoline/queue-size run: md --no-plots -j" 0 "$V" -j md "$tmp/rp" --no-plots
jcheck "sections in report order: queue size, mitigation, kernel" '[(s["axis"], s["base"]) for s in d["sections"]] == [("rx_queue_size", "256"), ("mitigation", "off"), ("kernel", "debian:bookworm")]'
grep_out "retpoline report: one table per kernel" '^### kernel=debian:sid rx\\_queue\\_size=1024$' "$tmp/rp/report/report.md"
grep_out "retpoline report: -6% called" '^\| net-tx \| pps \| packets/s \| .* \| -[5-7]\.[0-9]+% \| .* \| regression \|$' "$tmp/rp/report/report.md"
grep_out "queue-size report intro" '^Queue-size report' "$tmp/rp/report/report.md"
grep_out "retpoline cost side by side per kernel" '^\| workload \| metric \| kernel=debian:bookworm rx\\_queue\\_size=256 \| kernel=debian:bookworm rx\\_queue\\_size=1024 \| kernel=debian:sid rx\\_queue\\_size=256 \|' "$tmp/rp/report/report.md"

fails=()
for c in 0 1 2 3; do fails+=(--fail "c$c:0" --fail "c$c:1"); done
"$gen" "$tmp/fo" --reps 2 "${fails[@]}" >/dev/null
expect_rc "report of a failed-only run" 0 "$V" report "$tmp/fo"
grep_out "failed-only report lists 8 failed samples" '8 sample\(s\) failed' "$tmp/fo/report/report.md"
chrome --dump-dom "file://$tmp/fo/report/report.html" >"$tmp/dom.html"
grep_out "failed-only report loads (0 plots)" '<title>vqreport: 0 plots ok</title>' "$tmp/dom.html"

finish

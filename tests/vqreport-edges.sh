#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqreport on inputs that break naive statistics: empty, single-sample,
# zero-variance, NaN/null, failed-only, torn and foreign-schema results, and
# usage errors. Each must give a clear message, valid JSON under -j, the
# documented exit code (0 ok, 1 runtime error / regression, 2 usage), no crash.
set -u
. "$(dirname "$0")/data/vqreport-test-lib.sh"

# --- Usage errors: exit 2, JSON errors under -j.
expect_rc "no arguments" 2 "$V"
grep_out "no arguments: usage on stderr" '^Usage: vqreport' "$tmp/err"
expect_rc "--help" 0 "$V" --help
grep_out "--help has EXAMPLES" '^EXAMPLES:'
grep_out "--help has a regress example" '^  vqreport regress --baseline '
expect_rc "unknown command" 2 "$V" frobnicate x
grep_out "unknown command: Error: on stderr, names the commands" "^Error: unknown command 'frobnicate' \(commands: show, compare, regress, html, md, report, help\)" "$tmp/err"
expect_rc "ambiguous prefix 're' (regress, report)" 2 "$V" re x
grep_out "ambiguous prefix: says so" "^Error: ambiguous command 're'" "$tmp/err"
expect_rc "unknown option" 2 "$V" --bogus show x
grep_out "unknown option: named, with where to look" "^Error: unknown option '--bogus'" "$tmp/err"
grep_out "unknown option: points at --help" "^Try 'vqreport --help'" "$tmp/err"
"$gen" "$tmp/r" --seed 1 >/dev/null
expect_rc "unambiguous prefix 'sh' runs show" 0 "$V" sh "$tmp/r"
expect_rc "compare prefix 'comp'" 0 "$V" comp "$tmp/r" --by in_order=off
expect_rc "-j usage error" 2 "$V" -j frobnicate
jcheck "-j usage error is {\"error\": ...}" 'list(d) == ["error"] and "frobnicate" in d["error"]'
expect_rc "--threshold abc" 2 "$V" regress --baseline "$tmp/r" --candidate "$tmp/r" --threshold abc
grep_out "--threshold abc: names the accepted form" "expected a percentage" "$tmp/err"
expect_rc "--alpha 2" 2 "$V" compare "$tmp/r" "$tmp/r" --alpha 2
expect_rc "--by without =" 2 "$V" compare "$tmp/r" --by in_order
expect_rc "regress without --candidate" 2 "$V" regress --baseline "$tmp/r"
expect_rc "show of one folder twice (not shards of one matrix)" 1 "$V" show "$tmp/r" "$tmp/r"
expect_rc "show without a run" 2 "$V" show
expect_rc "option without argument" 2 "$V" show "$tmp/r" --by

# --- Runtime errors: exit 1.
expect_rc "missing run folder" 1 "$V" show "$tmp/nope"
grep_out "missing run folder: Error: names the file" "^Error: $tmp/nope/samples.jsonl: No such file" "$tmp/err"
expect_rc "missing run folder, -j" 1 "$V" -j show "$tmp/nope"
jcheck "missing run folder, -j: {\"error\": ...}" '"samples.jsonl" in d["error"]'
expect_rc "--by on an axis that does not exist" 1 "$V" compare "$tmp/r" --by ring_size=256
grep_out "unknown axis: message names the axis" "no cell .* has the axis 'ring_size'" "$tmp/err"
expect_rc "--by with a value that does not exist" 1 "$V" compare "$tmp/r" --by in_order=offf
grep_out "unknown value: message lists the values" "no cell has in_order=offf \(values in .*: off, on\)" "$tmp/err"
mkdir -p "$tmp/s2"
echo '{"schema": 2, "id": "future"}' >"$tmp/s2/run.json"
: >"$tmp/s2/samples.jsonl"
expect_rc "run.json schema 2" 1 "$V" show "$tmp/s2"
grep_out "schema 2: says which schema it reads" "schema .* is not 1" "$tmp/err"
echo '{"schema": 1, "id": ' >"$tmp/s2/run.json"
expect_rc "run.json not JSON" 1 "$V" -j show "$tmp/s2"
jcheck "run.json not JSON: error names file and line" '"run.json:" in d["error"]'

# --- Empty: a run.json with a matrix, no samples yet.
"$gen" "$tmp/empty" --reps 0 >/dev/null
expect_rc "empty run: show" 0 "$V" show "$tmp/empty"
grep_out "empty run: 0 samples" '4 cells, 0 samples'
grep_out "empty run: cells say they have no metrics" 'no metrics \(no ok sample\)'
expect_rc "empty run: show -j" 0 "$V" -j show "$tmp/empty"
jcheck "empty run: JSON lists 4 cells with 0 ok" 'd["schema"] == 1 and len(d["cells"]) == 4 and d["samples"] == 0 and all(c["ok"] == 0 for c in d["cells"])'
expect_rc "empty vs empty: regress exits 0" 0 "$V" -j regress --baseline "$tmp/empty" --candidate "$tmp/empty"
jcheck "empty vs empty: no metric, pass" 'd["result"] == "pass" and verdicts == []'
rm "$tmp/empty/samples.jsonl"
expect_rc "run.json without samples.jsonl (run just started): show -j" 0 "$V" -j show "$tmp/empty"
jcheck "run.json without samples.jsonl: 4 cells, a warning" 'len(d["cells"]) == 4 and "no sample yet" in d["warnings"][0]'
mkdir -p "$tmp/bare" && : >"$tmp/bare/samples.jsonl"
expect_rc "no run.json and no samples: show" 0 "$V" show "$tmp/bare"
grep_out "no run.json: warning says what is missing" 'Warning: .*run.json: not found' "$tmp/err"

# --- One sample per cell: a mean, no spread, no test.
"$gen" "$tmp/one-a" --reps 1 --seed 1 >/dev/null
"$gen" "$tmp/one-b" --reps 1 --seed 2 --effect ring=split:50 >/dev/null
expect_rc "single sample: show -j" 0 "$V" -j show "$tmp/one-a"
jcheck "single sample: n 1, sd/ci null" 'all(m["n"] == 1 and m["sd"] is None and m["ci_lo"] is None and m["mean"] is not None for c in d["cells"] for m in c["metrics"])'
expect_rc "single sample: +50% is not called (exit 0)" 0 "$V" -j regress --baseline "$tmp/one-a" --candidate "$tmp/one-b"
jcheck "single sample: verdicts 'insufficient' with a note" 'set(verdicts) == {"insufficient"} and all("2 samples" in m["note"] and m["p"] is None for c in d["comparisons"] for m in c["metrics"])'
expect_rc "single sample: text" 0 "$V" regress --baseline "$tmp/one-a" --candidate "$tmp/one-b"
grep_out "single sample: text counts insufficient data" 'PASS: 0 regression.*, 8 metric\(s\) with insufficient data'
expect_rc "single sample: md --no-plots" 0 "$V" md "$tmp/one-a" --no-plots -o "$tmp/one-md"
grep_out "single sample: the report says why nothing is called" 'one sample per cell: .* no change can be called' "$tmp/one-md/report.md"


# --- Zero variance (deterministic metrics, e.g. instruction counts).
"$gen" "$tmp/zero-a" --cv 0 --seed 1 >/dev/null
"$gen" "$tmp/zero-b" --cv 0 --seed 2 >/dev/null
"$gen" "$tmp/zero-c" --cv 0 --seed 3 --effect ring=split:5 >/dev/null
expect_rc "zero variance, same values: exit 0" 0 "$V" -j regress --baseline "$tmp/zero-a" --candidate "$tmp/zero-b"
jcheck "zero variance, same values: sd 0, cv 0, p 1, none" 'set(verdicts) == {"none"} and all(m["p"] == 1 and m["baseline"]["sd"] == 0 and m["baseline"]["cv_pct"] == 0 for c in d["comparisons"] for m in c["metrics"])'
expect_rc "zero variance, +5%: exit 1" 1 "$V" -j regress --baseline "$tmp/zero-a" --candidate "$tmp/zero-c"
jcheck "zero variance, +5%: exact difference, p 0, t null" 'd["counts"]["regression"] == 4 and all(m["p"] == 0 and m["t"] is None for c in d["comparisons"] for m in c["metrics"])'

# --- NaN: null values, a NaN literal (not JSON), a torn last line.
"$gen" "$tmp/nan" --seed 1 --metric-null c0:0 --metric-null c0:1 >/dev/null
sed -i '3s/"value":[0-9.]*/"value":NaN/' "$tmp/nan/samples.jsonl"
printf '{"schema":1,"cell":"c0","rep":99,"status":"ok","metr' >>"$tmp/nan/samples.jsonl"
expect_rc "NaN/null/torn: show -j" 0 "$V" -j show "$tmp/nan"
jcheck "NaN/null/torn: null values counted as missing, bad lines counted" 'd["cells"][0]["metrics"][0]["missing"] == 2 and d["cells"][0]["metrics"][0]["n"] == 8 and d["torn_lines"] == 2 and len(d["warnings"]) == 1'
expect_rc "NaN/null/torn: show text" 0 "$V" show "$tmp/nan"
grep_out "NaN/null/torn: warning on stderr" 'Warning: .*2 torn or unparseable line' "$tmp/err"
grep_out "NaN/null/torn: n shows the nulls" 'pps +8 \(\+2 null\)'
expect_rc "NaN/null/torn: compare -j" 0 "$V" -j compare "$tmp/nan" "$tmp/nan"
jcheck "NaN/null/torn: A vs itself, all none" 'set(verdicts) == {"none"}'

# --- Failed-only: every sample failed; counted, listed, never averaged.
fails=()
for c in 0 1 2 3; do for r in 0 1 2; do fails+=(--fail "c$c:$r"); done; done
"$gen" "$tmp/failed" --reps 3 "${fails[@]}" >/dev/null
expect_rc "failed-only: show" 0 "$V" show "$tmp/failed"
grep_out "failed-only: 12 failed" '12 samples: 0 ok, 12 failed'
grep_out "failed-only: failed samples listed with reasons" '^  c3 rep 2  in_order=on ring=split workload=net-rx: guest did not reach /init within 60 s'
expect_rc "failed-only: show -j" 0 "$V" -j show "$tmp/failed"
jcheck "failed-only: no metrics, 12 failed listed" 'len(d["failed_samples"]) == 12 and all(c["metrics"] == [] and c["failed"] == 3 for c in d["cells"])'
# No metric can be compared, but 0/10 -> 3/3 failed is a regression of the
# failure rate (Fisher's exact test p = 1/C(13,3) = 0.0035) in every cell.
expect_rc "failed-only vs ok run: regress exits 1 (failure rate)" 1 "$V" -j regress --baseline "$tmp/r" --candidate "$tmp/failed"
jcheck "failed-only vs ok: metrics insufficient, failures called, listed with side" 'set(verdicts) == {"insufficient"} and d["counts"]["failures_regression"] == 4 and abs(d["comparisons"][0]["failures"]["p_more"] - 1 / 286) < 1e-12 and all(f["side"] == "candidate" for f in d["failed_samples"]) and len(d["failed_samples"]) == 12'
expect_rc "failed-only vs itself: regress exits 0" 0 "$V" regress --baseline "$tmp/failed" --candidate "$tmp/failed"
# Some failures among good samples: averaged over the ok ones only.
"$gen" "$tmp/somefail" --seed 1 --fail c0:0 --fail c0:5 >/dev/null
expect_rc "some failed: show -j" 0 "$V" -j show "$tmp/somefail"
jcheck "some failed: n 8 in c0, 2 listed" 'd["cells"][0]["metrics"][0]["n"] == 8 and d["cells"][0]["failed"] == 2 and len(d["failed_samples"]) == 2'

# --- Cells the runner refused (run.json "skipped") are listed, not lost.
"$gen" "$tmp/skip" --seed 1 >/dev/null
sed -i 's/"skipped":\[\]/"skipped":[{"axes":{"in_order":"on","ring":"split","workload":"net-tx","tx_queue_size":1024},"reason":"tap backend accepts tx_queue_size=256 only"}]/' "$tmp/skip/run.json"
expect_rc "skipped cells: show" 0 "$V" show "$tmp/skip"
grep_out "skipped cells: listed with the reason" '^  in_order=on ring=split workload=net-tx tx_queue_size=1024: tap backend accepts tx_queue_size=256 only$'
expect_rc "skipped cells: md" 0 "$V" md "$tmp/skip" --no-plots
grep_out "skipped cells: in the report" '^\| .*tx\\_queue\\_size=1024 \| tap backend accepts tx\\_queue\\_size=256 only \|$' "$tmp/skip/report/report.md"

# --- vqlab retries a failed sample and keeps every attempt: the failed
# attempt is listed with its number, the ok one is averaged.
"$gen" "$tmp/retry" --seed 1 --reps 3 --fail c0:1 >/dev/null
sed -i '/"cell":"c0","rep":1,/s/"rep":1,/"rep":1,"attempt":0,/' "$tmp/retry/samples.jsonl"
grep '"cell":"c0","rep":2,' "$tmp/retry/samples.jsonl" | sed 's/"rep":2,/"rep":1,"attempt":1,/' >>"$tmp/retry/samples.jsonl"
expect_rc "retried sample: show" 0 "$V" show "$tmp/retry"
grep_out "retried sample: failed attempt listed" '^  c0 rep 1 attempt 0  in_order=off ring=split workload=net-tx: guest did not reach'
grep_out "retried sample: the ok retry is averaged (n=3)" '^cell c0  .*\(3 ok, 1 failed\)$'

# --- Runs that do not line up: unmatched cells are reported.
"$gen" "$tmp/other" --axes 'in_order=off;ring=packed;workload=net-tx' >/dev/null
expect_rc "disjoint runs: regress exits 0" 0 "$V" regress --baseline "$tmp/r" --candidate "$tmp/other"
grep_out "disjoint runs: says no cell matches" 'no cell of the candidate matches'
grep_out "disjoint runs: lists unmatched cells" '^unmatched: candidate cell c0 in_order=off ring=packed workload=net-tx'

# --- A real run written by vqlab (its integration test on this lab host,
# 2026-11-21, TCG, interrupted while running: 3 samples in 4 cells, one cell
# without any). The format is vqlab's, not the generator's.
real=$top/tests/data/vqlab-itest-run
expect_rc "real vqlab run: show" 0 "$V" show "$real"
grep_out "real run: says it is not complete" 'the run is running, not complete'
grep_out "real run: constant axes stated once" '^the same in every cell: accel=tcg backend=tap kernel=debian:sid .*workload=net-tx$'
grep_out "real run: cell label keeps only what varies" '^cell c0  in_order=off ring=split  \(1 ok, 0 failed\)$'
grep_out "real run: xdp_pps with its unit" '^  xdp_pps +1 +17376 .* packets/s +higher$'
expect_rc "real vqlab run: compare --by in_order=off -j" 0 "$V" -j compare "$real" --by in_order=off
jcheck "real run: one sample per cell, nothing called" 'set(verdicts) == {"insufficient"} and len(d["comparisons"]) == 2'
expect_rc "real vqlab run: report" 0 "$V" -j report "$real" -o "$tmp/real-report"
jcheck "real run: sections in_order then ring; trace plots drawn" '[s["axis"] for s in d["sections"]] == ["in_order", "ring"] and d["plots"] >= 4'
grep_out "real run: tracer histograms from vqtrace's summary" 'queue virtio0 net output.0, gets\\_per\\_interrupt' "$tmp/real-report/report.md"
grep_out "real run: report says one sample per cell" 'one sample per cell' "$tmp/real-report/report.md"
grep_out "real run: scenario settings in the report" '^\| scenario settings \| repeat 1, duration 3 s, warmup 0 s, seed 1 \|$' "$tmp/real-report/report.md"
grep_out "real run: the scenario file as run" '^in_order = off, on$' "$tmp/real-report/report.md"
grep_out "real run: guest kernel release (vqlab writes kernel_release)" '^\| guest kernel debian:sid \| 7\.2\.13\+deb14-cloud-amd64, package 7\.2\.13-1 \|$' "$tmp/real-report/report.md"
grep_out "real run: a long accelerator reason is cut" 'all of it in run\.json' "$tmp/real-report/report.md"
grep_out "real run: QEMU package version in the facts" '^\| package qemu-system-x86 \| 1:10\.0\.2' "$tmp/real-report/report.md"
! grep -q "clocksource was not the TSC" "$tmp/real-report/report.md" &&
	ok "real run: no clocksource caveat (it predates guest.clocksource)" || bad "real run: a clocksource caveat"

# A guest that left the TSC (the clocksource watchdog switched it to the HPET):
# the report says which cell's samples, whatever the others recorded.
mkdir -p "$tmp/cs"
cp "$real/run.json" "$tmp/cs/"
jq -c 'if .cell == "c1" then .guest.clocksource = "hpet"
	elif .cell == "c0" then .guest.clocksource = "tsc" else . end' "$real/samples.jsonl" >"$tmp/cs/samples.jsonl"
expect_rc "a guest on the HPET: report" 0 "$V" -j report "$tmp/cs" -o "$tmp/cs-report"
grep_out "a guest on the HPET: the caveat names its cell and clocksource" \
	"^In 1 ok sample the guest's clocksource was not the TSC when it reported: c1: 1 \(hpet\)\. " "$tmp/cs-report/report.md"

finish

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqreport's verdicts are honest: A/A runs come out as "no change", a planted
# +5% effect is found, a +0.5% effect within the noise is not called, and
# regress's exit code says so. Results sets come from tests/data/gen-run.sh
# (deterministic: 2% CV noise around known means unless stated).
set -u
. "$(dirname "$0")/data/vqreport-test-lib.sh"

# --- A/A: two runs of the same configuration, 20 seed pairs.
aa_bad=0
for s in $(seq 1 20); do
	"$gen" "$tmp/aa-a" --seed "$s" >/dev/null
	"$gen" "$tmp/aa-b" --seed $((s + 100)) >/dev/null
	"$V" -j regress --baseline "$tmp/aa-a" --candidate "$tmp/aa-b" --threshold 3% >"$tmp/out" 2>"$tmp/err"
	rc=$?
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["counts"]; sys.exit(0 if c["regression"]+c["improvement"]+c["changed"]==0 and c["none"]==8 else 1)' "$tmp/out" || rc=9
	[ $rc = 0 ] || { aa_bad=$((aa_bad + 1)); echo "A/A seed $s: rc $rc"; }
done
[ $aa_bad = 0 ] && ok "A/A: 20 seed pairs, 8 metrics each, all 'no significant change', exit 0" || bad "A/A: $aa_bad of 20 seed pairs called a change"

# A/A inside one run: in_order=on identical to off.
"$gen" "$tmp/aa" --seed 7 >/dev/null
expect_rc "A/A by axis: compare --by in_order=off" 0 "$V" -j compare "$tmp/aa" --by in_order=off
jcheck "A/A by axis: every verdict 'none'" 'verdicts == ["none"] * 4'

# --- Calibration: 200 A/A pairs in one run (in_order has no effect), 400
# Welch p-values. Under no effect p is uniform: about 5% fall below 0.05
# (binomial sd 1.1%: accept 2-8%) and about half below 0.5 (accept 40-60%).
# With --threshold 0 exactly the p < 0.05 ones are called; with 3% none.
"$gen" "$tmp/cal" --seed 5 --axes "pair=$(seq -s, 1 200);in_order=off,on;workload=net-tx" >/dev/null
expect_rc "calibration: compare 200 A/A pairs" 0 "$V" -j compare "$tmp/cal" --by in_order=off --threshold 0
jcheck "calibration: 2-8% of 400 p-values below 0.05, 40-60% below 0.5" 'len(verdicts) == 400 and 0.02 <= sum(m["p"] < 0.05 for c in d["comparisons"] for m in c["metrics"]) / 400 <= 0.08 and 0.4 <= sum(m["p"] < 0.5 for c in d["comparisons"] for m in c["metrics"]) / 400 <= 0.6'
jcheck "calibration: threshold 0 calls exactly the p < 0.05 ones" 'd["counts"]["improvement"] + d["counts"]["regression"] == sum(m["p"] < 0.05 for c in d["comparisons"] for m in c["metrics"]) > 0'
expect_rc "calibration: compare with --threshold 3%" 0 "$V" -j compare "$tmp/cal" --by in_order=off --threshold 3%
jcheck "calibration: with a 3% threshold nothing is called" 'set(verdicts) == {"none"}'

# --- Planted +5% with 2% CV, n = 10 per cell: pps (higher is better) improves,
# ns_per_pkt (lower is better) regresses in all 4 cells.
"$gen" "$tmp/base" --seed 1 >/dev/null
"$gen" "$tmp/plus5" --seed 2 --effect ring=split:5 >/dev/null
expect_rc "planted +5%: regress exits 1" 1 "$V" regress --baseline "$tmp/base" --candidate "$tmp/plus5" --threshold 3%
grep_out "planted +5%: one reason line per regression (4)" '^regression: ns_per_pkt in .*workload=net-rx: [0-9]+ -> [0-9]+ ns \(\+[4-6]\.[0-9]+%, p(=0\.00[0-9]+|<0\.0001), alpha 0\.05, threshold 3%, lower is better\)$'
[ "$(grep -c '^regression: ' "$tmp/out")" = 4 ] && ok "planted +5%: exactly 4 regression lines" || bad "planted +5%: $(grep -c '^regression: ' "$tmp/out") regression lines, expected 4"
grep_out "planted +5%: text ends with FAIL" '^FAIL: 4 regression'
expect_rc "planted +5%: -j regress exits 1" 1 "$V" -j regress --baseline "$tmp/base" --candidate "$tmp/plus5" --threshold 3%
jcheck "planted +5%: JSON counts 4 regressions, 4 improvements" 'd["result"] == "regression" and d["counts"]["regression"] == 4 and d["counts"]["improvement"] == 4 and len(d["regressions"]) == 4'
jcheck "planted +5%: change within [2, 8]% (±3.4 sd of the estimate) and p < 0.01" 'all(2 < m["change_pct"] < 8 and m["p"] < 0.01 for c in d["comparisons"] for m in c["metrics"])'
# Same effect, but the threshold is above it: significant, not called.
expect_rc "planted +5% with --threshold 8%: exit 0" 0 "$V" regress --baseline "$tmp/base" --candidate "$tmp/plus5" --threshold 8%
grep_out "planted +5% with --threshold 8%: PASS" '^PASS: 0 regression'
# Swapped: the candidate is 5% slower in pps.
expect_rc "planted -5% (swapped runs): regress exits 1" 1 "$V" regress --baseline "$tmp/plus5" --candidate "$tmp/base"
grep_out "planted -5%: pps is the regression now" '^regression: pps in '

# The same comparison as a report section (md --baseline), with its summary.
expect_rc "md --baseline: report of two runs" 0 "$V" -j md "$tmp/plus5" --baseline "$tmp/base" --no-plots -o "$tmp/ba"
jcheck "md --baseline: first section compares the runs" '(d["sections"][0]["axis"], d["sections"][0]["base"]) == ("run", "base")'
grep_out "md --baseline: summary counts 4 regressions, 4 improvements" '^\| Against run base \(baseline\) \| 4 \| 4 \| 0 \| 0 \| 0 \| 0 \| 0 \|$' "$tmp/ba/report.md"
[ "$(grep -c '^| Against run base (baseline) | .* | regression |$' "$tmp/ba/report.md")" = 4 ] &&
	ok "md --baseline: the 4 regressions listed under 'Changes called'" || bad "md --baseline: called regressions not listed"
# Runs under different accelerators: compared, with a warning.
"$gen" "$tmp/kvm" --seed 2 --accel kvm >/dev/null
expect_rc "tcg vs kvm run: regress" 0 "$V" regress --baseline "$tmp/base" --candidate "$tmp/kvm"
grep_out "tcg vs kvm run: warns that the accelerator differs" 'Warning: the baseline ran under tcg and the candidate under kvm' "$tmp/err"

# --- A candidate whose guests fail is a regression even though failed
# samples are never averaged: 0/10 -> 10/10 failed is called (Fisher's
# exact test, p = 1/184756), 0/10 -> 1/10 is not (p = 0.5).
fl=()
for r in $(seq 0 9); do fl+=(--fail "c2:$r"); done
"$gen" "$tmp/fails" --seed 2 "${fl[@]}" --fail c1:3 >/dev/null
expect_rc "failing candidate: regress exits 1" 1 "$V" regress --baseline "$tmp/base" --candidate "$tmp/fails"
grep_out "failing candidate: one reason line for the failure rate" '^regression: in_order=on ring=split workload=net-tx: failed samples: 0/10 -> 10/10 \(Fisher.s exact test p<0\.0001, alpha 0\.05, threshold 3 points\): regression; candidate: guest did not reach /init within 60 s$'
[ "$(grep -c '^regression: ' "$tmp/out")" = 1 ] && ok "failing candidate: 1/10 failed is not called" || bad "failing candidate: $(grep -c '^regression: ' "$tmp/out") regression lines, expected 1"
expect_rc "failing candidate: md --baseline" 0 "$V" md "$tmp/fails" --baseline "$tmp/base" --no-plots -o "$tmp/fm"
grep_out "failing candidate: the summary calls the failure rate, +100 points" '| failed samples | 0/10 | 10/10 | +100 points | regression |$' "$tmp/fm/report.md"
expect_rc "failing candidate: -j" 1 "$V" -j regress --baseline "$tmp/base" --candidate "$tmp/fails"
jcheck "failing candidate: failures objects and counts" 'd["counts"]["failures_regression"] == 1 and [c["failures"]["candidate_failed"] for c in d["comparisons"]] == [0, 1, 10, 0] and abs(d["comparisons"][2]["failures"]["p_more"] - 1 / 184756) < 1e-12 and d["comparisons"][1]["failures"]["verdict"] == "none"'

# --- +0.5%: inside 2% CV noise, not called.
"$gen" "$tmp/plus05" --seed 3 --effect ring=split:0.5 >/dev/null
expect_rc "+0.5% within noise: regress exits 0" 0 "$V" -j regress --baseline "$tmp/base" --candidate "$tmp/plus05" --threshold 3%
jcheck "+0.5% within noise: no verdict but 'none'" 'set(verdicts) == {"none"} and d["result"] == "pass"'

# --- +5% buried in 20% CV noise with 3 samples: not significant, not called.
"$gen" "$tmp/noisy-a" --seed 4 --cv 20 --reps 3 >/dev/null
"$gen" "$tmp/noisy-b" --seed 5 --cv 20 --reps 3 --effect ring=split:5 >/dev/null
expect_rc "+5% in 20% CV noise, n=3: regress exits 0" 0 "$V" -j regress --baseline "$tmp/noisy-a" --candidate "$tmp/noisy-b" --threshold 3%
jcheck "+5% in 20% CV noise: p > 0.05 everywhere" 'all(m["p"] > 0.05 for c in d["comparisons"] for m in c["metrics"])'

# --- Planted effect along an axis of one run (the in-order pivot).
"$gen" "$tmp/io" --seed 8 --effect in_order=on:5 >/dev/null
expect_rc "compare --by in_order=off" 0 "$V" compare "$tmp/io" --by in_order=off
grep_out "pivot header: off | on | change" 'workload +metric +unit +off +on +change +p +verdict'
grep_out "pivot row: net-tx pps improvement" '^  net-tx +pps +packets/s .* \+[4-6]\.[0-9]+% .* improvement$'
grep_out "pivot row: net-rx ns_per_pkt regression" '^  net-rx +ns_per_pkt +ns .* regression$'
expect_rc "compare by axis, JSON" 0 "$V" -j compare "$tmp/io" --by in_order=off
jcheck "compare by axis: base off, candidate on, 4 verdicts called" 'd["axis"] == "in_order" and d["base"] == "off" and all(c["candidate"]["value"] == "on" for c in d["comparisons"]) and sorted(verdicts) == ["improvement"] * 2 + ["regression"] * 2'

# --- Queue sizes (numeric axis values) and three values of one axis.
"$gen" "$tmp/qs" --seed 9 --axes 'rx_queue_size=256,512,1024;in_order=off,on;workload=net-rx' --effect rx_queue_size=1024:6 >/dev/null
expect_rc "compare --by rx_queue_size=256" 0 "$V" -j compare "$tmp/qs" --by rx_queue_size=256
jcheck "queue size: 512 not called, 1024 called" 'all((m["verdict"] == "none") == (c["candidate"]["value"] == "512") for c in d["comparisons"] for m in c["metrics"])'

finish

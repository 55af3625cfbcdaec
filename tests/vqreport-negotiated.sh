#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A comparison never credits a feature that was not negotiated, and the
# report leads with the answer. Runs from tests/data/gen-run.sh with the
# negotiated bits each sample records (sample.guest.devices[]) set apart from
# the axis: Debian 6.12 with in_order = off, on never negotiates bit 35.
set -u
. "$(dirname "$0")/data/vqreport-test-lib.sh"

# negotiate RUN MODE: write guest.devices into every sample. never: bit 35
# in no sample; asked: as the in_order axis asks.
negotiate() {
	python3 - "$1/samples.jsonl" "$2" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
lines = []
for line in open(path):
    s = json.loads(line)
    on = s["axes"].get("in_order") == "on" and mode == "asked"
    s["guest"] = {"devices": [{"name": "virtio0", "in_order": on, "packed": False}]}
    lines.append(json.dumps(s))
open(path, "w").write("\n".join(lines) + "\n")
PY
}

# --- +5% planted on in_order=on, 10 reps: with the bits as asked it is found.
"$gen" "$tmp/asked" --seed 3 --effect in_order=on:5 >/dev/null
negotiate "$tmp/asked" asked
expect_rc "bits as asked: compare --by in_order=off" 0 "$V" -j compare "$tmp/asked" --by in_order=off
jcheck "bits as asked: the effect is called, nothing flagged" 'sorted(set(verdicts)) == ["improvement", "regression"] and d["not_negotiated"] == [] and all(c["candidate"]["negotiated"]["state"] == "all" and c["candidate"]["label"] == "on" for c in d["comparisons"])'

# --- The same numbers, bit 35 never negotiated: no verdict, said first.
"$gen" "$tmp/never" --seed 3 --effect in_order=on:5 >/dev/null
negotiate "$tmp/never" never
expect_rc "never negotiated: compare --by in_order=off" 0 "$V" -j compare "$tmp/never" --by in_order=off
jcheck "never negotiated: every verdict not_negotiated, counted" 'set(verdicts) == {"not_negotiated"} and d["counts"]["not_negotiated"] == 4 and d["counts"]["improvement"] + d["counts"]["regression"] == 0'
jcheck "never negotiated: a not_negotiated entry per pair, candidate side, 0 of 10" 'len(d["not_negotiated"]) == 2 and all(x["side"] == "candidate" and x["negotiated"]["negotiated"] == 0 and x["negotiated"]["known"] == 10 for x in d["not_negotiated"])'
jcheck "never negotiated: negotiated object per side, column labelled" 'all(c["baseline"]["negotiated"]["state"] == "none" and c["candidate"]["negotiated"]["state"] == "none" and c["candidate"]["label"] == "on (not negotiated)" for c in d["comparisons"])'
jcheck "never negotiated: the first warning says so" '"did not negotiate VIRTIO_F_IN_ORDER (bit 35)" in d["warnings"][0]'
expect_rc "never negotiated: text compare" 0 "$V" compare "$tmp/never" --by in_order=off
[ "$(head -c 15 "$tmp/out")" = "NOT NEGOTIATED:" ] && ok "text: the first line says not negotiated" || bad "text: first line is $(head -1 "$tmp/out")"
grep_out "text: the column is 'on (not negotiated)'" 'on \(not negotiated\)'
! grep -Eq '^ +net-.*(improvement|regression)' "$tmp/out" && ok "text: no verdict about in_order" || bad "text: a verdict was given"
grep_out "text: counted apart" '4 without a verdict \(feature not negotiated\)'

# --- The report: Answer first, and in it the not-negotiated pair first.
expect_rc "never negotiated: report -j" 0 "$V" -j report "$tmp/never" -o "$tmp/rep" --no-plots
jcheck "report -j: section in_order lists what was not negotiated" 'd["sections"][0]["axis"] == "in_order" and len(d["sections"][0]["not_negotiated"]) == 2 and {r["verdict"] for r in d["sections"][0]["answer"]["rows"]} == {"not_negotiated"}'
md=$tmp/rep/report.md
[ "$(grep -m1 '^## ' "$md")" = "## Answer" ] && ok "report.md: Answer is the first section" || bad "report.md: first section $(grep -m1 '^## ' "$md")"
answer=$(awk '/^## Answer/{a=1; next} /^## /{a=0} a' "$md")
nn=$(grep -n 'Not negotiated, so no verdict' <<<"$answer" | head -1 | cut -d: -f1)
tb=$(grep -n '^| workload' <<<"$answer" | head -1 | cut -d: -f1)
[ -n "$nn" ] && [ -n "$tb" ] && [ "$nn" -lt "$tb" ] && ok "report.md: 'not negotiated' before the Answer's table" || bad "report.md: not-negotiated line $nn, table $tb"
grep -q '^| workload | rate | in\\_order=off | in\\_order=on (not negotiated) |' <<<"$answer" && ok "report.md: the Answer's column is labelled by what was negotiated" || bad "report.md: Answer header: $(grep '^| workload' <<<"$answer")"
grep -q '^| net-tx | pps (packets/s) |.*| no verdict: feature not negotiated |$' <<<"$answer" && ok "report.md: the Answer row has no verdict" || bad "report.md: Answer row: $(grep '^| net-tx' <<<"$answer")"
grep -q '<h2>Answer</h2>' "$tmp/rep/report.html" && [ "$(grep -o '<h2>[^<]*</h2>' "$tmp/rep/report.html" | head -1)" = "<h2>Answer</h2>" ] && ok "report.html: Answer is the first section" || bad "report.html: first h2 $(grep -o '<h2>[^<]*</h2>' "$tmp/rep/report.html" | head -1)"

# --- n = 1 (the integration test's real run): repetitions, not "insufficient".
cp -r "$top/tests/data/vqlab-itest-run" "$tmp/itest"
expect_rc "n=1 run: report" 0 "$V" md "$tmp/itest" --no-plots
answer=$(awk '/^## Answer/{a=1; next} /^## /{a=0} a' "$tmp/itest/report/report.md")
grep -Eq 'Repeat each cell [0-9]+ times \(repeat = [0-9]+ in the scenario\)' <<<"$answer" && ok "n=1: the Answer says how many repetitions" || bad "n=1: no repetitions named"
! grep -q 'insufficient' <<<"$answer" && ok "n=1: no 'insufficient' in the Answer" || bad "n=1: 'insufficient' in the Answer"
grep -q 'tx\\_pps (packets/s)' <<<"$answer" && grep -q 'kicks / buffer' <<<"$answer" && ok "n=1: tx_pps with ring figures per buffer" || bad "n=1: rate or ring figures missing"
! grep -q 'xdp\\_pps' <<<"$(awk '/^## Answer/{a=1} /^## Per-cell/{a=0} a' "$tmp/itest/report/report.md")" && grep -q '^| xdp\\_pps |' "$tmp/itest/report/report.md" && ok "bookkeeping: xdp_pps out of the Answer and sections, in the appendix" || bad "bookkeeping: xdp_pps in a section or not in the appendix"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Results folders stay readable: a real committed run (tests/data/vqlab-itest-run,
# written by an older vqlab) and freshly generated ones go through
# `vqreport -j show`, and jq checks the document against the raw files: the
# cells in run.json's matrix order, per cell the ok/failed counts, and per
# metric its n, null count, mean, unit and direction, all recomputed from
# samples.jsonl. Then the reader's refusals: a sample line of an unknown schema
# is skipped and counted, a torn last line too, an unknown run.json schema
# refuses the whole folder (exit 1, {"error"} under -j).
# The C side of the same contract: tests/unit/results_contract.c.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
V=$O/vqreport
gen=$top/tests/data/gen-run.sh
[ -x "$V" ] || { echo "skip: $V not built (make)"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq needed to check JSON"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

ok() { printf 'ok    %s\n' "$1"; }
bad() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }

# The show document of DIR must agree with DIR's own files. jq recomputes
# every figure from samples.jsonl; vqreport's C reader is not consulted.
agree='
def close(a; b): (a - b) as $d | ($d * $d) <= 1e-18 * (a * a + b * b) + 1e-24;
def dir(b): if b == "higher" or b == "lower" then b else "unknown" end;
[$S[] | select((.schema // 1) == 1)] as $s | $D[0] as $d | ($R[0] // {}) as $r |
($d.schema == 1) and
($d.samples == ($s | length)) and
($d.ok == ([$s[] | select(.status == "ok")] | length)) and
($d.failed == ([$s[] | select(.status != "ok")] | length)) and
($d.failed_samples | length) == $d.failed and
(($r.matrix // []) | map(.cell)) == ([$d.cells[].cell][0:($r.matrix // []) | length]) and
(([$s[].cell] | unique) - [$d.cells[].cell]) == [] and
($d.run.id == ($r.id // $d.run.id)) and ($d.run.accel == $r.accel) and
($d.run.status == $r.status) and
all($d.cells[]; . as $c |
	[$s[] | select(.cell == $c.cell)] as $mine |
	[$mine[] | select(.status == "ok")] as $ok |
	$c.ok == ($ok | length) and $c.failed == (($mine | length) - ($ok | length)) and
	([$ok[] | .metrics // {} | keys[]] | unique) == ([$c.metrics[].name] | sort) and
	all($c.metrics[]; . as $m |
		[$ok[] | .metrics[$m.name] | select(. != null)] as $ms |
		[$ms[] | .value | select(type == "number")] as $v |
		$m.n == ($v | length) and $m.missing == (($ms | length) - ($v | length)) and
		all($ms[]; .unit == $m.unit and dir(.better) == $m.better) and
		(($v | length) == 0 or close($m.mean; ($v | add) / ($v | length)))))'

# show_agrees DESC DIR: vqreport -j show DIR exits 0 and agrees with DIR.
show_agrees() {
	local desc=$1 dir=$2 rc
	"$V" -j show "$dir" >"$tmp/show.json" 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] || { bad "$desc: show exit $rc: $(head -c 300 "$tmp/err")"; return; }
	echo '{}' >"$tmp/run.json"
	[ -f "$dir/run.json" ] && cp "$dir/run.json" "$tmp/run.json"
	if jq -e -n --slurpfile S "$dir/samples.jsonl" --slurpfile D "$tmp/show.json" \
		--slurpfile R "$tmp/run.json" "$agree" >/dev/null; then
		ok "$desc"
	else
		bad "$desc"
		head -c 600 "$tmp/show.json" | sed 's/^/      /'
		echo
	fi
}

# jcheck DESC JQ-EXPR: true of the last show document.
jcheck() {
	if jq -e "$2" "$tmp/show.json" >/dev/null; then ok "$1"; else bad "$1: $2"; fi
}

# --- A real run folder, committed, written by vqlab before the contract.
real=$top/tests/data/vqlab-itest-run
show_agrees "committed run: show agrees with its samples.jsonl and run.json" "$real"
jcheck "committed run: 4 matrix cells, 3 samples, c2 without any" \
	'(.cells | length) == 4 and .samples == 3 and
	 (.cells[] | select(.cell == "c2") | .ok == 0 and .metrics == [])'
jcheck "committed run: xdp_pps read with its unit and direction" \
	'[.cells[].metrics[] | select(.name == "xdp_pps") | .unit + " " + .better] |
	 length == 3 and unique == ["packets/s higher"]'
jcheck "committed run: nothing rejected, torn or warned about" \
	'.rejected_lines == 0 and .torn_lines == 0 and .warnings == []'
"$V" show "$real" >"$tmp/text" 2>&1 && grep -q '^cell c3 ' "$tmp/text" &&
	ok "committed run: text show lists its cells" || bad "committed run: text show"

# --- Fresh runs: failures, null metrics and a trace, with and without run.json.
"$gen" "$tmp/gen" --reps 4 --fail c1:0 --fail c3:2 --metric-null c0:2 --trace >/dev/null
show_agrees "generated run: show agrees with its samples.jsonl and run.json" "$tmp/gen"
jcheck "generated run: both failed samples listed with their reason" \
	'[.failed_samples[] | select(.reason | test("did not reach")) | "\(.cell):\(.rep)"] |
	 sort == ["c1:0", "c3:2"]'
jcheck "generated run: the null pps counted as missing, not averaged" \
	'.cells[] | select(.cell == "c0") | .metrics[] | select(.name == "pps") |
	 .n == 3 and .missing == 1'
"$gen" "$tmp/norun" --reps 3 --fail c2:1 --no-run-json >/dev/null
show_agrees "generated run without run.json: show agrees with its samples" "$tmp/norun"

# --- What the reader refuses.
cp -r "$tmp/gen" "$tmp/bad"
head -n 1 "$tmp/gen/samples.jsonl" |
	jq -c '.schema = 99 | .metrics.pps.value = 1e12' >>"$tmp/bad/samples.jsonl"
show_agrees "a sample of schema 99 is left out of every figure" "$tmp/bad"
jcheck "a sample of schema 99 is counted as rejected and warned about" \
	'.rejected_lines == 1 and any(.warnings[]; test("schema 99"))'
printf '{"schema":1,"cell":"c0","rep":9,"status":"ok"' >>"$tmp/bad/samples.jsonl"
"$V" -j show "$tmp/bad" >"$tmp/show.json" 2>/dev/null
jcheck "a torn last line is skipped and counted" '.torn_lines == 1 and .rejected_lines == 1'
jq '.schema = 99' "$tmp/gen/run.json" >"$tmp/bad/run.json"
"$V" -j show "$tmp/bad" >"$tmp/show.json" 2>/dev/null
rc=$?
[ $rc = 1 ] && jq -e '.error | test("schema")' "$tmp/show.json" >/dev/null &&
	ok "run.json of schema 99: refused, exit 1 with {\"error\"}" ||
	bad "run.json of schema 99: exit $rc, $(head -c 200 "$tmp/show.json")"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]

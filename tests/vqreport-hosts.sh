#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host as a blocking factor on real shards (docs/cluster.md): the 8
# shards of scenarios/smoke.ini --repeat 4 (one sample each, real guests,
# tests/data/smoke-shards/, made by `vqlab run --shard K/8`) are read as one
# set after rewriting shards' host name in run.json and in their samples, as
# another host would have written them:
#   - one host (as committed): every comparison independent, as always;
#   - reps 0-1 on node1, 2-3 on node2: paired by block, 4 pairs, 2 hosts;
#   - rep 1 split between the hosts (a block straddling two shards): within
#     host;
#   - in_order=off only on node1, on only on node2: no comparison, no
#     verdict, said first (-j, text, Markdown).
# No guest is booted.
set -u
. "$(dirname "$0")/data/vqreport-test-lib.sh"
R=$V
data=$top/tests/data/smoke-shards
command -v jq >/dev/null || { echo "skip: jq needed to check JSON"; exit 77; }

# fresh: a copy of the committed shards in $tmp/set/shard-K-of-8.
fresh() {
	rm -rf "$tmp/set"
	cp -r "$data" "$tmp/set"
}
# sethost K NAME: shard K as host NAME would have written it.
sethost() {
	local d=$tmp/set/shard-$1-of-8
	jq -c --arg h "$2" '.host.hostname = $h' "$d/run.json" >"$d/run.json.new" &&
		mv "$d/run.json.new" "$d/run.json"
	jq -c --arg h "$2" '.host = $h' "$d/samples.jsonl" >"$d/samples.new" &&
		mv "$d/samples.new" "$d/samples.jsonl"
}
# hosts_by EXPR: each shard's host from jq EXPR over its one sample.
hosts_by() {
	local k
	for k in 1 2 3 4 5 6 7 8; do
		sethost "$k" "$(jq -r "$1" "$tmp/set/shard-$k-of-8/samples.jsonl")"
	done
}
compare() {
	"$R" "$@" compare "$tmp"/set/shard-*-of-8 --by in_order=off
}
# jqcheck NAME JQ: the -j comparison satisfies JQ.
jqcheck() {
	if jq -e "$2" "$tmp/cmp.json" >/dev/null; then ok "$1"; else
		bad "$1: $(jq -c '[.design, [.comparisons[0].metrics[] | select(.name == "tx_pps")]]' "$tmp/cmp.json")"
	fi
}
tx='(.comparisons[0].metrics[] | select(.name == "tx_pps"))'

[ "$(ls -d "$data"/shard-*-of-8 | wc -l)" = 8 ] || { bad "tests/data/smoke-shards: 8 shards expected"; exit 1; }

# One host, as the shards were run: nothing changes.
fresh
compare -j >"$tmp/cmp.json" || bad "vqreport -j compare of the 8 shards failed"
jqcheck "one host: every metric independent (Welch), n = 4 a side" \
	"([.comparisons[].metrics[].design] | unique == [\"independent\"]) and $tx.baseline.n == 4 and $tx.candidate.n == 4 and (.design.text == null) and .cross_host == []"
p1=$(jq "$tx.p" "$tmp/cmp.json")

# Two hosts, whole blocks each: paired by block.
fresh
hosts_by 'if .rep < 2 then "node1" else "node2" end'
compare -j >"$tmp/cmp.json" || bad "vqreport -j compare, reps 0-1 on node1, 2-3 on node2"
jqcheck "two hosts, whole blocks: paired by block, 4 pairs on node1 and node2" \
	"$tx.design == \"paired-by-block\" and $tx.pairs == 4 and $tx.hosts == [\"node1\", \"node2\"] and $tx.df == 3 and .comparisons[0].design == \"paired-by-block\""
jqcheck "two hosts: the item counts each side's samples per host, the model says the design" \
	'.comparisons[0].hosts == {"baseline": {"node1": 2, "node2": 2}, "candidate": {"node1": 2, "node2": 2}} and .design.hosts == ["node1", "node2"] and (.design.text | test("^Samples from 2 hosts \\(node1, node2\\): a change is measured within a host, never across hosts: 1 comparison\\(s\\) paired by block"))'
p2=$(jq "$tx.p" "$tmp/cmp.json")
[ "$p1" != "$p2" ] && ok "the paired p ($p2) is not the pooled one ($p1)" ||
	bad "paired and pooled p are the same ($p1)"
compare >"$tmp/text" 2>&1
grep -q '^Samples from 2 hosts (node1, node2): a change is measured within a host' "$tmp/text" &&
	ok "text: the design is said" || bad "text: no design line: $(tail -n 5 "$tmp/text")"

# Rep 1 split: c1 rep 1 on node2, c0 rep 1 on node1 (N not dividing R).
fresh
hosts_by 'if .rep < 1 or (.rep == 1 and .cell == "c0") then "node1" else "node2" end'
compare -j >"$tmp/cmp.json" || bad "vqreport -j compare, rep 1 split between the hosts"
jqcheck "a block split between hosts: within host, no value left out, df = 8 - 4" \
	"$tx.design == \"within-host\" and $tx.hosts == [\"node1\", \"node2\"] and $tx.excluded == 0 and $tx.df == 4 and (has(\"pairs\") | not)"

# The two cells on different hosts: not compared.
fresh
hosts_by 'if .cell == "c0" then "node1" else "node2" end'
compare -j >"$tmp/cmp.json" || bad "vqreport -j compare, in_order=off on node1, on on node2"
n=$(jq '.comparisons[0].metrics | length' "$tmp/cmp.json")
jqcheck "cells on different hosts: no verdict for any of the $n metrics, no p, counted" \
	"[.comparisons[0].metrics[].verdict] | unique == [\"cross_host\"]"
jqcheck "cells on different hosts: said first, in the item and the warnings" \
	".comparisons[0].cross_host == \"cells measured on different hosts (node1 vs node2): not compared across hosts\" and (.warnings[0] | test(\"cells measured on different hosts \\\\(node1 vs node2\\\\)\")) and .counts.cross_host == $n and $tx.p == null and .comparisons[0].design == \"cross-host\" and .comparisons[0].failures.verdict == \"cross_host\""
compare >"$tmp/text" 2>"$tmp/err"
grep -q '^Warning: cell c1 (in_order=on) against c0 (in_order=off): cells measured on different hosts (node1 vs node2): not compared across hosts' "$tmp/err" &&
	grep -q 'no verdict: measured on different hosts' "$tmp/text" &&
	grep -q "$n without a verdict (measured on different hosts)" "$tmp/text" &&
	ok "text: warned first, no verdict in the table, counted" ||
	bad "text: $(head -n 3 "$tmp/err") / $(tail -n 2 "$tmp/text")"
"$R" md "$tmp"/set/shard-*-of-8 --by in_order=off --no-plots -o "$tmp/md" >/dev/null 2>&1
grep -qF 'Measured on different hosts, so no verdict: cell c1 (in\_order=on) against c0 (in\_order=off): cells measured on different hosts (node1 vs node2)' "$tmp/md/report.md" &&
	ok "report.md: the Answer says the cells were not compared across hosts" ||
	bad "report.md: no cross-host sentence ($(ls "$tmp/md" 2>&1))"

[ "$failures" = 0 ]

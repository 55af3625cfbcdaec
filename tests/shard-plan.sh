#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `vqlab plan --shard K/N` (docs/cluster.md), no guests needed: for N = 1..4
# the shards' (cell, rep) pairs together cover every runnable sample of the
# matrix exactly once, each shard is non-empty when there are at least N
# samples, sizes differ by at most one, and every shard names the same matrix
# id. Plan without --shard shows no shard. Bad specs and --shard with
# --resume are usage errors (exit 2) with one error line.
# A shard that owns no sample exits 0 at once with a complete, empty folder
# the merge accepts (root and libvirtd: vqlab run's checks; still no guest).
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
V=$O/vqlab
sc=$top/scenarios/inorder-net.ini
[ -x "$V" ] || { echo "skip: $V not built (make)"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq needed to check JSON"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok() { printf 'ok    %s\n' "$1"; }
bad() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }

"$V" -j plan "$sc" >"$tmp/whole.json" || { bad "vqlab -j plan $sc"; exit 1; }
jq -e 'has("shard") | not' "$tmp/whole.json" >/dev/null &&
	ok "plan without --shard has no shard" || bad "plan without --shard shows a shard"
# Every runnable (cell, rep) pair, as "cell rep" lines.
jq -r '.repeat as $r | .cells[] | select(.skipped == null) | .cell as $c |
	range($r) | "\($c) \(.)"' "$tmp/whole.json" | sort >"$tmp/all"
total=$(jq .samples "$tmp/whole.json")
[ "$(wc -l <"$tmp/all")" = "$total" ] && [ "$total" -gt 0 ] ||
	bad "the matrix: $(wc -l <"$tmp/all") runnable pairs, plan says $total samples"

for n in 1 2 3 4; do
	: >"$tmp/union"
	: >"$tmp/ids"
	sizes=()
	for k in $(seq "$n"); do
		if ! "$V" -j plan "$sc" --shard "$k/$n" >"$tmp/s.json"; then
			bad "plan --shard $k/$n failed"
			continue
		fi
		jq -r '.shard.owned[] | "\(.cell) \(.rep)"' "$tmp/s.json" >>"$tmp/union"
		jq -r .shard.matrix "$tmp/s.json" >>"$tmp/ids"
		jq -e --argjson k "$k" --argjson n "$n" '.shard.k == $k and .shard.n == $n and
			.shard.samples == (.shard.owned | length)' "$tmp/s.json" >/dev/null ||
			bad "plan --shard $k/$n: shard k, n or samples wrong: $(jq -c '.shard | del(.owned)' "$tmp/s.json")"
		sizes+=("$(jq '.shard.samples' "$tmp/s.json")")
	done
	if sort "$tmp/union" | cmp -s - "$tmp/all"; then
		ok "N=$n: the shards cover all $total samples exactly once"
	else
		bad "N=$n: the union of the shards is not every sample once ($(wc -l <"$tmp/union") pairs, $(sort "$tmp/union" | uniq -d | wc -l) twice)"
	fi
	min=$(printf '%s\n' "${sizes[@]}" | sort -n | head -n 1)
	max=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -n 1)
	[ "$total" -lt "$n" ] || [ "$min" -gt 0 ] || bad "N=$n: an empty shard (sizes ${sizes[*]})"
	[ $((max - min)) -le 1 ] || bad "N=$n: unbalanced shards (sizes ${sizes[*]})"
	[ "$(sort -u "$tmp/ids" | wc -l)" = 1 ] && grep -qE '^[0-9a-f]{16}$' "$tmp/ids" &&
		ok "N=$n: sizes ${sizes[*]}, one matrix id $(head -n 1 "$tmp/ids")" ||
		bad "N=$n: matrix ids differ or are malformed: $(sort -u "$tmp/ids" | tr '\n' ' ')"
done

# The matrix id follows the settings that decide the samples.
a=$("$V" -j plan "$sc" --shard 1/2 | jq -r .shard.matrix)
b=$("$V" -j plan "$sc" --shard 1/2 --duration 3 | jq -r .shard.matrix)
[ -n "$a" ] && [ "$a" != "$b" ] && ok "another --duration, another matrix id" ||
	bad "--duration does not change the matrix id ($a, $b)"

# The text names the shard and its part of the matrix.
"$V" plan "$sc" --shard 2/4 >"$tmp/text" 2>&1
grep -qE "^shard 2/4 of matrix $a: [0-9]+ of $total samples" "$tmp/text" &&
	ok "plan --shard 2/4 (text) names the shard and its samples" ||
	bad "plan --shard 2/4 text: $(cat "$tmp/text")"

# usage_error ARGS...: exit 2, one "Error:" line on stderr, one {"error"} under -j.
usage_error() {
	local rc
	"$V" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(grep -c '^Error: ' "$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ]; then
		"$V" -j "$@" >"$tmp/out" 2>/dev/null
		rc=$?
		[ $rc = 2 ] && [ "$(wc -l <"$tmp/out")" = 1 ] && jq -e .error "$tmp/out" >/dev/null &&
			{ ok "vqlab $*: exit 2, $(grep '^Error: ' "$tmp/err")"; return; }
	fi
	bad "vqlab $*: exit $rc, stdout '$(cat "$tmp/out")', stderr '$(cat "$tmp/err")'"
}
for spec in 0/2 3/2 a/b 1/0 1/2x /2 1/ 1001/1001 +1/2 " 1/2"; do
	usage_error plan "$sc" --shard "$spec"
done
usage_error run "$sc" --shard 3/2
usage_error run --resume "$tmp" --shard 1/2
usage_error run --shard 1/2 --resume "$tmp"

# A shard that owns no sample (2 samples in 5 shards: 1, 2 and 4 are empty)
# boots nothing, exits 0 at once and still leaves a complete folder with an
# empty samples.jsonl, which the merge takes as a shard of the set: three
# empty shards fail only for the shards missing. Needs root and libvirtd
# (vqlab run's own checks), no guest.
R=$O/vqreport
if [ "$(id -u)" = 0 ] && virsh -c qemu:///system version >/dev/null 2>&1 && [ -x "$R" ]; then
	smoke=$top/scenarios/smoke.ini
	for k in 1 2 4; do
		start=$SECONDS
		"$V" run "$smoke" --repeat 1 --shard "$k/5" -o "$tmp/empty-$k" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		d=$(ls -d "$tmp/empty-$k"/*/ 2>/dev/null | head -n 1)
		if [ $rc = 0 ] && [ -n "$d" ] && [ $((SECONDS - start)) -lt 30 ] &&
			grep -q "^shard $k/5 of matrix [0-9a-f]\{16\} owns none of the 2 samples: nothing to run" "$tmp/err" &&
			[ -f "$d/samples.jsonl" ] && [ ! -s "$d/samples.jsonl" ] && [ ! -e "$d/cells" ] &&
			jq -e --argjson k "$k" '.status == "complete" and .shard.k == $k and .shard.n == 5 and
				.accel == null and (.matrix | length) == 2' "$d/run.json" >/dev/null; then
			ok "empty shard $k/5: exit 0 in $((SECONDS - start)) s, no guest, a complete folder with no sample"
		else
			bad "empty shard $k/5: exit $rc, folder '$d', stderr: $(cat "$tmp/err")"
		fi
	done
	"$R" -j show "$tmp"/empty-1/*/ | jq -e '.samples == 0' >/dev/null &&
		ok "vqreport reads an empty shard: 0 samples" || bad "vqreport -j show of an empty shard"
	err=$("$R" show "$tmp"/empty-1/*/ "$tmp"/empty-2/*/ "$tmp"/empty-4/*/ 2>&1 >/dev/null)
	[[ $err == *"shard 3/5 of matrix "*" is missing (3 of 5 given)"* ]] &&
		ok "the merge takes the empty shards as shards of the set (only 3/5 and 5/5 are missing)" ||
		bad "merge of the empty shards: $err"
	"$V" run --resume "$(ls -d "$tmp"/empty-1/*/)" >"$tmp/out" 2>"$tmp/err" &&
		grep -q 'owns none of the 2 samples' "$tmp/err" &&
		ok "--resume of an empty shard: exit 0, nothing to run" ||
		bad "--resume of an empty shard: $(cat "$tmp/err")"
else
	echo "note: not root, no libvirtd or no $R: the empty shard is not run"
fi

[ "$failures" = 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# icount-matrix.sh OUTDIR
# The worked answer of docs/icount.md: ring instructions per TX packet for
# in_order off/on x split/packed on Debian's 7.x kernel, 6.12 vs 7.x, and
# retpoline on vs spectre_v2=off. Two runs at a time (2 cores); prints a
# Markdown table and writes OUTDIR/matrix.jsonl (one summary per cell).
# Env: ICOUNT_PING (default 40 echo requests), ICOUNT_TX (default 20000
# pktgen packets), ICOUNT_REPS (default 2 runs of each ping cell).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: icount-matrix.sh OUTDIR}
k7=/var/cache/vqlab/kernels/debian-sid/current
k6=/var/cache/vqlab/kernels/debian-bookworm-backports/current
ping=${ICOUNT_PING:-40} tx=${ICOUNT_TX:-20000} reps=${ICOUNT_REPS:-2}
mkdir -p "$out"

cells=() # name|kernel|job|count|device|append
for r in $(seq "$reps"); do
	for k in 7:$k7 6:$k6; do
		for d in in_order=off in_order=on packed=on,in_order=off packed=on,in_order=on; do
			cells+=("k${k%%:*}-ping-${d//[=,]/_}-r$r|${k#*:}|icount-ping|$ping|$d|")
		done
		cells+=("k${k%%:*}-ping-in_order_on-nospec-r$r|${k#*:}|icount-ping|$ping|in_order=on|spectre_v2=off")
	done
done
for k in 7:$k7 6:$k6; do
	for d in in_order=off in_order=on packed=on,in_order=off packed=on,in_order=on; do
		cells+=("k${k%%:*}-tx-${d//[=,]/_}|${k#*:}|icount-tx|$tx|$d|")
	done
done

# Take each kernel's kallsyms once, before the parallel runs.
for k in "$k7" "$k6"; do
	"$top/plugin/icount-run.sh" -k "$k" -c 1 "$out/warm-$(basename "$(readlink -f "$k")")" >/dev/null
done
printf '%s\n' "${cells[@]}" | xargs -P 2 -I{} bash -c '
	IFS="|" read -r name k job n d a <<<"{}"
	if "$0/plugin/icount-run.sh" -k "$k" -j "$job" -c "$n" -d "$d" ${a:+-a "$a"} "$1/$name" 2>"$1/$name.err"; then
		jq -c --arg name "$name" "{name: \$name} + del(.phase)" "$1/$name/summary.json" >>"$1/matrix.jsonl"
	else
		echo "cell $name failed: $(tail -n 2 "$1/$name.err")" >&2
	fi' "$top" "$out"

# Table: one row per cell; in_order negotiated = feature bit 35.
echo "| cell | kernel | negotiated in_order | spectre_v2 | ring insns/pkt | add | get | kick | cb | thunk calls/pkt | indirect calls/pkt | thunk entries/pkt |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
jq -rs 'sort_by(.name)[] | "| \(.name) | \(.kernel_release | split("+")[0]) | \(.negotiated[35:36]) | \(.spectre_v2 | split(";")[0]) | \(.per_packet.ring.insns) | \(.per_packet.ring_add.insns) | \(.per_packet.ring_get.insns) | \(.per_packet.ring_kick.insns) | \(.per_packet.ring_cb.insns) | \(.per_packet.ring.thunk_calls) | \(.per_packet.ring.indirect_calls) | \(.per_packet.thunk_indirect.entries) |"' "$out/matrix.jsonl"

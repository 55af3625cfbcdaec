#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Deterministic synthetic results folder (docs/results.md, schema 1) for the
# vqreport tests: a full matrix of the given axes, N interleaved repetitions,
# normally distributed metrics with a known mean and coefficient of variation,
# and planted effects. The noise comes from a Park-Miller generator written
# out in awk, so the same arguments give the same numbers on any awk.
#
# Usage: gen-run.sh DIR [--id ID] [--seed N] [--reps N] [--cv PCT]
#          [--axes 'in_order=off,on;ring=split;workload=net-tx,net-rx']
#          [--effect AXIS=VALUE:PCT]... [--fail CELL:REP]... [--trace]
#          [--metric-null CELL:REP] [--accel tcg|kvm] [--no-run-json]
# --trace adds a vqtrace summary (docs/vqtrace.md layout: queues[] with
# dev_name, device, name and log2 histograms latency_ns, gets_per_interrupt).
# Metrics: pps (packets/s, higher is better, mean 40000 for net-tx and 30000
# otherwise) and ns_per_pkt (ns, lower is better, mean 2500). An effect
# multiplies both by (1 + PCT/100) in the matching cells: pps improves and
# ns_per_pkt regresses by the same percentage.
set -euo pipefail

dir=$1
shift
id=$(basename "$dir") seed=1 reps=10 cv=2 accel=tcg trace=0 runjson=1
axes='in_order=off,on;ring=split;workload=net-tx,net-rx'
effects='' fails='' nulls=''
while [ $# -gt 0 ]; do
	case $1 in
	--id) id=$2; shift ;;
	--seed) seed=$2; shift ;;
	--reps) reps=$2; shift ;;
	--cv) cv=$2; shift ;;
	--axes) axes=$2; shift ;;
	--effect) effects="$effects $2"; shift ;;
	--fail) fails="$fails $2"; shift ;;
	--metric-null) nulls="$nulls $2"; shift ;;
	--accel) accel=$2; shift ;;
	--trace) trace=1 ;;
	--no-run-json) runjson=0 ;;
	*) echo "gen-run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$dir"
rm -f "$dir/samples.jsonl" "$dir/run.json"
: >"$dir/samples.jsonl"

awk -v dir="$dir" -v id="$id" -v seed="$seed" -v reps="$reps" -v cv="$cv" \
    -v axes="$axes" -v effects="$effects" -v fails="$fails" -v nulls="$nulls" \
    -v accel="$accel" -v trace="$trace" -v runjson="$runjson" '
function rnd() {	# Park-Miller: products stay below 2^53, exact in doubles
	state = (state * 16807) % 2147483647
	return state / 2147483647
}
function gauss(   u1, u2) {
	u1 = rnd(); u2 = rnd()
	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
}
function jv(v) { return v ~ /^[0-9]+$/ ? v : "\"" v "\"" }
function axes_json(c,   j, s) {
	s = "{"
	for (j = 1; j <= na; j++)
		s = s (j > 1 ? "," : "") "\"" aname[j] "\":" jv(cellval[c, j])
	return s "}"
}
function hist(center, total,   i, s, w) {
	s = "["
	for (i = 0; i < 24; i++) {
		w = int(total * exp(-(i - center) * (i - center) / 2) / 2.5066 + 0.5)
		s = s (i ? "," : "") w
	}
	return s "]"
}
BEGIN {
	state = seed * 7919 % 2147483647
	if (state == 0) state = 1
	na = split(axes, parts, ";")
	ncells = 1
	for (j = 1; j <= na; j++) {
		split(parts[j], kv, "=")
		aname[j] = kv[1]
		nv[j] = split(kv[2], tmp, ",")
		for (k = 1; k <= nv[j]; k++) aval[j, k] = tmp[k]
		ncells *= nv[j]
	}
	for (c = 0; c < ncells; c++) {
		r = c
		for (j = na; j >= 1; j--) {
			cellval[c, j] = aval[j, r % nv[j] + 1]
			r = int(r / nv[j])
		}
		mult[c] = 1
		ne = split(effects, ef, " ")
		for (e = 1; e <= ne; e++) {
			split(ef[e], ep, ":"); split(ep[1], eav, "=")
			for (j = 1; j <= na; j++)
				if (aname[j] == eav[1] && cellval[c, j] == eav[2])
					mult[c] *= 1 + ep[2] / 100
		}
		base[c] = 30000
		inorder[c] = 0
		for (j = 1; j <= na; j++) {
			if (aname[j] == "workload" && cellval[c, j] == "net-tx") base[c] = 40000
			if (aname[j] == "in_order" && cellval[c, j] == "on") inorder[c] = 1
		}
	}
	nf = split(fails, fl, " "); for (e = 1; e <= nf; e++) failed[fl[e]] = 1
	nn = split(nulls, nl, " "); for (e = 1; e <= nn; e++) isnull[nl[e]] = 1
	out = dir "/samples.jsonl"
	for (rep = 0; rep < reps; rep++) {
		for (c = 0; c < ncells; c++) {
			cid = "c" c
			line = "{\"schema\":1,\"run\":\"" id "\",\"cell\":\"" cid "\",\"rep\":" rep \
			       ",\"axes\":" axes_json(c)
			pps = base[c] * mult[c] * (1 + cv / 100 * gauss())
			ns = 2500 * mult[c] * (1 + cv / 100 * gauss())
			if ((cid ":" rep) in failed) {
				line = line ",\"status\":\"failed\",\"reason\":\"guest did not reach /init within 60 s\",\"metrics\":{}}"
				print line > out
				continue
			}
			line = line ",\"status\":\"ok\",\"reason\":null,\"wall_s\":14.2,\"metrics\":{" \
			       "\"pps\":{\"value\":" (((cid ":" rep) in isnull) ? "null" : sprintf("%.3f", pps)) \
			       ",\"unit\":\"packets/s\",\"better\":\"higher\"}," \
			       "\"ns_per_pkt\":{\"value\":" sprintf("%.3f", ns) ",\"unit\":\"ns\",\"better\":\"lower\"}}"
			if (trace)
				line = line ",\"trace\":{\"schema\":1,\"duration_s\":10,\"queues\":[" \
				       "{\"dev\":0,\"dev_name\":\"virtio0\",\"device\":\"net\",\"name\":\"output.0\",\"vq\":1," \
				       "\"adds\":" int(pps * 10) ",\"gets\":" int(pps * 10) \
				       ",\"latency_ns\":{\"count\":1000,\"sum\":5000000,\"log2\":" hist(12.5 - inorder[c], 1000) "}" \
				       ",\"kick_prepare\":{\"notify\":10,\"suppressed\":5}" \
				       ",\"gets_per_interrupt\":{\"log2\":" hist(2 + inorder[c], 200) "}}," \
				       "{\"dev\":0,\"dev_name\":\"virtio0\",\"device\":\"net\",\"name\":\"input.0\",\"vq\":0," \
				       "\"adds\":" int(pps * 5) ",\"gets\":" int(pps * 5) \
				       ",\"latency_ns\":{\"count\":500,\"sum\":9000000,\"log2\":" hist(14 - inorder[c] / 2, 500) "}}]}"
			print line "}" > out
		}
	}
	close(out)
	if (!runjson) exit
	out = dir "/run.json"
	printf "{\"schema\":1,\"id\":\"%s\",\"scenario\":{\"file\":\"tests/data/gen-run.sh\",\"name\":\"synthetic\",\"description\":\"synthetic results, seed %d\"},", id, seed > out
	printf "\"host\":{\"hostname\":\"testhost\",\"kernel\":\"6.18.44\",\"cpus\":2,\"memory_mib\":24000},\"versions\":{\"vqlab\":\"test\",\"qemu\":\"10.0.2\",\"libvirt\":\"11.3.0\"}," > out
	printf "\"accel\":\"%s\",\"accel_reason\":\"synthetic\",\"kernels\":{\"debian:sid\":{\"release\":\"7.2.13+deb14-cloud-amd64\"}},", accel > out
	printf "\"started\":\"2026-11-21T13:00:00Z\",\"ended\":\"2026-11-21T13:05:00Z\",\"status\":\"complete\",\"matrix\":[" > out
	for (c = 0; c < ncells; c++)
		printf "%s{\"cell\":\"c%d\",\"axes\":%s}", (c ? "," : ""), c, axes_json(c) > out
	printf "],\"skipped\":[]}\n" > out
}'

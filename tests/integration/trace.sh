# SPDX-License-Identifier: GPL-2.0
# The trace axis in real guests: trace=full attaches every vqtrace program,
# core only the adds and gets, off none, and the rate is measured in every
# cell (for rate cells that must not pay the tracer's cost, docs/vqtrace.md).
. "$(dirname "$0")/lib.bash"

cat >"$work/trace.ini" <<'INI'
[scenario]
name = trace
duration = 3
[axes]
workload = net-tx
trace = full, core, off
INI
"$VQLAB" -j run "$work/trace.ini" -o "$work/runs" >"$work/summary.json" || fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jqs "$run" 'length == 3 and all(.status == "ok")' >/dev/null || fail "expected 3 ok samples"
ok "3 samples, all ok"

jqs "$run" 'all(.axes.trace as $t |
	if $t == "off" then .trace == null
	else .trace.mode == $t and (.trace.programs | index("virtqueue_add_outbuf")) and
		((.trace.programs | index("virtqueue_notify")) != null) == ($t == "full") end)' >/dev/null || {
	jqs "$run" '.[] | [.axes.trace, .trace.mode?, (.trace.programs? | length)]'
	fail "the tracer does not follow the trace axis"
}
ok "trace=full attaches every program, core the adds and gets, off none"

# The XDP sink counts what pktgen sent in every cell, traced or not; where
# traced, the adds on output.0 are pktgen's packets.
jqs "$run" 'all(.metrics.pktgen_packets.value > 1000 and
	(.metrics.xdp_packets.value - .metrics.pktgen_packets.value) as $d | $d >= 0 and $d <= 8)' \
	>/dev/null || fail "XDP sink count differs from pktgen's count"
jqs "$run" 'all(select(.trace) | .metrics.pktgen_packets.value as $p |
	(.trace.queues[] | select(.name == "output.0") | .adds) as $a | $a >= $p and $a - $p <= 8)' \
	>/dev/null || fail "tracer adds on output.0 disagree with pktgen's packets"
ok "pktgen == XDP sink in every cell; == the tracer's adds where traced"
jq -r -s '.[] | "  trace=\(.axes.trace): \(.metrics.tx_pps.value) packets/s"' "$run/samples.jsonl"
check_no_leftovers "a trace-axis run"

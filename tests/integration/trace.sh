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

# The XDP sink counts what pktgen sent in every cell, traced or not.
check_pktgen_counts "$run"
ok "pktgen == XDP sink in every cell; == the tracer's adds where traced"
jq -r -s '.[] | "  trace=\(.axes.trace): \(.metrics.tx_pps.value) packets/s"' "$run/samples.jsonl"
check_no_leftovers "a trace-axis run"

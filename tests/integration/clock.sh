# SPDX-License-Identifier: GPL-2.0
# clock = icount end to end (docs/clock.md): the sample runs with QEMU's
# -icount shift=0, and run.json and the sample record the clock it ran with.
. "$(dirname "$0")/lib.bash"

cat >"$work/clock.ini" <<'INI'
[scenario]
name = itest-clock
duration = 1
clock = icount
[axes]
kernel = debian:sid
workload = net-tx
accel = tcg
INI
"$VQLAB" -j run "$work/clock.ini" -o "$work/runs" >"$work/summary.json" ||
	fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jq -e '.scenario.clock == "icount" and all(.matrix[]; .axes.clock == "icount")' \
	"$run/run.json" >/dev/null || fail "run.json does not record clock = icount"
ok "run.json: scenario.clock and every cell's axes say icount"
jqs "$run" 'length == 1 and all(.status == "ok" and .axes.clock == "icount")' >/dev/null ||
	fail "expected one ok sample whose axes say clock=icount"
grep -q -- '-icount shift=0' "$run/cells/c0/0/qemu.log" ||
	fail "QEMU did not run with -icount shift=0: $(grep -m1 qemu-system "$run/cells/c0/0/qemu.log")"
ok "the sample ran under -icount shift=0 and records it"
# The guest's window is 1 s of its own clock: a billion instructions, which
# TCG under icount executes in more than 1 s of host time.
jqs "$run" '.[0].metrics.pktgen_usec.value | . > 0.9e6 and . < 1.5e6' >/dev/null ||
	fail "pktgen's window is not about 1 s of guest time"
ok "pktgen measured about 1 s of guest (instruction) time"
check_no_leftovers "a clock = icount run"

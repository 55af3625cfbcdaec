# SPDX-License-Identifier: GPL-2.0
# clock = icount end to end (docs/clock.md): the samples run with QEMU's
# -icount and the tap NIC's TX on the virtual clock, run.json and the samples
# record it, and two repetitions of net-tx give the same rate: the guest's
# instructions alone decide it.
. "$(dirname "$0")/lib.bash"

cat >"$work/clock.ini" <<'INI'
[scenario]
name = itest-clock
duration = 1
repeat = 2
clock = icount
[axes]
kernel = debian:sid
workload = net-tx
accel = tcg
INI
# plan: an icount sample is estimated longer than a wall-clock one
"$VQLAB" -j plan "$work/clock.ini" >"$work/plan-icount.json" || fail "plan exited $?"
sed 's/^clock = icount/clock = wall/' "$work/clock.ini" >"$work/wall.ini"
"$VQLAB" -j plan "$work/wall.ini" >"$work/plan-wall.json" || fail "plan (wall) exited $?"
jq -e -s '.[0].sample_estimate_s > 1.5 * .[1].sample_estimate_s' \
	"$work/plan-icount.json" "$work/plan-wall.json" >/dev/null ||
	fail "plan does not estimate an icount sample longer: $(jq -c -s 'map(.sample_estimate_s)' \
		"$work/plan-icount.json" "$work/plan-wall.json")"
ok "plan: an icount sample is estimated longer than a wall-clock one"

"$VQLAB" -j run "$work/clock.ini" -o "$work/runs" >"$work/summary.json" ||
	fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jq -e '.scenario.clock == "icount" and all(.matrix[]; .axes.clock == "icount")' \
	"$run/run.json" >/dev/null || fail "run.json does not record clock = icount"
opts=$(jq -r '.scenario.clock_icount.icount // empty' "$run/run.json")
jq -e '.scenario.clock_icount | .net_txmode == "timer" and .net_ioeventfd == "off"' \
	"$run/run.json" >/dev/null || fail "run.json does not record the NIC's settings"
[ -n "$opts" ] || fail "run.json does not record -icount's options"
ok "run.json: clock icount in every cell, with -icount $opts and the NIC's tx=timer"
jqs "$run" 'length == 2 and all(.status == "ok" and .axes.clock == "icount")' >/dev/null ||
	fail "expected two ok samples whose axes say clock=icount"
for rep in 0 1; do
	log=$run/cells/c0/$rep/qemu.log
	grep -q -- "-icount $opts" "$log" ||
		fail "QEMU did not run with -icount $opts: $(grep -m1 qemu-system "$log")"
	grep -q '"driver":"virtio-net-pci".*"tx":"timer","ioeventfd":false' "$log" ||
		fail "the NIC's TX is not on the virtual clock: $(grep -o '"driver":"virtio-net-pci[^}]*' "$log")"
done
ok "both samples ran under -icount $opts with the NIC's tx=timer, ioeventfd=off"
# The guest's window is 1 s of its own clock: a billion instructions, which
# TCG under icount executes in more than 1 s of host time.
jqs "$run" 'all(.metrics.pktgen_usec.value | . > 0.9e6 and . < 1.5e6)' >/dev/null ||
	fail "pktgen's window is not about 1 s of guest time"
ok "pktgen measured about 1 s of guest (instruction) time"
# The point of it: the same guest work gives the same rate, whatever the host
# did meanwhile (measured: CV 0.003 % over 5 reps, docs/clock.md).
jqs "$run" '[.[].metrics.tx_pps.value] | (max - min) / max < 0.002' >/dev/null ||
	fail "tx_pps differs by more than 0.2 % between two repetitions: $(jq -s -c '[.[].metrics.tx_pps.value]' "$run/samples.jsonl")"
ok "two repetitions: tx_pps $(jq -s -r '[.[].metrics.tx_pps.value] | map(tostring) | join(" and ")' "$run/samples.jsonl")"
check_no_leftovers "a clock = icount run"

# SPDX-License-Identifier: GPL-2.0
# Every workload once through the runner, with a warm-up (so net-rx's
# handshake runs twice), and each one's counts cross-checked between the
# guest, the tracer and the host side.
. "$(dirname "$0")/lib.bash"
command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd is not installed (scripts/setup.sh)"

cat >"$work/wl.ini" <<'INI'
[scenario]
name = workloads
warmup = 1
duration = 3
[axes]
workload = net-tx, net-rx, blk-randread, blk-randwrite
backend = tap, vhost-user
accel = tcg
INI
"$VQLAB" -j plan "$work/wl.ini" | jq -e '.samples == 6' >/dev/null || fail "plan: want 6 samples"
"$VQLAB" -j run "$work/wl.ini" -o "$work" >"$work/summary.json" || fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jq -e '[.skipped[].reason] | length == 2 and all(test("vhost-user carries net workloads only"))' \
	"$run/run.json" >/dev/null || fail "blk x vhost-user not skipped with its reason"
jqs "$run" 'length == 6 and all(.status == "ok")' >/dev/null ||
	fail "want 6 ok samples: $(jq -c '[.cell, .axes.workload, .axes.backend, .status, .reason]' "$run/samples.jsonl")"
ok "6 samples ok, 2 cells skipped with their reason"

pick() { jqs "$run" "[.[] | select(.axes.workload == \"$1\" and .axes.backend == \"$2\")][0] | $3" >/dev/null; }
q() { echo "(.trace.queues[] | select(.name == \"$1\"))"; }

# net-tx: the host side counted every packet pktgen sent, warm-up and
# measurement together, whichever backend is the device
pick net-tx tap '(.warmup_metrics // {}) as $w | .metrics.pktgen_packets.value > 0 and
	.metrics.xdp_packets_total.value == .metrics.pktgen_packets.value + $w.pktgen_packets.value' ||
	fail "net-tx/tap: XDP sink != pktgen: $(jqs "$run" '[.[] | select(.axes.workload == "net-tx")][0].metrics | map_values(.value)')"
pick net-tx vhost-user '.metrics.pktgen_packets.value > 0 and
	.metrics.vhu_rx_packets.value == .metrics.pktgen_packets.value' ||
	fail "net-tx/vhost-user: testpmd rx != pktgen"
ok "net-tx: the device side counted every packet pktgen sent, warm-up included (tap+XDP and vhost-user)"

# net-rx over the tap: the frames the tap took reach the guest's RX ring, and
# the guest's XDP sink counts them; the tracer saw as many gets on input.0.
# Never more than sent. Usually exactly as many; on a quiet host, now and then
# ~45 ms of a 220 k/s stream goes missing (2 of 6 runs on 2026-11-21, 1.4-1.9%,
# not in the tap's tx_dropped; where is not known yet): up to 3% is reported,
# not failed.
pick net-rx tap ".metrics.sent_packets.value > 0 and .metrics.rx_packets.value <= .metrics.sent_packets.value and
	.metrics.rx_packets.value >= 0.97 * .metrics.sent_packets.value and
	$(q input.0).gets >= .metrics.rx_packets.value" ||
	fail "net-rx/tap: $(jqs "$run" '[.[] | select(.axes.workload == "net-rx" and .axes.backend == "tap")][0] | [(.metrics | map_values(.value)), '"$(q input.0)"']')"
jqs "$run" '[.[] | select(.axes.workload == "net-rx" and .axes.backend == "tap")][0] |
	.metrics.sent_packets.value - .metrics.rx_packets.value' |
	while read -r lost; do
		[ "$lost" = 0 ] || echo "note: net-rx/tap: $lost frames the tap took did not reach the guest"
	done
# testpmd forwards only from the go line for its seconds, and the guest's
# sink outlives that window: it must count exactly what testpmd put in the ring
pick net-rx vhost-user '.metrics.rx_packets.value > 0 and .metrics.rx_packets.value == .metrics.vhu_tx_packets.value' ||
	fail "net-rx/vhost-user: guest count != testpmd's: $(jqs "$run" '[.[] | select(.axes.workload == "net-rx" and .axes.backend == "vhost-user")][0].metrics | map_values(.value)')"
ok "net-rx: the guest received what the host sender sent; testpmd txonly feeds vhost-user"

# block: every I/O is one add and one get on the request queue
for rw in randread randwrite; do
	pick blk-$rw tap ".metrics.blk_ios.value > 0 and .metrics.blk_errors.value == 0 and
		$(q req.0).adds == .metrics.blk_ios.value and $(q req.0).gets == .metrics.blk_ios.value" ||
		fail "blk-$rw: ios != adds/gets on req.0"
done
ok "blk: I/Os == adds == gets on req.0, for reads and writes"

# each host driver's metrics (docs/workloads.md, "Adding a workload"), and
# QEMU's CPU time over the measured window, which the harness adds for all
for want in "net-tx tap xdp_packets_total xdp_packets xdp_pps" \
	"net-rx tap sent_packets send_errors tap_dropped send_s rx_pps" \
	"net-tx vhost-user vhu_rx_packets_total vhu_rx_packets vhu_tx_packets vhu_tx_dropped vhu_rx_pps" \
	"net-rx vhost-user vhu_rx_packets_total vhu_rx_packets vhu_tx_packets vhu_tx_dropped send_s rx_pps" \
	"blk-randread tap" "blk-randwrite tap"; do
	set -- $want
	wl=$1 be=$2
	shift 2
	for m in "$@" qemu_cpu_s qemu_cpu_util; do
		pick "$wl" "$be" ".metrics.$m.value | type == \"number\"" || fail "$wl/$be: no metric $m"
	done
done
ok "every host driver's metrics are in its samples, with QEMU's CPU time"

# the runner's own names only (/dev/shm/vqlab-<pid>.img, /run/vqlab/vqlab<pid>.sock):
# other tools' vqlab-prefixed files on a shared machine are not leftovers
left=$(ls /dev/shm/vqlab-* /run/vqlab/vqlab*.sock 2>/dev/null |
	grep -E '^(/dev/shm/vqlab-[0-9]+\.img|/run/vqlab/vqlab[0-9]+\.sock)$' | while read -r f; do
	p=$(echo "$f" | grep -oE '[0-9]+' | head -n 1); kill -0 "$p" 2>/dev/null || echo "$f"; done)
[ -z "$left" ] || fail "block image or vhost-user socket left behind: $left"
pgrep -f 'file-prefix=vqlab[0-9]' >/dev/null && fail "testpmd left running"
check_no_leftovers "the workloads"

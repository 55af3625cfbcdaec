# SPDX-License-Identifier: GPL-2.0
# QEMU counted on the host (docs/device.md, "perf and CPU on the host"): on
# a built QEMU (qemu = build:NAME, unstripped), perf's uprobes count
# virtqueue_pop & co. over the guest's measured window, next to the driver's
# adds (vqtrace) and the device's pops (QMP), over the same marks as the CPU
# split; on the system QEMU (no debug info) the sample says why there are no
# perf counts. Both split QEMU's CPU into
# vCPU threads and the rest, per buffer. The run's uprobe group is gone
# after the run, and after SIGINT.
. "$(dirname "$0")/lib.bash"

cache=${VQLAB_CACHE:-/var/cache/vqlab}
name=
for b in 10.0.2+p1 $(ls "$cache/qemu/build" 2>/dev/null); do
	[ -x "$cache/qemu/build/$b/qemu-system-x86_64" ] && { name=$b; break; }
done
[ -n "$name" ] || skip "no QEMU build in $cache/qemu/build (vqlab qemu build; tests/qemu-build.sh makes one)"
command -v perf >/dev/null || skip "no perf"
[ -z "$(uprobe_groups | while read -r g; do kill -0 "$(echo "$g" | grep -oE '[0-9]+' | head -1)" 2>/dev/null || echo "$g"; done)" ] ||
	fail "stale uprobe groups before the test: $(uprobe_groups)"

cat >"$work/perf.ini" <<INI
[scenario]
name = devperf
duration = 3
device_perf = on
warmup = 1
timeout = 300
[axes]
workload = net-tx, blk-randread
iodepth = 1
qemu = build:$name, system
INI
"$VQLAB" -j run "$work/perf.ini" -o "$work" >"$work/run.json" 2>"$work/run.err"
run=$(jq -r .dir "$work/run.json")
[ -d "$run" ] || fail "no run folder: $(tail -3 "$work/run.err")"
grep -q "perf probes vqlab_[0-9]*_q0" "$work/run.err" || fail "no probes made: $(grep -i perf "$work/run.err")"
show() { jq -c "select($1) | {status, reason, devperf, m: (.metrics | with_entries(select(.key | test(\"^dev_(perf|cpu)|^dev_pops\"))))}" "$run/samples.jsonl"; }

# 1. the built QEMU: perf's pops against the driver's adds and QMP's pops.
# A pop call that finds the ring empty ends each batch, so calls >= buffers:
# 1 to 2 per add (blk at iodepth 1: one request per kick, then the empty
# call); more than 3 would be counting something else. Each buffer is filled
# once (virtqueue_push = fill + flush). QMP's reads come after perf's
# enable and disable at the same marks, and often late (docs/device.md): its
# pops are at most perf's fills, plus the buffers in flight. Under load the
# harness may see
# START late (its poll also waits for QMP), and perf's window then starts
# after vqtrace's: hence 0.8, not 1, as the lower bound per driver op.
for w in net-tx blk-randread; do
	sel=".axes.qemu == \"build:$name\" and .axes.workload == \"$w\""
	jqs "$run" "[.[] | select($sel)][0] | .status == \"ok\" and
		.metrics.dev_perf_pop.value > 0 and
		(.metrics.dev_perf_pop_per_add.value | . >= 0.8 and . <= 3) and
		(.metrics.dev_perf_fill_per_get.value | . >= 0.8 and . <= 1.05) and
		.metrics.dev_pops.value <= .metrics.dev_perf_fill.value + 32 and
		.metrics.dev_perf_pop.value >= .metrics.dev_perf_fill.value and
		.metrics.dev_perf_notify.value > 0 and
		(.metrics.dev_perf_window_s.value > 2) and
		((.metrics.dev_perf_window_s.value - .metrics.dev_cpu_window_s.value) | fabs < 0.5) and
		(.devperf.perf.events.virtqueue_pop.calls == .metrics.dev_perf_pop.value) and
		.metrics.dev_cpu_io_us_per_buf.value > 0 and .metrics.dev_cpu_vcpu_us_per_buf.value > 0 and
		(.devperf | has(\"error\") | not)" >/dev/null ||
		fail "build:$name $w: $(show "$sel")"
	ok "build:$name $w: $(jq -r "select($sel) | .metrics | \"perf pops \(.dev_perf_pop.value), QMP pops \(.dev_pops.value), pop/add \(.dev_perf_pop_per_add.value*1000|round/1000), fill/get \(.dev_perf_fill_per_get.value*1000|round/1000), io \(.dev_cpu_io_us_per_buf.value*100|round/100) us/buf, vcpu \(.dev_cpu_vcpu_us_per_buf.value*100|round/100) us/buf\"" "$run/samples.jsonl")"
	cell=$(jq -r "select($sel) | .cell" "$run/samples.jsonl")
	grep -q ",vqlab_[0-9]*_q0:v[0-9]*q0_pop," "$run/cells/$cell/0/perf-stat.csv" ||
		fail "$w: perf-stat.csv not kept with the sample"
done

# 2. the system QEMU: no perf counts, and why; the CPU split all the same
sel='.axes.qemu == "system"'
jqs "$run" "[.[] | select($sel)] | length == 2 and all(.status == \"ok\" and
	(.devperf.perf.skipped | test(\"no debug info\")) and
	(.metrics | keys | map(select(startswith(\"dev_perf_\"))) | length == 0) and
	.metrics.dev_cpu_io_us_per_buf.value > 0 and .metrics.dev_cpu_vcpu_us_per_buf.value > 0 and
	.devperf.cpu.vcpus >= 1)" >/dev/null || fail "system: $(show "$sel")"
ok "system: $(jq -r "select($sel) | .devperf.perf.skipped" "$run/samples.jsonl" | head -1)"

# 3. the report shows the per-buffer figures; the window totals are in the
# appendix (markdown escapes '_')
md=$run/report/report.md
[ -f "$md" ] || fail "no report"
for m in dev_perf_pop_per_add dev_cpu_io_us_per_buf; do
	grep -qF "${m//_/\\_}" "$md" || fail "the report does not show $m"
done
sed -n '/^## Appendix/,$p' "$md" | grep -qF '| dev\_perf\_pop |' ||
	fail "dev_perf_pop is not in the report's appendix"
ok "report shows dev_perf_pop_per_add and dev_cpu_io_us_per_buf, dev_perf_pop in the appendix"

# 4. nothing left: no probe of ours in perf's list
perf probe -l 2>/dev/null | grep -q "vqlab_" && fail "probes left after the run: $(perf probe -l | grep vqlab_)"
check_no_leftovers "a run with perf probes"

# 5. SIGINT while the probes exist
cat >"$work/int.ini" <<INI
[scenario]
name = devperf-int
duration = 30
device_perf = on
timeout = 300
[axes]
workload = net-tx
qemu = build:$name
INI
"$VQLAB" run "$work/int.ini" -o "$work/int" >"$work/int.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	uprobe_groups | grep -q "^vqlab_${pid}_" && virsh -c qemu:///system list --name | grep -q "vqlab-$pid-" && break
	sleep 0.2
done
uprobe_groups | grep -q "^vqlab_${pid}_" || fail "no probes while the run ran: $(tail -3 "$work/int.out")"
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit $rc, want 130"
uprobe_groups | grep -q "^vqlab_${pid}_" && fail "SIGINT left the probes: $(uprobe_groups)"
ok "SIGINT: exit 130, probes removed"
check_no_leftovers "SIGINT with perf probes"

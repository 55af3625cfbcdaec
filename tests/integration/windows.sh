# SPDX-License-Identifier: GPL-2.0
# Several measured windows per boot (scenario windows = N, docs/scenarios.md):
# each boot measures its job N times and reports each window, the host
# counts each (the XDP sink, the host sender, QEMU's CPU), vqtrace sums each
# window (SIGUSR1) and the whole boot, and the sample is the boot: its
# metrics the windows' means, its windows kept one by one.
. "$(dirname "$0")/lib.bash"

cat >"$work/windows.ini" <<'INI'
[scenario]
name = itest-windows
duration = 1
windows = 2
[axes]
kernel = debian:sid
workload = net-tx, net-rx
backend = tap, vhost-user
accel = tcg
INI
"$VQLAB" -j plan "$work/windows.ini" >"$work/plan.json" || fail "plan exited $?"
jq -e '.windows == 2 and ([.cells[] | select(.axes.backend == "vhost-user") | .skipped] |
	length == 2 and all(test("windows = 2: backend=vhost-user.*counts once per boot")))' \
	"$work/plan.json" >/dev/null ||
	fail "plan does not skip vhost-user's cells for windows = 2: $(jq -c '[.windows, [.cells[].skipped]]' "$work/plan.json")"
ok "plan: 2 windows per boot; vhost-user's cells skipped (testpmd counts once per boot)"

sed -i 's/^backend = .*/backend = tap/' "$work/windows.ini"
"$VQLAB" -j run "$work/windows.ini" -o "$work/runs" >"$work/summary.json" ||
	fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jq -e '.scenario.windows == 2' "$run/run.json" >/dev/null || fail "run.json does not record windows = 2"
jqs "$run" 'length == 2 and all(.status == "ok" and (.windows | length == 2) and
	([.windows[].window] == [1, 2]) and all(.windows[]; .status == "ok"))' >/dev/null ||
	fail "expected two ok boots of two ok windows each: $(jq -c '[.status, .reason, (.windows // [] | length)]' "$run/samples.jsonl")"
for c in c0 c1; do
	n=$(grep -c '^VQLAB-REPORT ' "$run/cells/$c/0/report.log")
	[ "$n" = 2 ] || fail "$c: $n framed reports on the report channel, not 2"
done
ok "two boots, each with two windows and two framed reports"

# the boot's figures are its windows' means; boot_s is the first window's
jqs "$run" 'all(.windows as $w | .metrics as $m |
	($m.boot_s.value == $w[0].metrics.boot_s.value) and ($w[1].metrics.boot_s == null) and
	(["tx_pps", "rx_pps", "guest_cpu_util", "qemu_cpu_util"] | all(. as $k |
		$m[$k] == null or
		(($m[$k].value - ([$w[].metrics[$k].value] | add / length)) | fabs) < 1e-6)))' \
	>/dev/null || fail "the sample's metrics are not its windows' means"
ok "the sample's metrics are the means of its windows"

# net-tx, each window counted on its own: the XDP sink's count is pktgen's,
# and so are vqtrace's adds of that window on output.0. (A window whose
# counters the host read after the next had started says so, host_read_late:
# its count may hold the next's first packets. The last window cannot be.)
tx='.[] | select(.axes.workload == "net-tx")'
jqs "$run" "[$tx | .windows[] | select(.host_read_late | not) |
	(.metrics.xdp_packets.value - .metrics.pktgen_packets.value) as \$d |
	.metrics.pktgen_packets.value > 1000 and \$d >= 0 and \$d <= 8] | length >= 1 and all" >/dev/null ||
	fail "net-tx: a window's XDP count differs from its pktgen count: $(jq -c 'select(.axes.workload == "net-tx") | [.windows[].metrics | [.xdp_packets.value, .pktgen_packets.value]]' "$run/samples.jsonl")"
jqs "$run" "[$tx | .windows[] | .metrics.pktgen_packets.value as \$p |
	(first(.trace.queues[] | select(.name == \"output.0\") | .adds) // -1) as \$a |
	\$a >= \$p and \$a - \$p <= 8] | length == 2 and all" >/dev/null ||
	fail "net-tx: a window's vqtrace adds on output.0 are not its pktgen packets"
# the boot's trace (SIGTERM's summary) is the sum of its windows' and the gaps
jqs "$run" "[$tx | ([.windows[].trace.queues[] | select(.name == \"output.0\") | .adds] | add) as \$w |
	(first(.trace.queues[] | select(.name == \"output.0\") | .adds) // -1) as \$b |
	\$b >= \$w and \$b - \$w <= 16] | all" >/dev/null ||
	fail "net-tx: the boot's trace does not sum its windows' adds"
ok "net-tx: each window's XDP count and vqtrace adds are its pktgen packets; the boot's trace sums them"

# net-rx: each window has its own go line and host sender
jqs "$run" '[.[] | select(.axes.workload == "net-rx") | .windows[] |
	.metrics.sent_packets.value > 1000 and .metrics.rx_pps.value > 0] | length == 2 and all' \
	>/dev/null || fail "net-rx: a window without its own host sender's count"
ok "net-rx: each window has its own host sender and rate"

grep -q "2 windows of 1 s one after another in one boot" "$run/report/report.md" ||
	fail "the report does not say that a sample is a boot of 2 windows"
"$O/vqreport" -j show "$run" >"$work/show.json" || fail "vqreport show exited $?"
jq -e '[.cells[] | .windows | select(.boots == 1 and .windows == 2 and .within_cv_pct >= 0 and
	.between_cv_pct == null) | .metric] | sort == ["rx_pps", "tx_pps"]' "$work/show.json" >/dev/null ||
	fail "vqreport show: no windows spread of each cell's rate: $(jq -c '[.cells[].windows]' "$work/show.json")"
grep -qF '| tx\_pps | 1 x 2 |' "$run/report/report.md" ||
	fail "the report has no row of net-tx's windows spread"
ok "the report says n counts boots of 2 windows, and how the windows of each boot spread"
check_no_leftovers "a windows = 2 run"

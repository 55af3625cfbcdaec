# SPDX-License-Identifier: GPL-2.0
# vqlab live on real guests (cell c0 of a smoke-like scenario: net-tx, split,
# in_order=off, on the wall clock; smoke.ini itself runs under clock = icount): both ends per interval under -j, the counts of the two ends
# against each other, what is left after COUNT, SIGINT and SIGTERM, and
# --shell driven through tmux (vqtrace run by hand in the guest's shell).
. "$(dirname "$0")/lib.bash"
command -v jq >/dev/null || skip "jq is not installed"

smoke=$work/live.ini
cat >"$smoke" <<'INI'
[scenario]
name = live
duration = 1
[axes]
kernel = debian:sid
ring = split
in_order = off, on
workload = net-tx
INI
session=vqlab-itest-live-$$
cleanup() {
	tmux kill-session -t "$session" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# check_gone PID WHAT: vqlab PID left no domain, tap, namespace or folder.
check_gone() {
	local left
	left=$({
		virsh -c qemu:///system list --all --name 2>/dev/null | grep -E "^vqlab-$1-"
		ip netns list 2>/dev/null | grep -oE "^vqlab-$1\b"
		ip -o link show 2>/dev/null | grep -oE "vqlab$1\b"
		ls -d "/tmp/vqlab-live-$1" 2>/dev/null
	})
	[ -z "$left" ] || fail "left behind after $2: $left"
	check_no_leftovers "$2"
}

# ---- usage errors: exit 2, one line, nothing booted ----
usage_err() { # WHAT ARGS...: exit 2 and an {"error"} line under -j
	local what=$1 out rc
	shift
	out=$("$VQLAB" -j live "$@" 2>/dev/null)
	rc=$?
	[ $rc = 2 ] || fail "$what: exit $rc, not 2"
	echo "$out" | jq -e 'has("error")' >/dev/null || fail "$what: no JSON error: $out"
}
usage_err "no scenario"
usage_err "a word that is not an axis" "$smoke" colour=blue
usage_err "two matching cells" "$smoke" ring=split
usage_err "no such cell" "$smoke" --cell c99
usage_err "a bad interval" "$smoke" --cell c0 0
usage_err "a bad count" "$smoke" --cell c0 1 0
usage_err "a cell on the icount clock" "$VQLAB_TOP/scenarios/smoke.ini" --cell c0
ok "usage errors exit 2 with a JSON error"

# ---- a guest that cannot run live: exit 1 with the guest's reason ----
cat >"$work/off.ini" <<'INI'
[scenario]
name = live-off
[axes]
kernel = debian:sid
workload = net-tx
trace = off
INI
"$VQLAB" -j live "$work/off.ini" 1 1 >"$work/off.out" 2>/dev/null &
pid=$!
wait $pid
rc=$?
[ $rc = 1 ] || fail "live with trace = off exited $rc, not 1"
jq -e '.error | test("trace = off")' "$work/off.out" >/dev/null ||
	fail "live with trace = off: no reason from the guest: $(cat "$work/off.out")"
ok "a cell with trace = off: exit 1, $(jq -r .error "$work/off.out")"
check_gone $pid "live that failed"

# ---- -j, COUNT ----
"$VQLAB" -j live "$smoke" --cell c0 1 3 >"$work/j.out" 2>"$work/j.err" &
pid=$!
wait $pid || { tail -n 5 "$work/j.err"; fail "vqlab -j live ... 1 3 exited $?"; }
[ "$(wc -l <"$work/j.out")" = 3 ] || { cat "$work/j.out"; fail "expected 3 JSON lines"; }
jq -s -e 'length == 3 and all(.[]; .cell == "c0" and .interval_s > 0 and
	.guest_interval_s > 0)' "$work/j.out" >/dev/null || fail "lines lack cell or intervals"
ok "3 lines after COUNT 3"
# Both ends of output.0, where pktgen's packets go, on every line.
q='.queues[] | select(.device_name == "virtio-net" and .name == "output.0")'
jq -e -s "all(.[]; [$q] | length == 1 and (.[0] | .driver != null and .device != null))" \
	"$work/j.out" >/dev/null || fail "a line lacks output.0's driver or device side"
ok "each line holds the driver's and the device's side of output.0"
# Every interval moves the ring: the totals since the start rise at both ends.
jq -e -s "[.[] | $q] as \$a | all(range(1; \$a | length); . as \$i |
	(\$a[\$i].driver.adds_total > \$a[\$i - 1].driver.adds_total) and
	(\$a[\$i].driver.gets_total > \$a[\$i - 1].driver.gets_total) and
	(\$a[\$i].device.pops_total > \$a[\$i - 1].device.pops_total))" \
	"$work/j.out" >/dev/null || fail "the counts do not rise from line to line"
ok "adds, gets and pops rise from line to line"
# The driver's adds and the device's pops of one interval agree within what
# may be in flight at either end (the ring), plus the error of placing the
# driver's interval in host time: live maps vqtrace's clock to the host's by
# the least delay its lines took and interpolates QMP reads 50 ms apart. On
# this 2-core host at load 4..10 most intervals agree within 1..4 %, but one
# whose QMP reads were starved (vqlab waiting for a CPU) was 24 % off: 30 %
# per interval catches a wrong queue, a lost or doubled interval, not load.
# Over the three intervals the ends agree closer: the ring plus 10 %.
# Only intervals whose QMP reads came often enough to count: a host so busy
# that vqlab or libvirtd stalls for 65536 buffers loses a wrap of QEMU's
# 16-bit index (qmp_gap_s says how long the longest pause was).
exact='select(.qmp_gap_s * ([.queues[].driver.adds_s // 0] | max) < 32768)'
[ "$(jq -s "[.[] | $exact] | length" "$work/j.out")" -gt 0 ] ||
	fail "no interval had QMP reads close enough to count (host too busy)"
jq -e -s "all(.[] | $exact | $q; (.driver.adds - .device.pops | fabs) <= .ring_size + 0.3 * .driver.adds)" \
	"$work/j.out" >/dev/null || {
	jq -c "$q | [.driver.adds, .device.pops, .ring_size]" "$work/j.out"
	fail "driver adds and device pops of an interval disagree beyond in-flight slack"
}
jq -e -s "[.[] | $exact | $q] | (map(.driver.adds) | add) as \$a | (map(.device.pops) | add) as \$p |
	(\$a - \$p | fabs) <= .[0].ring_size + 0.1 * \$a" "$work/j.out" >/dev/null ||
	fail "driver adds and device pops over three intervals disagree"
ok "adds (driver) / pops (device) per interval: $(jq -r -s \
	"[.[] | $q | \"\(.driver.adds)/\(.device.pops)\"] | join(\" \")" "$work/j.out")"
check_gone $pid "live ended by COUNT"

# ---- SIGINT and SIGTERM, once the figures come ----
# signal_live SIGNAL COUNT EXPECTED_EXIT
signal_live() {
	local i rc
	"$VQLAB" -j live "$smoke" --cell c0 1 $2 >"$work/s.out" 2>"$work/s.err" &
	pid=$!
	for i in $(seq 600); do
		[ -s "$work/s.out" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.5
	done
	[ -s "$work/s.out" ] || { tail -n 5 "$work/s.err"; fail "no line before $1"; }
	kill -s "$1" $pid
	wait $pid
	rc=$?
	[ $rc = "$3" ] || { tail -n 5 "$work/s.err"; fail "live exited $rc after $1, not $3"; }
	ok "$1 ends live with exit $3"
	check_gone $pid "live ended by $1"
}
signal_live INT "" 0
signal_live TERM 1000 130

# ---- --shell through tmux: vqtrace by hand ----
# pane_wait PATTERN SECONDS: until the pane shows PATTERN.
pane_wait() {
	local i
	for i in $(seq $(($2 * 2))); do
		tmux capture-pane -p -t "$session" 2>/dev/null | grep -q -- "$1" && return 0
		sleep 0.5
	done
	tmux capture-pane -p -t "$session" 2>/dev/null | tail -n 15
	return 1
}
tmux new-session -d -s "$session" -x 132 -y 40 \
	"'$VQLAB' live '$smoke' --cell c0 --shell; echo live-exit=\$?; sleep 600"
pane_wait 'Leave with Ctrl-]' 300 || fail "the guest's shell did not come"
pid=$(pgrep -f "vqlab live $smoke --cell c0 --shell" | head -n 1)
sleep 1
# ping's ARP requests (to the lab tap, where XDP drops them) put adds on output.0
tmux send-keys -t "$session" 'ping -q -c 4 $dst_ip >/dev/null 2>&1 & vqtrace 1 2' Enter
pane_wait 'REORD' 120 || fail "vqtrace's table did not show in the guest's shell"
pane_wait 'virtio0 .* output.0 .* split' 60 || fail "vqtrace's table shows no output.0 row"
ok "vqtrace 1 2 in the guest's shell: its table, with output.0, read from the pane"
tmux send-keys -t "$session" C-]
pane_wait 'live-exit=0' 60 || fail "Ctrl-] did not end live --shell with exit 0"
ok "Ctrl-] leaves the shell, exit 0"
[ -n "$pid" ] && check_gone "$pid" "live --shell"

# SPDX-License-Identifier: GPL-2.0
# Cleanup on the ways a run ends: a guest that fails (the run goes on),
# SIGINT after a finished sample (kept), SIGTERM while a guest boots, and
# SIGPIPE when the reader of its output goes away.
. "$(dirname "$0")/lib.bash"
[ -z "$(leftovers)" ] || fail "lab resources exist before the test: $(leftovers)"

# 1. A hung guest: "none" sleeps longer than the timeout allows; "ping" is fine.
cat >"$work/hang.ini" <<'INI'
[scenario]
name = hang
duration = 120
timeout = 60
[axes]
workload = none, ping
INI
# vqlab from a build folder without vqreport: the run's report cannot be
# written, which is a warning, not a failed run.
bin=$work/bin
mkdir "$bin" && ln -s "$O"/* "$bin"/ && rm "$bin/vqlab" "$bin/vqreport" && cp "$O/vqlab" "$bin/" ||
	fail "cannot make a build folder without vqreport"
"$bin/vqlab" -j run "$work/hang.ini" -o "$work" >"$work/hang.json" 2>"$work/hang.err"
rc=$?
[ "$rc" = 0 ] || fail "a run with one good sample exited $rc: $(tail -3 "$work/hang.err")"
run=$(jq -r .dir "$work/hang.json")
jq -e '.report == null' "$work/hang.json" >/dev/null || fail "a report named without vqreport"
grep -q "^Warning: the report is not written: $bin/vqreport: " "$work/hang.err" ||
	fail "no warning for the missing report: $(tail -3 "$work/hang.err")"
ok "no vqreport: $(grep '^Warning: the report' "$work/hang.err")"
jqs "$run" 'length == 2' >/dev/null || fail "want 2 samples"
jqs "$run" '[.[] | select(.axes.workload == "none")][0] |
	.status == "failed" and (.reason | test("timeout after 60 s"))' >/dev/null ||
	fail "hung guest not recorded as failed with its reason"
jqs "$run" '[.[] | select(.axes.workload == "ping")][0].status == "ok"' >/dev/null ||
	fail "the run did not go on after the failure"
ok "hung guest recorded as failed: $(jq -r 'select(.status == "failed") | .reason' "$run/samples.jsonl" | head -c 120)"
check_no_leftovers "a failed sample"

# 2. SIGINT once the first sample is on disk.
cat >"$work/long.ini" <<'INI'
[scenario]
name = long
duration = 2
repeat = 5
[axes]
workload = net-tx
INI
"$VQLAB" run "$work/long.ini" -o "$work/int" >"$work/int.out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	[ -s "$(ls -d "$work"/int/*/ 2>/dev/null | head -1)samples.jsonl" ] && break
	sleep 0.5
done
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit $rc, want 130"
run=$(ls -d "$work"/int/*/)
jq -e '.status == "interrupted"' "$run/run.json" >/dev/null || fail "run.json not marked interrupted"
n=$(wc -l <"$run/samples.jsonl")
[ "$n" -ge 1 ] && [ "$n" -lt 5 ] || fail "SIGINT: $n samples kept"
jqs "$run" 'all(.status == "ok")' >/dev/null || fail "an interrupted sample was stored"
ok "SIGINT: exit 130, $n finished sample(s) kept, run marked interrupted"
check_no_leftovers "SIGINT"

# 3. SIGTERM while the first guest boots.
"$VQLAB" run "$work/long.ini" -o "$work/term" >"$work/term.out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	virsh -c qemu:///system list --name 2>/dev/null | grep -q "vqlab-$pid-c" && break
	sleep 0.2
done
virsh -c qemu:///system list --name | grep -q "vqlab-$pid-c" || fail "no guest started"
kill -TERM $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || fail "SIGTERM: exit $rc, want 130"
jq -e '.status == "interrupted"' "$(ls -d "$work"/term/*/)run.json" >/dev/null ||
	fail "run.json not marked interrupted"
ok "SIGTERM during boot: exit 130"
check_no_leftovers "SIGTERM"

# 4. The reader of vqlab's output goes away (`vqlab run ... | head`): the next
# write raises SIGPIPE, which ends the run as SIGINT does instead of killing
# vqlab with the lab's tap and namespace still there.
"$VQLAB" run "$work/long.ini" -o "$work/pipe" 2>&1 | grep -m1 -q ' rep 0'
for _ in $(seq 120); do
	pgrep -f "vqlab run $work/long.ini -o $work/pipe" >/dev/null || break
	sleep 1
done
pgrep -f "vqlab run $work/long.ini -o $work/pipe" >/dev/null && fail "vqlab still runs 120 s after its reader left"
run=$(ls -d "$work"/pipe/*/ | head -1)
jq -e '.status == "interrupted"' "$run/run.json" >/dev/null ||
	fail "a broken pipe did not mark the run interrupted: $(jq -c .status "$run/run.json")"
ok "SIGPIPE: the run ends, marked interrupted, $(wc -l <"$run/samples.jsonl") finished sample(s) kept"
check_no_leftovers "SIGPIPE"

# SPDX-License-Identifier: GPL-2.0
# kill -9 of vqlab mid-run loses no finished sample, leaves no guest (libvirt
# AUTODESTROY), and `vqlab run --resume` completes the run without redoing a
# finished sample; it also removes the namespace the killed run left.
. "$(dirname "$0")/lib.bash"
[ -z "$(leftovers)" ] || fail "lab resources exist before the test: $(leftovers)"

cat >"$work/r.ini" <<'INI'
[scenario]
name = resume
repeat = 3
duration = 1
[axes]
workload = ping
accel = tcg
INI
"$VQLAB" run "$work/r.ini" -o "$work" >"$work/first.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	s=$(ls "$work"/*/samples.jsonl 2>/dev/null | head -1)
	[ -n "$s" ] && [ -s "$s" ] && break
	sleep 0.5
done
[ -s "$s" ] || fail "no sample within 5 minutes: $(tail -3 "$work/first.log")"
kill -9 $pid
wait $pid 2>/dev/null
run=$(dirname "$s")
n=$(wc -l <"$s")
jqs "$run" 'all(.status == "ok")' >/dev/null || fail "a sample is not whole after kill -9"
ok "kill -9 after $n sample(s): every line whole"
# libvirtd notices the closed connection and destroys the guest (AUTODESTROY)
for _ in $(seq 120); do
	virsh -c qemu:///system list --name | grep -q "vqlab-$pid-" || break
	sleep 0.5
done
virsh -c qemu:///system list --name | grep -q "vqlab-$pid-" && fail "guest of the killed run still runs after 60 s"
ok "no guest left after kill -9 (AUTODESTROY)"

before=$(jq -c '[.cell, .rep, .started]' "$s")
"$VQLAB" -j run --resume "$run" >"$work/resume.json" || fail "resume exited $?"
jq -e ".ok == 3 and .failed == 0 and .resumed_from == $n" "$work/resume.json" >/dev/null ||
	fail "resume summary: $(cat "$work/resume.json")"
jqs "$run" 'length == 3 and ([.[] | [.cell, .rep]] | unique | length) == 3' >/dev/null ||
	fail "samples after resume: $(jq -c '[.cell, .rep, .status]' "$s")"
[ "$(head -n "$n" "$s" | jq -c '[.cell, .rep, .started]')" = "$before" ] ||
	fail "resume rewrote finished samples"
jq -e '.status == "complete" and (.resumed | length) == 1' "$run/run.json" >/dev/null ||
	fail "run.json after resume: $(jq -c '{status, resumed}' "$run/run.json")"
ok "resume ran only the $((3 - n)) missing sample(s)"
check_no_leftovers "kill -9 and resume"

"$VQLAB" run --resume "$work/nonexistent" 2>"$work/err"
[ $? = 2 ] && grep -q "not a vqlab run" "$work/err" || fail "resume of a non-run: $(cat "$work/err")"
ok "resume of a folder that is no run: $(cat "$work/err")"

# SPDX-License-Identifier: GPL-2.0
# [scenario] kernel_args with real guests: the words reach every guest's
# command line after the lab's own (`vqlab kernel args`) and run.json keeps
# them; a guest that left the TSC (tsc=unstable) is named in the report's
# caveats; a guest whose kernel panics (no init to run) is recorded as failed
# with the panic's own line, at once rather than at the timeout, and the
# run ends with nothing left behind.
. "$(dirname "$0")/lib.bash"

lab_args=$("$VQLAB" kernel args) || fail "vqlab kernel args exited $?"
cat >"$work/tsc.ini" <<'INI'
[scenario]
name = itest-kargs
duration = 1
kernel_args = tsc=unstable
[axes]
workload = net-tx
INI
"$VQLAB" -j run "$work/tsc.ini" -o "$work/runs" >"$work/tsc.json" || fail "vqlab run exited $?"
run=$(jq -r .dir "$work/tsc.json")
jq -e '.scenario.kernel_args == "tsc=unstable"' "$run/run.json" >/dev/null ||
	fail "run.json: scenario.kernel_args is $(jq -c .scenario.kernel_args "$run/run.json")"
jq -s -e --arg lab "$lab_args" 'length == 1 and all(.status == "ok" and
	(.guest.cmdline | contains($lab) and endswith(" tsc=unstable")))' "$run/samples.jsonl" >/dev/null ||
	fail "the guest's command line: $(jq -r '.status, .guest.cmdline' "$run/samples.jsonl")"
ok "kernel_args came after the lab's own on the guest's command line; run.json keeps them"
cs=$(jq -r .guest.clocksource "$run/samples.jsonl")
[ -n "$cs" ] && [ "$cs" != tsc ] && [ "$cs" != null ] || fail "tsc=unstable: the guest's clocksource is '$cs'"
grep -q "^In 1 ok sample the guest's clocksource was not the TSC when it reported: c0: 1 ($cs)" \
	"$run/report/report.md" || fail "the report has no clocksource caveat for c0 ($cs)"
ok "tsc=unstable: the guest reported clocksource $cs, and the report's caveats name c0"

# A kernel with no init to run panics; panic=-1 (the lab's) ends the domain.
sed -e 's/^kernel_args = .*/kernel_args = rdinit=\/nonexistent/' -e 's/^name = .*/name = itest-panic/' \
	"$work/tsc.ini" >"$work/panic.ini"
start=$SECONDS
"$VQLAB" -j run "$work/panic.ini" -o "$work/runs" >"$work/panic.json"
rc=$?
took=$((SECONDS - start))
[ $rc = 1 ] || fail "a run whose sample failed exited $rc, want 1"
run=$(jq -r .dir "$work/panic.json")
reason=$(jq -r 'select(.status == "failed") | .reason' "$run/samples.jsonl")
[[ $reason == *"Kernel panic - not syncing: "* ]] ||
	fail "the failed sample's reason lacks the panic: $reason"
[ $took -lt 120 ] || fail "the panicked guest's run took $took s (the timeout is 182 s)"
ok "a kernel panic: the sample failed in $took s with: $reason"
check_no_leftovers "a run whose guest panicked"

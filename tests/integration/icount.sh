# SPDX-License-Identifier: GPL-2.0
# icount = on through the runner: the vqicount plugin loads into libvirt's
# QEMU, the measured window gives per-add and per-get instruction counts, and
# retpoline shows: the ring's indirect calls go through thunks by default and
# through plain `call *%reg` with spectre_v2=off.
. "$(dirname "$0")/lib.bash"
[ -f "$O/vqicount.so" ] || skip "vqicount.so is not built (make plugin)"

cat >"$work/ic.ini" <<'INI'
[scenario]
name = icount
duration = 2
icount = on
[axes]
mitigation = auto, off
workload = net-tx
accel = tcg
INI
# What a killed run leaves (QEMU may write its plugin output after vqlab has
# gone): files of a dead pid, which the next run reaps.
true &
dead=$!
wait $dead
mkdir -p /var/cache/vqlab/icount/out
touch "/var/cache/vqlab/icount/out/vqlab-$dead-c0-r0.json" "/var/cache/vqlab/icount/vqicount-$dead.so"
"$VQLAB" -j run "$work/ic.ini" -o "$work" >"$work/summary.json" || fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jqs "$run" 'length == 2 and all(.status == "ok")' >/dev/null ||
	fail "$(jq -c '[.cell, .status, .reason]' "$run/samples.jsonl")"
for c in c0 c1; do
	[ -s "$run/cells/$c/0/icount.json" ] || fail "no icount.json for $c"
done
ok "the plugin wrote its counts for both cells"
# add is exact per buffer (docs/icount.md): 150..200 instructions on 7.x
jqs "$run" 'all(.metrics.icount_insns_per_add.value | . > 100 and . < 400) and
	all(.metrics.icount_insns_per_get.value > 50)' >/dev/null ||
	fail "per-op counts out of range: $(jq -c '.metrics | with_entries(select(.key | test("icount"))) | map_values(.value)' "$run/samples.jsonl")"
ok "instructions per add: $(jq -r '.metrics.icount_insns_per_add.value' "$run/samples.jsonl" | tr '\n' ' ')"
jqs "$run" '[.[] | select(.axes.mitigation == "off")][0] |
	(.guest.spectre_v2 | test("Vulnerable")) and .metrics.icount_thunk_calls_per_add.value == 0' >/dev/null ||
	fail "spectre_v2=off: thunk calls remain in ring code"
jqs "$run" '[.[] | select(.axes.mitigation == "auto")][0] |
	(.guest.spectre_v2 | test("Retpoline")) and .metrics.icount_thunk_calls_per_add.value > 0' >/dev/null ||
	fail "retpoline: no thunk calls in ring code"
ok "thunk calls in ring code: retpoline > 0, spectre_v2=off == 0"
[ -z "$(ls /var/cache/vqlab/icount/vqicount-*.so /var/cache/vqlab/icount/out/*.json 2>/dev/null |
	while read -r f; do p=$(echo "$f" | grep -oE 'vqlab-[0-9]+|vqicount-[0-9]+' | grep -oE '[0-9]+');
	kill -0 "$p" 2>/dev/null || echo "$f"; done)" ] || fail "plugin copies or outputs left in the cache"
check_no_leftovers "an icount run"

# SPDX-License-Identifier: GPL-2.0
# icount = on through the runner, with real guests: vqlab reads the guest's
# kallsyms, loads the vqicount plugin into libvirt's QEMU, and each sample
# gets per-add and per-get instruction counts of the measured window.
#  - the symbols are right: the plugin's count of virtqueue_add_outbuf entries
#    matches vqtrace's adds on output.0 (wrong addresses would not);
#  - the add path is exact: two repetitions of a cell agree within 0.5%;
#  - retpoline shows: the ring's indirect calls go through thunks by default
#    and through plain `call *%reg` with spectre_v2=off;
#  - plugin copies and outputs of dead runs are reaped, none are left behind;
#  - the shipped icount matrix (scenarios/icount-kernels.ini) plans.
. "$(dirname "$0")/lib.bash"
[ -f "$O/vqicount.so" ] || skip "vqicount.so is not built (make plugin)"
cache=${VQLAB_CACHE:-/var/cache/vqlab}

"$VQLAB" -j plan "$top/scenarios/icount-kernels.ini" >"$work/plan.json" ||
	fail "plan scenarios/icount-kernels.ini exited $?: $(cat "$work/plan.json")"
jq -e '.samples == 36' "$work/plan.json" >/dev/null || fail "icount-kernels.ini: want 36 samples"
ok "scenarios/icount-kernels.ini plans 36 samples"

cat >"$work/ic.ini" <<'INI'
[scenario]
name = icount
repeat = 2
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
mkdir -p "$cache/icount/out"
touch "$cache/icount/out/vqlab-$dead-c0-r0.json" "$cache/icount/vqicount-$dead.so"
"$VQLAB" -j run "$work/ic.ini" -o "$work" >"$work/summary.json" || fail "vqlab run exited $?"
run=$(jq -r .dir "$work/summary.json")
jqs "$run" 'length == 4 and all(.status == "ok")' >/dev/null ||
	fail "$(jq -c '[.cell, .rep, .status, .reason]' "$run/samples.jsonl")"
for c in c0 c1; do
	for r in 0 1; do
		[ -s "$run/cells/$c/$r/icount.json" ] || fail "no icount.json for $c rep $r"
	done
done
ok "the plugin wrote its counts for every sample"

# Right symbols: the measured window's virtqueue_add_outbuf entries (phase 1)
# against vqtrace's adds on the TX queue over the same window.
while read -r c r adds; do
	entries=$(jq '.phases[1].functions.virtqueue_add_outbuf.entries // 0' "$run/cells/$c/$r/icount.json")
	awk "BEGIN { d = $entries - $adds; if (d < 0) d = -d; exit !($adds > 100 && d <= 0.01 * $adds) }" ||
		fail "$c rep $r: virtqueue_add_outbuf entered $entries times, vqtrace saw $adds adds (wrong symbols?)"
	ok "$c rep $r: virtqueue_add_outbuf entered $entries times, vqtrace: $adds adds"
done < <(jq -r '"\(.cell) \(.rep) \(.trace.queues[] | select(.name == "output.0") | .adds)"' "$run/samples.jsonl")

# add is exact per buffer (docs/icount.md): 150..250 instructions on 7.x,
# and the same in both repetitions of a cell.
jqs "$run" 'all(.metrics.icount_insns_per_add.value | . > 100 and . < 400) and
	all(.metrics.icount_insns_per_get.value > 50)' >/dev/null ||
	fail "per-op counts out of range: $(jq -c '.metrics | with_entries(select(.key | test("icount"))) | map_values(.value)' "$run/samples.jsonl")"
jqs "$run" 'group_by(.cell) | all(map(.metrics.icount_insns_per_add.value) |
	(max - min) <= 0.005 * min)' >/dev/null ||
	fail "instructions per add differ between repetitions: $(jq -c '[.cell, .rep, .metrics.icount_insns_per_add.value]' "$run/samples.jsonl")"
ok "instructions per add, cell rep value: $(jq -r '"\(.cell) \(.rep) \(.metrics.icount_insns_per_add.value)"' "$run/samples.jsonl" | tr '\n' ';')"

jqs "$run" '[.[] | select(.axes.mitigation == "off")] | all(
	(.guest.spectre_v2 | test("Vulnerable")) and .metrics.icount_thunk_calls_per_add.value == 0)' >/dev/null ||
	fail "spectre_v2=off: thunk calls remain in ring code"
jqs "$run" '[.[] | select(.axes.mitigation == "auto")] | all(
	(.guest.spectre_v2 | test("Retpoline")) and .metrics.icount_thunk_calls_per_add.value > 0)' >/dev/null ||
	fail "retpoline: no thunk calls in ring code"
ok "thunk calls in ring code: retpoline > 0, spectre_v2=off == 0"
[ -z "$(ls "$cache"/icount/vqicount-*.so "$cache"/icount/out/*.json 2>/dev/null |
	while read -r f; do p=$(echo "$f" | grep -oE 'vqlab-[0-9]+|vqicount-[0-9]+' | grep -oE '[0-9]+');
	kill -0 "$p" 2>/dev/null || echo "$f"; done)" ] || fail "plugin copies or outputs left in the cache"
check_no_leftovers "an icount run"

# SPDX-License-Identifier: GPL-2.0
# The smoke matrix end to end, in real guests, and checks that the wiring is
# honest: negotiated features follow the cells, the tracer and the XDP sink
# agree with what pktgen says it sent, and nothing is left behind.
. "$(dirname "$0")/lib.bash"
[ -z "$(leftovers)" ] || fail "lab resources exist before the test: $(leftovers)"

cat >"$work/itest.ini" <<'INI'
[scenario]
name = itest
duration = 3
[axes]
kernel = debian:sid
ring = split, packed
in_order = off, on
workload = net-tx
INI
# A relative results folder, as `make lab` uses: libvirtd must still be given
# absolute paths.
(cd "$work" && "$VQLAB" -j run itest.ini -o runs) >"$work/summary.json" || fail "vqlab run exited $?"
cat "$work/summary.json"
run=$(jq -r .dir "$work/summary.json")
case $run in /*) ;; *) fail "run folder '$run' is not absolute" ;; esac
[ -f "$run/run.json" ] && [ -f "$run/report/report.md" ] && [ -f "$run/report/report.html" ] ||
	fail "run folder incomplete"
jq -e --arg md "$run/report/report.md" '.report == $md' "$work/summary.json" >/dev/null ||
	fail "the summary does not name the report vqlab run wrote"
grep -qF "vqreport: $(jq -r .id "$run/run.json")" "$run/report/report.md" ||
	fail "report.md is not this run's report"
ok "vqlab run wrote the run's report: $run/report/report.md"
jq -e '.status == "complete" and (.accel | test("^(kvm|tcg)$")) and (.versions.qemu | length > 0)' \
	"$run/run.json" >/dev/null || fail "run.json: status, accel or versions missing"

# The guests boot the kernel's own ELF through PVH (bootimage.c): libvirt
# hands QEMU the run's vmlinux, and the run removes it when it ends.
jq -e '.kernels[] | .boot.protocol == "pvh" and (.boot.compression | test("^(zstd|gzip|xz)$"))' \
	"$run/run.json" >/dev/null || fail "run.json: the kernel was not booted through PVH: $(jq -c '.kernels[].boot' "$run/run.json")"
img=$(jq -r '.kernels[].boot.image' "$run/run.json")
grep -qF -- "-kernel $img" "$run"/cells/c0/0/qemu.log || fail "QEMU was not given $img"
[ ! -e "$img" ] || fail "the run's vmlinux $img was left behind"
ok "guests booted the extracted vmlinux through PVH, removed after the run"

jqs "$run" 'length == 4 and all(.status == "ok")' >/dev/null || fail "expected 4 ok samples"
ok "4 samples, all ok"

# VIRTIO_F_RING_PACKED is bit 34, VIRTIO_F_IN_ORDER bit 35 of the sysfs bit string.
jqs "$run" 'all(.guest.devices[0] as $d |
	(($d.features[35:36] == "1") == (.axes.in_order == "on")) and
	(($d.features[34:35] == "1") == (.axes.ring == "packed")))' >/dev/null ||
	fail "negotiated bits 34/35 do not follow ring/in_order"
ok "in_order=on negotiates bit 35 and off does not; packed negotiates bit 34"

# The lab's boot arguments reached the guests, and with them the TSC stayed
# the clocksource (no watchdog to switch it away; docs/results.md).
args=$("$VQLAB" kernel args) || fail "vqlab kernel args exited $?"
jq -s -e --arg a "$args" 'all(.guest.cmdline | contains($a))' "$run/samples.jsonl" >/dev/null ||
	fail "a guest booted without the lab's arguments ($args): $(jq -r .guest.cmdline "$run/samples.jsonl" | head -1)"
jqs "$run" 'all(.guest.clocksource == "tsc")' >/dev/null ||
	fail "guest clocksources: $(jq -c '[.cell, .guest.clocksource]' "$run/samples.jsonl" | tr '\n' ' ')"
ok "every guest booted with \`vqlab kernel args\` and reported the TSC as its clocksource"

jqs "$run" 'all(.trace.mode == "full")' >/dev/null || fail "a sample without the full tracer"
check_pktgen_counts "$run"
ok "the XDP sink counted every packet pktgen sent"
ok "tracer adds on output.0 agree with pktgen"
check_no_leftovers "a complete run"

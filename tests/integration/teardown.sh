# SPDX-License-Identifier: GPL-2.0
# A sample's end (issue 14 part 7): once the guest has reported and powered
# off, the harness does not wait for libvirt to end the domain (which waits
# for QEMU to be reaped: on a host whose init reaps lazily, seconds). That
# end runs in a thread that still keeps qemu.log whole, the samples keep
# every host-side count, and the report is seen as soon as it lands.
. "$(dirname "$0")/lib.bash"
[ -z "$(leftovers)" ] || fail "lab resources exist before the test: $(leftovers)"

cat >"$work/td.ini" <<'INI'
[scenario]
name = teardown
duration = 2
repeat = 3
[axes]
workload = net-tx
INI
VQLAB_PHASES=1 "$VQLAB" -j run "$work/td.ini" -o "$work" >"$work/td.json" 2>"$work/td.err" ||
	fail "vqlab run exited $?: $(grep -v '^phase ' "$work/td.err" | tail -3)"
run=$(jq -r .dir "$work/td.json")
jqs "$run" 'length == 3 and all(.status == "ok")' >/dev/null || fail "want 3 ok samples"
check_pktgen_counts "$run"
ok "3 samples ok, the XDP sink's counts read after the report as before"

# QEMU's exit seen through its pidfd, libvirt's end left to the thread
n=$(grep -c "phase .* QEMU exited: libvirt's end left to a thread" "$work/td.err")
[ "$n" -ge 3 ] || fail "libvirt's end was waited for ($n of 3 samples in the thread)"
# and from the complete report to the sample's end, no wait on libvirt
max=$(awk '/^phase .* report complete$/ { t = $2 }
	/^phase .* sample done$/ { if (t && $2 - t > m) m = $2 - t; t = 0 }
	END { printf "%.3f", m }' "$work/td.err")
awk -v m="$max" 'BEGIN { exit !(m > 0 && m < 1.0) }' ||
	fail "report to sample end took up to $max s (want < 1 s)"
ok "report to sample end: at most $max s, libvirt's end in a thread ($n samples)"

# The report is seen as it lands (inotify on the channel), not at the next
# 50 ms poll (~25 ms late on average, plus the read): from report.log's last
# write to the runner's clock when it saw the report complete (wall_s from
# just after domain.xml was written), in ms, averaged over the samples.
lag=$(jq -r '[.rep, .wall_s] | @tsv' "$run/samples.jsonl" | while read -r rep wall; do
	s=$run/cells/c0/$rep
	echo "$(stat -c %.6Y "$s/domain.xml") $wall $(stat -c %.6Y "$s/report.log")"
done | awk '{ t += ($1 + $2 - $3) * 1000; n++ } END { printf "%.1f", n ? t / n : -1 }')
awk -v l="$lag" 'BEGIN { exit !(l >= 0 && l < 25) }' ||
	fail "the report was seen $lag ms after its last write on average (want < 25)"
ok "the report seen $lag ms after its last write (mean)"

# the thread kept libvirt's log of each guest, its end included, and left
# none in libvirt's folder
for s in "$run"/cells/*/*/; do
	name=$(sed -n 's/.*-name guest=\([^,]*\),.*/\1/p' "$s/qemu.log" | head -1)
	[ -n "$name" ] || fail "$s/qemu.log does not name its guest"
	grep -q "shutting down, reason=" "$s/qemu.log" || fail "$s/qemu.log lacks libvirt's end"
	[ ! -e "/var/log/libvirt/qemu/$name.log" ] || fail "/var/log/libvirt/qemu/$name.log left"
done
ok "each qemu.log holds libvirt's end; none left in /var/log/libvirt/qemu"
check_no_leftovers "a run whose domains ended in a thread"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Where a sample's wall time goes (figures in docs/performance.md):
#   tests/bench/sample-phases.sh RUN_DIR          the phases of a finished run
#   tests/bench/sample-phases.sh -r [-n REPS] [-d SECONDS] [-w WINDOWS] [SCENARIO]
#                                                 run one first (default: net-tx,
#                                                 3 reps of 1 window of 5 s per boot)
#                                                 into $OUT or a temp folder
# Phases, from what the runner already keeps in each sample's folder (host
# seconds from "start", except where a guest clock is named):
#   start    the runner asks libvirt for the guest (domain.xml written just before)
#   qemu     libvirt logs "starting up" in qemu.log (it starts QEMU next)
#   kernel   the guest kernel starts: /init ready minus the guest's uptime then
#            (firmware and QEMU start lie before; wall clock only: under
#            clock=icount the guest's uptime counts instructions)
#   ready    /init says VQLAB-READY (boot_s)
#   go       the job starts (the guest's job_start_s after ready)
#   end      the job ends (job_end_s; includes the warm-up, the tracer's start
#            and stop, and the measured window; with several windows per
#            boot, the first window's)
#   report   the framed report is complete (wall_s)
#   next     the next sample's start: teardown, host counters, the sample's
#            line, the driver's start (last sample: qemu.log's last write)
# "window" is the measured window (the workload's own seconds, e.g.
# pktgen_usec; the sum over a boot's windows), "overhead" 1 - window / (next - start).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
run=0 reps=3 dur=5 windows=1
while getopts rn:d:w: o; do
	case $o in
	r) run=1 ;; n) reps=$OPTARG ;; d) dur=$OPTARG ;; w) windows=$OPTARG ;;
	*) sed -n 's/^# \{0,1\}//; 3,7p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if [ $run = 1 ]; then
	out=${OUT:-$(mktemp -d /tmp/vqlab-phases-XXXXXX)}
	sc=${1:-}
	if [ -z "$sc" ]; then
		sc=$out/phases.ini
		printf '[scenario]\nname = phases\nwindows = %s\n[axes]\nworkload = net-tx\n' \
			"$windows" >"$sc"
	fi
	"$O/vqlab" -j run "$sc" -o "$out" --repeat "$reps" --duration "$dur" >"$out/run.json.out"
	dir=$(jq -r '.dir // empty' "$out/run.json.out")
	[ -n "$dir" ] || { cat "$out/run.json.out" >&2; exit 1; }
else
	dir=${1:?usage: sample-phases.sh RUN_DIR | -r [-n REPS] [-d SECONDS] [-w WINDOWS] [SCENARIO]}
fi
[ -r "$dir/samples.jsonl" ] || { echo "Error: $dir: no samples.jsonl" >&2; exit 1; }

# the ISO time with fraction of "2026-12-02 06:51:24.717+0000: starting up"
epoch() { date -d "$1" +%s.%N; }

# One line per sample: name, clock, start, qemu, ready's uptime, boot_s, job
# start/end (guest uptime), wall_s, window seconds, qemu.log's last write.
jq -r '[.cell, .rep, .attempt, .wall_s, (.metrics.boot_s.value // 0), .axes.clock // "wall",
	((if .windows then ([.windows[].metrics.pktgen_usec.value // 0] | add)
	  else (.metrics.pktgen_usec.value // 0) end) / 1e6)] | @tsv' "$dir/samples.jsonl" |
while IFS=$'\t' read -r cell rep att wall boot clock window; do
	s=$dir/cells/$cell/$rep
	[ "$att" = 0 ] || s=$s.$att
	start=$(stat -c %.9Y "$s/domain.xml")
	q=$(sed -n 's/^\([0-9-]* [0-9:.]*+0000\): starting up.*/\1/p' "$s/qemu.log" | head -1)
	qemu=$(epoch "$q")
	ready_up=$(sed -n 's/^VQLAB-READY \([0-9.]*\).*/\1/p' "$s/report.log" | head -1)
	js=$(sed -n 's/.*"job_start_s":\([0-9.]*\).*/\1/p' "$s/report.log" | head -1)
	je=$(sed -n 's/.*"job_end_s":\([0-9.]*\).*/\1/p' "$s/report.log" | head -1)
	last=$(stat -c %.9Y "$s/qemu.log")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cell/$rep" "$clock" "$start" \
		"$qemu" "${ready_up:-0}" "$boot" "${js:-0}" "${je:-0}" "$wall" "$window" "$last"
done | sort -t$'\t' -k3,3n | awk -F'\t' '
{ for (i = 1; i <= 11; i++) a[NR, i] = $i; n = NR }
END {
	printf "%-8s %-6s %6s %6s %6s %6s %6s %6s %6s %7s %8s\n", "sample", "clock", "qemu",
	       "kernel", "ready", "go", "end", "report", "next", "window", "overhead"
	for (r = 1; r <= n; r++) {
		st = a[r, 3]; ready = a[r, 6]; up = a[r, 5]
		kern = a[r, 2] == "icount" ? "-" : sprintf("%6.2f", ready - up)
		go = ready + a[r, 7] - up; end = ready + a[r, 8] - up
		if (a[r, 2] == "icount") { go = "-"; end = "-" }
		nxt = r < n ? a[r + 1, 3] - st : a[r, 11] - st
		ov = nxt > 0 ? 100 * (1 - a[r, 10] / nxt) : 0
		printf "%-8s %-6s %6.2f %6s %6.2f %6s %6s %6.2f %6.2f %7.2f %7.1f%%\n", a[r, 1],
		       a[r, 2], a[r, 4] - st, kern, ready, go == "-" ? "-" : sprintf("%6.2f", go),
		       end == "-" ? "-" : sprintf("%6.2f", end), a[r, 9], nxt, a[r, 10], ov
		tot += nxt; win += a[r, 10]
	}
	if (n)
		printf "all      %d samples: %.1f s, measured %.1f s, overhead %.1f%%\n", n, tot,
		       win, 100 * (1 - win / tot)
}'

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqguestreport on the host, with crafted inputs: the report it writes is
# valid JSON with the keys, order and types the host reads (tools/lab/guest.c,
# sample.c) whatever the strings hold (quotes, backslashes, control bytes,
# bytes that are not UTF-8); counts stay integers, NaN becomes null; a tool
# output without its figures fails with the missing key named and adds
# nothing; usage errors exit 2, runtime errors 1. The guest run is in
# workloads.sh and integration/smoke.sh.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
R=$O/vqguestreport
[ -x "$R" ] || { echo "$R is not built (make)"; exit 77; }
command -v jq >/dev/null || { echo "no jq"; exit 77; }
tmp=$(mktemp -d /tmp/vqguestreport-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export VQGUESTREPORT_STATE=$tmp/state.json
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

expect() { # expect RC DESC ARGS...: exit status RC, and 'Error:' on stderr unless 0
	local want=$1 desc=$2 rc
	shift 2
	"$R" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != "$want" ]; then
		fail "$desc: exit $rc, expected $want ($(head -n 1 "$tmp/err"))"
	elif [ "$want" != 0 ] && ! grep -q '^Error: ' "$tmp/err"; then
		fail "$desc: no 'Error:' line"
	else
		ok "$desc: exit $want"
	fi
}
check() { # check DESC JQ-EXPR [FILE]: the expression holds on the report
	jq -e "$2" "${3:-$tmp/report.json}" >/dev/null && ok "$1" ||
		fail "$1: $(jq -c . "${3:-$tmp/report.json}" 2>&1 | cut -c1-400)"
}
write() { # write [OPTIONS]: the report into $tmp/report.json
	"$R" write --job none --start 4.25 --end 9.5 --root "$tmp/root" "$@" \
		>"$tmp/report.json" 2>"$tmp/err" || fail "write $*: exit $? ($(cat "$tmp/err"))"
}

expect 0 "--help" --help
grep -q '^EXAMPLES:' "$tmp/out" || fail "--help has no EXAMPLES"
expect 2 "no command"
expect 2 "unknown command" frobnicate
expect 2 "metric with three arguments" metric a 1 u
expect 2 "metric with five arguments" metric a 1 u higher b
expect 2 "metric value '12x'" metric a 12x u higher
expect 2 "metric value ''" metric a "" u higher
expect 2 "metric better 'best'" metric a 1 u best
expect 2 "metric with an empty name" metric "" 1 u higher
expect 2 "write without --job" write --start 1 --end 2
expect 2 "write --status maybe" write --job x --start 1 --end 2 --status maybe
expect 2 "write --start abc" write --job x --start abc --end 2
expect 2 "write --frob" write --job x --start 1 --end 2 --frob
expect 2 "sink SECONDS 0" sink /dev/null 0
expect 2 "bench-run with a bad count" bench-run vqtrace 0 12x 5
[ ! -e "$VQGUESTREPORT_STATE" ] && ok "usage errors leave no state" || fail "a usage error wrote state"

# A guest's /proc and /sys, with strings that break a hand-made writer.
mkdir -p "$tmp/root/proc/sys/kernel" "$tmp/root/sys/devices/system/cpu/vulnerabilities" \
	"$tmp/root/sys/devices/system/clocksource/clocksource0" \
	"$tmp/root/sys/bus/virtio/devices/virtio0" "$tmp/root/sys/bus/virtio/devices/virtio1" \
	"$tmp/root/sys/bus/virtio/devices/vir\"tio2"
printf 'console=ttyS0 vqlab.job=none q="a\\b" \001\033[1mbold\t\xff\n' >"$tmp/root/proc/cmdline"
printf '7.0.0-"quoted"\n' >"$tmp/root/proc/sys/kernel/osrelease"
printf 'Mitigation: Retpolines; "x"\n' >"$tmp/root/sys/devices/system/cpu/vulnerabilities/spectre_v2"
printf 'tsc\n' >"$tmp/root/sys/devices/system/clocksource/clocksource0/current_clocksource"
printf '0x0001\n' >"$tmp/root/sys/bus/virtio/devices/virtio0/device"
printf '0000000000000000000000000000000000110000\n' >"$tmp/root/sys/bus/virtio/devices/virtio0/features"
printf '0x0002\n' >"$tmp/root/sys/bus/virtio/devices/virtio1/device" # no features: left out
printf '0x1a\n' >"$tmp/root/sys/bus/virtio/devices/vir\"tio2/device"
printf '1\n' >"$tmp/root/sys/bus/virtio/devices/vir\"tio2/features"
for i in $(seq 25); do printf 'line %d "q" \\ \001\n' "$i"; done >"$tmp/job.out"

write --status failed --reason $'say "no"\\ \n\001end' --job-output "$tmp/job.out"
[ "$(wc -l <"$tmp/report.json")" = 0 ] && ok "the report is one line, no newline (init frames it byte for byte)" ||
	fail "the report has $(wc -l <"$tmp/report.json") newlines"
check "the report's keys, in the shell writer's order" 'keys_unsorted == ["status", "reason", "job",
	"job_start_s", "job_end_s", "kernel_release", "spectre_v2", "clocksource", "cmdline", "cpus",
	"devices",
	"metrics", "warmup_metrics", "trace", "trace_stderr", "job_output"]'
check "types: numbers, strings, arrays and objects where the host reads them" '
	(.job_start_s == 4.25) and (.job_end_s == 9.5) and (.cpus | type == "number" and . >= 1) and
	.metrics == {} and .warmup_metrics == {} and .trace == null and .trace_stderr == "" and
	.status == "failed" and .job == "none"'
check "strings: quotes and backslashes kept, control bytes dropped, non-UTF-8 as '?'" '
	.reason == "say \"no\"\\ end" and .kernel_release == "7.0.0-\"quoted\"" and
	.spectre_v2 == "Mitigation: Retpolines; \"x\"" and .clocksource == "tsc" and
	.cmdline == "console=ttyS0 vqlab.job=none q=\"a\\b\" [1mbold?"'
check "devices: those with features, name order, device_id a number" '.devices ==
	[{"name": "vir\"tio2", "device_id": 26, "features": "1"},
	 {"name": "virtio0", "device_id": 1, "features": "0000000000000000000000000000000000110000"}]'
check "job_output: its last 20 lines, line breaks kept" '.job_output | split("\n") |
	length == 20 and .[0] == "line 6 \"q\" \\ " and .[19] == "line 25 \"q\" \\ "'

# Metrics: integers stay integers, decimals are reals, NaN and inf are null.
expect 0 "metric: five at once" metric ping_sent 10 packets none pps 24.5 packets/s higher \
	big 9007199254740993 packets none neg -3 x lower oct 010 x none
expect 0 "metric nan" metric lost nan packets lower
expect 0 "metric -inf" metric far -inf m lower
write
check "metrics: {value, unit, better}, decimal only, NaN and inf as null" '.metrics == {
	"ping_sent": {"value": 10, "unit": "packets", "better": "none"},
	"pps": {"value": 24.5, "unit": "packets/s", "better": "higher"},
	"big": {"value": 9007199254740993, "unit": "packets", "better": "none"},
	"neg": {"value": -3, "unit": "x", "better": "lower"},
	"oct": {"value": 10, "unit": "x", "better": "none"},
	"lost": {"value": null, "unit": "packets", "better": "lower"},
	"far": {"value": null, "unit": "m", "better": "lower"}}'
grep -q '"ping_sent":{"value":10,' "$tmp/report.json" && grep -q '"value":9007199254740993,' "$tmp/report.json" &&
	ok "counts are written as integers (no 10.0, no rounding above 2^53)" || fail "counts: $(cat "$tmp/report.json")"

# Warm-up: the metrics so far move to warmup_metrics; the measured run starts empty.
expect 0 "warmup" warmup
expect 0 "metric after the warm-up" metric ping_sent 12 packets none
write
check "warmup moves the metrics to warmup_metrics" '.warmup_metrics.ping_sent.value == 10 and
	.warmup_metrics.lost.value == null and .metrics == {"ping_sent": {"value": 12, "unit": "packets", "better": "none"}}'

# The trace summary is embedded as JSON; missing or empty: null; not JSON: the report fails.
printf '{"mode":"full","queues":[{"name":"output.0","adds":5,"gets":5,"ratio":0.1}]}\n' >"$tmp/trace.json"
printf 'libbpf: "warning"\nTracing 12 programs\n' >"$tmp/trace.err"
write --trace "$tmp/trace.json" --trace-stderr "$tmp/trace.err"
check "trace: embedded as JSON, not as text" '.trace.queues[0].adds == 5 and .trace.mode == "full" and
	.trace_stderr == "libbpf: \"warning\"\nTracing 12 programs" and .status == "ok"'
: >"$tmp/empty"
write --trace "$tmp/empty"
check "an empty trace file: null, status ok" '.trace == null and .status == "ok"'
write --trace "$tmp/nonexistent"
check "no trace file: null, status ok" '.trace == null and .status == "ok"'
printf '{"mode":"full","queues":[{"na' >"$tmp/torn.json"
write --trace "$tmp/torn.json"
check "a torn trace: null, and the report fails saying why" '.trace == null and
	.status == "failed" and (.reason | test("vqtrace.*torn.json.*not JSON"))'
write --trace "$tmp/torn.json" --status failed --reason "the job's own reason"
check "a torn trace keeps an earlier failure's reason" '.reason == "the job'"'"'s own reason"'

# vqblkload's output: read with jansson, all five metrics or none.
rm -f "$VQGUESTREPORT_STATE"
if [ -x "$O/vqblkload" ]; then
	truncate -s 4M "$tmp/disk.img"
	"$O/vqblkload" --ios 200 --iodepth 4 "$tmp/disk.img" >"$tmp/blk.json" 2>/dev/null ||
		fail "vqblkload on a file failed"
else
	printf '{"schema":1,"ios":200,"errors":0,"iops":1234.5,"MBps":5.06,"lat_us":{"mean":3.25,"max":9}}\n' >"$tmp/blk.json"
fi
expect 0 "blkload" blkload "$tmp/blk.json"
write
jq -e --slurpfile b "$tmp/blk.json" '$b[0] as $b | .metrics == {
	"blk_ios": {"value": $b.ios, "unit": "requests", "better": "higher"},
	"blk_iops": {"value": $b.iops, "unit": "requests/s", "better": "higher"},
	"blk_mbps": {"value": $b.MBps, "unit": "MB/s", "better": "higher"},
	"blk_lat_mean_us": {"value": $b.lat_us.mean, "unit": "us", "better": "lower"},
	"blk_errors": {"value": $b.errors, "unit": "requests", "better": "lower"}} and $b.ios == 200' \
	"$tmp/report.json" >/dev/null && ok "blkload: vqblkload's figures, as its JSON has them" ||
	fail "blkload: $(jq -c .metrics "$tmp/report.json") from $(cat "$tmp/blk.json")"
rm -f "$VQGUESTREPORT_STATE"
printf '{"schema":1,"ios":200,"errors":0,"MBps":5.06,"lat_us":{"mean":3.25}}\n' >"$tmp/blk-noiops.json"
expect 1 "blkload: an output without iops" blkload "$tmp/blk-noiops.json"
grep -q "'iops'" "$tmp/err" && ok "the missing key is named: $(cat "$tmp/err")" || fail "missing key: $(cat "$tmp/err")"
printf '{"ios":200,"iops":1.5,"MBps":5,"errors":0,"lat_us":{"mean":"NaN"}}\n' >"$tmp/blk-strmean.json"
expect 1 "blkload: a mean that is not a number" blkload "$tmp/blk-strmean.json"
expect 1 "blkload: not JSON" blkload "$tmp/torn.json"
expect 1 "blkload: no file" blkload "$tmp/nonexistent"
write
check "a refused blkload output adds no metric" '.metrics == {}'

# vqsink's output: rx_* over the given seconds; no packet is a failure.
printf '{"schema":1,"ifname":"eth0","mode":"native","packets":1000,"bytes":60000,"seconds":5.01}\n' >"$tmp/sink.json"
expect 0 "sink" sink "$tmp/sink.json" 3
write
check "sink: rx_packets, rx_bytes, rx_pps (to 0.1), rx_xdp_native" '.metrics == {
	"rx_packets": {"value": 1000, "unit": "packets", "better": "higher"},
	"rx_bytes": {"value": 60000, "unit": "bytes", "better": "higher"},
	"rx_pps": {"value": 333.3, "unit": "packets/s", "better": "higher"},
	"rx_xdp_native": {"value": 1, "unit": "boolean", "better": "none"}}'
rm -f "$VQGUESTREPORT_STATE"
printf '{"schema":1,"ifname":"eth0","mode":"generic","packets":0,"bytes":0,"seconds":5}\n' >"$tmp/sink0.json"
expect 1 "sink: no packet" sink "$tmp/sink0.json" 3
grep -q '^Error: no packet reached eth0 (generic XDP)$' "$tmp/err" && ok "sink: says which interface and mode" ||
	fail "sink, no packet: $(cat "$tmp/err")"
printf '{"schema":1,"ifname":"eth0","mode":"native","bytes":0}\n' >"$tmp/sink-nopackets.json"
expect 1 "sink: no counts" sink "$tmp/sink-nopackets.json" 3
grep -q 'vqsink printed no counts' "$tmp/err" || fail "sink, no counts: $(cat "$tmp/err")"
[ ! -e "$VQGUESTREPORT_STATE" ] && ok "refused sink outputs add nothing" || fail "a refused sink output wrote state"

# The bench-overhead job's structured metric.
printf '{"calls":20000,"fentry":12}\n' >"$tmp/hookcost.json"
expect 0 "bench-run" bench-run none 0 1000 5000
expect 0 "bench-run" bench-run vqtrace 0 900 5100
expect 0 "bench-stats, packets unknown" bench-stats kprobe "" "$tmp/empty"
expect 0 "bench-stats" bench-stats vqtrace 800 "$tmp/trace.json"
expect 0 "bench-hookcost" bench-hookcost "$tmp/hookcost.json"
expect 1 "bench-stats with a torn tracer output" bench-stats core 5 "$tmp/torn.json"
write
check "bench_overhead: runs, stats_runs and hookcost as JSON" '.metrics.bench_overhead == {
	"value": null, "hookcost": {"calls": 20000, "fentry": 12}, "unit": "packets", "better": "higher",
	"runs": [{"mode": "none", "rep": 0, "packets": 1000, "usec": 5000},
		 {"mode": "vqtrace", "rep": 0, "packets": 900, "usec": 5100}],
	"stats_runs": {"kprobe": {"packets": null, "trace": null},
		       "vqtrace": {"packets": 800, "trace": {"mode": "full",
			"queues": [{"name": "output.0", "adds": 5, "gets": 5, "ratio": 0.1}]}}}}'

printf 'not json' >"$VQGUESTREPORT_STATE"
expect 1 "a state file that is not JSON" metric a 1 u higher

# guest/ hands figures to the tool: no JSON member written or parsed in shell.
if grep -nE '\\"[A-Za-z_]+\\":|jstr|json_(num|str)|blk_num' "$top"/guest/init "$top"/guest/jobs/*.sh; then
	fail "guest/ builds or parses JSON in shell (above)"
else
	ok "guest/ builds no JSON by hand"
fi

echo "$fails failed"
[ $fails = 0 ]

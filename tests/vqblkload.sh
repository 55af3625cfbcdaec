#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqblkload on the host, on a file (O_DIRECT works on ext4 and tmpfs): every
# usage error exits 2 with 'Error:', runtime errors exit 1, a run prints one
# JSON object whose figures agree with each other, writes really write, and
# SIGTERM ends a run early with a result. The guest run is in workloads.sh.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
B=$O/vqblkload
[ -x "$B" ] || { echo "$B is not built (make)"; exit 77; }
tmp=$(mktemp -d "$O/vqblkload-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
img=$tmp/disk.img
truncate -s 16M "$img"

expect() { # expect RC DESC ARGS...: exit status RC, and 'Error:' on stderr unless 0
	local want=$1 desc=$2 rc
	shift 2
	"$B" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != "$want" ]; then
		fail "$desc: exit $rc, expected $want ($(head -n 1 "$tmp/err"))"
	elif [ "$want" != 0 ] && ! grep -q '^Error: ' "$tmp/err"; then
		fail "$desc: no 'Error:' line"
	else
		ok "$desc: exit $want"
	fi
}

expect 0 "--help" --help
grep -q '^EXAMPLES:' "$tmp/out" || fail "--help has no EXAMPLES"
expect 2 "no DEVICE"
expect 2 "unknown option" --frob "$img"
expect 2 "--rw seqread" --rw seqread "$img"
expect 2 "--bs 1000 (not a multiple of 512)" --bs 1000 "$img"
expect 2 "--bs 256" --bs 256 "$img"
expect 2 "--bs 2m (above 1 MiB)" --bs 2m "$img"
expect 2 "--size 16e (overflow)" --size 99999999999999g "$img"
expect 2 "--iodepth 0" --iodepth 0 "$img"
expect 2 "--iodepth 1025" --iodepth 1025 "$img"
expect 2 "--iodepth 8x" --iodepth 8x "$img"
expect 2 "--duration 0" --duration 0 "$img"
expect 2 "--duration abc" --duration abc "$img"
expect 2 "--size -1" --size -1 "$img"
expect 2 "--seed without value" "$img" --seed
expect 2 "two devices" "$img" "$img"
expect 1 "missing device" -D 0.1 "$tmp/nonexistent"
expect 1 "a directory" -D 0.1 "$tmp"
expect 1 "--size beyond the file" -D 0.1 --size 32M "$img"
truncate -s 1000 "$tmp/small"
expect 1 "a file smaller than one block" -D 0.1 "$tmp/small"

expect 0 "randread, QD 4" -D 0.5 --iodepth 4 "$img"
jq -e '.rw == "randread" and .iodepth == 4 and .bs == 4096 and .errors == 0 and .ios > 0 and
	.bytes == .ios * 4096 and (.iops - .ios / .seconds | fabs) < 0.01 * .iops and
	(.MBps - .bytes / 1e6 / .seconds | fabs) < 0.01 * .MBps and .seconds > 0.45 and
	.seconds < 5 and (.lat_us.log2 | add) == .ios and .lat_us.mean > 0' "$tmp/out" >/dev/null &&
	ok "randread: one JSON object, consistent figures: $(cat "$tmp/out" | cut -c1-160)" ||
	fail "randread JSON: $(cat "$tmp/out")"

cmp -s "$img" <(head -c 16M /dev/zero) || fail "randread changed the file"
expect 0 "randwrite, --bs 8192, --size 1M" --rw randwrite --bs 8192 --size 1M -D 0.3 "$img"
jq -e '.rw == "randwrite" and .bs == 8192 and .size == 1048576 and .ios > 0' "$tmp/out" >/dev/null ||
	fail "randwrite JSON: $(cat "$tmp/out")"
# Only the first MiB was written, and it was.
[ "$(head -c 1M "$img" | tr -d '\000' | wc -c)" -gt 0 ] && ok "randwrite wrote into the first MiB" ||
	fail "randwrite left the first MiB zero"
[ "$(tail -c +1048577 "$img" | tr -d '\000' | wc -c)" = 0 ] && ok "--size 1M: nothing written beyond" ||
	fail "randwrite wrote beyond --size"

# The same seed gives the same offsets: the same blocks written, byte for
# byte; another seed gives others. --ios makes the runs the same length.
for f in a b c; do truncate -s 4M "$tmp/$f"; done
expect 0 "--ios 300 --seed 7" --rw randwrite --ios 300 --seed 7 "$tmp/a"
jq -e '.ios == 300' "$tmp/out" >/dev/null && ok "--ios 300: exactly 300 I/Os" || fail "--ios 300: $(cat "$tmp/out")"
"$B" --rw randwrite --ios 300 --seed 7 "$tmp/b" >/dev/null 2>&1
"$B" --rw randwrite --ios 300 --seed 8 "$tmp/c" >/dev/null 2>&1
cmp -s "$tmp/a" "$tmp/b" && ok "--seed 7 twice: the same blocks written" || fail "--seed is not reproducible"
cmp -s "$tmp/a" "$tmp/c" && fail "--seed 7 and 8 wrote the same blocks" || ok "--seed 8: other blocks"
expect 2 "--ios 0" --ios 0 "$img"
expect 2 "--bs 3x (unknown suffix)" --bs 3x "$img"
expect 0 "--bs 64k --size 2m" --bs 64k --size 2m --ios 10 "$img"
jq -e '.bs == 65536 and .size == 2097152 and .ios == 10' "$tmp/out" >/dev/null && ok "k and m suffixes" ||
	fail "suffixes: $(cat "$tmp/out")"

"$B" --duration 60 "$img" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && jq -e '.seconds < 10 and .ios > 0' "$tmp/out" >/dev/null &&
	ok "SIGTERM: exit 0 with a result after $(jq .seconds "$tmp/out") s" ||
	fail "SIGTERM: exit $rc, $(cat "$tmp/out" "$tmp/err")"

echo "$fails failed"
[ $fails = 0 ]

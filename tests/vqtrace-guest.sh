#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqtrace in real guests (QEMU, TCG), on Debian's 7.x (IN_ORDER series) and
# 6.12 kernels: known workloads must give known counts.
#   ping-known N  -> N adds and N gets on output.0 (no ARP: a permanent entry)
#   blk-read N    -> N adds and N gets on req.0, 3 descriptors and 16+4096+1
#                    bytes each (request header, data, status)
#   blk-randread  -> 16 random reads in flight, QEMU's null driver with a
#                    latency, no IN_ORDER: buffers come back out of order, so
#                    completion_reorders > 0 (the counter can see a reorder)
#   blk-full      -> the same on a 16-entry ring without indirect descriptors:
#                    3 descriptors a read, 8 requests at a time, so adds fail
#                    (-ENOSPC) and are retried; vqtrace traces adds at their
#                    entry and must take the failed ones back (add_errors > 0,
#                    adds == ios, the in-flight identity still holds)
# and on every queue: adds - gets == in_flight_end (both counted without the
# buffers that were in flight before tracing began), latency count == gets,
# completion reorders == 0 whenever IN_ORDER was negotiated, and a layout and
# feature bits that agree with what QEMU was told and with sysfs in the guest.
# Skips (77) only when QEMU is missing; a kernel missing from the cache
# (VQLAB_CACHE, default /var/cache/vqlab) is fetched first. Guests boot two
# at a time.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
cache=${VQLAB_CACHE:-/var/cache/vqlab}
N_PING=${N_PING:-6}
N_BLK=${N_BLK:-9}

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
failures=0

command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is not installed"; exit 77; }
command -v jq >/dev/null || { echo "FAIL: jq is not installed (scripts/setup.sh)"; exit 1; }
[ -x "$O/vqtrace" ] || { echo "FAIL: $O/vqtrace is not built (make)"; exit 1; }
boot_args=$("$O/vqlab" kernel args) || { echo "FAIL: $O/vqlab kernel args"; exit 1; }

work=$(mktemp -d /tmp/vqtrace-guest.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

declare -A suite=([sid]=sid [bpo]=bookworm-backports) kdir=()
for k in "${!suite[@]}"; do
	kdir[$k]=$cache/kernels/debian-${suite[$k]}/current
	# A fresh machine has neither kernel: fetch what is missing (a fetch
	# that fails is a failure, not a skip).
	[ -r "${kdir[$k]}/vmlinuz" ] || "$top/scripts/fetch-kernel.sh" "${suite[$k]}" "$cache/kernels" >/dev/null || {
		echo "FAIL: no guest kernel in ${kdir[$k]}, and scripts/fetch-kernel.sh ${suite[$k]} $cache/kernels failed"
		exit 1
	}
	# vqblkload (random I/O at a queue depth) for the blk-randread case.
	extra=()
	[ -x "$O/vqblkload" ] && extra=("$O/vqblkload")
	O=$O "$top/scripts/mkinitramfs.sh" "${kdir[$k]}" "$work/initrd-$k.gz" "${extra[@]}" >/dev/null ||
		{ echo "FAIL: mkinitramfs for ${kdir[$k]}"; exit 1; }
done

# vqtrace's CO-RE types: the initramfs above holds the minimal BTF that
# mkinitramfs.sh makes per kernel (vqtrace --core-btf); "sidk" is the sid
# kernel without it, where vqtrace must fall back to the kernel's BTF and
# count the same.
kdir[sidk]=${kdir[sid]}
O=$O VQLAB_CORE_BTF=0 "$top/scripts/mkinitramfs.sh" "${kdir[sid]}" "$work/initrd-sidk.gz" "${extra[@]}" >/dev/null ||
	{ echo "FAIL: mkinitramfs (VQLAB_CORE_BTF=0) for ${kdir[sid]}"; exit 1; }
for k in sid bpo sidk; do
	n=$(gzip -dc "$work/initrd-$k.gz" | cpio -it --quiet 2>/dev/null | grep -c '^lib/vqtrace/.*\.btf$')
	want=1
	[ $k = sidk ] && want=0
	[ "$n" = $want ] && ok "initrd-$k: $n minimal BTF file(s) for vqtrace" ||
		fail "initrd-$k: $n minimal BTF files under lib/vqtrace, expected $want"
done

# The object's programs, one per SEC("fentry/…") or SEC("fexit/…").
n_progs=$(grep -c '^SEC("f\(entry\|exit\)/' "$top/bpf/vqtrace.bpf.c")

# case name | kernel | job | count | virtio-net properties | block device
# (no, or its virtio-blk-pci properties; "-" for none)
cases=(
	"sid-split-io   sid ping-known   $N_PING in_order=on           no"
	"sid-packed-io  sid ping-known   $N_PING in_order=on,packed=on -"
	"sid-split      sid ping-known   $N_PING in_order=off          no"
	"sid-blk-io     sid blk-read     $N_BLK  in_order=on           in_order=on"
	"sidk-split-io  sidk ping-known  $N_PING in_order=on           no"
	"sidk-blk-io    sidk blk-read    $N_BLK  in_order=on           in_order=on"
	"bpo-packed-io  bpo ping-known   $N_PING in_order=on,packed=on no"
	"bpo-blk        bpo blk-read     $N_BLK  in_order=off          in_order=on"
)
[ -x "$O/vqblkload" ] && cases+=("sid-blk-reorder sid blk-randread 0 in_order=off          in_order=off,latency"
	"sid-blk-full    sid blk-randread 0 in_order=off          in_order=off,indirect_desc=off,queue-size=16"
	"bpo-blk-full    bpo blk-randread 0 in_order=off          packed=on,indirect_desc=off,queue-size=16")
[ -x "$O/vqblkload" ] || echo "note: $O/vqblkload is not built: no reorder case" 

boot() { # NAME KERNEL JOB COUNT NETPROPS BLK
	local d=$work/$1 blk=() lat= props=${6%,latency}
	[ "$props" = - ] && props=
	mkdir -p "$d"
	# With a latency, QEMU's null driver completes 16 reads together, in
	# no particular order.
	[[ $6 == *,latency ]] && lat=,latency-ns=200000
	[ "$6" = no ] || blk=(-drive if=none,id=d0,driver=null-co,size=1G$lat
		-device virtio-blk-pci,drive=d0${props:+,$props})
	# restrict=on: the user-mode network reaches nothing outside the guest.
	timeout 240 qemu-system-x86_64 -accel tcg -m 1024 -nographic -no-reboot \
		-kernel "${kdir[$2]}/vmlinuz" -initrd "$work/initrd-$2.gz" \
		-append "console=ttyS0 $boot_args quiet vqlab.job=$3 vqlab.count=$4 vqlab.duration=2 vqlab.iodepth=16" \
		-serial file:"$d/console.log" -serial file:"$d/report.log" \
		-monitor none -display none \
		-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,$5 \
		"${blk[@]}" >"$d/qemu.log" 2>&1
	echo $? >"$d/rc"
}

start=$SECONDS
running=0
for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	boot $c &
	pids+=($!)
	running=$((running + 1))
	if [ $running -ge 2 ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
pids=()
echo "guests: $((SECONDS - start)) s"

# The report payload, after checking the frame's length (init's framing).
payload() {
	local f=$1 hdr len
	hdr=$(grep -a -m1 '^VQLAB-REPORT 1 ' "$f") || return 1
	len=$(echo "$hdr" | cut -d' ' -f3)
	sed -n '/^VQLAB-REPORT 1 /{n;p;q}' "$f" | head -c "$len"
}

check_case() { # NAME KERNEL JOB COUNT NETPROPS BLK
	local name=$1 k=$2 job=$3 n=$4 props=$5 d=$work/$1 r q want_layout want_io
	r=$(payload "$d/report.log") || { fail "$name: no report (qemu exit $(cat "$d/rc"); console: $(tail -c 300 "$d/console.log" | tr -d '\r'))"; return; }
	echo "$r" >"$d/report.json"
	jq -e . "$d/report.json" >/dev/null || { fail "$name: report is not JSON"; return; }
	[ "$(jq -r .status "$d/report.json")" = ok ] ||
		{ fail "$name: guest status $(jq -c '[.status,.reason]' "$d/report.json")"; return; }
	jq -e '.trace.schema == 1 and (.trace.programs | index("virtqueue_get_buf_ctx")) and (.trace.programs | index("virtqueue_add_outbuf"))' \
		"$d/report.json" >/dev/null || fail "$name: trace schema/programs: $(jq -c '.trace.programs' "$d/report.json")"
	# Every program of the object attached or skipped, either way; core_btf
	# says which BTF CO-RE used: the initramfs' file for this kernel, or none.
	jq -e --arg k "$k" --argjson n "$n_progs" '.trace as $t | ($t.programs + $t.skipped_programs | length) == $n
		and (($t.programs | length) >= $n - 3)
		and $t.core_btf == (if $k == "sidk" then null else "/lib/vqtrace/" + $t.kernel_release + ".btf" end)' \
		"$d/report.json" >/dev/null &&
		ok "$name: $(jq '.trace.programs | length' "$d/report.json") of $n_progs programs attached, CO-RE BTF $(jq -c .trace.core_btf "$d/report.json")" ||
		fail "$name: programs/core_btf: $(jq -c '[.trace.programs, .trace.skipped_programs, .trace.core_btf]' "$d/report.json")"
	if [ "$k" = bpo ]; then
		jq -e '.trace.skipped_programs | index("virtqueue_add_inbuf_cache_clean")' "$d/report.json" >/dev/null ||
			fail "$name: 6.12 has no virtqueue_add_inbuf_cache_clean, yet it was not skipped"
	fi

	# Every queue: the in-flight identity, latency count == tracked gets.
	jq -e '[.trace.queues[] | select((.adds - .untracked_adds) - (.gets - .gets_untracked) != .in_flight_end
		or .latency_ns.count != .gets - .gets_untracked
		or (.latency_ns.log2 | add // 0) != .latency_ns.count)] | length == 0' "$d/report.json" >/dev/null &&
		ok "$name: adds - gets == in_flight_end, latency count == gets, on every queue" ||
		fail "$name: in-flight/latency identity broken: $(jq -c '[.trace.queues[] | {name,adds,untracked_adds,gets,gets_untracked,in_flight_end,lat:.latency_ns.count}]' "$d/report.json")"

	# IN_ORDER negotiated (bit 35 in sysfs) <=> the trace says so; no reorders then.
	jq -e '[.devices[] as $d | .trace.queues[] | select(.dev_name == $d.name)
		| select(.in_order != ($d.features[35:36] == "1") or .packed != ($d.features[34:35] == "1"))] | length == 0' \
		"$d/report.json" >/dev/null && ok "$name: in_order/packed bits agree with sysfs" ||
		fail "$name: feature bits disagree with sysfs: $(jq -c '[.devices, [.trace.queues[] | {dev_name,features,in_order,packed}]]' "$d/report.json")"
	jq -e '[.trace.queues[] | select(.in_order and .completion_reorders != 0)] | length == 0' "$d/report.json" >/dev/null &&
		ok "$name: no completion reorders where IN_ORDER is negotiated" ||
		fail "$name: reorders under IN_ORDER: $(jq -c '[.trace.queues[] | {name,in_order,completion_reorders}]' "$d/report.json")"

	case $job in
	ping-known)
		q=$(jq -c '.trace.queues[] | select(.device_id == 1 and .name == "output.0")' "$d/report.json")
		[ -n "$q" ] || { fail "$name: no output.0 in the trace"; return; }
		echo "$q" | jq -e --argjson n "$n" '.adds == $n and .gets == $n and .add_errors == 0 and .untracked_adds == 0
			and .descs >= .adds and .bytes >= 98 * $n and .kicks >= 1' >/dev/null &&
			ok "$name: $n pings -> $n adds and $n gets on output.0" ||
			fail "$name: $n pings, output.0 says $(echo "$q" | jq -c '{adds,gets,gets_untracked,add_errors,descs,bytes,kicks}')"
		# QEMU was told packed=on/off and in_order=on/off; 6.12 never negotiates IN_ORDER.
		want_io=no
		[[ $props == *in_order=on* && $k == sid* ]] && want_io=yes
		want_layout=split
		[[ $props == *packed=on* ]] && want_layout=packed
		[ $want_io = yes ] && want_layout=${want_layout}_in_order
		echo "$q" | jq -e --arg l "$want_layout" --argjson io "$([ $want_io = yes ] && echo true || echo false)" \
			'.layout == $l and .in_order == $io and .ring_size == 256' >/dev/null &&
			ok "$name: layout $want_layout, in_order $want_io, ring 256" ||
			fail "$name: expected layout $want_layout in_order $want_io, got $(echo "$q" | jq -c '{layout,in_order,packed,ring_size}')"
		;;
	blk-read)
		q=$(jq -c '.trace.queues[] | select(.device_id == 2 and .name == "req.0")' "$d/report.json")
		[ -n "$q" ] || { fail "$name: no req.0 in the trace"; return; }
		echo "$q" | jq -e --argjson n "$n" '.adds == $n and .gets == $n and .descs == 3 * $n
			and .bytes == 4113 * $n and .interrupts >= 1 and .spurious_interrupts <= .interrupts' >/dev/null &&
			ok "$name: $n reads -> $n adds, $n gets, $((3 * n)) descs, $((4113 * n)) bytes on req.0" ||
			fail "$name: $n reads, req.0 says $(echo "$q" | jq -c '{adds,gets,descs,bytes,interrupts,spurious_interrupts}')"
		want_layout=split
		[[ $6 == *in_order=on* && $k == sid* ]] && want_layout=split_in_order
		echo "$q" | jq -e --arg l "$want_layout" '.layout == $l' >/dev/null &&
			ok "$name: req.0 layout $want_layout" ||
			fail "$name: req.0 layout $(echo "$q" | jq -r .layout), expected $want_layout"
		;;
	blk-randread)
		q=$(jq -c '.trace.queues[] | select(.device_id == 2 and .name == "req.0")' "$d/report.json")
		[ -n "$q" ] || { fail "$name: no req.0 in the trace"; return; }
		ios=$(jq '.metrics.blk_ios.value' "$d/report.json")
		if [[ $name == *-full ]]; then
			echo "$q" | jq -e --argjson ios "$ios" '.add_errors > 0 and .adds >= $ios and .adds <= $ios + 32
				and .adds - .gets <= 16 and $ios > 100' >/dev/null &&
				ok "$name: $ios reads on a full ring -> $(echo "$q" | jq .add_errors) failed adds taken back, $(echo "$q" | jq .adds) adds ($(echo "$q" | jq -r .layout))" ||
				fail "$name: $ios reads, req.0 says $(echo "$q" | jq -c '{layout,adds,add_errors,gets,untracked_adds,in_flight_end}')"
			return
		fi
		# vqblkload counts completed I/Os; the tracer may also see a few
		# requests the kernel makes on its own: adds >= ios.
		echo "$q" | jq -e --argjson ios "$ios" '.in_order == false and .adds >= $ios and $ios > 100
			and .completion_reorders > 0 and (.in_flight_at_add.log2 | length) >= 4' >/dev/null &&
			ok "$name: $ios random reads at depth 16 -> $(echo "$q" | jq .completion_reorders) completion reorders without IN_ORDER" ||
			fail "$name: $ios reads, req.0 says $(echo "$q" | jq -c '{in_order,adds,gets,completion_reorders,in_flight_at_add}')"
		;;
	esac
}

for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	check_case $c
done
echo "total: $((SECONDS - start)) s, $failures failure(s)"
if [ $failures -gt 0 ]; then
	keep=/tmp/vqtrace-guest.failed
	rm -rf "$keep" && cp -r "$work" "$keep" && echo "guest logs kept in $keep"
	exit 1
fi
exit 0

# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
#
# blk-randread, blk-randwrite: $bs-byte random direct I/O on the virtio disk
# ($blk_dev) with $iodepth requests in flight for $duration seconds
# (vqblkload: O_DIRECT + Linux AIO, so each I/O is one request on the ring).
# blk-randwrite.sh holds only its job function; the shared part is here.
: "${bs:=4096}" "${iodepth:=16}" "${blk_dev:=/dev/vda}"

# disk_watch DISK SECONDS: one console line (KERN_ERR through /dev/kmsg, so
# `quiet` shows it) when DISK keeps requests in flight and completes none for
# SECONDS: how many, and where in the kernel vqblkload waits for them. Run
# with the host's stall rule on (hang_s, guest/init). It reads two sysfs
# files every SECONDS/2 with shell builtins and waits on a FIFO nobody
# writes instead of forking sleep(1): its CPU is what it costs (ash reads a
# file a byte per syscall; docs/device.md has the figures).
disk_watch() {
	n=0 last= every=$(($2 / 2))
	[ $every -ge 1 ] || every=1
	tick=/tmp/disk_watch.$$
	[ -p "$tick" ] || mkfifo "$tick" || return
	exec 3<>"$tick"
	while :; do
		read -t $every -u 3 _
		read -r r w <"/sys/block/$1/inflight" || return
		read -r rd _ _ _ wr _ <"/sys/block/$1/stat" || return
		if [ $((r + w)) -gt 0 ] && [ "$rd.$wr" = "$last" ]; then n=$((n + every)); else n=0; fi
		last=$rd.$wr
		# once, when the unchanged reads first span SECONDS
		[ $n -ge "$2" ] && [ $((n - every)) -lt "$2" ] || continue
		pid=$(pidof vqblkload)
		where=$(sed -n 's/^\[<[0-9a-f]*>\] \([^+]*\)+.*/\1/p' "/proc/${pid:-0}/stack" 2>/dev/null |
			head -n 4 | tr '\n' ' ')
		echo "<3>vqlab: $1: $((r + w)) requests in flight, none completed for $n s;" \
			"vqblkload (pid ${pid:-?}) waits in: ${where:-?}" >/dev/kmsg
	done
}

blk_job() { # $1: randread | randwrite
	name=${blk_dev#/dev/}
	[ -e "/sys/block/$name" ] || { fail "no disk $blk_dev in the guest (vqlab attaches one for blk-* workloads)"; return; }
	[ -b "$blk_dev" ] || mknod "$blk_dev" b $(tr ':' ' ' <"/sys/block/$name/dev")
	[ -x /bin/vqblkload ] || { fail "vqblkload is not in the initramfs"; return; }
	# No merging: two random I/Os that happen to be adjacent would become one
	# request with two data descriptors, and I/Os would no longer equal adds.
	echo 2 >"/sys/block/$name/queue/nomerges" 2>/dev/null
	watch_pid=
	if [ "${hang_s:-0}" -gt 0 ]; then
		disk_watch "$name" "$hang_s" &
		watch_pid=$!
	fi
	/bin/vqblkload --rw "$1" --bs "$bs" --iodepth "$iodepth" --duration "$duration" \
		"$blk_dev" >/tmp/blk.json 2>/tmp/job.out
	rc=$?
	[ -n "$watch_pid" ] && kill $watch_pid 2>/dev/null
	cat /tmp/blk.json >>/tmp/job.out
	[ $rc -eq 0 ] || { fail "vqblkload: $(grep Error /tmp/job.out | tail -n 1)"; return; }
	# blk_ios, blk_iops, blk_mbps, blk_lat_mean_us, blk_errors
	report blkload /tmp/blk.json
}

job_blk_randread() { blk_job randread; }

# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
#
# blk-randread, blk-randwrite: $bs-byte random direct I/O on the virtio disk
# ($blk_dev) with $iodepth requests in flight for $duration seconds
# (vqblkload: O_DIRECT + Linux AIO, so each I/O is one request on the ring).
# blk-randwrite.sh holds only its job function; the shared part is here.
: "${bs:=4096}" "${iodepth:=16}" "${blk_dev:=/dev/vda}"

blk_job() { # $1: randread | randwrite
	name=${blk_dev#/dev/}
	[ -e "/sys/block/$name" ] || { fail "no disk $blk_dev in the guest (vqlab attaches one for blk-* workloads)"; return; }
	[ -b "$blk_dev" ] || mknod "$blk_dev" b $(tr ':' ' ' <"/sys/block/$name/dev")
	[ -x /bin/vqblkload ] || { fail "vqblkload is not in the initramfs"; return; }
	# No merging: two random I/Os that happen to be adjacent would become one
	# request with two data descriptors, and I/Os would no longer equal adds.
	echo 2 >"/sys/block/$name/queue/nomerges" 2>/dev/null
	/bin/vqblkload --rw "$1" --bs "$bs" --iodepth "$iodepth" --duration "$duration" \
		"$blk_dev" >/tmp/blk.json 2>/tmp/job.out
	rc=$?
	cat /tmp/blk.json >>/tmp/job.out
	[ $rc -eq 0 ] || { fail "vqblkload: $(grep Error /tmp/job.out | tail -n 1)"; return; }
	# blk_ios, blk_iops, blk_mbps, blk_lat_mean_us, blk_errors
	report blkload /tmp/blk.json
}

job_blk_randread() { blk_job randread; }

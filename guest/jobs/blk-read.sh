# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
job_blk_read() { # exactly $count 4 KiB direct reads from the first virtio disk
	dev=$(ls /sys/block | grep '^vd' | head -n 1)
	[ -n "$dev" ] || { fail "no virtio block device in the guest"; return; }
	[ -b /dev/$dev ] || mknod /dev/$dev b $(tr ':' ' ' </sys/block/$dev/dev)
	# O_DIRECT: one request per read, no readahead, no page cache.
	dd if=/dev/$dev of=/dev/null bs=4096 count="$count" iflag=direct >/tmp/job.out 2>&1 ||
		{ fail "dd: $(tail -n 1 /tmp/job.out)"; return; }
	report metric blk_reads "$count" requests higher
}

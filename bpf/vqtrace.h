/* SPDX-License-Identifier: GPL-2.0 */
/* Layout shared by vqtrace.bpf.c and tools/vqtrace.c: fixed-width types only. */
#ifndef VQTRACE_H
#define VQTRACE_H

/* log2 histograms: slot i counts values in [2^i, 2^(i+1)), slot 0 also
 * holds 0; values past the last slot are clamped into it. */
#define VQT_LAT_SLOTS 40 /* ns: the last slot starts at 2^39 ns = 9 min */
#define VQT_DEPTH_SLOTS 17 /* buffers in flight: rings hold at most 32768 */
#define VQT_BATCH_SLOTS 17 /* gets between interrupts */

#define VQT_NAME_LEN 32
#define VQT_SLOTS_BITS 6
#define VQT_SLOTS (1 << VQT_SLOTS_BITS) /* distinct virtqueues tracked */
#define VQT_PROBES 4 /* slots tried per queue (open addressing) */
#define VQT_TOKEN_BITS 11
#define VQT_TOKENS (1 << VQT_TOKEN_BITS) /* token slots per queue */
#define VQT_TOKEN_PROBES 8 /* slots tried per token */

/* Ring layouts; the values are vqtrace's own, not the kernel's enum. */
enum vqt_layout {
	VQT_LAYOUT_SPLIT = 0,
	VQT_LAYOUT_PACKED = 1,
	VQT_LAYOUT_SPLIT_IN_ORDER = 2,
	VQT_LAYOUT_PACKED_IN_ORDER = 3,
	VQT_LAYOUT_UNKNOWN = 4,
};

/* One virtqueue as seen by the tracer, in a slot of an array indexed by a
 * hash of its address: identity read once (through CO-RE) when the queue is
 * first seen, then the state the programs share. */
struct vqt_queue {
	__u64 vq; /* struct virtqueue *: the slot's owner, 0 while free */
	__u64 features; /* vdev->features: the negotiated bits 0..63 */
	__u32 slot; /* this slot's index, also into the per-CPU stats array */
	__u32 traced; /* set last: 0 while being filled in, or filtered out */
	__u32 ready; /* the identity below is filled in */
	__u32 pad0;
	__s32 dev_index; /* vdev->index: virtio<N> */
	__u32 device_id; /* vdev->id.device: 1 net, 2 block, ... */
	__u32 vq_index;
	__u32 ring_size;
	__u32 layout; /* enum vqt_layout */
	__u32 indirect; /* vq->indirect: VIRTIO_RING_F_INDIRECT_DESC in use */
	__u32 event_idx; /* vq->event: VIRTIO_RING_F_EVENT_IDX in use */
	__u32 avail_kind; /* where an add's progress shows: VQT_AVAIL_* */
	char name[VQT_NAME_LEN];
	/* shared state, updated with atomics */
	__u64 next_seq; /* submission sequence of the next add */
	__u64 max_done_seq; /* highest sequence returned by a get so far */
	__s64 in_flight; /* tracked buffers added and not yet returned */
	__u64 gets_since_irq;
	/* The last add, counted at its entry, until the next add shows whether
	 * it succeeded (the ring's avail index moved) or failed. */
	__u32 prev_mark; /* avail index after that add's entry | VQT_MARK_VALID, 0: none */
	__u32 prev_token; /* its slot in `tokens`, VQT_NO_TOKEN if untracked */
	__u64 prev_descs;
	__u64 prev_bytes;
};

#define VQT_MARK_VALID (1u << 17)
#define VQT_AVAIL_NONE 0 /* unknown layout: failed adds are not found */
#define VQT_AVAIL_SPLIT 1 /* split.avail_idx_shadow */
#define VQT_AVAIL_PACKED 2 /* packed.next_avail_idx, packed.avail_wrap_counter */
#define VQT_NO_TOKEN 0xffffffffu

/* Per-CPU, per-virtqueue counters. Cumulative from the start and never
 * reset: user space takes differences between two reads, so no event is
 * lost between reading and resetting. */
struct vqt_stats {
	__u64 adds; /* successful virtqueue_add_* calls */
	__u64 add_errors; /* failed ones (ring full, -ENOMEM, ...) */
	__u64 descs; /* scatterlist entries in successful adds */
	__u64 bytes; /* their total length */
	__u64 untracked_adds; /* token table full: no latency for these */
	__u64 gets; /* buffers returned by virtqueue_get_buf_ctx */
	__u64 gets_untracked; /* returned buffers added before tracing began */
	__u64 gets_empty; /* virtqueue_get_buf_ctx calls that found nothing */
	__u64 reorders; /* buffers returned after a later-submitted one */
	__u64 lat_count;
	__u64 lat_sum; /* ns */
	__u64 kick_prepare_notify; /* virtqueue_kick_prepare() == true */
	__u64 kick_prepare_suppressed;
	__u64 notifies; /* virtqueue_notify(): the doorbell */
	__u64 interrupts; /* vring_interrupt() */
	__u64 spurious; /* ... that found no used buffer (IRQ_NONE) */
	__u64 enable_cb;
	__u64 enable_cb_prepare;
	__u64 enable_cb_delayed;
	__u64 disable_cb;
	__u64 lat[VQT_LAT_SLOTS];
	__u64 depth[VQT_DEPTH_SLOTS];
	__u64 batch[VQT_BATCH_SLOTS];
};

/* struct vqt_stats is all __u64: user space sums the per-CPU copies word by word. */
#define VQT_STATS_WORDS (sizeof(struct vqt_stats) / sizeof(__u64))

/* A buffer in flight: one slot of its queue's part of the token table. */
struct vqt_token {
	__u64 data; /* the driver's token (`data` given to add, returned by
		     * get); VQT_TOKEN_FREE or VQT_TOKEN_GONE when unused */
	__u64 ts; /* ns, bpf_ktime_get_ns() at the end of the add */
	__u64 seq; /* submission order on its queue */
};

#define VQT_TOKEN_FREE 0 /* never used: a lookup stops here */
#define VQT_TOKEN_GONE 1 /* returned: a lookup goes on */

#endif

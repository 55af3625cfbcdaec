// SPDX-License-Identifier: GPL-2.0
/* vqtrace: per-virtqueue adds, gets, add->get latency, kicks, interrupts and
 * completion order, from fentry/fexit on the exported virtqueue API of
 * drivers/virtio/virtio_ring.c. Only exported functions are traced: the
 * per-layout internals (virtqueue_add_split, ..._packed_in_order) are static
 * and may be inlined by the compiler. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vqtrace.h"
#include "log2.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space between open and load. */
const volatile __s32 targ_dev = -1; /* trace only virtio<targ_dev> */
const volatile __s32 targ_vq = -1; /* trace only this vq index */

__u64 no_slot_events; /* events of queues that found every slot taken */

/* Queues live in an array, at a hash of their identity (open addressing,
 * VQT_PROBES tries), not in a hash map: every program looks its queue up,
 * and an array lookup is inlined by the verifier, where a hash map lookup is
 * a helper call that hashes the key and walks a bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VQT_SLOTS);
	__type(key, __u32);
	__type(value, struct vqt_queue);
} queues SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VQT_SLOTS);
	__type(key, __u32);
	__type(value, struct vqt_stats);
} stats SEC(".maps");

/* Buffers in flight, VQT_TOKENS slots per queue slot, open addressing on a
 * hash of the token. An array again, not a hash map: as hash map helpers,
 * the update per add and the lookup + delete per get made the add program
 * ~400 guest instructions dearer and the get ~290 (--prog-stats under QEMU
 * -icount, Linux 7.2); the inlined array accesses cost a few dozen. No locks are needed: the
 * virtqueue API requires callers to serialize the operations of one queue
 * (virtio_ring.c: "Caller must ensure we don't call this with other
 * virtqueue operations at the same time"), and only a queue's add and get
 * touch its slots. Memory-mappable, so user space counts what is in flight
 * without a syscall per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VQT_SLOTS *VQT_TOKENS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct vqt_token);
} tokens SEC(".maps");

/* Linux 7.0 (the IN_ORDER series) replaced `bool packed_ring` with
 * `enum vq_layout layout`; both flavours are matched at load time. */
enum vq_layout___v7 {
	VQ_LAYOUT_SPLIT___v7 = 0,
	VQ_LAYOUT_PACKED___v7 = 1,
	VQ_LAYOUT_SPLIT_IN_ORDER___v7 = 2,
	VQ_LAYOUT_PACKED_IN_ORDER___v7 = 3,
};

struct vring_virtqueue___v7 {
	enum vq_layout___v7 layout;
} __attribute__((preserve_access_index));

struct vring_virtqueue___v612 {
	bool packed_ring;
} __attribute__((preserve_access_index));

/* A typed view of a kernel pointer the program holds as another type (or
 * untyped): verifier-inlined, the loads through it are direct, where
 * BPF_CORE_READ is a bpf_probe_read_kernel() call per field. In the kernel
 * since 6.2; libbpf 1.1's headers do not declare it. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
/* The kernel BTF ids of the types cast to, set by vqtrace before the load
 * from the kernel's own BTF: not bpf_core_type_id_kernel(), which libbpf
 * resolves against the --core-btf file when there is one, whose ids are not
 * the kernel's. Read-only data: the verifier sees constants. */
const volatile __u32 btf_id_virtqueue = 0;
const volatile __u32 btf_id_vring_virtqueue_split = 0;
const volatile __u32 btf_id_vring_virtqueue_packed = 0;
#define kcast(p, type) ((struct type *)bpf_rdonly_cast((p), btf_id_##type))

#define SG_CHAIN 0x01UL
#define SG_END 0x02UL
#define VQT_MAX_SG 128 /* entries walked per scatterlist */
#define VQT_MAX_SGS 8 /* scatterlists walked per virtqueue_add_sgs */
#define IRQ_NONE 0

static __always_inline __u32 read_layout(struct virtqueue *vq)
{
	if (bpf_core_field_exists(struct vring_virtqueue___v7, layout)) {
		struct vring_virtqueue___v7 *v7 = (void *)vq;
		__u32 l = BPF_CORE_READ(v7, layout);

		if (l == bpf_core_enum_value(enum vq_layout___v7, VQ_LAYOUT_SPLIT___v7))
			return VQT_LAYOUT_SPLIT;
		if (l == bpf_core_enum_value(enum vq_layout___v7, VQ_LAYOUT_PACKED___v7))
			return VQT_LAYOUT_PACKED;
		/* The virtqueue-ops patch brings the enum with SPLIT and PACKED
		 * only; the in-order patch adds the other two (kernel-patches/
		 * 0013 vs 0019): ask for them only where they exist. */
		if (bpf_core_enum_value_exists(enum vq_layout___v7,
					       VQ_LAYOUT_SPLIT_IN_ORDER___v7) &&
		    l == bpf_core_enum_value(enum vq_layout___v7, VQ_LAYOUT_SPLIT_IN_ORDER___v7))
			return VQT_LAYOUT_SPLIT_IN_ORDER;
		if (bpf_core_enum_value_exists(enum vq_layout___v7,
					       VQ_LAYOUT_PACKED_IN_ORDER___v7) &&
		    l == bpf_core_enum_value(enum vq_layout___v7, VQ_LAYOUT_PACKED_IN_ORDER___v7))
			return VQT_LAYOUT_PACKED_IN_ORDER;
		return VQT_LAYOUT_UNKNOWN;
	}
	if (bpf_core_field_exists(struct vring_virtqueue___v612, packed_ring)) {
		struct vring_virtqueue___v612 *v6 = (void *)vq;

		return BPF_CORE_READ(v6, packed_ring) ? VQT_LAYOUT_PACKED : VQT_LAYOUT_SPLIT;
	}
	return VQT_LAYOUT_UNKNOWN;
}

/* First sighting of a virtqueue: read what it is, once, into the slot this
 * CPU has just claimed. Not inlined, so the many programs stay small. */
static __noinline void queue_fill(struct vqt_queue *q, struct virtqueue *vq)
{
	struct vring_virtqueue *vvq = (void *)vq; /* vq is its first member */
	struct virtio_device *vdev = BPF_CORE_READ(vq, vdev);
	__u32 layout;

	q->dev_index = BPF_CORE_READ(vdev, index);
	q->device_id = BPF_CORE_READ(vdev, id.device);
	q->features = BPF_CORE_READ(vdev, features);
	q->vq_index = BPF_CORE_READ(vq, index);
	bpf_probe_read_kernel_str(q->name, sizeof(q->name), BPF_CORE_READ(vq, name));
	layout = read_layout(vq);
	q->layout = layout;
	q->avail_kind = layout == VQT_LAYOUT_SPLIT || layout == VQT_LAYOUT_SPLIT_IN_ORDER ?
				VQT_AVAIL_SPLIT :
			layout == VQT_LAYOUT_PACKED || layout == VQT_LAYOUT_PACKED_IN_ORDER ?
				VQT_AVAIL_PACKED :
				VQT_AVAIL_NONE;
	if (layout == VQT_LAYOUT_PACKED || layout == VQT_LAYOUT_PACKED_IN_ORDER)
		q->ring_size = BPF_CORE_READ(vvq, packed.vring.num);
	else
		q->ring_size = BPF_CORE_READ(vvq, split.vring.num);
	q->indirect = BPF_CORE_READ(vvq, indirect);
	q->event_idx = BPF_CORE_READ(vvq, event);
	q->ready = 1;
	/* Last: other CPUs skip the queue's events until it is filled in. */
	q->traced = (targ_dev < 0 || targ_dev == q->dev_index) &&
		    (targ_vq < 0 || targ_vq == (__s32)q->vq_index);
}

/* The slot of queue @vq, whose identity is @id, claimed on first sight. */
static __always_inline struct vqt_queue *queue_lookup(struct virtqueue *vq, __u32 id)
{
	__u32 h = (id * 2654435761U) >> (32 - VQT_SLOTS_BITS), i;
	__u64 key = (__u64)vq;

#pragma unroll
	for (i = 0; i < VQT_PROBES; i++) {
		__u32 idx = (h + i) & (VQT_SLOTS - 1);
		struct vqt_queue *q = bpf_map_lookup_elem(&queues, &idx);

		if (!q)
			return NULL;
		if (q->vq == key)
			return q->traced ? q : NULL;
		if (q->vq)
			continue;
		/* Free: claim it. The loser of a race sees the winner's key. */
		if (__sync_val_compare_and_swap(&q->vq, 0, key) == 0) {
			q->slot = idx;
			queue_fill(q, vq);
			return q->traced ? q : NULL;
		}
		if (q->vq == key)
			return NULL; /* being filled in by another CPU */
	}
	__sync_fetch_and_add(&no_slot_events, 1);
	return NULL;
}

/* The verifier forbids arithmetic on the pointer itself, so the slot comes
 * from a hash of the queue's identity (device index << 10 ^ vq index), read
 * with two direct loads; the slot's owner is still checked by address. */
static __always_inline struct vqt_queue *queue_of(struct virtqueue *vq)
{
	return queue_lookup(vq, ((__u32)vq->vdev->index << 10) ^ vq->index);
}

static __always_inline struct vqt_stats *stats_of(struct virtqueue *vq)
{
	struct vqt_queue *q = queue_of(vq);

	return q ? bpf_map_lookup_elem(&stats, &q->slot) : NULL;
}

/* Scatterlist walk, the way sg_next() does it: chain entries are followed
 * and not counted, a list stops at its end mark or after its entry budget.
 * Done in bpf_loop() with the walk's state in a map value (looked up by
 * the step: bpf_loop's context must be on the stack), not on the stack: the verifier knows nothing about map contents, so it checks the
 * step once. As a bounded loop, or with the state on the stack, it went
 * through every iteration: over the 1M-insn budget, or 3.5 s per program
 * under TCG. Programs nested on one CPU (an add from an interrupt while
 * another add is being counted) could mix their walks; adds from interrupt
 * context are rare, and only descs/bytes of those two adds would suffer. */
struct sg_walk {
	__u64 sg; /* entry being read, 0 between lists */
	__u64 sgs; /* array of lists (virtqueue_add_sgs), or 0 for one list */
	__u32 list; /* next index into sgs */
	__u32 lists;
	__u32 left; /* entries the current list may still give */
	__u32 n;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sg_walk);
} sg_scratch SEC(".maps");

static int sg_step(__u32 i, void *unused)
{
	__u32 zero = 0;
	struct sg_walk *w = bpf_map_lookup_elem(&sg_scratch, &zero);
	struct scatterlist *e;
	unsigned long link;

	if (!w)
		return 1;
	if (!w->sg) {
		if (!w->sgs || w->list >= w->lists || w->list >= VQT_MAX_SGS)
			return 1;
		bpf_probe_read_kernel(&w->sg, sizeof(w->sg), (void *)(w->sgs + w->list * 8));
		w->list++;
		w->left = VQT_MAX_SG;
		return 0;
	}
	e = (void *)w->sg;
	link = BPF_CORE_READ(e, page_link);
	if (link & SG_CHAIN) {
		w->sg = link & ~(SG_CHAIN | SG_END);
		return 0;
	}
	w->bytes += BPF_CORE_READ(e, length);
	w->n++;
	if ((link & SG_END) || --w->left == 0)
		w->sg = 0;
	else
		w->sg += bpf_core_type_size(struct scatterlist);
	return 0;
}

/* Count descriptors and bytes of one add into @s. */
static __always_inline void sg_count(struct vqt_queue *q, struct vqt_stats *s, __u64 sg, __u32 num,
				     __u64 sgs, __u32 lists)
{
	__u32 zero = 0;
	struct sg_walk *w = bpf_map_lookup_elem(&sg_scratch, &zero);

	q->prev_descs = 0;
	q->prev_bytes = 0;
	if (!w || (!num && !lists))
		return;
	w->sg = sg;
	w->sgs = sgs;
	w->list = 0;
	w->lists = lists;
	w->left = num;
	w->n = 0;
	w->bytes = 0;
	bpf_loop(VQT_MAX_SGS * (VQT_MAX_SG + 2), sg_step, NULL, 0);
	s->descs += w->n;
	s->bytes += w->bytes;
	q->prev_descs = w->n;
	q->prev_bytes = w->bytes;
}

static __always_inline __u32 token_hash(__u64 data)
{
	return (data * 0x9E3779B97F4A7C15ULL) >> (64 - VQT_TOKEN_BITS);
}

/* Record buffer @data, being added to @q, in the first unused slot of the
 * token's probe window; remembered in q->prev_token. */
static __always_inline void token_add(struct vqt_queue *q, struct vqt_stats *s, __u64 data)
{
	__u32 base = q->slot << VQT_TOKEN_BITS, h = token_hash(data), i;
	__u64 ts = bpf_ktime_get_ns();

	if (data > VQT_TOKEN_GONE) {
#pragma unroll
		for (i = 0; i < VQT_TOKEN_PROBES; i++) {
			__u32 idx = base + ((h + i) & (VQT_TOKENS - 1));
			struct vqt_token *t = bpf_map_lookup_elem(&tokens, &idx);

			if (!t)
				break;
			if (t->data > VQT_TOKEN_GONE)
				continue;
			t->ts = ts;
			t->seq = q->next_seq++;
			t->data = data;
			q->prev_token = idx;
			q->in_flight++; /* serialized per queue, see `tokens` */
			s->depth[vqt_slot16(q->in_flight, VQT_DEPTH_SLOTS)]++;
			return;
		}
	}
	q->prev_token = VQT_NO_TOKEN;
	s->untracked_adds++;
}

/* Where the ring's next buffer goes (split: avail_idx_shadow; packed:
 * next_avail_idx and its wrap counter) | VQT_MARK_VALID, never 0. A
 * successful add always moves it; a failed one (-ENOSPC, -EIO, -ENOMEM)
 * never does. */
static __always_inline __u32 avail_mark(struct virtqueue *vq, __u32 kind)
{
	/* `split` and `packed` share a union, and the verifier walks a union
	 * through its first member only: cast to the member's own type. */
	if (kind == VQT_AVAIL_SPLIT) {
		struct vring_virtqueue_split *sp =
			kcast((void *)vq + bpf_core_field_offset(struct vring_virtqueue, split),
			      vring_virtqueue_split);

		return sp->avail_idx_shadow | VQT_MARK_VALID;
	} else {
		struct vring_virtqueue_packed *pk =
			kcast((void *)vq + bpf_core_field_offset(struct vring_virtqueue, packed),
			      vring_virtqueue_packed);

		return pk->next_avail_idx | (__u32)pk->avail_wrap_counter << 16 | VQT_MARK_VALID;
	}
}

/* Adds are traced at their entry (fentry), where the return value is not
 * known: an empty fentry costs 111 guest instructions per event against
 * fexit's 166 (tests/bench/hookcost.c). So each add is counted as it
 * starts, and the next add on the queue checks whether it went through: if
 * the avail index has not moved since, it failed, and its counts and token
 * are taken back. The driver serializes a queue's adds. A failed last add
 * stays counted (rare: drivers check num_free before adding). */
static __always_inline void add_check_prev(struct vqt_queue *q, struct vqt_stats *s,
					   struct virtqueue *vq)
{
	__u32 mark;

	if (q->avail_kind == VQT_AVAIL_NONE)
		return;
	mark = avail_mark(vq, q->avail_kind);
	if (q->prev_mark == mark) { /* 0, none, never equals a mark */
		s->adds--; /* per-CPU counters: sums stay right across CPUs */
		s->add_errors++;
		s->descs -= q->prev_descs;
		s->bytes -= q->prev_bytes;
		if (q->prev_token == VQT_NO_TOKEN) {
			s->untracked_adds--;
		} else {
			struct vqt_token *t = bpf_map_lookup_elem(&tokens, &q->prev_token);

			if (t && t->data > VQT_TOKEN_GONE) {
				t->data = VQT_TOKEN_GONE;
				q->in_flight--;
			}
		}
	}
	q->prev_mark = mark;
}

/* Find buffer @data of @q and free its slot: 0, or -ENOENT. */
static __always_inline int token_take(struct vqt_queue *q, __u64 data, struct vqt_token *out)
{
	__u32 base = q->slot << VQT_TOKEN_BITS, h = token_hash(data), i;

#pragma unroll
	for (i = 0; i < VQT_TOKEN_PROBES; i++) {
		__u32 idx = base + ((h + i) & (VQT_TOKENS - 1));
		struct vqt_token *t = bpf_map_lookup_elem(&tokens, &idx);

		if (!t || t->data == VQT_TOKEN_FREE)
			break;
		if (t->data != data)
			continue;
		out->ts = t->ts;
		out->seq = t->seq;
		t->data = VQT_TOKEN_GONE;
		q->in_flight--;
		return 0;
	}
	return -2; /* -ENOENT */
}

/* The single-scatterlist add variants: (vq, sg, num, data, ...). */
static __always_inline int on_add_sg(struct virtqueue *vq, struct scatterlist *sg, unsigned int num,
				     void *data)
{
	struct vqt_queue *q = queue_of(vq);
	struct vqt_stats *s;

	if (!q || !(s = bpf_map_lookup_elem(&stats, &q->slot)))
		return 0;
	add_check_prev(q, s, vq);
	s->adds++;
	/* The kernel takes exactly @num entries. One entry (every virtio-net
	 * TX packet and RX buffer) is read directly, without the walk. */
	if (num == 1) {
		__u32 len = sg->length; /* a direct (PROBE_MEM) load: no helper call */

		s->descs++;
		s->bytes += len;
		q->prev_descs = 1;
		q->prev_bytes = len;
	} else {
		sg_count(q, s, (__u64)sg, num, 0, 0);
	}
	token_add(q, s, (__u64)data);
	return 0;
}

SEC("fentry/virtqueue_add_outbuf")
int BPF_PROG(add_outbuf, struct virtqueue *vq, struct scatterlist *sg, unsigned int num, void *data,
	     gfp_t gfp)
{
	return on_add_sg(vq, sg, num, data);
}

SEC("fentry/virtqueue_add_inbuf")
int BPF_PROG(add_inbuf, struct virtqueue *vq, struct scatterlist *sg, unsigned int num, void *data,
	     gfp_t gfp)
{
	return on_add_sg(vq, sg, num, data);
}

SEC("fentry/virtqueue_add_inbuf_ctx")
int BPF_PROG(add_inbuf_ctx, struct virtqueue *vq, struct scatterlist *sg, unsigned int num,
	     void *data, void *vctx, gfp_t gfp)
{
	return on_add_sg(vq, sg, num, data);
}

/* Linux 6.11+ */
SEC("fentry/virtqueue_add_outbuf_premapped")
int BPF_PROG(add_outbuf_premapped, struct virtqueue *vq, struct scatterlist *sg, unsigned int num,
	     void *data, gfp_t gfp)
{
	return on_add_sg(vq, sg, num, data);
}

/* (vq, sg, num, data, ctx, gfp) since 7.x; the arguments read are the same. */
SEC("fentry/virtqueue_add_inbuf_premapped")
int BPF_PROG(add_inbuf_premapped, struct virtqueue *vq, struct scatterlist *sg, unsigned int num,
	     void *data, void *vctx, gfp_t gfp)
{
	return on_add_sg(vq, sg, num, data);
}

/* Linux 7.x */
SEC("fentry/virtqueue_add_inbuf_cache_clean")
int BPF_PROG(add_inbuf_cache_clean, struct virtqueue *vq, struct scatterlist *sg, unsigned int num,
	     void *data, gfp_t gfp)
{
	return on_add_sg(vq, sg, num, data);
}

SEC("fentry/virtqueue_add_sgs")
int BPF_PROG(add_sgs, struct virtqueue *vq, struct scatterlist **sgs, unsigned int out_sgs,
	     unsigned int in_sgs, void *data, gfp_t gfp)
{
	struct vqt_queue *q = queue_of(vq);
	__u64 sgs_addr = 0;
	struct vqt_stats *s;

	if (!q || !(s = bpf_map_lookup_elem(&stats, &q->slot)))
		return 0;
	add_check_prev(q, s, vq);
	s->adds++;
	/* Linux 6.12's verifier refuses to load a `struct scatterlist **`
	 * argument from the context ("arg1 type PTR is not a struct"): copy
	 * it out instead (the `sgs` parameter above stays unused). */
	bpf_probe_read_kernel(&sgs_addr, sizeof(sgs_addr), &ctx[1]);
	sg_count(q, s, 0, 0, sgs_addr, out_sgs + in_sgs);
	token_add(q, s, (__u64)data);
	return 0;
}

/* virtqueue_get_buf(vq, len) is virtqueue_get_buf_ctx(vq, len, NULL), and the
 * compiler may inline the latter into the former (Debian's 7.2 kernel does:
 * TX completions of virtio_net never reach virtqueue_get_buf_ctx's entry).
 * Both are traced; when it is not inlined, the inner exit records what it
 * counted here and the outer exit skips that same buffer. */
struct last_get {
	__u64 vq;
	__u64 data;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct last_get);
} last_get SEC(".maps");

static __always_inline int on_get(struct virtqueue *vq, void *ret)
{
	struct vqt_queue *q = queue_of(vq);
	struct vqt_token tok;
	struct vqt_stats *s;
	__u64 delta;

	if (!q || !(s = bpf_map_lookup_elem(&stats, &q->slot)))
		return 0;
	if (!ret) {
		s->gets_empty++;
		return 0;
	}
	s->gets++;
	__sync_fetch_and_add(&q->gets_since_irq, 1); /* vring_interrupt races */
	if ((__u64)ret <= VQT_TOKEN_GONE || token_take(q, (__u64)ret, &tok)) {
		s->gets_untracked++;
		return 0;
	}
	delta = bpf_ktime_get_ns() - tok.ts;
	s->lat[vqt_slot64(delta, VQT_LAT_SLOTS)]++;
	s->lat_count++;
	s->lat_sum += delta;
	/* FIFO order: a buffer returned after a later-submitted one was
	 * overtaken. Gets on one queue are serialized by the driver. */
	if (tok.seq < q->max_done_seq)
		s->reorders++;
	else
		q->max_done_seq = tok.seq;
	return 0;
}

SEC("fexit/virtqueue_get_buf_ctx")
int BPF_PROG(get_buf_ctx, struct virtqueue *vq, unsigned int *len, void **vctx, void *ret)
{
	__u32 zero = 0;
	struct last_get *l = bpf_map_lookup_elem(&last_get, &zero);

	if (l) {
		l->vq = (__u64)vq;
		l->data = (__u64)ret;
	}
	return on_get(vq, ret);
}

SEC("fexit/virtqueue_get_buf")
int BPF_PROG(get_buf, struct virtqueue *vq, unsigned int *len, void *ret)
{
	__u32 zero = 0;
	struct last_get *l = bpf_map_lookup_elem(&last_get, &zero);

	if (l) {
		bool seen = l->vq == (__u64)vq && l->data == (__u64)ret;

		l->vq = 0; /* consumed: a later get_buf never matches it */
		l->data = 0;
		if (seen)
			return 0;
	}
	return on_get(vq, ret);
}

SEC("fexit/virtqueue_kick_prepare")
int BPF_PROG(kick_prepare, struct virtqueue *vq, bool ret)
{
	struct vqt_stats *s = stats_of(vq);

	if (s) {
		if (ret)
			s->kick_prepare_notify++;
		else
			s->kick_prepare_suppressed++;
	}
	return 0;
}

SEC("fentry/virtqueue_notify")
int BPF_PROG(notify, struct virtqueue *vq)
{
	struct vqt_stats *s = stats_of(vq);

	if (s)
		s->notifies++;
	return 0;
}

SEC("fexit/vring_interrupt")
int BPF_PROG(interrupt, int irq, void *_vq, int ret)
{
	struct virtqueue *vq = kcast(_vq, virtqueue); /* an untyped argument */
	struct vqt_queue *q = queue_of(vq);
	struct vqt_stats *s;
	__u64 n;

	if (!q || !(s = bpf_map_lookup_elem(&stats, &q->slot)))
		return 0;
	s->interrupts++;
	if (ret == IRQ_NONE) {
		s->spurious++;
		return 0;
	}
	/* Gets since the end of the previous interrupt: for block devices
	 * those of this interrupt's callback, for net those of the NAPI poll
	 * the previous interrupt scheduled. */
	n = __sync_lock_test_and_set(&q->gets_since_irq, 0);
	s->batch[vqt_slot16(n, VQT_BATCH_SLOTS)]++;
	return 0;
}

SEC("fentry/virtqueue_enable_cb")
int BPF_PROG(enable_cb, struct virtqueue *vq)
{
	struct vqt_stats *s = stats_of(vq);

	if (s)
		s->enable_cb++;
	return 0;
}

SEC("fentry/virtqueue_enable_cb_prepare")
int BPF_PROG(enable_cb_prepare, struct virtqueue *vq)
{
	struct vqt_stats *s = stats_of(vq);

	if (s)
		s->enable_cb_prepare++;
	return 0;
}

SEC("fentry/virtqueue_enable_cb_delayed")
int BPF_PROG(enable_cb_delayed, struct virtqueue *vq)
{
	struct vqt_stats *s = stats_of(vq);

	if (s)
		s->enable_cb_delayed++;
	return 0;
}

SEC("fentry/virtqueue_disable_cb")
int BPF_PROG(disable_cb, struct virtqueue *vq)
{
	struct vqt_stats *s = stats_of(vq);

	if (s)
		s->disable_cb++;
	return 0;
}

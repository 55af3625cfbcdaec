// SPDX-License-Identifier: GPL-2.0
/* The baseline for vqtrace's overhead: a tracer in the style of bcc's
 * virtiostat (tools/virtiostat.py, 2021): kprobes on the virtqueue_add_*
 * functions, one hash map keyed by the virtqueue, updated on every add with
 * the scatterlists' lengths; names read when a queue is first seen.
 * Benchmark only: not built by `make`, see tests/bench/overhead.sh. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define VIRTIO_MAX_SGS 6 /* as virtiostat */
#define SG_MAX 128

struct virtio_stat {
	char driver[16];
	char dev[12];
	char vqname[12];
	__u32 in_sgs;
	__u32 out_sgs;
	__u64 in_bw;
	__u64 out_bw;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct virtio_stat);
} stats SEC(".maps");

static __always_inline struct scatterlist *sg_next_(struct scatterlist *sgp)
{
	unsigned long link = BPF_CORE_READ(sgp, page_link);

	if (link & 0x02)
		return NULL;
	sgp++;
	link = BPF_CORE_READ(sgp, page_link);
	if (link & 0x01)
		sgp = (struct scatterlist *)(link & ~0x03UL);
	return sgp;
}

static __always_inline __u64 count_len(struct scatterlist **sgs, unsigned int num)
{
	struct scatterlist *sgp;
	unsigned int i, n;
	__u64 length = 0;

	for (i = 0; i < VIRTIO_MAX_SGS && i < num; i++) {
		bpf_probe_read_kernel(&sgp, sizeof(sgp), &sgs[i]);
		for (n = 0; sgp && n < SG_MAX; n++) {
			length += BPF_CORE_READ(sgp, length);
			sgp = sg_next_(sgp);
		}
	}
	return length;
}

static __always_inline void record(struct virtqueue *vq, struct scatterlist **sgs,
				   unsigned int out_sgs, unsigned int in_sgs)
{
	struct virtio_stat newvs = {}, *vs;
	__u64 key = (__u64)vq, in_bw = 0;

	if (in_sgs)
		in_bw = count_len(sgs + out_sgs, in_sgs);
	vs = bpf_map_lookup_elem(&stats, &key);
	if (!vs) {
		bpf_probe_read_kernel_str(newvs.driver, sizeof(newvs.driver),
					  BPF_CORE_READ(vq, vdev, dev.driver, name));
		bpf_probe_read_kernel_str(newvs.dev, sizeof(newvs.dev),
					  BPF_CORE_READ(vq, vdev, dev.kobj.name));
		bpf_probe_read_kernel_str(newvs.vqname, sizeof(newvs.vqname), BPF_CORE_READ(vq, name));
		newvs.out_sgs = out_sgs;
		newvs.in_sgs = in_sgs;
		if (out_sgs)
			newvs.out_bw = count_len(sgs, out_sgs);
		newvs.in_bw = in_bw;
		bpf_map_update_elem(&stats, &key, &newvs, BPF_ANY);
	} else {
		vs->out_sgs += out_sgs;
		vs->in_sgs += in_sgs;
		if (out_sgs)
			vs->out_bw += count_len(sgs, out_sgs);
		vs->in_bw += in_bw;
	}
}

/* The sg list pointer is taken from the pt_regs copy on the stack, as bcc
 * does with `&sg`. */
SEC("kprobe/virtqueue_add_sgs")
int BPF_KPROBE(add_sgs, struct virtqueue *vq, struct scatterlist **sgs, unsigned int out_sgs,
	       unsigned int in_sgs)
{
	record(vq, sgs, out_sgs, in_sgs);
	return 0;
}

SEC("kprobe/virtqueue_add_outbuf")
int BPF_KPROBE(add_outbuf, struct virtqueue *vq, struct scatterlist *sg)
{
	record(vq, &sg, 1, 0);
	return 0;
}

SEC("kprobe/virtqueue_add_inbuf")
int BPF_KPROBE(add_inbuf, struct virtqueue *vq, struct scatterlist *sg)
{
	record(vq, &sg, 0, 1);
	return 0;
}

SEC("kprobe/virtqueue_add_inbuf_ctx")
int BPF_KPROBE(add_inbuf_ctx, struct virtqueue *vq, struct scatterlist *sg)
{
	record(vq, &sg, 0, 1);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* The lab's packet sink: counts and drops everything that reaches the lab tap,
 * so guest traffic ends inside the lab's own network namespace. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "xdpsink.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpsink_count);
} counts SEC(".maps");

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct xdpsink_count *c = bpf_map_lookup_elem(&counts, &key);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

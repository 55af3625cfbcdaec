// SPDX-License-Identifier: GPL-2.0
/* The cost of the attach mechanism alone, per event: empty programs on
 * bpf_fentry_test5(), which BPF_PROG_TEST_RUN of any fentry program calls
 * once (net/bpf/test_run.c); five arguments, as virtqueue_add_outbuf() has
 * (a trampoline saves and restores each). `trigger` is that program; `on_fexit`,
 * `on_fentry` and `on_kprobe` are the mechanisms compared (vqtrace uses
 * fentry and fexit, a virtiostat-style tracer kprobes). Benchmark only: tests/bench/build.sh. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits;

SEC("fentry/bpf_fentry_test2")
int BPF_PROG(trigger)
{
	return 0;
}

SEC("fexit/bpf_fentry_test5")
int BPF_PROG(on_fexit, __u64 a, void *b, short c, int d, __u64 e, int ret)
{
	hits++;
	return 0;
}

SEC("fentry/bpf_fentry_test5")
int BPF_PROG(on_fentry, __u64 a, void *b, short c, int d, __u64 e)
{
	hits++;
	return 0;
}

SEC("kprobe/bpf_fentry_test5")
int BPF_KPROBE(on_kprobe)
{
	hits++;
	return 0;
}

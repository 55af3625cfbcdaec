// SPDX-License-Identifier: GPL-2.0
/* Loader of the virtiostat-style baseline tracer (vqstat-kprobe.bpf.c).
 * vqstat-kprobe --duration S [-S]: attach, print "Tracing...", wait S seconds
 * or SIGTERM/SIGINT, print one JSON object (per-queue sums and, with -S, each
 * program's run count and run time) on stdout. Benchmark only. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include "vqstat-kprobe.skel.h"

struct virtio_stat { /* as in vqstat-kprobe.bpf.c */
	char driver[16];
	char dev[12];
	char vqname[12];
	__u32 in_sgs;
	__u32 out_sgs;
	__u64 in_bw;
	__u64 out_bw;
};

static volatile sig_atomic_t exiting;
static void on_signal(int sig) { exiting = 1; }

static int silent(enum libbpf_print_level l, const char *f, va_list a) { return 0; }

int main(int argc, char **argv)
{
	struct vqstat_kprobe_bpf *skel = NULL;
	struct bpf_program *prog;
	double duration = 0;
	int stats_fd = -1, ret = 1, c;
	json_t *out, *queues, *progs;
	__u64 key, *pkey = NULL;
	struct timespec t0, t;

	while ((c = getopt(argc, argv, "D:S")) != -1) {
		if (c == 'D')
			duration = atof(optarg);
		else if (c == 'S')
			stats_fd = 0;
		else
			return 2;
	}
	if (duration <= 0) {
		fprintf(stderr, "usage: vqstat-kprobe -D SECONDS [-S]\n");
		return 2;
	}
	libbpf_set_print(silent);
	skel = vqstat_kprobe_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "Error: cannot load: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "Error: cannot attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto out;
		}
	}
	if (stats_fd == 0 && (stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) < 0) {
		fprintf(stderr, "Error: cannot enable BPF statistics: %s\n", strerror(errno));
		goto out;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "Tracing virtqueue adds (kprobes)...\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!exiting && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < duration);

	out = json_object();
	queues = json_array();
	progs = json_array();
	while (!bpf_map_get_next_key(bpf_map__fd(skel->maps.stats), pkey, &key)) {
		struct virtio_stat v;

		pkey = &key;
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &key, &v))
			continue;
		json_array_append_new(queues, json_pack("{s:s%,s:s%,s:s%,s:I,s:I,s:I,s:I}", "driver",
							v.driver, strnlen(v.driver, 16), "dev", v.dev,
							strnlen(v.dev, 12), "name", v.vqname,
							strnlen(v.vqname, 12), "in_sgs", (json_int_t)v.in_sgs,
							"out_sgs", (json_int_t)v.out_sgs, "in_bw",
							(json_int_t)v.in_bw, "out_bw", (json_int_t)v.out_bw));
	}
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (stats_fd < 0 || bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		json_array_append_new(progs, json_pack("{s:s,s:s,s:I,s:I}", "function",
						       strchr(bpf_program__section_name(prog), '/') + 1,
						       "type", "kprobe", "run_cnt", (json_int_t)info.run_cnt,
						       "run_time_ns", (json_int_t)info.run_time_ns));
	}
	json_object_set_new(out, "queues", queues);
	json_object_set_new(out, "program_stats", progs);
	json_dumpf(out, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(out);
	ret = 0;
out:
	vqstat_kprobe_bpf__destroy(skel); /* also detaches */
	if (stats_fd > 0)
		close(stats_fd);
	return ret;
}

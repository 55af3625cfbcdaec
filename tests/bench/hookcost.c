// SPDX-License-Identifier: GPL-2.0
/* hookcost N: N BPF_PROG_TEST_RUN calls (each calls bpf_fentry_test5 once)
 * with nothing, an empty fexit, kprobe, fentry program on
 * bpf_fentry_test5, then each again with the kernel's
 * BPF run-time statistics enabled (what --prog-stats adds to every run),
 * each series between two sethostname(2) calls so that the vqicount plugin
 * counts its instructions (phases: mark 0 = none, mark 2 = fexit, mark 4 =
 * kprobe, mark 6 = fentry, then with statistics: mark 8 = fexit, 10 = kprobe,
 * 12 = fentry). Prints the hits of each series. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hookcost.skel.h"

static int series(struct hookcost_bpf *skel, struct bpf_program *hook, long n, const char *name)
{
	struct bpf_link *link = NULL;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = bpf_program__fd(skel->progs.trigger);
	__u64 h0 = skel->bss->hits;
	long i;

	if (hook && !(link = bpf_program__attach(hook))) {
		fprintf(stderr, "Error: attach %s: %s\n", name, strerror(errno));
		return -1;
	}
	sleep(1); /* deferred attach work (kprobe optimisation) settles */
	sethostname("mark-a", 6);
	for (i = 0; i < n; i++)
		if (bpf_prog_test_run_opts(fd, &opts)) {
			fprintf(stderr, "Error: test run: %s\n", strerror(errno));
			return -1;
		}
	sethostname("mark-b", 6);
	printf(",\"%s\":%llu", name, (unsigned long long)(skel->bss->hits - h0));
	bpf_link__destroy(link);
	sleep(1);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	struct hookcost_bpf *skel = hookcost_bpf__open_and_load();

	if (!skel) {
		fprintf(stderr, "Error: load: %s\n", strerror(errno));
		return 1;
	}
	printf("{\"calls\":%ld", n);
	if (series(skel, NULL, n, "none") || series(skel, skel->progs.on_fexit, n, "fexit") ||
	    series(skel, skel->progs.on_kprobe, n, "kprobe") ||
	    series(skel, skel->progs.on_fentry, n, "fentry"))
		return 1;
	if (bpf_enable_stats(BPF_STATS_RUN_TIME) < 0) {
		fprintf(stderr, "Error: BPF statistics: %s\n", strerror(errno));
		return 1;
	}
	if (series(skel, skel->progs.on_fexit, n, "fexit_stats") ||
	    series(skel, skel->progs.on_kprobe, n, "kprobe_stats") ||
	    series(skel, skel->progs.on_fentry, n, "fentry_stats"))
		return 1;
	/* What the statistics put inside a run's measured time, per mechanism:
	 * an empty program's run_time_ns / run_cnt (1 ns per instruction under
	 * -icount), to be taken off the programs' measured run times. */
	printf(",\"empty_run_ns\":{");
	for (int i = 0, first = 1; i < 3; i++) {
		struct bpf_program *p[] = { skel->progs.on_fexit, skel->progs.on_kprobe,
					    skel->progs.on_fentry };
		const char *name[] = { "fexit", "kprobe", "fentry" };
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(p[i]), &info, &len) || !info.run_cnt)
			continue;
		printf("%s\"%s\":%.1f", first ? "" : ",", name[i], (double)info.run_time_ns / info.run_cnt);
		first = 0;
	}
	printf("}");
	printf("}\n");
	hookcost_bpf__destroy(skel);
	return 0;
}

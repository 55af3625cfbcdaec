// SPDX-License-Identifier: GPL-2.0
/* hookcost N: N BPF_PROG_TEST_RUN calls (each calls bpf_fentry_test1 once)
 * with nothing, an empty fexit program, an empty kprobe program on
 * bpf_fentry_test1, then the empty fexit program again with the kernel's
 * BPF run-time statistics enabled (what --prog-stats adds to every run),
 * each series between two sethostname(2) calls so that the vqicount plugin
 * counts its instructions (phases: mark 0 = none, mark 2 = fexit, mark 4 =
 * kprobe, mark 6 = fexit with statistics). Prints the hits of each series. */
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
	printf("\"%s\":%llu%s", name, (unsigned long long)(skel->bss->hits - h0),
	       strcmp(name, "fexit_stats") ? "," : "");
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
	printf("{\"calls\":%ld,", n);
	if (series(skel, NULL, n, "none") || series(skel, skel->progs.on_fexit, n, "fexit") ||
	    series(skel, skel->progs.on_kprobe, n, "kprobe"))
		return 1;
	if (bpf_enable_stats(BPF_STATS_RUN_TIME) < 0) {
		fprintf(stderr, "Error: BPF statistics: %s\n", strerror(errno));
		return 1;
	}
	if (series(skel, skel->progs.on_fexit, n, "fexit_stats"))
		return 1;
	printf("}\n");
	hookcost_bpf__destroy(skel);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* The report's Answer: metric roles, the repetitions a run of n = 1 would
 * need, log2 percentiles, and answer_build on a written run folder with
 * vqtrace summaries, icount and dev_* metrics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "answer.h"
#include "compare.h"
#include "metric_roles.h"
#include "runset.h"
#include "stats.h"
#include "verdict.h"
#include "test.h"

static char dir[] = "/tmp/vqreport-answer-XXXXXX";
static const struct compare_opts copts = { .alpha = 0.05, .threshold_pct = 3, .conf = 0.95 };

static void test_roles(void)
{
	CHECK(!strcmp(metric_primary("net-tx"), "tx_pps"));
	CHECK(!strcmp(metric_primary("net-rx"), "rx_pps"));
	CHECK(!strcmp(metric_primary("blk-randread"), "iops"));
	CHECK(metric_primary("blk") == NULL);
	CHECK(metric_primary("net-txx") == NULL);
	CHECK(metric_primary(NULL) == NULL);
	CHECK(metric_bookkeeping("xdp_packets_total") != NULL);
	CHECK(metric_bookkeeping("xdp_pps") != NULL);
	CHECK(metric_bookkeeping("pktgen_usec") != NULL);
	CHECK(metric_bookkeeping("boot_s") != NULL);
	CHECK(metric_bookkeeping("tx_pps") == NULL);
	CHECK(metric_bookkeeping("pktgen_errors") == NULL);
	CHECK(metric_is_icount_per_op("icount_insns_per_add"));
	CHECK(metric_is_icount_per_op("icount_insns_per_get"));
	CHECK(!metric_is_icount_per_op("icount_ring_insns"));
	CHECK(metric_is_device("dev_kicks_per_buffer") && !metric_is_device("devx"));
	/* host counts (devperf): per-op figures beside the rate, totals in the appendix */
	CHECK(metric_is_device("dev_perf_pop_per_add") &&
	      !metric_bookkeeping("dev_perf_pop_per_add"));
	CHECK(metric_is_device("dev_cpu_io_us_per_buf"));
	CHECK(!metric_is_device("dev_perf_pop") && metric_bookkeeping("dev_perf_pop") != NULL);
	CHECK(!metric_is_device("dev_cpu_io_s") && metric_bookkeeping("dev_cpu_io_s") != NULL);
	/* QMP's totals too: the per-op figures are the results */
	CHECK(!metric_is_device("dev_pops") && metric_bookkeeping("dev_pops") != NULL);
	CHECK(metric_is_device("dev_output_0_pops_per_add"));
	CHECK(!metric_is_device("dev_output_0_signalled"));
}

static void test_reps(void)
{
	/* (t(.975, 2n-2) + t(.8, 2n-2)) * cv * sqrt(2/n) <= change, by hand:
	 * cv 4 %, change 10 %: n = 4 gives 2.447 + 0.906 = 3.353 * 4 * 0.707
	 * = 9.48 <= 10; n = 3: (2.776 + 0.941) * 4 * 0.816 = 12.1 > 10. */
	CHECK(stats_reps_needed(10, 4, 0.05, 0.8, 200) == 4);
	CHECK(stats_reps_needed(-10, 4, 0.05, 0.8, 200) == 4);
	/* Smaller changes need more; none need too many. */
	CHECK(stats_reps_needed(3, 4, 0.05, 0.8, 200) > stats_reps_needed(6, 4, 0.05, 0.8, 200));
	CHECK(stats_reps_needed(0.01, 4, 0.05, 0.8, 200) == 0);
	CHECK(stats_reps_needed(NAN, 4, 0.05, 0.8, 200) == 0);
	CHECK(stats_reps_needed(5, 0, 0.05, 0.8, 200) == 2);
}

static void test_quantile(void)
{
	double h[4] = { 0, 0, 10, 10 }; /* 10 in [4, 8), 10 in [8, 16) */
	double one[2] = { 0, 4 };

	CHECK(fabs(stats_log2_quantile(h, 4, 0.5) - 8) < 1e-9);
	CHECK(fabs(stats_log2_quantile(h, 4, 0.25) - 6) < 1e-9);
	CHECK(fabs(stats_log2_quantile(h, 4, 1) - 16) < 1e-9);
	CHECK(fabs(stats_log2_quantile(one, 2, 0.5) - 3) < 1e-9);
	CHECK(isnan(stats_log2_quantile(h, 0, 0.5)));
}

/* Two cells, in_order off and on, @reps samples each, net-tx: tx_pps (on
 * +10 %), boot_s, icount and dev_ metrics, and a trace whose busiest queue
 * is output.0 (kicks 1 per 4 buffers off, 1 per 8 on). */
static void write_run(int reps)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	f = fopen(path, "w");
	for (int rep = 0; rep < reps; rep++)
		for (int on = 0; on < 2; on++) {
			json_t *s = json_pack(
				"{s:i, s:s, s:i, s:{s:s, s:s}, s:s, s:{s:{s:f, s:s, s:s}, s:{s:f, s:s, s:s},"
				" s:{s:f, s:s, s:s}, s:{s:f, s:s, s:s}}, s:{s:[{s:s, s:i, s:i, s:i, s:i,"
				" s:{s:[i, i, i, i]}}, {s:s, s:i, s:i, s:i, s:i}]}}",
				"schema", 1, "cell", on ? "c1" : "c0", "rep", rep, "axes", "in_order",
				on ? "on" : "off", "workload", "net-tx", "status", "ok", "metrics",
				"tx_pps", "value", (on ? 1100.0 : 1000.0) + (rep % 2), "unit",
				"packets/s", "better", "higher", "boot_s", "value", 4.0 + rep, "unit",
				"s", "better", "lower", "icount_insns_per_add", "value",
				on ? 300.0 : 350.0, "unit", "insns", "better", "lower",
				"dev_notifies_per_buffer", "value", on ? 0.1 : 0.2, "unit", "",
				"better", "lower", "trace", "queues", "name", "output.0", "adds", 800,
				"gets", 800, "kicks", on ? 100 : 200, "interrupts", 8, "latency_ns",
				"log2", 0, 0, 10, 10, "name", "input.0", "adds", 10, "gets", 10,
				"kicks", 10, "interrupts", 10);
			char *line = json_dumps(s, JSON_COMPACT);

			fprintf(f, "%s\n", line);
			free(line);
			json_decref(s);
		}
	fclose(f);
}

static json_t *build(struct runset *r)
{
	struct errbuf err;
	json_t *cmp, *a;

	if (run_load(dir, r, &err))
		return NULL;
	cmp = model_compare_axis(r, "in_order", "off", &copts, &err);
	a = cmp ? answer_build(cmp, r, r, &copts) : NULL;
	json_decref(cmp);
	return a;
}

static double fig(const json_t *row, const char *key, const char *side)
{
	return json_num_get(json_object_get(json_object_get(row, "figures"), key), side);
}

static void test_answer(void)
{
	struct runset r;
	json_t *a, *row, *ring;

	write_run(4);
	a = build(&r);
	CHECK(a != NULL);
	row = json_array_get(json_object_get(a, "rows"), 0);
	CHECK(json_array_size(json_object_get(a, "rows")) == 1);
	CHECK(!strcmp(json_string_value(json_object_get(row, "metric")), "tx_pps"));
	CHECK(!strcmp(json_string_value(json_object_get(row, "verdict")), "improvement"));
	CHECK(fabs(json_num_get(row, "change_pct") - 10) < 0.1);
	CHECK(json_is_false(json_object_get(a, "untested")));
	CHECK(json_is_null(json_object_get(a, "reps_needed")));
	/* Beside the rate: icount, ring (busiest queue), device. */
	CHECK(fig(row, "icount_insns_per_add", "baseline") == 350 &&
	      fig(row, "icount_insns_per_add", "candidate") == 300);
	CHECK(fabs(fig(row, "kicks_per_buffer", "baseline") - 0.25) < 1e-9 &&
	      fabs(fig(row, "kicks_per_buffer", "candidate") - 0.125) < 1e-9);
	CHECK(fabs(fig(row, "buffers_per_interrupt", "baseline") - 100) < 1e-9);
	CHECK(fabs(fig(row, "interrupts_per_buffer", "baseline") - 0.01) < 1e-9);
	CHECK(fabs(fig(row, "latency_p50_ns", "baseline") - 8) < 1e-9);
	CHECK(fig(row, "dev_notifies_per_buffer", "candidate") == 0.1);
	CHECK(isnan(fig(row, "boot_s", "baseline")));
	/* Columns: icount first, then ring, then device. */
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_array_get(json_object_get(a, "figures"), 0), "key")),
		      "icount_insns_per_add"));
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_array_get(json_object_get(a, "figures"),
					     json_array_size(json_object_get(a, "figures")) - 1),
			      "key")),
		      "dev_notifies_per_buffer"));
	ring = answer_ring_figures(&r.cells[0]);
	CHECK(!strcmp(json_string_value(json_object_get(ring, "queue")), "output.0"));
	json_decref(ring);
	json_decref(a);
	run_free(&r);

	/* n = 1: untested, and how many repetitions would test +10 % at the
	 * assumed CV (4 %): 4 by hand above, raised to ANSWER_MIN_REPS. */
	write_run(1);
	a = build(&r);
	row = json_array_get(json_object_get(a, "rows"), 0);
	CHECK(!strcmp(json_string_value(json_object_get(row, "verdict")), "insufficient"));
	CHECK(json_is_true(json_object_get(a, "untested")));
	CHECK(json_integer_value(json_object_get(a, "reps_needed")) == ANSWER_MIN_REPS);
	CHECK(json_is_true(json_object_get(row, "cv_assumed")));
	json_decref(a);
	run_free(&r);
}

int main(void)
{
	char path[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_roles();
	test_reps();
	test_quantile();
	test_answer();
	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	unlink(path);
	rmdir(dir);
	TEST_DONE();
}

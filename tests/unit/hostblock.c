// SPDX-License-Identifier: GPL-2.0
/*
 * The host as a blocking factor in comparisons (tools/report/hostblock.c),
 * on hand-built runs whose samples name their hosts: a large host offset
 * with a small real effect is found paired by block or within host where
 * the pooled Welch test misses it or is biased; cells no host measured both
 * of get no verdict; one host compares exactly as before. The new tests
 * (stats_paired, stats_strata) are checked against figures worked by hand.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "compare.h"
#include "hostblock.h"
#include "test.h"

static char top[] = "/tmp/vqlab-hostblock-XXXXXX";
static const struct compare_opts opts = { .alpha = 0.05, .threshold_pct = 1, .conf = 0.95 };

/* One sample: cell c0 (in_order=off) or c1 (on), its rep, host and pps. */
struct smp {
	int cell, rep;
	const char *host;
	double pps;
};

/* A run folder @name whose samples are @s[0..n); run.json names @host. */
static const char *make_run(const char *name, const char *host, const struct smp *s, size_t n)
{
	static char dir[4][512];
	static int which;
	char *d = dir[which++ % 4], file[600];
	json_t *run;
	FILE *f;

	snprintf(d, sizeof(dir[0]), "%s/%s", top, name);
	mkdir(d, 0755);
	run = json_pack("{s:i, s:s, s:{s:s}, s:s}", RUN_SCHEMA, RESULTS_SCHEMA, RUN_ID, name,
			RUN_HOST, RUN_HOST_HOSTNAME, host, RUN_STATUS, RUN_STATUS_COMPLETE);
	snprintf(file, sizeof(file), "%s/" RESULTS_RUN_FILE, d);
	json_dump_file(run, file, JSON_COMPACT);
	json_decref(run);
	snprintf(file, sizeof(file), "%s/" RESULTS_SAMPLES_FILE, d);
	f = fopen(file, "w");
	for (size_t i = 0; f && i < n; i++) {
		json_t *o = json_pack(
			"{s:i, s:s, s:s, s:i, s:i, s:{s:s, s:s}, s:s, s:s, s:{s:{s:f, s:s, s:s}}}",
			SAMPLE_SCHEMA, RESULTS_SCHEMA, SAMPLE_RUN, name, SAMPLE_CELL,
			s[i].cell ? "c1" : "c0", SAMPLE_REP, s[i].rep, SAMPLE_ATTEMPT, 0,
			SAMPLE_AXES, "ring", "split", "in_order", s[i].cell ? "on" : "off",
			SAMPLE_STATUS, STATUS_OK, SAMPLE_HOST, s[i].host, SAMPLE_METRICS, "pps",
			METRIC_VALUE, s[i].pps, METRIC_UNIT, "packets/s", METRIC_BETTER,
			BETTER_HIGHER);

		json_dumpf(o, f, JSON_COMPACT);
		fputc('\n', f);
		json_decref(o);
	}
	if (f)
		fclose(f);
	return d;
}

/* Small noise that the tests can repeat: +-0.3 % around 1. */
static double wobble(int i)
{
	static const double w[] = { 0.997, 1.002, 0.999, 1.003, 0.998, 1.001, 1.0, 0.9985 };

	return w[i % 8];
}

/* pps of cell @cell, rep @rep on @host: node2 runs 50 % faster than node1;
 * in_order=on is 2 % faster than off on both. */
static struct smp sample(int cell, int rep, const char *host)
{
	double level = strcmp(host, "node1") ? 1.5e6 : 1.0e6;

	return (struct smp){ cell, rep, host,
			     level * (cell ? 1.02 : 1.0) * wobble(rep + 3 * cell) };
}

static const json_t *row0(const json_t *m)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(m, "comparisons"), 0),
					      "metrics"),
			      0);
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* The pooled Welch test the comparison made before hosts counted. */
static void naive(const struct runset *r, struct stats_welch *w)
{
	const struct metric_series *a = cell_metric(&r->cells[0], "pps");
	const struct metric_series *b = cell_metric(&r->cells[1], "pps");
	struct stats_summary sa, sb;

	stats_summarize(a->v, a->n, 0.95, &sa);
	stats_summarize(b->v, b->n, 0.95, &sb);
	stats_welch(&sa, &sb, 0.95, w);
}

static json_t *compare_run(const char *dir, struct runset *r)
{
	struct errbuf e;

	if (run_load(dir, r, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return NULL;
	}
	return model_compare_axis(r, "in_order", "off", &opts, &e);
}

/* Reps 0-2 on node1, 3-5 on node2, both cells in every block. */
static void test_paired_by_block(void)
{
	struct smp s[12];
	struct runset r;
	struct stats_welch w;
	const json_t *row;
	json_t *m;

	for (int i = 0; i < 12; i++)
		s[i] = sample(i % 2, i / 2, i / 2 < 3 ? "node1" : "node2");
	m = compare_run(make_run("paired", "node1", s, 12), &r);
	row = row0(m);
	CHECK(!strcmp(jstr(row, "design"), "paired-by-block"));
	CHECK(json_integer_value(json_object_get(row, "pairs")) == 6);
	CHECK(json_array_size(json_object_get(row, "hosts")) == 2);
	CHECK(!strcmp(jstr(row, "verdict"), "improvement"));
	CHECK(fabs(json_num_get(row, "change_pct") - 2.0) < 0.5);
	CHECK(json_num_get(row, "df") == 5);
	CHECK(!strcmp(jstr(json_array_get(json_object_get(m, "comparisons"), 0), "design"),
		      "paired-by-block"));
	/* The host offset swamps the pooled test: no change found. */
	naive(&r, &w);
	CHECK(w.p > 0.5);
	CHECK(verdict_from_key(jstr(row, "verdict")) != (int)stats_verdict(&w, 1, 0.05, 1));
	json_decref(m);
	run_free(&r);
}

/* Not the same blocks: the baseline mostly on node1, the candidate mostly on
 * node2, so the pooled change is mostly the host's +50 %. */
static void test_within_host(void)
{
	struct smp s[13];
	struct runset r;
	struct stats_welch w;
	const json_t *row, *item;
	json_t *m;
	int n = 0;

	for (int rep = 0; rep < 6; rep++)
		s[n++] = sample(0, rep, rep < 4 ? "node1" : "node2");
	for (int rep = 0; rep < 6; rep++)
		s[n++] = sample(1, rep, rep < 2 ? "node1" : "node2");
	s[n++] = sample(1, 6, "node3"); /* only the candidate was measured there */
	m = compare_run(make_run("within", "node1", s, (size_t)n), &r);
	item = json_array_get(json_object_get(m, "comparisons"), 0);
	row = row0(m);
	CHECK(!strcmp(jstr(row, "design"), "within-host"));
	CHECK(!strcmp(jstr(item, "design"), "within-host"));
	CHECK(json_array_size(json_object_get(row, "hosts")) == 2);
	CHECK(json_integer_value(json_object_get(row, "excluded")) == 1);
	CHECK(strstr(jstr(row, "note"), "left out") != NULL);
	CHECK(!strcmp(jstr(row, "verdict"), "improvement"));
	CHECK(fabs(json_num_get(row, "change_pct") - 2.0) < 0.5);
	/* df: 13 values, one left out, 4 (host, side) means. */
	CHECK(json_num_get(row, "df") == 8);
	CHECK(json_object_size(json_object_get(json_object_get(item, "hosts"), "candidate")) == 3);
	naive(&r, &w);
	CHECK(w.change_pct > 15); /* biased by the hosts: ~+19 % */
	json_decref(m);
	run_free(&r);
}

/* c0 only on node1, c1 only on node2: no comparison, no verdict. */
static void test_cross_host(void)
{
	struct smp s[6];
	struct runset r;
	const json_t *row, *item;
	json_t *m;

	for (int i = 0; i < 6; i++)
		s[i] = sample(i % 2, i / 2, i % 2 ? "node2" : "node1");
	m = compare_run(make_run("cross", "node1", s, 6), &r);
	item = json_array_get(json_object_get(m, "comparisons"), 0);
	row = row0(m);
	CHECK(!strcmp(jstr(item, "design"), "cross-host"));
	CHECK(!strcmp(
		jstr(item, "cross_host"),
		"cells measured on different hosts (node1 vs node2): not compared across hosts"));
	CHECK(!strcmp(jstr(row, "verdict"), "cross_host"));
	CHECK(!strcmp(jstr(row, "design"), "cross-host"));
	CHECK(json_is_null(json_object_get(row, "p")));
	CHECK(json_is_null(json_object_get(row, "change_pct")));
	CHECK(!strcmp(jstr(json_object_get(item, "failures"), "verdict"), "cross_host"));
	CHECK(json_integer_value(json_object_get(json_object_get(m, "counts"), "cross_host")) == 1);
	CHECK(json_array_size(json_object_get(m, "cross_host")) == 1);
	/* Said first, before the reader's own warnings. */
	CHECK(strstr(json_string_value(json_array_get(json_object_get(m, "warnings"), 0)),
		     "cells measured on different hosts (node1 vs node2)") != NULL);
	CHECK(!strcmp(verdict_text(VERDICT_CROSS_HOST), "no verdict: measured on different hosts"));
	CHECK(verdict_from_key("cross_host") == VERDICT_CROSS_HOST);
	json_decref(m);
	run_free(&r);
}

/* One host: Welch on all values, as before hosts counted. */
static void test_single_host(void)
{
	struct smp s[10];
	struct runset r;
	struct stats_welch w;
	const json_t *row, *item;
	json_t *m;

	for (int i = 0; i < 10; i++)
		s[i] = sample(i % 2, i / 2, "node1");
	m = compare_run(make_run("single", "node1", s, 10), &r);
	item = json_array_get(json_object_get(m, "comparisons"), 0);
	row = row0(m);
	naive(&r, &w);
	CHECK(!strcmp(jstr(row, "design"), "independent"));
	CHECK(!json_object_get(row, "hosts") && !json_object_get(item, "hosts"));
	CHECK(!json_object_get(item, "cross_host"));
	CHECK(json_num_get(row, "p") == w.p && json_num_get(row, "t") == w.t);
	CHECK(json_num_get(row, "df") == w.df);
	CHECK(json_num_get(row, "change_pct") == w.change_pct);
	CHECK(!strcmp(jstr(row, "verdict"), verdict_key(stats_verdict(&w, 1, 0.05, 1))));
	CHECK(json_array_size(json_object_get(m, "cross_host")) == 0);
	json_decref(m);
	run_free(&r);
}

/* Two runs: hosts in common -> within host (a rep of one run is not a
 * block of the other); none in common -> no verdict. */
static void test_two_runs(void)
{
	struct smp a[6], b[6], c[6];
	struct runset ra, rb, rc;
	struct errbuf e;
	json_t *m;

	for (int i = 0; i < 6; i++) {
		a[i] = sample(0, i, i < 3 ? "node1" : "node2");
		b[i] = sample(0, i, i < 3 ? "node1" : "node2");
		b[i].pps *= 1.02;
		c[i] = sample(0, i, "node3");
	}
	CHECK(!run_load(make_run("before", "node1", a, 6), &ra, &e));
	CHECK(!run_load(make_run("after", "node1", b, 6), &rb, &e));
	CHECK(!run_load(make_run("elsewhere", "node3", c, 6), &rc, &e));
	m = model_compare_runs(&ra, &rb, &opts);
	CHECK(!strcmp(jstr(row0(m), "design"), "within-host"));
	CHECK(!strcmp(jstr(row0(m), "verdict"), "improvement"));
	json_decref(m);
	m = model_compare_runs(&ra, &rc, &opts);
	CHECK(!strcmp(jstr(row0(m), "verdict"), "cross_host"));
	CHECK(strstr(jstr(json_array_get(json_object_get(m, "comparisons"), 0), "cross_host"),
		     "(node1, node2 vs node3)") != NULL);
	json_decref(m);
	run_free(&ra);
	run_free(&rb);
	run_free(&rc);
}

/* Figures worked by hand. */
static void test_formulas(void)
{
	const double a[] = { 1, 2, 3 }, b[] = { 2, 4, 5 };
	struct stats_summary sa[2], sb[2];
	struct stats_welch w;

	/* d = 1, 2, 2: mean 5/3, sd 1/sqrt(3), t = 5, df 2. */
	CHECK(stats_paired(a, b, 3, 0.95, &w) == 0);
	CHECK(fabs(w.t - 5.0) < 1e-12 && w.df == 2 && fabs(w.diff - 5.0 / 3) < 1e-12);
	CHECK(fabs(w.change_pct - 100 * (5.0 / 3) / 2) < 1e-9);
	/* P(|T2| > 5) = 1 - 5 / sqrt(27) */
	CHECK(fabs(w.p - (1 - 5 / sqrt(27))) < 1e-12);
	CHECK(stats_paired(a, b, 1, 0.95, &w) == -EDOM && isnan(w.p));
	CHECK(stats_paired(a, a, 3, 0.95, &w) == 0 && w.p == 1);
	/* One stratum: Student's pooled t. {1,2,3} vs {4,5,6}: s^2 = 1,
	 * se = sqrt(2/3), t = 3 / se, df 4. */
	stats_summarize((const double[]){ 1, 2, 3 }, 3, 0.95, &sa[0]);
	stats_summarize((const double[]){ 4, 5, 6 }, 3, 0.95, &sb[0]);
	CHECK(stats_strata(sa, sb, 1, 0.95, &w) == 0);
	CHECK(fabs(w.t - 3 / sqrt(2.0 / 3)) < 1e-12 && w.df == 4 && w.diff == 3);
	/* A second stratum 100 higher on both sides changes neither the
	 * difference nor the spread; df adds up: 8. */
	stats_summarize((const double[]){ 101, 102, 103 }, 3, 0.95, &sa[1]);
	stats_summarize((const double[]){ 104, 105, 106 }, 3, 0.95, &sb[1]);
	CHECK(stats_strata(sa, sb, 2, 0.95, &w) == 0);
	CHECK(fabs(w.diff - 3) < 1e-12 && w.df == 8 && fabs(w.t - 3 / sqrt(1.0 / 3)) < 1e-9);
	/* One value per side per stratum: no spread to test against. */
	stats_summarize((const double[]){ 1 }, 1, 0.95, &sa[0]);
	stats_summarize((const double[]){ 2 }, 1, 0.95, &sb[0]);
	CHECK(stats_strata(sa, sb, 1, 0.95, &w) == -EDOM && isnan(w.p) && w.diff == 1);
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	test_formulas();
	test_paired_by_block();
	test_within_host();
	test_cross_host();
	test_single_host();
	test_two_runs();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", top);
	}
	TEST_DONE();
}

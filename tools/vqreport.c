// SPDX-License-Identifier: GPL-2.0
/*
 * vqreport: statistics, comparisons, regression verdicts and reports for
 * vqlab results folders (docs/results.md). See docs/vqreport.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cli.h"
#include "msg.h"
#include "parse.h"
#include "report/compare.h"
#include "report/document.h"
#include "report/numfmt.h"
#include "report/pivot.h"
#include "report/runset.h"
#include "report/table.h"
#include "report/windows.h"

#define TOOL "vqreport"

static struct {
	int plots;
	struct compare_opts cmp;
	const char *by, *baseline, *candidate, *outdir;
} opt = {
	.plots = 1,
	.cmp = { .alpha = 0.05, .threshold_pct = 3, .conf = 0.95 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqreport [OPTIONS] COMMAND ARGS\n"
		"       vqreport show RUN [SHARD_RUN...]\n"
		"       vqreport compare RUN [SHARD_RUN...] --by AXIS=BASE\n"
		"       vqreport compare RUN_A RUN_B\n"
		"       vqreport regress --baseline RUN_A --candidate RUN_B [--threshold PCT]\n"
		"       vqreport html RUN [-o DIR] [--by AXIS=BASE] [--baseline RUN_A] [--no-plots]\n"
		"       vqreport md RUN [-o DIR] [--by AXIS=BASE] [--baseline RUN_A] [--no-plots]\n"
		"       vqreport report RUN [SHARD_RUN...] [-o DIR] [...]  (html and md)\n"
		"       vqreport help\n"
		"\n"
		"Statistics of vqlab results folders (results/<run-id>/): mean, standard\n"
		"deviation, CV, 95%% confidence interval; %% change and Welch's t-test\n"
		"p-value against a baseline. A change is called an improvement or a\n"
		"regression only when p < ALPHA and |change| > THRESHOLD, in the direction\n"
		"each metric's \"better\" field gives. Failed samples are counted and listed,\n"
		"never averaged. Commands may be abbreviated (sh, comp, reg).\n"
		"\n"
		"OPTIONS:\n"
		"  -j, --json            JSON output (errors as {\"error\": ...})\n"
		"  -p, --pretty          indented JSON (implies -j)\n"
		"      --by AXIS=BASE    compare the cells of one run along AXIS against BASE\n"
		"      --threshold PCT   smallest |%% change| that is called (default 3%%)\n"
		"      --alpha A         significance level (default 0.05)\n"
		"      --baseline RUN    regress: the reference run; html/md/report: add a\n"
		"                        section comparing RUN's cells with this run's\n"
		"      --candidate RUN   regress: the run under test\n"
		"  -o, --output DIR      html/md/report: where to write (default RUN/report)\n"
		"      --no-plots        html/md/report: tables only, no gnuplot\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 ok, 1 runtime error or (regress) a significant regression,\n"
		"2 usage error.\n"
		"\n"
		"Several RUN folders are the shards of one matrix (vqlab run --shard K/N):\n"
		"they are checked to belong together and read as one set; html/md/report\n"
		"write into the first one's report/ unless -o says otherwise. Samples from\n"
		"several hosts are compared within a host (paired by block, or host by\n"
		"host), never across hosts: cells no host measured both of get no verdict.\n"
		"\n"
		"EXAMPLES:\n"
		"  vqreport show results/20261121-130000-smoke\n"
		"  vqreport compare results/20261121-130000-inorder-net --by in_order=off\n"
		"  vqreport compare results/20261121-140000-retpoline --by mitigation=off\n"
		"  vqreport compare results/before results/after --threshold 2%%\n"
		"  vqreport regress --baseline results/before --candidate results/after --threshold 3%%\n"
		"  vqreport -j regress --baseline results/before --candidate results/after\n"
		"  vqreport report results/20261121-130000-inorder-net && xdg-open results/20261121-130000-inorder-net/report/report.html\n"
		"  vqreport md results/after --baseline results/before -o /tmp/before-after\n"
		"  vqreport report out/shard-1-of-2/* out/shard-2-of-2/* -o out/report\n");
}

/* Version of the -j documents below; bump it when a member changes meaning
 * or goes away (adding members does not need a bump). */
#define VQREPORT_JSON_SCHEMA 1

/* A -j document: p_json with the schema member every document carries. */
static void json_out(json_t *o)
{
	json_object_set_new(o, "schema", json_integer(VQREPORT_JSON_SCHEMA));
	p_json(o);
}

static int load(const char *dir, struct runset *r)
{
	struct errbuf e;
	int ret = run_load(dir, r, &e);

	if (ret) {
		p_err("%s", e.msg);
		run_free(r);
	}
	return ret;
}

/* One RUN folder, or the shards of one matrix read as one set
 * (docs/cluster.md): runset_load_many checks they belong together. */
static int load_set(int argc, char **argv, struct runset *r)
{
	struct errbuf e = { "" };
	int ret;

	if (argc == 1)
		return load(argv[0], r);
	ret = runset_load_many((const char *const *)argv, argc, r, &e);
	if (ret) {
		p_err("%s", e.msg[0] ? e.msg : strerror(-ret));
		run_free(r);
	}
	return ret;
}

static void print_warnings(const json_t *warnings)
{
	json_t *w;
	size_t i;

	json_array_foreach(warnings, i, w)
		fprintf(stderr, "Warning: %s\n", json_string_value(w));
}

/* "\nTITLE: N (NOTE)", then one line per item of @items with the label of
 * its axes. Nothing when @items is empty. */
static void print_list(const json_t *items, const char *title, const char *note,
		       void (*line)(const json_t *item, const char *label))
{
	const json_t *x;
	size_t i;

	if (!json_array_size(items))
		return;
	printf("\n%s: %zu (%s)\n", title, json_array_size(items), note);
	json_array_foreach(items, i, x) {
		char *label = axes_label(json_object_get(x, SAMPLE_AXES), NULL);

		line(x, label ? label : "");
		free(label);
	}
}

static void failed_line(const json_t *f, const char *label)
{
	const char *side = json_string_value(json_object_get(f, "side"));
	char att[40] = "";

	if (json_is_integer(json_object_get(f, SAMPLE_ATTEMPT)))
		snprintf(att, sizeof(att), " attempt %lld",
			 (long long)json_integer_value(json_object_get(f, SAMPLE_ATTEMPT)));
	printf("  %s%s%s rep %lld%s  %s: %s\n", side ? side : "", side ? " " : "",
	       json_string_value(json_object_get(f, SAMPLE_CELL)),
	       (long long)json_integer_value(json_object_get(f, SAMPLE_REP)), att, label,
	       json_string_value(json_object_get(f, SAMPLE_REASON)));
}

static void skipped_line(const json_t *x, const char *label)
{
	const char *reason = json_string_value(json_object_get(x, SAMPLE_REASON));

	printf("  %s: %s\n", label, reason ? reason : "no reason given");
}

static void print_failed(const json_t *failed)
{
	print_list(failed, "failed samples", "counted, not averaged", failed_line);
}

static void print_skipped(const json_t *skipped)
{
	print_list(skipped, "cells not run", "refused by the runner", skipped_line);
}

static void print_run_line(const json_t *info)
{
	const char *accel = json_string_value(json_object_get(info, RUN_ACCEL));
	const char *status = json_string_value(json_object_get(info, RUN_STATUS));

	printf("run %s (%s): accelerator %s, status %s\n",
	       json_string_value(json_object_get(info, "id")),
	       json_string_value(json_object_get(info, "dir")), accel ? accel : "unknown",
	       status ? status : "unknown");
	if (accel && !strcmp(accel, "tcg"))
		printf("TCG (emulated CPU): the figures compare configurations with each other; they are not hardware rates\n");
	if (status && strcmp(status, RUN_STATUS_COMPLETE))
		printf("the run is %s, not complete: cells may lack samples\n", status);
}

/* One metric of a cell: n, mean, sd, cv, CI, unit, better. */
static void show_metric_row(struct table *t, const json_t *x)
{
	char b[6][NUMFMT_LEN];
	long long missing = json_integer_value(json_object_get(x, "missing"));
	char n[48];

	snprintf(n, sizeof(n), missing ? "%lld (+%lld null)" : "%lld",
		 (long long)json_integer_value(json_object_get(x, "n")), missing);
	if (isnan(json_num_get(x, "cv_pct")))
		fmt_num(b[4], NAN);
	else
		snprintf(b[4], sizeof(b[4]), "%.1f%%", json_num_get(x, "cv_pct"));
	table_addf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
		   json_string_value(json_object_get(x, "name")), n,
		   fmt_num(b[0], json_num_get(x, "mean")), fmt_num(b[1], json_num_get(x, "sd")),
		   b[4], fmt_num(b[2], json_num_get(x, "ci_lo")),
		   fmt_num(b[3], json_num_get(x, "ci_hi")),
		   json_string_value(json_object_get(x, "unit")),
		   json_string_value(json_object_get(x, "better")));
}

/* "  negotiated: in_order in 0/3 samples, packed in 0/3 samples" */
static void show_negotiated(const json_t *neg)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach((json_t *)neg, k, v) {
		printf("%s%s in %lld/%lld samples", first ? "  negotiated: " : ", ", k,
		       (long long)json_integer_value(json_object_get(v, "negotiated")),
		       (long long)json_integer_value(json_object_get(v, "known")));
		first = 0;
	}
	if (!first)
		putchar('\n');
}

/* A cell's heading, then its metrics as a table. */
static void show_cell(const json_t *c, const json_t *fixed)
{
	char *label = axes_label_except(json_object_get(c, "axes"), fixed, NULL);
	struct table *t;
	json_t *x;
	size_t j;

	printf("\ncell %s  %s  (%lld ok, %lld failed)\n",
	       json_string_value(json_object_get(c, "cell")), label,
	       (long long)json_integer_value(json_object_get(c, "ok")),
	       (long long)json_integer_value(json_object_get(c, "failed")));
	free(label);
	show_negotiated(json_object_get(c, "negotiated"));
	if (!json_array_size(json_object_get(c, "metrics"))) {
		printf("  no metrics (no ok sample)\n");
		return;
	}
	t = table_new(9, 0x7e);
	table_addf(t, "metric\tn\tmean\tsd\tcv\t95%% CI low\t95%% CI high\tunit\tbetter");
	json_array_foreach(json_object_get(c, "metrics"), j, x)
		show_metric_row(t, x);
	table_print_text(t, stdout, 2);
	table_free(t);
}

static void show_text(const json_t *m, const json_t *fixed)
{
	char *fl = axes_label(fixed, NULL);
	json_t *c;
	size_t i;

	print_warnings(json_object_get(m, "warnings"));
	print_run_line(json_object_get(m, "run"));
	printf("%zu cells, %lld samples: %lld ok, %lld failed\n",
	       json_array_size(json_object_get(m, "cells")),
	       (long long)json_integer_value(json_object_get(m, "samples")),
	       (long long)json_integer_value(json_object_get(m, "ok")),
	       (long long)json_integer_value(json_object_get(m, "failed")));
	if (fl && *fl)
		printf("the same in every cell: %s\n", fl);
	free(fl);
	json_array_foreach(json_object_get(m, "cells"), i, c)
		show_cell(c, fixed);
	if (!json_array_size(json_object_get(m, "cells")))
		printf("\nno samples in %s\n",
		       json_string_value(json_object_get(json_object_get(m, "run"), "dir")));
	print_failed(json_object_get(m, "failed_samples"));
	print_skipped(json_object_get(m, "skipped_cells"));
}

static int do_show(int argc, char **argv)
{
	struct runset r;
	json_t *m, *fixed;

	if (argc < 1) {
		p_err("show takes RUN folders (one run, or the shards of one matrix)");
		return EXIT_USAGE;
	}
	if (load_set(argc, argv, &r))
		return 1;
	m = model_show(&r, opt.cmp.conf);
	windows_show(m, &r);
	fixed = run_constant_axes(&r);
	run_free(&r);
	if (msg_json())
		json_out(m);
	else
		show_text(m, fixed);
	json_decref(m);
	json_decref(fixed);
	return 0;
}

static int split_by(const char *by, char **axis, const char **base)
{
	const char *eq = by ? strchr(by, '=') : NULL;

	if (!eq || eq == by || !eq[1])
		return -EINVAL;
	*axis = strndup(by, eq - by);
	*base = eq + 1;
	return *axis ? 0 : -ENOMEM;
}

static void print_counts(const json_t *m)
{
	/* every verdict a comparison counts, with how a person reads it */
	static const struct {
		enum verdict v;
		const char *words;
	} counted[] = {
		{ VERDICT_REGRESSION, "regression(s)" },
		{ VERDICT_IMPROVEMENT, "improvement(s)" },
		{ VERDICT_CHANGED, "significant change(s) without a direction" },
		{ VERDICT_NONE, "no significant change" },
		{ VERDICT_INSUFFICIENT, "insufficient data" },
		{ VERDICT_NOT_NEGOTIATED, "without a verdict (feature not negotiated)" },
	};
	const json_t *c = json_object_get(m, "counts");

	for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
		printf("%s%lld %s", i ? ", " : "\n",
		       (long long)json_integer_value(json_object_get(c, verdict_key(counted[i].v))),
		       counted[i].words);
	/* Only sets of several hosts can have these. */
	if (json_integer_value(json_object_get(c, verdict_key(VERDICT_CROSS_HOST))))
		printf(", %lld without a verdict (measured on different hosts)",
		       (long long)json_integer_value(
			       json_object_get(c, verdict_key(VERDICT_CROSS_HOST))));
	putchar('\n');
	if (json_integer_value(json_object_get(c, "failures_regression")) ||
	    json_integer_value(json_object_get(c, "failures_improvement")))
		printf("failure rate: %lld cell(s) fail significantly more often, %lld less often\n",
		       (long long)json_integer_value(json_object_get(c, "failures_regression")),
		       (long long)json_integer_value(json_object_get(c, "failures_improvement")));
}

/* Build the comparison model of one run by an axis or of two runs. */
static int compare_model(int argc, char **argv, const char *by, json_t **out)
{
	struct errbuf err = { "" };
	struct runset a, b;
	char *axis = NULL;
	const char *base;
	int ret = 1;

	*out = NULL;
	if (by) {
		if (argc < 1) {
			p_err("compare --by takes RUN folders (one run, or the shards of one matrix)");
			return EXIT_USAGE;
		}
		if (split_by(by, &axis, &base)) {
			p_err("--by '%s': expected AXIS=BASE, e.g. --by in_order=off", by);
			return EXIT_USAGE;
		}
		if (load_set(argc, argv, &a))
			goto cleanup;
		*out = model_compare_axis(&a, axis, base, &opt.cmp, &err);
		run_free(&a);
		if (!*out) {
			p_err("%s", err.msg[0] ? err.msg : "out of memory");
			goto cleanup;
		}
		ret = 0;
		goto cleanup;
	}
	if (argc != 2) {
		p_err("compare needs RUN --by AXIS=BASE or two RUN folders (got %d)", argc);
		return EXIT_USAGE;
	}
	if (load(argv[0], &a))
		goto cleanup;
	if (load(argv[1], &b)) {
		run_free(&a);
		goto cleanup;
	}
	*out = model_compare_runs(&a, &b, &opt.cmp);
	run_free(&a);
	run_free(&b);
	ret = *out ? 0 : 1;
cleanup:
	free(axis);
	return ret;
}

static int do_compare(int argc, char **argv)
{
	json_t *m;
	int ret = compare_model(argc, argv, opt.by, &m);

	if (ret)
		return ret;
	if (msg_json()) {
		json_out(m);
	} else {
		json_t *w = json_deep_copy(json_object_get(m, "warnings"));
		size_t nn = json_array_size(json_object_get(m, "not_negotiated"));

		/* pivot_print_text says those first, on stdout. */
		while (nn-- && json_array_size(w))
			json_array_remove(w, 0);
		print_warnings(w);
		json_decref(w);
		pivot_print_text(m, stdout);
		/* How the changes were measured, when hosts made it matter. */
		if (json_object_get(json_object_get(m, "design"), "text"))
			printf("\n%s\n", json_string_value(json_object_get(
						 json_object_get(m, "design"), "text")));
		print_failed(json_object_get(m, "failed_samples"));
		print_counts(m);
	}
	json_decref(m);
	return 0;
}

/* "tx_pps in ring=split workload=net-tx: 40123 -> 38000 packets/s (-5.29%,
 * p=0.0002, alpha 0.05, threshold 3%, higher is better)" */
static char *regression_reason(const json_t *m, const json_t *item, const json_t *row)
{
	char *label = axes_label(json_object_get(item, "axes"), NULL), *s = NULL;
	char b[4][NUMFMT_LEN];

	fmt_p(b[3], json_num_get(row, "p"));
	if (asprintf(&s,
		     "%s in %s: %s -> %s %s (%s, p%s%s, alpha %g, threshold %g%%, %s is better)",
		     json_string_value(json_object_get(row, "name")),
		     label && *label ? label : "all cells",
		     fmt_num(b[0], json_num_get(json_object_get(row, "baseline"), "mean")),
		     fmt_num(b[1], json_num_get(json_object_get(row, "candidate"), "mean")),
		     json_string_value(json_object_get(row, "unit")),
		     fmt_pct(b[2], json_num_get(row, "change_pct")), b[3][0] == '<' ? "" : "=",
		     b[3], json_num_get(m, "alpha"), json_num_get(m, "threshold_pct"),
		     json_string_value(json_object_get(row, "better"))) < 0)
		s = NULL;
	free(label);
	return s;
}

/* One reason line per metric called a regression. */
static void metric_regressions(const json_t *m, json_t *regs)
{
	const json_t *item, *row;
	size_t i, j;

	json_array_foreach(json_object_get(m, "comparisons"), i, item)
		json_array_foreach(json_object_get(item, "metrics"), j, row) {
			char *reason;

			if (verdict_from_key(json_string_value(json_object_get(row, "verdict"))) !=
			    VERDICT_REGRESSION)
				continue;
			reason = regression_reason(m, item, row);
			json_array_append_new(regs, json_string(reason ? reason : "regression"));
			free(reason);
		}
}

/* A candidate that fails significantly more often regresses too. */
static void failure_regressions(const json_t *m, json_t *regs)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(m, "comparisons"), i, item) {
		const char *v = json_string_value(
			json_object_get(json_object_get(item, "failures"), "verdict"));
		char *line, *label, *reason = NULL;

		if (verdict_from_key(v) != VERDICT_REGRESSION)
			continue;
		line = pivot_failures_line(m, item);
		label = axes_label(json_object_get(item, "axes"), NULL);
		if (asprintf(&reason, "%s: %s", label ? label : "", line ? line : "failures") < 0)
			reason = NULL;
		json_array_append_new(regs, json_string(reason ? reason : "failures"));
		free(reason);
		free(label);
		free(line);
	}
}

static void regress_text(const json_t *m, const json_t *regs, int failed)
{
	const json_t *item;
	size_t i;

	print_warnings(json_object_get(m, "warnings"));
	json_array_foreach(regs, i, item)
		printf("regression: %s\n", json_string_value(item));
	if (!json_array_size(json_object_get(m, "comparisons")))
		printf("warning: no cell of the candidate matches a cell of the baseline\n");
	json_array_foreach(json_object_get(m, "unmatched"), i, item) {
		char *label = axes_label(json_object_get(item, "axes"), NULL);

		printf("unmatched: %s cell %s %s\n",
		       json_string_value(json_object_get(item, "side")),
		       json_string_value(json_object_get(item, "cell")), label);
		free(label);
	}
	if (json_array_size(json_object_get(m, "failed_samples")))
		printf("failed samples: %zu (not averaged; see vqreport compare)\n",
		       json_array_size(json_object_get(m, "failed_samples")));
	printf("%s: %zu regression(s) (metrics beyond %g%%, or failure rates beyond %g points) at alpha %g, %lld improvement(s), %lld metric(s) with insufficient data\n",
	       failed ? "FAIL" : "PASS", json_array_size(regs), opt.cmp.threshold_pct,
	       opt.cmp.threshold_pct, opt.cmp.alpha,
	       (long long)json_integer_value(
		       json_object_get(json_object_get(m, "counts"), "improvement")),
	       (long long)json_integer_value(
		       json_object_get(json_object_get(m, "counts"), "insufficient")));
}

static int do_regress(int argc, char **argv)
{
	char *args[2];
	json_t *m, *regs;
	int ret;

	if (opt.baseline && opt.candidate && argc == 0) {
		args[0] = (char *)opt.baseline;
		args[1] = (char *)opt.candidate;
	} else if (!opt.baseline && !opt.candidate && argc == 2) {
		args[0] = argv[0];
		args[1] = argv[1];
	} else {
		p_err("regress needs --baseline RUN_A --candidate RUN_B");
		return EXIT_USAGE;
	}
	if (opt.by) {
		p_err("regress compares two runs; --by belongs to compare");
		return EXIT_USAGE;
	}
	ret = compare_model(2, args, NULL, &m);
	if (ret)
		return ret;
	regs = json_array();
	metric_regressions(m, regs);
	failure_regressions(m, regs);
	ret = json_array_size(regs) ? 1 : 0;
	json_object_set_new(m, "result", json_string(ret ? "regression" : "pass"));
	json_object_set_new(m, "regressions", regs);
	if (msg_json())
		json_out(m);
	else
		regress_text(m, regs, ret);
	json_decref(m);
	return ret;
}

static int write_documents(int argc, char **argv, unsigned int formats)
{
	struct document_opts d = {
		.cmp = opt.cmp,
		.outdir = opt.outdir,
		.formats = formats,
		.plots = opt.plots,
		.by = opt.by,
	};
	struct errbuf err = { "" };
	json_t *res = NULL;
	char *axis = NULL;
	const char *base;
	struct runset r, base_run;
	int ret = 1;

	if (argc < 1) {
		p_err("html/md/report take RUN folders (one run, or the shards of one matrix)");
		return EXIT_USAGE;
	}
	if (opt.by && split_by(opt.by, &axis, &base)) {
		p_err("--by '%s': expected AXIS=BASE, e.g. --by in_order=off", opt.by);
		return EXIT_USAGE;
	}
	free(axis);
	if (opt.candidate) {
		p_err("html/md/report take RUN [--baseline RUN_A]; --candidate belongs to regress");
		return EXIT_USAGE;
	}
	if (opt.baseline) {
		if (load(opt.baseline, &base_run))
			return 1;
		d.baseline = &base_run;
	}
	if (load_set(argc, argv, &r)) {
		if (d.baseline)
			run_free(&base_run);
		return 1;
	}
	if (document_write(&r, &d, &res, &err)) {
		p_err("%s", err.msg[0] ? err.msg : "cannot write the report");
		goto cleanup;
	}
	if (msg_json()) {
		json_out(res);
	} else {
		json_t *e;
		size_t i;

		print_warnings(r.warnings);
		json_array_foreach(json_object_get(res, "plot_errors"), i, e)
			fprintf(stderr, "Warning: %s\n", json_string_value(e));
		if (json_is_string(json_object_get(res, "html")))
			printf("%s\n", json_string_value(json_object_get(res, "html")));
		if (json_is_string(json_object_get(res, "md")))
			printf("%s\n", json_string_value(json_object_get(res, "md")));
	}
	ret = 0;
cleanup:
	json_decref(res);
	run_free(&r);
	if (d.baseline)
		run_free(&base_run);
	return ret;
}

static int do_html(int argc, char **argv)
{
	return write_documents(argc, argv, DOC_HTML);
}
static int do_md(int argc, char **argv)
{
	return write_documents(argc, argv, DOC_MD);
}
static int do_report(int argc, char **argv)
{
	return write_documents(argc, argv, DOC_HTML | DOC_MD);
}

static int do_help(int argc, char **argv)
{
	if (msg_json()) {
		p_err("help has no JSON form");
		return EXIT_USAGE;
	}
	usage(stdout);
	return 0;
}

/* bpftool's table: a command is its name or a prefix only it has. */
static const struct cli_cmd cmds[] = {
	{ "show", do_show }, { "compare", do_compare }, { "regress", do_regress },
	{ "html", do_html }, { "md", do_md },		{ "report", do_report },
	{ "help", do_help },
};

static int parse_threshold(const char *s, double *out)
{
	char *copy = strdup(s);
	size_t n = copy ? strlen(copy) : 0;
	int err;

	if (!copy)
		return -ENOMEM;
	if (n && copy[n - 1] == '%')
		copy[n - 1] = '\0';
	err = parse_double(copy, 0, 1e6, out);
	free(copy);
	return err;
}

enum { OPT_BY = 256, OPT_THRESHOLD, OPT_ALPHA, OPT_BASELINE, OPT_CANDIDATE, OPT_NO_PLOTS };

/* One option that takes a value (in optarg). 0 or EXIT_USAGE. */
static int parse_value_opt(int c, char **argv)
{
	switch (c) {
	case 'o':
		opt.outdir = optarg;
		break;
	case OPT_BY:
		opt.by = optarg;
		break;
	case OPT_BASELINE:
		opt.baseline = optarg;
		break;
	case OPT_CANDIDATE:
		opt.candidate = optarg;
		break;
	case OPT_THRESHOLD:
		if (!parse_threshold(optarg, &opt.cmp.threshold_pct))
			break;
		p_err("--threshold '%s': expected a percentage >= 0, e.g. 3%%", optarg);
		return EXIT_USAGE;
	case OPT_ALPHA:
		if (!parse_double(optarg, 1e-12, 0.5, &opt.cmp.alpha))
			break;
		p_err("--alpha '%s': expected a number in (0, 0.5], e.g. 0.05", optarg);
		return EXIT_USAGE;
	default:
		return cli_getopt_error(TOOL, c, argv);
	}
	return 0;
}

/* The options before and after the command. 0, EXIT_USAGE, or -1 when
 * --help was printed. */
static int parse_options(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "by", required_argument, NULL, OPT_BY },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "candidate", required_argument, NULL, OPT_CANDIDATE },
		{ "no-plots", no_argument, NULL, OPT_NO_PLOTS },
		{ 0 },
	};
	bool pretty = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jpho:", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pretty = true;
			/* fallthrough */
		case 'j':
			msg_set_json(true, pretty);
			break;
		case 'h':
			if (msg_json()) {
				p_err("--help has no JSON form");
				return EXIT_USAGE;
			}
			usage(stdout);
			return -1;
		case OPT_NO_PLOTS:
			opt.plots = 0;
			break;
		default:
			ret = parse_value_opt(c, argv);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* -j anywhere on the line decides the form of usage errors too. */
static void set_output_mode(int argc, char **argv)
{
	bool json = false;

	for (int i = 1; i < argc; i++)
		json |= !strcmp(argv[i], "-j") || !strcmp(argv[i], "--json") ||
			!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty");
	msg_set_json(json, false);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int ret;

	set_output_mode(argc, argv);
	ret = parse_options(argc, argv);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind >= argc) {
		if (msg_json())
			p_err("no command given (see vqreport --help)");
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_cmd_find(TOOL, cmds, sizeof(cmds) / sizeof(cmds[0]), argv[optind]);
	if (!cmd)
		return EXIT_USAGE;
	ret = cmd->fn(argc - optind - 1, argv + optind + 1);
	if (fflush(stdout) || ferror(stdout)) {
		p_err_text("writing the output failed");
		ret = 1;
	}
	return ret;
}

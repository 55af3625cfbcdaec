// SPDX-License-Identifier: GPL-2.0
/*
 * vqreport: statistics, comparisons, regression verdicts and reports for
 * vqlab results folders (docs/results.md). See docs/vqreport.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "parse.h"
#include "report/compare.h"
#include "report/document.h"
#include "report/numfmt.h"
#include "report/pivot.h"
#include "report/runset.h"
#include "report/table.h"

#define EXIT_USAGE 2

static struct {
	int json, pretty, plots;
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
		"       vqreport show RUN\n"
		"       vqreport compare RUN --by AXIS=BASE\n"
		"       vqreport compare RUN_A RUN_B\n"
		"       vqreport regress --baseline RUN_A --candidate RUN_B [--threshold PCT]\n"
		"       vqreport html RUN [-o DIR] [--by AXIS=BASE] [--baseline RUN_A] [--no-plots]\n"
		"       vqreport md RUN [-o DIR] [--by AXIS=BASE] [--baseline RUN_A] [--no-plots]\n"
		"       vqreport report RUN [-o DIR] [...]  (html and md)\n"
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
		"EXAMPLES:\n"
		"  vqreport show results/20261121-130000-smoke\n"
		"  vqreport compare results/20261121-130000-inorder-net --by in_order=off\n"
		"  vqreport compare results/20261121-140000-retpoline --by mitigation=off\n"
		"  vqreport compare results/before results/after --threshold 2%%\n"
		"  vqreport regress --baseline results/before --candidate results/after --threshold 3%%\n"
		"  vqreport -j regress --baseline results/before --candidate results/after\n"
		"  vqreport report results/20261121-130000-inorder-net && xdg-open results/20261121-130000-inorder-net/report/report.html\n"
		"  vqreport md results/after --baseline results/before -o /tmp/before-after\n");
}

/* Errors: "Error: ..." on stderr, or {"error": "..."} on stdout under -j. */
static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void error(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (opt.json) {
		json_t *o = json_pack("{s:s}", "error",
				      msg ? msg : "out of memory");

		json_dumpf(o, stdout,
			   (opt.pretty ? JSON_INDENT(2) : JSON_COMPACT) |
				   JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		fprintf(stderr, "Error: %s\n", msg ? msg : "out of memory");
	}
	free(msg);
}

/* Version of the -j documents below; bump it when a member changes meaning
 * or goes away (adding members does not need a bump). */
#define VQREPORT_JSON_SCHEMA 1

static void json_out(json_t *o)
{
	json_object_set_new(o, "schema", json_integer(VQREPORT_JSON_SCHEMA));
	json_dumpf(o, stdout,
		   (opt.pretty ? JSON_INDENT(2) : JSON_COMPACT) |
			   JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
}

static int load(const char *dir, struct runset *r)
{
	char *err = NULL;
	int ret = run_load(dir, r, &err);

	if (ret) {
		error("%s", err ? err : strerror(-ret));
		free(err);
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

static void print_failed(const json_t *failed)
{
	json_t *f;
	size_t i;

	if (!json_array_size(failed))
		return;
	printf("\nfailed samples: %zu (counted, not averaged)\n",
	       json_array_size(failed));
	json_array_foreach(failed, i, f) {
		char *label = axes_label(json_object_get(f, SAMPLE_AXES), NULL);
		const char *side =
			json_string_value(json_object_get(f, "side"));

		char att[40] = "";

		if (json_is_integer(json_object_get(f, SAMPLE_ATTEMPT)))
			snprintf(att, sizeof(att), " attempt %lld",
				 (long long)json_integer_value(
					 json_object_get(f, SAMPLE_ATTEMPT)));
		printf("  %s%s%s rep %lld%s  %s: %s\n", side ? side : "",
		       side ? " " : "",
		       json_string_value(json_object_get(f, SAMPLE_CELL)),
		       (long long)json_integer_value(json_object_get(f, SAMPLE_REP)),
		       att, label ? label : "",
		       json_string_value(json_object_get(f, SAMPLE_REASON)));
		free(label);
	}
}

static void print_skipped(const json_t *skipped)
{
	json_t *x;
	size_t i;

	if (!json_array_size(skipped))
		return;
	printf("\ncells not run: %zu (refused by the runner)\n",
	       json_array_size(skipped));
	json_array_foreach(skipped, i, x) {
		char *label = axes_label(json_object_get(x, SAMPLE_AXES), NULL);
		const char *reason =
			json_string_value(json_object_get(x, SAMPLE_REASON));

		printf("  %s: %s\n", label ? label : "",
		       reason ? reason : "no reason given");
		free(label);
	}
}

static void print_run_line(const json_t *info)
{
	const char *accel = json_string_value(json_object_get(info, RUN_ACCEL));
	const char *status = json_string_value(json_object_get(info, RUN_STATUS));

	printf("run %s (%s): accelerator %s, status %s\n",
	       json_string_value(json_object_get(info, RUN_ID)),
	       json_string_value(json_object_get(info, "dir")),
	       accel ? accel : "unknown", status ? status : "unknown");
	if (accel && !strcmp(accel, "tcg"))
		printf("TCG (emulated CPU): the figures compare configurations with each other; they are not hardware rates\n");
	if (status && strcmp(status, RUN_STATUS_COMPLETE))
		printf("the run is %s, not complete: cells may lack samples\n",
		       status);
}

static int do_show(int argc, char **argv)
{
	struct runset r;
	json_t *m, *c, *fixed;
	size_t i;

	if (argc != 1) {
		error("show takes one RUN folder (got %d arguments)", argc);
		return EXIT_USAGE;
	}
	if (load(argv[0], &r))
		return 1;
	m = model_show(&r, opt.cmp.conf);
	fixed = run_constant_axes(&r);
	run_free(&r);
	if (opt.json) {
		json_out(m);
		json_decref(m);
		json_decref(fixed);
		return 0;
	}
	print_warnings(json_object_get(m, "warnings"));
	print_run_line(json_object_get(m, "run"));
	printf("%zu cells, %lld samples: %lld ok, %lld failed\n",
	       json_array_size(json_object_get(m, "cells")),
	       (long long)json_integer_value(json_object_get(m, "samples")),
	       (long long)json_integer_value(json_object_get(m, "ok")),
	       (long long)json_integer_value(json_object_get(m, "failed")));
	{
		char *fl = axes_label(fixed, NULL);

		if (fl && *fl)
			printf("the same in every cell: %s\n", fl);
		free(fl);
	}
	json_array_foreach(json_object_get(m, "cells"), i, c) {
		char *label = axes_label_except(json_object_get(c, "axes"),
						fixed, NULL);
		struct table *t = table_new(9, 0x7e);
		json_t *x;
		size_t j;

		printf("\ncell %s  %s  (%lld ok, %lld failed)\n",
		       json_string_value(json_object_get(c, "cell")), label,
		       (long long)json_integer_value(json_object_get(c, "ok")),
		       (long long)json_integer_value(
			       json_object_get(c, "failed")));
		free(label);
		if (!json_array_size(json_object_get(c, "metrics"))) {
			printf("  no metrics (no ok sample)\n");
			table_free(t);
			continue;
		}
		table_addf(
			t,
			"metric\tn\tmean\tsd\tcv\t95%% CI low\t95%% CI high\tunit\tbetter");
		json_array_foreach(json_object_get(c, "metrics"), j, x) {
			char b[6][NUMFMT_LEN];
			long long missing = json_integer_value(
				json_object_get(x, "missing"));
			char n[48];

			snprintf(n, sizeof(n),
				 missing ? "%lld (+%lld null)" : "%lld",
				 (long long)json_integer_value(
					 json_object_get(x, "n")),
				 missing);
			if (isnan(json_num_get(x, "cv_pct")))
				fmt_num(b[4], NAN);
			else
				snprintf(b[4], sizeof(b[4]), "%.1f%%",
					 json_num_get(x, "cv_pct"));
			table_addf(
				t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
				json_string_value(json_object_get(x, "name")),
				n, fmt_num(b[0], json_num_get(x, "mean")),
				fmt_num(b[1], json_num_get(x, "sd")), b[4],
				fmt_num(b[2], json_num_get(x, "ci_lo")),
				fmt_num(b[3], json_num_get(x, "ci_hi")),
				json_string_value(json_object_get(x, "unit")),
				json_string_value(
					json_object_get(x, "better")));
		}
		table_print_text(t, stdout, 2);
		table_free(t);
	}
	if (!json_array_size(json_object_get(m, "cells")))
		printf("\nno samples in %s\n",
		       json_string_value(json_object_get(
			       json_object_get(m, "run"), "dir")));
	print_failed(json_object_get(m, "failed_samples"));
	print_skipped(json_object_get(m, "skipped_cells"));
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
	const json_t *c = json_object_get(m, "counts");

	printf("\n%lld regression(s), %lld improvement(s), %lld significant change(s) without a direction, %lld no significant change, %lld insufficient data\n",
	       (long long)json_integer_value(json_object_get(c, "regression")),
	       (long long)json_integer_value(json_object_get(c, "improvement")),
	       (long long)json_integer_value(json_object_get(c, "changed")),
	       (long long)json_integer_value(json_object_get(c, "none")),
	       (long long)json_integer_value(
		       json_object_get(c, "insufficient")));
	if (json_integer_value(json_object_get(c, "failures_regression")) ||
	    json_integer_value(json_object_get(c, "failures_improvement")))
		printf("failure rate: %lld cell(s) fail significantly more often, %lld less often\n",
		       (long long)json_integer_value(
			       json_object_get(c, "failures_regression")),
		       (long long)json_integer_value(
			       json_object_get(c, "failures_improvement")));
}

/* Build the comparison model of one run by an axis or of two runs. */
static int compare_model(int argc, char **argv, const char *by, json_t **out)
{
	struct runset a, b;
	char *axis = NULL, *err = NULL;
	const char *base;
	int ret = 1;

	*out = NULL;
	if (by) {
		if (argc != 1) {
			error("compare --by takes one RUN folder (got %d)",
			      argc);
			return EXIT_USAGE;
		}
		if (split_by(by, &axis, &base)) {
			error("--by '%s': expected AXIS=BASE, e.g. --by in_order=off",
			      by);
			return EXIT_USAGE;
		}
		if (load(argv[0], &a))
			goto cleanup;
		*out = model_compare_axis(&a, axis, base, &opt.cmp, &err);
		run_free(&a);
		if (!*out) {
			error("%s", err ? err : "out of memory");
			goto cleanup;
		}
		ret = 0;
		goto cleanup;
	}
	if (argc != 2) {
		error("compare needs RUN --by AXIS=BASE or two RUN folders (got %d)",
		      argc);
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
	free(err);
	return ret;
}

static int do_compare(int argc, char **argv)
{
	json_t *m;
	int ret = compare_model(argc, argv, opt.by, &m);

	if (ret)
		return ret;
	if (opt.json) {
		json_out(m);
	} else {
		print_warnings(json_object_get(m, "warnings"));
		pivot_print_text(m, stdout);
		print_failed(json_object_get(m, "failed_samples"));
		print_counts(m);
	}
	json_decref(m);
	return 0;
}

/* "tx_pps in ring=split workload=net-tx: 40123 -> 38000 packets/s (-5.29%,
 * p=0.0002, alpha 0.05, threshold 3%, higher is better)" */
static char *regression_reason(const json_t *m, const json_t *item,
			       const json_t *row)
{
	char *label = axes_label(json_object_get(item, "axes"), NULL),
	     *s = NULL;
	char b[4][NUMFMT_LEN];

	fmt_p(b[3], json_num_get(row, "p"));
	if (asprintf(
		    &s,
		    "%s in %s: %s -> %s %s (%s, p%s%s, alpha %g, threshold %g%%, %s is better)",
		    json_string_value(json_object_get(row, "name")),
		    label && *label ? label : "all cells",
		    fmt_num(b[0], json_num_get(json_object_get(row, "baseline"),
					       "mean")),
		    fmt_num(b[1],
			    json_num_get(json_object_get(row, "candidate"),
					 "mean")),
		    json_string_value(json_object_get(row, "unit")),
		    fmt_pct(b[2], json_num_get(row, "change_pct")),
		    b[3][0] == '<' ? "" : "=", b[3], json_num_get(m, "alpha"),
		    json_num_get(m, "threshold_pct"),
		    json_string_value(json_object_get(row, "better"))) < 0)
		s = NULL;
	free(label);
	return s;
}

static int do_regress(int argc, char **argv)
{
	char *args[2];
	json_t *m, *regs, *item, *row;
	size_t i, j;
	int ret;

	if (opt.baseline && opt.candidate && argc == 0) {
		args[0] = (char *)opt.baseline;
		args[1] = (char *)opt.candidate;
	} else if (!opt.baseline && !opt.candidate && argc == 2) {
		args[0] = argv[0];
		args[1] = argv[1];
	} else {
		error("regress needs --baseline RUN_A --candidate RUN_B");
		return EXIT_USAGE;
	}
	if (opt.by) {
		error("regress compares two runs; --by belongs to compare");
		return EXIT_USAGE;
	}
	ret = compare_model(2, args, NULL, &m);
	if (ret)
		return ret;
	regs = json_array();
	json_array_foreach(json_object_get(m, "comparisons"), i, item)
		json_array_foreach(json_object_get(item, "metrics"), j, row) {
			char *reason;

			if (strcmp(json_string_value(
					   json_object_get(row, "verdict")),
				   "regression"))
				continue;
			reason = regression_reason(m, item, row);
			json_array_append_new(
				regs,
				json_string(reason ? reason : "regression"));
			free(reason);
		}
	/* A candidate that fails significantly more often regresses too. */
	json_array_foreach(json_object_get(m, "comparisons"), i, item) {
		const char *v = json_string_value(json_object_get(
			json_object_get(item, "failures"), "verdict"));
		char *line, *label, *reason = NULL;

		if (!v || strcmp(v, "regression"))
			continue;
		line = pivot_failures_line(m, item);
		label = axes_label(json_object_get(item, "axes"), NULL);
		if (asprintf(&reason, "%s: %s", label ? label : "",
			     line ? line : "failures") < 0)
			reason = NULL;
		json_array_append_new(regs, json_string(reason ? reason :
								 "failures"));
		free(reason);
		free(label);
		free(line);
	}
	ret = json_array_size(regs) ? 1 : 0;
	json_object_set_new(m, "result",
			    json_string(ret ? "regression" : "pass"));
	json_object_set_new(m, "regressions", regs);
	if (opt.json) {
		json_out(m);
	} else {
		print_warnings(json_object_get(m, "warnings"));
		json_array_foreach(regs, i, item)
			printf("regression: %s\n", json_string_value(item));
		if (!json_array_size(json_object_get(m, "comparisons")))
			printf("warning: no cell of the candidate matches a cell of the baseline\n");
		json_array_foreach(json_object_get(m, "unmatched"), i, item) {
			char *label =
				axes_label(json_object_get(item, "axes"), NULL);

			printf("unmatched: %s cell %s %s\n",
			       json_string_value(json_object_get(item, "side")),
			       json_string_value(json_object_get(item, "cell")),
			       label);
			free(label);
		}
		if (json_array_size(json_object_get(m, "failed_samples")))
			printf("failed samples: %zu (not averaged; see vqreport compare)\n",
			       json_array_size(
				       json_object_get(m, "failed_samples")));
		printf("%s: %zu regression(s) (metrics beyond %g%%, or failure rates beyond %g points) at alpha %g, %lld improvement(s), %lld metric(s) with insufficient data\n",
		       ret ? "FAIL" : "PASS", json_array_size(regs),
		       opt.cmp.threshold_pct, opt.cmp.threshold_pct,
		       opt.cmp.alpha,
		       (long long)json_integer_value(json_object_get(
			       json_object_get(m, "counts"), "improvement")),
		       (long long)json_integer_value(json_object_get(
			       json_object_get(m, "counts"), "insufficient")));
	}
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
	json_t *res = NULL;
	char *err = NULL, *axis = NULL;
	const char *base;
	struct runset r, base_run;
	int ret = 1;

	if (argc != 1) {
		error("html/md/report take one RUN folder (got %d)", argc);
		return EXIT_USAGE;
	}
	if (opt.by && split_by(opt.by, &axis, &base)) {
		error("--by '%s': expected AXIS=BASE, e.g. --by in_order=off",
		      opt.by);
		return EXIT_USAGE;
	}
	free(axis);
	if (opt.candidate) {
		error("html/md/report take RUN [--baseline RUN_A]; --candidate belongs to regress");
		return EXIT_USAGE;
	}
	if (opt.baseline) {
		if (load(opt.baseline, &base_run))
			return 1;
		d.baseline = &base_run;
	}
	if (load(argv[0], &r)) {
		if (d.baseline)
			run_free(&base_run);
		return 1;
	}
	if (document_write(&r, &d, &res, &err)) {
		error("%s", err ? err : "cannot write the report");
		goto cleanup;
	}
	if (opt.json) {
		json_out(res);
	} else {
		json_t *e;
		size_t i;

		print_warnings(r.warnings);
		json_array_foreach(json_object_get(res, "plot_errors"), i, e)
			fprintf(stderr, "Warning: %s\n", json_string_value(e));
		if (json_is_string(json_object_get(res, "html")))
			printf("%s\n",
			       json_string_value(json_object_get(res, "html")));
		if (json_is_string(json_object_get(res, "md")))
			printf("%s\n",
			       json_string_value(json_object_get(res, "md")));
	}
	ret = 0;
cleanup:
	json_decref(res);
	free(err);
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
	if (opt.json) {
		error("help has no JSON form");
		return EXIT_USAGE;
	}
	usage(stdout);
	return 0;
}

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "show", do_show },	   { "compare", do_compare },
	{ "regress", do_regress }, { "html", do_html },
	{ "md", do_md },	   { "report", do_report },
	{ "help", do_help },
};

/* Exact name, or a prefix that only one command has (bpftool's rule). */
static const struct cmd *cmd_find(const char *name)
{
	const struct cmd *hit = NULL;
	size_t i, len = strlen(name);

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (len && !strncmp(cmds[i].name, name, len)) {
			if (hit)
				return NULL; /* ambiguous */
			hit = &cmds[i];
		}
	}
	return hit;
}

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

int main(int argc, char **argv)
{
	enum {
		OPT_BY = 256,
		OPT_THRESHOLD,
		OPT_ALPHA,
		OPT_BASELINE,
		OPT_CANDIDATE,
		OPT_NO_PLOTS
	};
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
	const struct cmd *cmd;
	int c, ret = EXIT_USAGE;

	/* -j anywhere on the line decides the form of usage errors too. */
	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "-j") || !strcmp(argv[c], "--json") ||
		    !strcmp(argv[c], "-p") || !strcmp(argv[c], "--pretty"))
			opt.json = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jpho:", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt.json = 1;
			break;
		case 'p':
			opt.json = opt.pretty = 1;
			break;
		case 'h':
			if (opt.json) {
				error("--help has no JSON form");
				return EXIT_USAGE;
			}
			usage(stdout);
			return 0;
		case 'o':
			opt.outdir = optarg;
			break;
		case OPT_BY:
			opt.by = optarg;
			break;
		case OPT_THRESHOLD:
			if (parse_threshold(optarg, &opt.cmp.threshold_pct)) {
				error("--threshold '%s': expected a percentage >= 0, e.g. 3%%",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALPHA:
			if (parse_double(optarg, 1e-12, 0.5, &opt.cmp.alpha)) {
				error("--alpha '%s': expected a number in (0, 0.5], e.g. 0.05",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_BASELINE:
			opt.baseline = optarg;
			break;
		case OPT_CANDIDATE:
			opt.candidate = optarg;
			break;
		case OPT_NO_PLOTS:
			opt.plots = 0;
			break;
		case ':':
			error("option '%s' needs an argument",
			      argv[optind - 1]);
			return EXIT_USAGE;
		default:
			error("unknown option '%s' (see vqreport --help)",
			      argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		if (opt.json)
			error("no command given (see vqreport --help)");
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cmd_find(argv[optind]);
	if (!cmd) {
		error("unknown or ambiguous command '%s' (commands: show, compare, regress, html, md, report, help)",
		      argv[optind]);
		return EXIT_USAGE;
	}
	ret = cmd->fn(argc - optind - 1, argv + optind + 1);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "Error: writing the output failed\n");
		ret = 1;
	}
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report model: statistics of one run (show) and comparisons (an axis
 * within a run, or two runs cell by cell), built as JSON objects. Every
 * renderer (text, -j, Markdown, HTML, plots) reads this one model, so the
 * outputs cannot disagree. Figures that cannot be computed are null.
 */
#ifndef VQREPORT_COMPARE_H
#define VQREPORT_COMPARE_H
#include <jansson.h>
#include "runset.h"
#include "stats.h"

struct compare_opts {
	double alpha; /* significance level, e.g. 0.05 */
	double threshold_pct; /* smallest |% change| that is called */
	double conf; /* confidence level of intervals, 0.95 */
};

/* JSON number, or null for NaN and infinities. */
json_t *json_num(double v);
/* Number member of @o, NaN when absent or null. */
double json_num_get(const json_t *o, const char *key);

/* { run, samples, ok, failed, cells: [...], failed_samples, warnings } */
json_t *model_show(const struct runset *r, double conf);

/* Compare every cell whose @axis is not @base with the cell that differs
 * only by @axis = @base. NULL + message in @e when the axis or the base
 * value does not exist. */
json_t *model_compare_axis(const struct runset *r, const char *axis, const char *base,
			   const struct compare_opts *o, struct errbuf *e);
/* Compare the cells of @b with the cells of @a that have the same axes. */
json_t *model_compare_runs(const struct runset *a, const struct runset *b,
			   const struct compare_opts *o);

/* "on" or "512, 1024": the values of an axis comparison other than its base.
 * Allocated. */
char *compare_other_values(const json_t *cmp);
/* Values of @axis in the run, in cell order; NULL when no cell has it. */
json_t *run_axis_values(const struct runset *r, const char *axis);
/* The base value a report uses for @axis: "off" for on/off axes, the
 * smallest number for numeric axes, else the first value in cell order. */
char *axis_default_base(const struct runset *r, const char *axis);

/* Run facts for reports: { id, dir, accel, accel_reason, host, versions,
 * kernels, status, started, ended, scenario } (members present in run.json). */
json_t *model_run_info(const struct runset *r);

#endif

// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "answer.h"
#include "metric_roles.h"
#include "pivot.h"
#include "results.h"
#include "stats.h"

/* The ring figures answer_ring_figures computes, in column order. */
static const struct {
	const char *key, *title, *unit;
} ring_figs[] = {
	{ "kicks_per_buffer", "kicks / buffer", "" },
	{ "interrupts_per_buffer", "interrupts / buffer", "" },
	{ "buffers_per_interrupt", "buffers / interrupt", "" },
	{ "latency_p50_ns", "add\u2192get p50", "ns" },
	{ "latency_p99_ns", "add\u2192get p99", "ns" },
};

#define NRING (sizeof(ring_figs) / sizeof(ring_figs[0]))

/* The queue of one sample's trace that returned the most buffers. */
static const json_t *busiest_queue(const json_t *trace)
{
	const json_t *q, *best = NULL;
	size_t i;

	json_array_foreach(json_object_get(trace, "queues"), i, q)
		if (json_is_number(json_object_get(q, "gets")) &&
		    (!best || json_num_get(q, "gets") > json_num_get(best, "gets")))
			best = q;
	return best;
}

/* a / b, NaN when either is missing or b is 0. */
static double ratio(const json_t *q, const char *a, const char *b)
{
	double x = json_num_get(q, a), y = json_num_get(q, b);

	return y > 0 ? x / y : NAN;
}

static void mean_add(double *sum, size_t *n, double v)
{
	if (isfinite(v))
		*sum += v, (*n)++;
}

/* The busiest queue's latency histogram added into @h[64]. */
static void hist_add(double *h, const json_t *q)
{
	const json_t *log2 = json_object_get(json_object_get(q, "latency_ns"), "log2"), *x;
	size_t i;

	json_array_foreach(log2, i, x)
		if (i < 64)
			h[i] += json_number_value(x);
}

json_t *answer_ring_figures(const struct run_cell *c)
{
	double sum[3] = { 0 }, h[64] = { 0 };
	size_t n[3] = { 0 }, i, k;
	const char *qname = NULL;
	json_t *facts, *o = json_object();

	json_array_foreach(c->facts, i, facts) {
		const json_t *q = busiest_queue(json_object_get(facts, SAMPLE_TRACE));

		if (!q)
			continue;
		if (!qname)
			qname = json_string_value(json_object_get(q, "name"));
		mean_add(&sum[0], &n[0], ratio(q, "kicks", "adds"));
		mean_add(&sum[1], &n[1], ratio(q, "interrupts", "gets"));
		mean_add(&sum[2], &n[2], ratio(q, "gets", "interrupts"));
		hist_add(h, q);
	}
	if (qname)
		json_object_set_new(o, "queue", json_string(qname));
	for (k = 0; k < 3; k++)
		if (n[k])
			json_object_set_new(o, ring_figs[k].key, json_real(sum[k] / n[k]));
	if (isfinite(stats_log2_quantile(h, 64, 0.5))) {
		json_object_set_new(o, ring_figs[3].key,
				    json_real(stats_log2_quantile(h, 64, 0.5)));
		json_object_set_new(o, ring_figs[4].key,
				    json_real(stats_log2_quantile(h, 64, 0.99)));
	}
	return o;
}

/* The rate a row is judged by: the workload's primary metric, else the
 * first higher-is-better rate (unit "x/s") that is not bookkeeping, else
 * the first metric that is not. */
static const json_t *primary_row(const json_t *item, const char *workload)
{
	const char *want = metric_primary(workload);
	const json_t *m, *rate = NULL, *any = NULL;
	size_t i;

	json_array_foreach(json_object_get(item, "metrics"), i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		const char *unit = json_string_value(json_object_get(m, "unit"));
		const char *better = json_string_value(json_object_get(m, "better"));

		if (want && !strcmp(name, want))
			return m;
		if (metric_bookkeeping(name) || metric_is_icount_per_op(name) ||
		    metric_is_device(name))
			continue;
		if (!rate && unit && strstr(unit, "/s") && better && !strcmp(better, BETTER_HIGHER))
			rate = m;
		if (!any)
			any = m;
	}
	return rate ? rate : any;
}

static const struct run_cell *side_cell(const struct runset *r, const json_t *item,
					const char *side)
{
	const char *id = json_string_value(json_object_get(json_object_get(item, side), "cell"));
	json_t *idx = id && r ? json_object_get(r->index, id) : NULL;

	return idx ? &r->cells[json_integer_value(idx)] : NULL;
}

/* { key: { baseline, candidate } } of the figures beside the rate; their
 * keys, titles and units into @figs (once each). */
static json_t *row_figures(const json_t *item, const struct run_cell *b, const struct run_cell *c,
			   json_t *figs)
{
	json_t *out = json_object(), *rb, *rc, *m;
	size_t i;

	json_array_foreach(json_object_get(item, "metrics"), i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));

		if (!metric_is_icount_per_op(name) && !metric_is_device(name))
			continue;
		json_object_set_new(
			out, name,
			json_pack("{s:O, s:O}", "baseline",
				  json_object_get(json_object_get(m, "baseline"), "mean"),
				  "candidate",
				  json_object_get(json_object_get(m, "candidate"), "mean")));
		if (!json_object_get(figs, name))
			json_object_set_new(figs, name,
					    json_pack("{s:s, s:O}", "title", name, "unit",
						      json_object_get(m, "unit")));
	}
	rb = b ? answer_ring_figures(b) : json_object();
	rc = c ? answer_ring_figures(c) : json_object();
	for (i = 0; i < NRING; i++) {
		json_t *vb = json_object_get(rb, ring_figs[i].key);
		json_t *vc = json_object_get(rc, ring_figs[i].key);

		if (!vb && !vc)
			continue;
		json_object_set_new(out, ring_figs[i].key,
				    json_pack("{s:O?, s:O?}", "baseline", vb, "candidate", vc));
		if (!json_object_get(figs, ring_figs[i].key))
			json_object_set_new(figs, ring_figs[i].key,
					    json_pack("{s:s, s:s}", "title", ring_figs[i].title,
						      "unit", ring_figs[i].unit));
	}
	json_decref(rb);
	json_decref(rc);
	return out;
}

/* Axes with one value in every item of @cmp: left out of the row labels. */
static json_t *item_constant_axes(const json_t *cmp)
{
	json_t *out = NULL, *item, *v;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(cmp, "comparisons"), i, item) {
		json_t *axes = json_object_get(item, SAMPLE_AXES);
		void *tmp;

		if (!out) {
			out = json_deep_copy(axes);
			continue;
		}
		json_object_foreach_safe(out, tmp, k, v)
			if (!json_equal(v, json_object_get(axes, k)))
				json_object_del(out, k);
	}
	return out ? out : json_object();
}

/* Repetitions that would test @row's change: the observed change, or the
 * threshold when smaller (a smaller change is never called), at the CV the
 * cells showed, or ANSWER_ASSUMED_CV_PCT when they have one sample. */
static void row_reps(json_t *row, const struct compare_opts *o)
{
	double cb = json_num_get(json_object_get(row, "baseline"), "cv_pct");
	double cc = json_num_get(json_object_get(row, "candidate"), "cv_pct");
	double cv = isfinite(cb) && isfinite(cc) ? fmax(cb, cc) :
		    isfinite(cb)		 ? cb :
		    isfinite(cc)		 ? cc :
						   ANSWER_ASSUMED_CV_PCT;
	double ch = fabs(json_num_get(row, "change_pct"));
	double target = isfinite(ch) && ch > o->threshold_pct ? ch : o->threshold_pct * 1.0001;

	json_object_set_new(row, "cv_pct", json_real(cv));
	json_object_set_new(row, "cv_assumed", json_boolean(!isfinite(cb) && !isfinite(cc)));
	json_object_set_new(row, "reps_for_pct", json_real(target));
	unsigned int n = stats_reps_needed(target, cv, o->alpha, ANSWER_POWER, ANSWER_MAX_REPS);

	json_object_set_new(row, "reps_needed",
			    json_integer(n && n < ANSWER_MIN_REPS ? ANSWER_MIN_REPS : n));
}

static json_t *answer_row(const json_t *item, const json_t *fixed, const struct runset *brun,
			  const struct runset *crun, const struct compare_opts *o, json_t *figs)
{
	const json_t *axes = json_object_get(item, SAMPLE_AXES);
	char *workload = axis_text(axes, PIVOT_ROW_AXIS);
	char *label = axes_label_except(axes, fixed, PIVOT_ROW_AXIS);
	const json_t *m = primary_row(item, workload);
	const json_t *cs = json_object_get(item, "candidate");
	const char *cl = json_string_value(json_object_get(cs, "label"));
	json_t *row;

	if (!cl)
		cl = json_string_value(json_object_get(cs, "value"));
	row = json_pack("{s:s, s:s, s:s?, s:o}", "workload", workload ? workload : "", "label",
			label ? label : "", "candidate_label", cl, "figures",
			row_figures(item, side_cell(brun, item, "baseline"),
				    side_cell(crun, item, "candidate"), figs));
	free(workload);
	free(label);
	if (m) {
		static const char *const keys[] = { "name",	  "unit",	"better",
						    "baseline",	  "candidate",	"change_pct",
						    "diff_ci_lo", "diff_ci_hi", "p",
						    "verdict",	  "note",	"design" };

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (json_object_get(m, keys[i]))
				json_object_set(row, i ? keys[i] : "metric",
						json_object_get(m, keys[i]));
		/* A side without an ok sample needs samples, not more of them. */
		if (verdict_from_key(json_string_value(json_object_get(m, "verdict"))) ==
			    VERDICT_INSUFFICIENT &&
		    json_integer_value(json_object_get(json_object_get(m, "baseline"), "n")) &&
		    json_integer_value(json_object_get(json_object_get(m, "candidate"), "n")))
			row_reps(row, o);
	}
	return row;
}

/* Figure columns in a fixed order: icount per op, ring, device. */
static json_t *figure_columns(const json_t *figs)
{
	json_t *cols = json_array(), *v;
	const char *k;
	size_t i;

	json_object_foreach((json_t *)figs, k, v)
		if (metric_is_icount_per_op(k))
			json_array_append_new(cols, json_pack("{s:s, s:O, s:O}", "key", k, "title",
							      json_object_get(v, "title"), "unit",
							      json_object_get(v, "unit")));
	for (i = 0; i < NRING; i++)
		if (json_object_get(figs, ring_figs[i].key))
			json_array_append_new(
				cols, json_pack("{s:s, s:s, s:s}", "key", ring_figs[i].key, "title",
						ring_figs[i].title, "unit", ring_figs[i].unit));
	json_object_foreach((json_t *)figs, k, v)
		if (metric_is_device(k))
			json_array_append_new(cols, json_pack("{s:s, s:O, s:O}", "key", k, "title",
							      json_object_get(v, "title"), "unit",
							      json_object_get(v, "unit")));
	return cols;
}

/* reps_needed of the answer: the most any untested row needs (0 when one
 * needs more than ANSWER_MAX_REPS), null when no row is untested; untested
 * when no row has a test. */
static void answer_reps(json_t *a)
{
	json_t *row;
	size_t i, untested = 0, tested = 0;
	long long most = -1;

	json_array_foreach(json_object_get(a, "rows"), i, row) {
		json_t *r = json_object_get(row, "reps_needed");

		if (!r) {
			tested += verdict_from_key(json_string_value(
					  json_object_get(row, "verdict"))) != VERDICT_INSUFFICIENT;
			continue;
		}
		untested++;
		if (most && (!json_integer_value(r) || json_integer_value(r) > most))
			most = json_integer_value(r);
	}
	json_object_set_new(a, "untested", json_boolean(untested && !tested));
	json_object_set_new(a, "reps_needed", untested ? json_integer(most) : json_null());
}

json_t *answer_build(const json_t *cmp, const struct runset *brun, const struct runset *crun,
		     const struct compare_opts *o)
{
	json_t *fixed = item_constant_axes(cmp), *figs = json_object(), *rows = json_array();
	json_t *nn = json_array(), *item, *a;
	size_t i;

	json_array_foreach(json_object_get(cmp, "not_negotiated"), i, item)
		json_array_append(nn, json_object_get(item, "text"));
	json_array_foreach(json_object_get(cmp, "comparisons"), i, item)
		json_array_append_new(rows, answer_row(item, fixed, brun, crun, o, figs));
	a = json_pack("{s:o, s:o, s:o, s:f, s:o}", "not_negotiated", nn, "figures",
		      figure_columns(figs), "rows", rows, "assumed_cv_pct", ANSWER_ASSUMED_CV_PCT,
		      "constant", fixed);
	/* How its changes were measured, and what was not compared. */
	json_object_set(a, "design", json_object_get(cmp, "design"));
	json_object_set_new(a, "cross_host", json_array());
	json_array_foreach(json_object_get(cmp, "cross_host"), i, item)
		json_array_append(json_object_get(a, "cross_host"), json_object_get(item, "text"));
	answer_reps(a);
	json_decref(figs);
	return a;
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "metric_roles.h"
#include "windows.h"

/* Window i's value of @metric in the facts' windows list, NaN when absent. */
static double window_value(const json_t *windows, size_t i, const char *metric)
{
	const json_t *v =
		json_object_get(json_object_get(json_array_get(windows, i), metric), METRIC_VALUE);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* One boot: its mean, sample variance and window 1 against the rest. */
struct boot_stats {
	size_t k;
	double mean, var, first_change;
};

static int boot_stats(const json_t *windows, const char *metric, struct boot_stats *b)
{
	double sum = 0, rest = 0, ss = 0, first = window_value(windows, 0, metric);
	size_t n = json_array_size(windows);

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		double v = window_value(windows, i, metric);

		if (!isfinite(v))
			return -ENODATA;
		sum += v;
		rest += i ? v : 0;
	}
	if (n < 2)
		return -ENODATA;
	b->k = n;
	b->mean = sum / n;
	for (size_t i = 0; i < n; i++)
		ss += pow(window_value(windows, i, metric) - b->mean, 2);
	b->var = ss / (n - 1);
	rest /= n - 1;
	b->first_change = rest ? 100 * (first - rest) / fabs(rest) : NAN;
	return 0;
}

int windows_spread(const struct run_cell *c, const char *metric, struct windows_spread *out)
{
	double sum_mean = 0, sum_var = 0, sum_k = 0, sum_first = 0, ss = 0;
	size_t nfirst = 0, i;
	json_t *facts;

	memset(out, 0, sizeof(*out));
	json_array_foreach(c->facts, i, facts) {
		struct boot_stats b;

		if (boot_stats(json_object_get(facts, SAMPLE_WINDOWS), metric, &b))
			continue;
		out->boots++;
		sum_mean += b.mean;
		sum_var += b.var;
		sum_k += b.k;
		if (isfinite(b.first_change)) {
			sum_first += b.first_change;
			nfirst++;
		}
	}
	if (!out->boots)
		return -ENODATA;
	out->windows = sum_k / out->boots;
	out->mean = sum_mean / out->boots;
	out->within_cv_pct = 100 * sqrt(sum_var / out->boots) / fabs(out->mean);
	out->independent_cv_pct = out->within_cv_pct / sqrt(out->windows);
	out->first_change_pct = nfirst ? sum_first / nfirst : NAN;
	out->between_cv_pct = NAN;
	if (out->boots < 2)
		return 0;
	json_array_foreach(c->facts, i, facts) {
		struct boot_stats b;

		if (!boot_stats(json_object_get(facts, SAMPLE_WINDOWS), metric, &b))
			ss += pow(b.mean - out->mean, 2);
	}
	out->between_cv_pct = 100 * sqrt(ss / (out->boots - 1)) / fabs(out->mean);
	return 0;
}

json_t *windows_spread_json(const struct run_cell *c, const char *metric)
{
	struct windows_spread w;

	if (!metric || windows_spread(c, metric, &w))
		return NULL;
	return json_pack("{s:s, s:I, s:f, s:o, s:o, s:o, s:o, s:o}", "metric", metric, "boots",
			 (json_int_t)w.boots, "windows", w.windows, "mean", json_num(w.mean),
			 "within_cv_pct", json_num(w.within_cv_pct), "between_cv_pct",
			 json_num(w.between_cv_pct), "independent_cv_pct",
			 json_num(w.independent_cv_pct), "first_change_pct",
			 json_num(w.first_change_pct));
}

void windows_show(json_t *show, const struct runset *r)
{
	json_t *cells = json_object_get(show, "cells"), *cell;
	size_t i;

	json_array_foreach(cells, i, cell) {
		char *workload;
		json_t *w;

		if (i >= r->ncells)
			break;
		workload = axis_text(r->cells[i].axes, "workload");
		w = windows_spread_json(&r->cells[i], metric_primary(workload ? workload : ""));
		free(workload);
		if (w)
			json_object_set_new(cell, SAMPLE_WINDOWS, w);
	}
}

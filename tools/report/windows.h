/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Several measured windows per boot (scenario windows = N): how much the
 * windows of one boot differ, beside how much the boots differ. A sample is
 * the boot (its metrics the windows' means); this says whether the boot
 * matters: with independent windows the boot means would spread by the
 * within-boot spread over sqrt(N), and a first window off the rest asks for
 * a warm-up.
 */
#ifndef VQREPORT_WINDOWS_H
#define VQREPORT_WINDOWS_H
#include <jansson.h>
#include "runset.h"

struct windows_spread {
	size_t boots; /* ok samples with 2 or more windows that measured the metric */
	double windows; /* their mean number of windows */
	double mean; /* of the boot means */
	double within_cv_pct; /* pooled within-boot sd, % of the mean */
	double between_cv_pct; /* sd of the boot means (2 or more boots), % of the mean; NaN */
	double independent_cv_pct; /* what between_cv_pct would be were windows independent */
	double first_change_pct; /* mean of (window 1 - the rest's mean) / the rest's mean */
};

/* @metric over the windows of @c's boots: 0, or -ENODATA when no boot has
 * two windows of it. */
int windows_spread(const struct run_cell *c, const char *metric, struct windows_spread *out);
/* The same as JSON ({ metric, boots, windows, mean, within_cv_pct, ... },
 * NaN as null), or NULL. */
json_t *windows_spread_json(const struct run_cell *c, const char *metric);
/* Into each cell of model_show's @show (read from @r) with such boots:
 * "windows", the spread of its workload's primary rate. */
void windows_show(json_t *show, const struct runset *r);

#endif

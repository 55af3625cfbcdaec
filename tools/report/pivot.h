/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pivot tables from a comparison model, in the form the in-order series
 * reported its numbers, plus the variance it left out: one table per
 * combination of the other axes, rows = workload x metric, columns =
 * baseline | candidate | % change | p | verdict.
 */
#ifndef VQREPORT_PIVOT_H
#define VQREPORT_PIVOT_H
#include <stdio.h>
#include <jansson.h>
#include "table.h"

#define PIVOT_ROW_AXIS "workload"

/* [ { label, axes, base, columns: [..], rows: [ { row, metric, unit, better,
 *     baseline: summary, cells: { column: { summary..., change_pct, p,
 *     verdict, note } } } ] } ] */
json_t *pivot_build(const json_t *cmp);
/* One table for a group. @with_n adds the sample counts. */
struct table *pivot_table(const json_t *group, int with_n);
/* A comparison item's failed samples: baseline @bf of @bn, candidate @cf of
 * @cn. 0, or -1 when the item has no "failures". */
struct failure_counts {
	long long bf, bn, cf, cn;
};
int pivot_failure_counts(const json_t *item, struct failure_counts *fc);
/* "failed samples: 0/10 -> 10/10 (p=<0.0001 ..., regression): reason" for a
 * comparison item, or NULL when neither side failed. Allocated. */
char *pivot_failures_line(const json_t *cmp, const json_t *item);
/* Whole comparison as text: a header, then one table per group. */
void pivot_print_text(const json_t *cmp, FILE *f);

#endif

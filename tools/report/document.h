/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The full report of one run: first the Answer (answer.h: the primary rate
 * per workload and comparison, the figures beside it, one plot each), then
 * facts about the machine and versions, what the numbers can and cannot
 * say, one pivot section per axis that varies, tracer histograms, per-cell
 * statistics, failed samples, an appendix of bookkeeping metrics, and
 * gnuplot plots
 * (scripts and data files kept beside the report, SVG for HTML, PNG for
 * Markdown).
 */
#ifndef VQREPORT_DOCUMENT_H
#define VQREPORT_DOCUMENT_H
#include <jansson.h>
#include "compare.h"
#include "runset.h"

#define DOC_HTML 1u
#define DOC_MD 2u

struct document_opts {
	struct compare_opts cmp;
	const char *outdir; /* NULL: <run>/report */
	unsigned int formats; /* DOC_HTML | DOC_MD */
	int plots; /* 0: no gnuplot (tables only) */
	/* Explicit section "AXIS=BASE" instead of one per varying axis. */
	const char *by;
	/* Also compare every cell with the same cell of this run. */
	const struct runset *baseline;
};

/* Write the report. On success *result holds { dir, html, md, sections,
 * plots: [..], plot_errors } and 0 is returned; else -errno, and @e says
 * why when it can (it is left as it was otherwise). */
int document_write(const struct runset *r, const struct document_opts *o, json_t **result,
		   struct errbuf *e);

#endif

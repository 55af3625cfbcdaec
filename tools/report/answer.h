/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Answer a report leads with, one per comparison: the primary rate of
 * each workload (metric_roles.h) on both sides with its confidence
 * interval, change, p-value and verdict; beside it the figures that explain
 * a rate, per operation or per buffer (exact instruction counts from
 * vqicount, ring behaviour from vqtrace, device-side dev_* metrics); and,
 * when the samples cannot test anything yet, how many repetitions would.
 */
#ifndef VQREPORT_ANSWER_H
#define VQREPORT_ANSWER_H
#include <jansson.h>
#include "compare.h"
#include "runset.h"

/* The CV assumed for the repetitions a run of n = 1 needs: net-tx A/A runs
 * on a quiet TCG host measured 2.6 % and 4.1 % (issue 14); a run with
 * n >= 2 uses its own. */
#define ANSWER_ASSUMED_CV_PCT 4.0
/* Power with which the repetitions named would detect the change. */
#define ANSWER_POWER 0.8
/* At least this many repetitions are proposed: the CV the figure rests on
 * is itself a guess from fewer samples. */
#define ANSWER_MIN_REPS 5
/* At most this many repetitions are proposed. */
#define ANSWER_MAX_REPS 200

/* The answer of comparison @cmp (model_compare_axis or model_compare_runs;
 * @brun holds its baseline cells, @crun its candidate cells):
 * { not_negotiated: [text], untested: bool, reps_needed, assumed_cv_pct,
 *   figures: [ { key, title, unit } ], rows: [ { workload, label,
 *   candidate_label, metric, unit, better, baseline, candidate (summaries),
 *   change_pct, diff_ci_lo, diff_ci_hi, p, verdict, reps_needed,
 *   reps_for_pct, cv_pct, figures: { key: { baseline, candidate } } } ] }
 * reps_needed is null when no test is missing, 0 when more than
 * ANSWER_MAX_REPS would be needed. */
json_t *answer_build(const json_t *cmp, const struct runset *brun, const struct runset *crun,
		     const struct compare_opts *o);

/* Ring figures of one cell from its samples' vqtrace summaries, for the
 * busiest queue (most buffers returned) of each sample: { queue,
 * kicks_per_buffer, interrupts_per_buffer, buffers_per_interrupt,
 * latency_p50_ns, latency_p99_ns } (members absent when not traced). */
json_t *answer_ring_figures(const struct run_cell *c);

#endif

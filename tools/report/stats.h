/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sample statistics and Welch's two-sample t-test for vqreport. The
 * distributions come from GSL; this file only arranges the formulas.
 */
#ifndef VQREPORT_STATS_H
#define VQREPORT_STATS_H
#include <stddef.h>
#include "verdict.h"

/* Summary of one series. Figures that cannot be computed are NaN. */
struct stats_summary {
	size_t n; /* finite values used */
	double mean;
	double sd; /* sample standard deviation (n - 1) */
	double cv_pct; /* 100 * sd / |mean| */
	double ci_lo, ci_hi; /* confidence interval of the mean (t) */
	double min, max;
};

/* Summarise the finite values of @x[0..n); NaN and infinities are skipped
 * (the caller counts them). @conf is the confidence level, e.g. 0.95. */
void stats_summarize(const double *x, size_t n, double conf, struct stats_summary *out);

struct stats_welch {
	double t; /* (mean_b - mean_a) / se */
	double df; /* Welch-Satterthwaite degrees of freedom */
	double p; /* two-sided p-value, NaN when not computable */
	double diff; /* mean_b - mean_a */
	double diff_lo, diff_hi; /* confidence interval of diff */
	double change_pct; /* 100 * diff / |mean_a| */
};

/* Welch's t-test of b against a from two summaries (n >= 2 each). Two
 * zero-variance series give p = 1 when their means are equal and p = 0
 * otherwise (a deterministic metric, e.g. an instruction count, that moved).
 * Returns 0, or -EDOM when a p-value cannot be computed (p is then NaN). */
int stats_welch(const struct stats_summary *a, const struct stats_summary *b, double conf,
		struct stats_welch *out);

/* The paired t-test of b against a over @n blocks: a[i] and b[i] were
 * measured in the same block (the same repetition on the same host), so the
 * block's own level cancels in d[i] = b[i] - a[i]. t = mean(d) / (sd(d) /
 * sqrt(n)) with n - 1 degrees of freedom; diff = mean(d), change_pct =
 * 100 * diff / |mean(a)|. Zero spread of d gives p = 1 (d all 0) or 0, as
 * stats_welch does. 0, or -EDOM when n < 2 or a value is not finite (p NaN). */
int stats_paired(const double *a, const double *b, size_t n, double conf, struct stats_welch *out);

/* The stratified two-sample test (the host as a block): stratum i holds
 * the summaries @a[i] and @b[i] of both sides measured there. The per-stratum
 * differences of the means are combined with inverse-variance weights under
 * a variance common to all strata and both sides (the two-way linear model,
 * stratum + side): w_i = na nb / (na + nb), diff = sum w_i d_i / sum w_i,
 * se^2 = s^2 / sum w_i, where s^2 pools the spread within every (stratum,
 * side) with df = sum (na + nb - 2). A common variance, because per-host
 * variance estimates from 1-3 samples each are too noisy to weight by.
 * change_pct is diff against the baseline mean weighted alike. A stratum
 * without a value on either side is skipped. 0, or -EDOM when df < 1 or no
 * stratum has both sides (p NaN). */
int stats_strata(const struct stats_summary *a, const struct stats_summary *b, size_t k,
		 double conf, struct stats_welch *out);

/* One-sided Fisher's exact test that the candidate fails more often: @fb
 * failures in @nb samples against @fa in @na. P(X >= fb) for the
 * hypergeometric X of candidate failures given the total; 1 when fb = 0. */
double stats_fisher_more_failures(unsigned int fa, unsigned int na, unsigned int fb,
				  unsigned int nb);

/* @better: +1 when higher is better, -1 when lower is better, 0 unknown.
 * A change is called only when p < @alpha and |change %| > @threshold_pct. */
enum verdict stats_verdict(const struct stats_welch *w, int better, double alpha,
			   double threshold_pct);

/* Repetitions per cell (n on each side) with which Welch's test at @alpha
 * detects a true change of @change_pct with probability @power, when each
 * side's CV is @cv_pct: the smallest n in [2, @max] with
 * (t(1-alpha/2, 2n-2) + t(power, 2n-2)) * cv * sqrt(2/n) <= |change|.
 * 0 when @max is not enough or the figures are not finite. */
unsigned int stats_reps_needed(double change_pct, double cv_pct, double alpha, double power,
			       unsigned int max);

/* Quantile @q (0..1) of a log2 histogram (slot i = [2^i, 2^(i+1)), slot 0 =
 * [0, 2)), linear inside the slot that holds it; NaN when it is empty. */
double stats_log2_quantile(const double *counts, size_t n, double q);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Number formatting shared by the text, Markdown and HTML reports. */
#ifndef VQREPORT_NUMFMT_H
#define VQREPORT_NUMFMT_H
#include <stddef.h>
#include <jansson.h>

#define NUMFMT_LEN 64

/* Four significant digits, no exponent below 1e9; "–" for NaN. */
const char *fmt_num(char *buf, double v);
/* "+5.1%", "+inf%", "–". */
const char *fmt_pct(char *buf, double v);
/* "0.0021", "<0.0001", "–". */
const char *fmt_p(char *buf, double v);
/* "40012 ± 503" from a summary object (mean, ci_lo, ci_hi), "–" if empty. */
const char *fmt_mean_ci(char *buf, const json_t *summary);
/* Words for a verdict key ("none" -> "no significant change"). */
const char *verdict_words(const char *key);

#endif

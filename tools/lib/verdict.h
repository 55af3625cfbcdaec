/* SPDX-License-Identifier: GPL-2.0 */
/* The verdicts a comparison can reach, and their names: the key written to
 * JSON ("regression") and the text a person reads ("no significant change").
 * Writers and readers of reports use these, never string literals. */
#ifndef VQLAB_VERDICT_H
#define VQLAB_VERDICT_H
#include <stdbool.h>

enum verdict {
	VERDICT_NONE, /* no significant change */
	VERDICT_IMPROVEMENT,
	VERDICT_REGRESSION,
	VERDICT_CHANGED, /* significant, but the metric has no direction */
	VERDICT_INSUFFICIENT, /* too few samples for a test */
	/* No verdict on purpose: the feature the comparison switches was not
	 * negotiated (on the "on" side, or negotiated on the "off" side), so a
	 * change measures something else. */
	VERDICT_NOT_NEGOTIATED,
	/* No verdict on purpose: no host measured both cells, and hosts
	 * differ by more than most effects (docs/cluster.md). */
	VERDICT_CROSS_HOST,
};

/* "none", "improvement", "regression", "changed", "insufficient",
 * "not_negotiated", "cross_host". */
const char *verdict_key(enum verdict v);
/* "no significant change", ..., "insufficient data". */
const char *verdict_text(enum verdict v);
/* The verdict whose key is @key; -1 when none is. */
int verdict_from_key(const char *key);
/* True for the keys of a directed, significant change (improvement or
 * regression): the ones a report highlights. */
bool verdict_key_is_directed(const char *key);

#endif

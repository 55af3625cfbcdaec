/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host as a blocking factor (docs/cluster.md): how one metric of two
 * cells is compared when their samples come from several hosts. Hosts differ
 * by more than many effects vqlab looks for, so values are never compared
 * across hosts:
 *   independent      every value on one host (one run, as always): Welch;
 *   paired-by-block  both cells have one value in each of the same (host,
 *                    repetition) blocks: paired t on per-block differences;
 *   within-host      otherwise: per-host differences of the means, combined
 *                    with inverse-variance weights (stats_strata); values on
 *                    a host only one side has are left out;
 *   cross-host       no host measured both cells: no comparison, no verdict.
 */
#ifndef VQREPORT_HOSTBLOCK_H
#define VQREPORT_HOSTBLOCK_H
#include <stdbool.h>
#include <jansson.h>
#include "runset.h"
#include "stats.h"

enum hostblock_design {
	HOSTBLOCK_INDEPENDENT,
	HOSTBLOCK_PAIRED,
	HOSTBLOCK_WITHIN_HOST,
	HOSTBLOCK_CROSS_HOST,
};

/* "independent", "paired-by-block", "within-host", "cross-host": the
 * "design" member of a comparison in the report model. */
const char *hostblock_design_key(enum hostblock_design d);

struct hostblock_test {
	enum hostblock_design design;
	struct stats_welch w; /* all NaN for cross-host */
	size_t pairs; /* paired-by-block: the blocks paired */
	size_t strata; /* within-host: the hosts both sides share */
	size_t excluded; /* within-host: values on a host only one side has */
	json_t *hosts; /* [ names ] both sides were compared on; NULL when none */
};

/* Compare metric @b against @a (either may be NULL: not measured). @ha and
 * @hb name the hosts their host indices refer to (runset.hosts of each
 * side's set). @blocks: the repetition numbers of both sides name the same
 * blocks (two cells of one set; not two runs made at different times).
 * @sa and @sb are the summaries of all the values of each side, for the
 * independent design. Fills @out (free out->hosts with json_decref). */
void hostblock_compare(const struct metric_series *a, const json_t *ha,
		       const struct metric_series *b, const json_t *hb, bool blocks,
		       const struct stats_summary *sa, const struct stats_summary *sb, double conf,
		       struct hostblock_test *out);

/* { host: values } of @m, by name. */
json_t *hostblock_hosts(const struct metric_series *m, const json_t *names);

/* "node1 vs node2" (or "node1, node3 vs node2") when the keys of the
 * objects @a and @b (hosts of two cells) have none in common and are not
 * all one host; NULL otherwise (also when a side has none). Allocated. */
char *hostblock_disjoint_text(const json_t *a, const json_t *b);

#endif

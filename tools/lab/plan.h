/* SPDX-License-Identifier: GPL-2.0 */
/* A run's plan: the scenario, its matrix of cells, which of them can run, and
 * what `vqlab plan` shows of it (text, or the same fields under -j). */
#ifndef VQLAB_PLAN_H
#define VQLAB_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "msg.h"
#include "scenario.h"
#include "shard.h"

struct plan {
	struct scenario sc;
	struct cell *cells;
	int ncells;
	int nrun; /* cells without a skip reason */

	/* --shard K/N (docs/cluster.md); shard.n == 0: the whole matrix */
	struct shard_spec shard;
	unsigned char *own; /* [cell index * repeat + rep]: this shard's sample */
	char matrix[SHARD_MATRIX_ID_LEN]; /* the id all shards of the matrix share */
};

/* A new run's plan: scenario file @path (workloads in @jobs_dir), with
 * --repeat/--duration overrides (0: the scenario's). 0, or -errno with the
 * reason ("file:line: ...") in @e. */
int plan_load(struct plan *pl, const char *path, const char *jobs_dir, unsigned int repeat,
	      double duration, struct errbuf *e);
/* A resumed run's plan: the scenario text and overrides kept in run.json. */
int plan_load_run(struct plan *pl, json_t *run, const char *jobs_dir, struct errbuf *e);
void plan_free(struct plan *pl);
/* Every value of the qemu axis names a QEMU that exists (qemuaxis.c):
 * 0, or -EINVAL with "file:line: qemu: ..." naming the builds there are. */
int plan_check_qemu(const struct scenario *sc, struct errbuf *e);
/* Restrict the plan to shard @s: the (cell, rep) slots it owns among the
 * cells runnable now, and the matrix id. 0, or -errno with the reason in @e. */
int plan_shard(struct plan *pl, const struct shard_spec *s, struct errbuf *e);
/* Whether this plan runs repetition @rep of cell @c (runnable and owned). */
bool plan_runs(const struct plan *pl, const struct cell *c, unsigned int rep);
/* The samples this plan runs: runnable cells x repeat, or the shard's part. */
int plan_samples(const struct plan *pl);

/* Mark @c as not runnable for @reason (when it was runnable). */
void plan_skip(struct plan *pl, struct cell *c, const char *reason);
/* Seconds one sample is expected to take here, on average over the matrix. */
double plan_sample_estimate(const struct plan *pl);
/* "ring=packed in_order=on": the axes that vary in this matrix, or
 * "(the only cell)". */
void plan_cell_varying(const struct plan *pl, const struct cell *c, char *buf, size_t len);

/* `vqlab plan`: the text for people, or one JSON object with every field
 * the text shows. */
void plan_print(const struct plan *pl);
json_t *plan_json(const struct plan *pl);

#endif

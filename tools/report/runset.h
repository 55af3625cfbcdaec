/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A results folder (docs/results.md, schema 1) read into cells: the samples
 * of each cell grouped, metric values collected per metric, failed samples
 * listed apart so that they are counted and never averaged.
 */
#ifndef VQREPORT_RUNSET_H
#define VQREPORT_RUNSET_H
#include <stddef.h>
#include <jansson.h>

#include "msg.h"
#include "results.h"

struct metric_series {
	char *name;
	char *unit;
	int better; /* +1 higher, -1 lower, 0 not stated */
	double *v; /* values of the ok samples that measured it */
	/* Beside each value: the repetition (block) it came from, -1 when not
	 * given, and its host as an index into runset.hosts, so that values can
	 * be paired by block or compared within one host. */
	int *rep;
	size_t *host;
	size_t n, cap;
	size_t missing; /* ok samples where the value is null/absent */
};

struct run_cell {
	char *id;
	json_t *axes; /* object, owned */
	char *key; /* canonical axes text, to match across runs */
	size_t ok, failed;
	struct metric_series *m;
	size_t nm, mcap;
	/* Tracer histograms summed over the ok samples:
	 * { queue: { "<hist>": [counts per log2 slot] } } */
	json_t *trace;
	json_t *hosts; /* { hostname: samples (ok and failed) } */
	/* Per ok sample, what it recorded beside its metrics: { guest, device,
	 * trace } (null when absent), for negotiated.c and the Answer, and for
	 * a boot of several windows "windows": each window's metrics (windows.h). */
	json_t *facts;
};

struct runset {
	char *dir;
	json_t *info; /* run.json, or NULL when absent */
	struct run_cell *cells;
	size_t ncells, cap;
	size_t samples; /* sample lines read */
	size_t torn; /* unparseable / torn lines skipped */
	size_t rejected; /* lines with an unknown schema */
	json_t *failed; /* [ { cell, rep, attempt, axes, reason } ]: SAMPLE_* keys */
	json_t *warnings; /* [ "text" ] */
	json_t *index; /* cell id -> index in cells */
	/* Hosts of the samples, in the order met: run.json host.hostname of
	 * the folder each sample came from ("unknown" without run.json). */
	json_t *hosts; /* [ "hostname" ] */
	/* Read by runset_load_many from several shards: one entry per shard,
	 * { dir, id, k, n, matrix, host } (RUN_SHARD_* keys), in the order
	 * given; NULL for a single run folder. */
	json_t *shards;
	/* While reading: the host index of the folder being read, and which
	 * shard holds each "cell rep" (set checks only). */
	size_t cur_host, cur_shard;
	json_t *slots;
	char *problem; /* the first problem met while reading shards */
};

/* Read @dir/run.json (optional) and @dir/samples.jsonl. 0, or -errno with a
 * one-line message in @e. */
int run_load(const char *dir, struct runset *r, struct errbuf *e);
void run_free(struct runset *r);

/* Read the shards @dirs[0..@n-1] of one matrix (docs/cluster.md) as one
 * set: every sample of every shard, grouped by cell. It checks that the
 * folders are distinct (path and run id), are shards of the same matrix id,
 * scenario text and vqlab version, that shards 1..N are all there once, and
 * that every (cell, rep) of the matrix is in exactly one shard. A cell whose
 * samples came from several hosts gets a warning. r->dir and r->info are the
 * first shard's; r->shards lists them all. One folder (n == 1)
 * reads as run_load does, without set checks. 0, or -errno with a one-line
 * message in @e; run_free(@r) either way. */
int runset_load_many(const char *const dirs[], size_t n, struct runset *r, struct errbuf *e);

struct run_cell *run_find_cell_by_key(const struct runset *r, const char *key);
const struct metric_series *cell_metric(const struct run_cell *c, const char *name);

/* Axis value as text ("off", "256", "true"); NULL when absent. Allocated. */
char *axis_text(const json_t *axes, const char *axis);
/* Canonical text of @axes without @skip (may be NULL). Allocated. */
char *axes_key(const json_t *axes, const char *skip);
/* "ring=split in_order=off" in the order of the run's first cell. Allocated. */
char *axes_label(const json_t *axes, const char *skip);
/* Like axes_label, without the axes named in the object @fixed. */
char *axes_label_except(const json_t *axes, const json_t *fixed, const char *skip);
/* { axis: value } of the axes every cell has with the same value. */
json_t *run_constant_axes(const struct runset *r);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Scenario files: settings plus axes that expand into a matrix of cells. */
#ifndef VQLAB_SCENARIO_H
#define VQLAB_SCENARIO_H
#include <stdint.h>
#include "msg.h"

enum axis_id {
	AX_KERNEL,
	AX_RING,
	AX_IN_ORDER,
	AX_RX_QUEUE_SIZE,
	AX_TX_QUEUE_SIZE,
	AX_WORKLOAD,
	AX_PKT_SIZE,
	AX_BLK_QUEUE_SIZE,
	AX_IODEPTH,
	AX_VCPUS,
	AX_MEMORY,
	AX_MITIGATION,
	AX_BACKEND,
	AX_ACCEL,
	AX_TRACE,
	AX_CLOCK, /* the guest's clock: wall, or icount (docs/clock.md) */
	AX_QEMU, /* last: adding it kept every older matrix's cell order */
	NR_AXES,
};

/* seconds a ring may hold buffers and return none before a sample fails */
#define DEVICE_STALL_S 20
#define AXIS_MAX_VALUES 16
#define MAX_EXCLUDES 32
#define SCENARIO_MAX_CELLS 10000
#define SCENARIO_MAX_WINDOWS 100 /* measured windows per boot */
#define SCENARIO_MAX_KERNEL_ARGS 512 /* characters of kernel_args */

struct axis_def {
	const char *name;
	const char *def; /* value when the scenario does not name the axis */
	const char *accepted; /* "a|b|c", or NULL for numbers/specs */
	uint64_t min, max; /* numeric axes: inclusive range; max == 0: not numeric */
	int power_of_two;
};

extern const struct axis_def axis_defs[NR_AXES];

struct scenario {
	char *path;
	char *text; /* the whole file, for provenance */
	char *name;
	char *description;
	unsigned int repeat;
	double duration; /* seconds the workload runs */
	double timeout; /* seconds a sample may take in all */
	int timeout_set; /* the file names a timeout */
	uint64_t seed;
	double warmup; /* seconds of workload before measuring */
	unsigned int windows; /* measured windows per boot (1: one; a sample is a boot) */
	int windows_line; /* where [scenario] sets it; 0: not set */
	int icount; /* run the vqicount TCG plugin (docs/icount.md) */
	int clock_line; /* line of a [scenario] clock setting, 0 if none */
	double stall; /* seconds a ring may hold buffers, none returned */
	int device_perf; /* perf uprobes on a built QEMU (lab/devperf.h); off: they slow QEMU */
	char *kernel_args; /* after the lab's own on every sample's kernel command line */
	int nvals[NR_AXES];
	int axis_line[NR_AXES]; /* where [axes] names it; 0: not named */
	char *vals[NR_AXES][AXIS_MAX_VALUES];
	/* [exclude]: a cell matching every axis=value of a rule is left out */
	int nexcludes;
	struct exclude {
		int line;
		char *name;
		const char *val[NR_AXES]; /* NULL: any value */
	} excludes[MAX_EXCLUDES];
};

struct cell {
	int index; /* position in the full matrix */
	char id[16]; /* "c<index>" */
	const char *val[NR_AXES];
	char skip_reason[160]; /* empty when the cell can run */
	int excluded_by; /* line of the [exclude] rule, 0 if none */
};

/* Parse @path. On error returns -EINVAL (or -errno) and says why in @e, one
 * line: "file:line: message". */
int scenario_load(const char *path, const char *workload_dir, struct scenario *sc,
		  struct errbuf *e);
/* The same for a scenario's text (as kept in run.json); @path names it in errors. */
int scenario_load_text(const char *path, const char *text, const char *workload_dir,
		       struct scenario *sc, struct errbuf *e);
void scenario_free(struct scenario *sc);

/* Expand into the cartesian matrix (axis order of enum axis_id). Cells that
 * cannot run get a skip_reason. Returns the number of cells; *cells is
 * malloc'd. */
int scenario_expand(const struct scenario *sc, struct cell **cells);

/* The order of the @n cells in repetition block @rep: a shuffle seeded by the
 * scenario's seed and @rep, so a resumed run recomputes the same order. */
void scenario_block_order(const struct scenario *sc, unsigned int rep, int *order, int n);

/* The clock of every cell ("wall", "icount"), or "axis" when cells differ. */
const char *scenario_clock(const struct scenario *sc);

/* "kernel=debian:sid ring=split …" for logs. */
void cell_describe(const struct cell *c, char *buf, size_t len);

#endif

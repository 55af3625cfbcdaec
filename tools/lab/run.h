/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run in progress, on libbpf-bootstrap's lifecycle:
 *
 *   open      the plan: a scenario file (new run) or run.json (--resume)
 *   prepare   kernels, the run folder, initramfs, the lab network, the blk
 *             disk image, signals, the accelerator (KVM probe), icount
 *   manifest  run.json, status "running"
 *   samples   block order x retries -> one line of samples.jsonl each
 *   close     end stamp and status in run.json, the report (vqreport), the
 *             summary on stdout
 *
 * run_free() undoes whatever the phases set up, however far they got.
 */
#ifndef VQLAB_RUN_H
#define VQLAB_RUN_H
#include <limits.h>
#include <stdbool.h>
#include <jansson.h>
#include "devperf.h"
#include "guest.h"
#include "kernel.h"
#include "msg.h"
#include "netlab.h"
#include "plan.h"
#include "progress.h"
#include "qemu.h"
#include "shard.h"

struct run_opts {
	const char *scenario; /* a new run's scenario file */
	const char *out_dir; /* where a new run's folder goes */
	const char *resume; /* or: a run folder to complete */
	unsigned int repeat; /* 0: the scenario's */
	double duration; /* 0: the scenario's */
	unsigned int retries; /* more attempts for a failed sample */
	struct shard_spec shard; /* --shard K/N; n == 0: the whole matrix */
};

struct run {
	const struct run_opts *opts;
	const struct lab_paths *paths;
	struct plan plan;
	json_t *manifest; /* run.json (loaded on resume, else built) */
	char id[128]; /* "<YYYYmmdd-HHMMSS>-<scenario name>" */
	char dir[PATH_MAX]; /* the run folder (absolute once prepared) */
	char manifest_path[PATH_MAX + 32]; /* <dir>/run.json */
	char samples_path[PATH_MAX + 32]; /* <dir>/samples.jsonl */
	bool dir_made; /* this session created dir */
	bool manifest_written; /* run.json is on disk: dir is kept */

	/* prepare */
	struct kernel kernels[AXIS_MAX_VALUES]; /* one per value of the kernel axis */
	json_t *kernels_json; /* spec -> kernel.json, for run.json */
	struct qemu_binary qemu[AXIS_MAX_VALUES]; /* one per value of the qemu axis */
	json_t *qemu_json; /* spec -> where that QEMU came from, for run.json */
	struct devperf_probes perf[AXIS_MAX_VALUES]; /* uprobes on each qemu[] */
	struct netlab lab;
	struct guest_ctx gctx;
	char disk[64]; /* the blk-* workloads' image, or "" */
	char icount_so[PATH_MAX]; /* this run's copy of the plugin, or "" */
	bool kvm; /* guests run under KVM (else TCG) */
	char accel_reason[600]; /* why TCG, for a new run.json */

	/* samples */
	char *done; /* [cell index * repeat + rep]: an ok sample exists */
	int *attempts; /* [cell index * repeat + rep]: attempts made */
	int *order; /* the current block's cell order */
	int prior; /* ok samples from before a resume */
	struct progress prog;

	/* close */
	bool interrupted; /* a signal stopped the run */
	char report[PATH_MAX + 32]; /* report.md, once vqreport wrote it */
};

/* The phases `vqlab live` shares with `vqlab run` (it boots one cell): */
void run_init(struct run *r, const struct run_opts *o, const struct lab_paths *p);
int run_open(struct run *r, struct errbuf *e);
/* run_free(): undo whatever the phases set up, however far they got. */
void run_dispose(struct run *r);

/* The prepare phase (prepare.c). */
int run_prepare(struct run *r, struct errbuf *e);
/* From here on SIGINT, SIGTERM and SIGHUP end the run cleanly: the current
 * guest stops, the run is marked interrupted and everything is removed. */
void run_catch_signals(void);
/* The accelerator the run's guests use: "kvm" or "tcg". */
const char *run_accel(const struct run *r);

/* `vqlab run`: every phase in order, errors printed. Returns the exit code:
 * 0 ok, 1 runtime error (or every sample failed), 2 bad input, 130 signal. */
int run_scenario(const struct run_opts *o, const struct lab_paths *p);

/* icount = on (icount.c): stale files of dead runs, and the plugin plus each
 * kernel's kallsyms for this one. */
void icount_reap_stale(const char *cache);
int icount_prepare(struct run *r, struct errbuf *e);

/* The qemu axis (qemuaxis.c): resolve each spec (and check the icount
 * plugin fits it), the binary a cell runs (NULL: libvirt's default, the
 * system's), and release. */
int qemu_axis_prepare(struct run *r, struct errbuf *e);
const char *run_emulator(const struct run *r, const char *spec);
void qemu_axis_release(struct run *r);

#endif

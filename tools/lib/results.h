/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results contract (docs/results.md) between the writer (vqlab) and the
 * reader (vqreport): the schema version, the key names of run.json and of a
 * samples.jsonl line, and the self-describing metric {value, unit, better}.
 * Both sides use these names; neither spells a key as a string literal.
 */
#ifndef VQLAB_RESULTS_CONTRACT_H
#define VQLAB_RESULTS_CONTRACT_H
#include <jansson.h>

/* Bump when a key changes meaning or goes away (adding keys needs no bump). */
#define RESULTS_SCHEMA 1

#define RESULTS_RUN_FILE "run.json"
#define RESULTS_SAMPLES_FILE "samples.jsonl"
#define RESULTS_CELLS_DIR "cells"

/* A sample (one line of samples.jsonl). */
#define SAMPLE_SCHEMA "schema"
#define SAMPLE_RUN "run"
#define SAMPLE_CELL "cell"
#define SAMPLE_REP "rep"
#define SAMPLE_ATTEMPT "attempt"
#define SAMPLE_AXES "axes"
#define SAMPLE_STATUS "status"
#define SAMPLE_REASON "reason"
#define SAMPLE_STARTED "started"
#define SAMPLE_WALL_S "wall_s"
#define SAMPLE_METRICS "metrics"
#define SAMPLE_WARMUP_METRICS "warmup_metrics"
#define SAMPLE_GUEST "guest"
/* in "guest": the guest kernel's clocksource when it reported; lab guests
 * boot with tsc=reliable, so anything but this one is worth a caveat */
#define GUEST_CLOCKSOURCE "clocksource"
#define GUEST_CLOCKSOURCE_LAB "tsc"
#define SAMPLE_TRACE "trace"
/* Several measured windows per boot (scenario "windows"): a sample is still
 * one boot. Its metrics are the means over its windows, its trace the whole
 * boot's, and "windows" lists each window's own: { "window": 1.., "wall_s",
 * "metrics", "trace" } (docs/design.md). A guest's report for one window
 * carries the boot's trace as "trace_boot" in its last window. */
#define SAMPLE_WINDOWS "windows"
#define SAMPLE_WINDOW "window"
#define SAMPLE_TRACE_BOOT "trace_boot"
/* true in a window whose host counters were read after the next window had
 * started (its START mark was on the channel): they may hold some of it */
#define SAMPLE_WINDOW_READ_LATE "host_read_late"
/* QEMU counted on the host (docs/device.md): "perf" (the uprobe group, each
 * function's calls, or why not), "cpu", "qemu_pid", "error"; optional. */
#define SAMPLE_DEVPERF "devperf"

#define STATUS_OK "ok"
#define STATUS_FAILED "failed"

/* A metric: { "value": v, "unit": u, "better": "higher"|"lower" }. */
#define METRIC_VALUE "value"
#define METRIC_UNIT "unit"
#define METRIC_BETTER "better"
#define BETTER_HIGHER "higher"
#define BETTER_LOWER "lower"

/* Device metrics counted on the host (docs/device.md): perf's calls of
 * QEMU's virtqueue functions (dev_perf_<fn>, and per driver operation
 * dev_perf_<fn>_per_add|_per_get) and QEMU's CPU split into vCPU threads and
 * the rest (dev_cpu_*, per buffer dev_cpu_io_us_per_buf,
 * dev_cpu_vcpu_us_per_buf). dev_* metrics without DEVICE_PER_OP in their
 * name (these and QMP's dev_pops, dev_<queue>_used, …) are a window's
 * totals: the report's appendix. */
#define DEVICE_PERF_PREFIX "dev_perf_"
#define DEVICE_CPU_PREFIX "dev_cpu_"
#define DEVICE_PER_OP "_per_"

/* "YYYY-mm-ddTHH:MM:SSZ" (UTC) of now. */
void iso_time_now(char buf[32]);
/* Add {"value":v,"unit":u,"better":b} as @name to @metrics. */
void metric_set(json_t *metrics, const char *name, double v, const char *unit, const char *better);
/* The value of metric @name of a sample or guest report, -1 when absent. */
double metric_value(json_t *obj, const char *name);
/* +1 for "higher", -1 for "lower", 0 for anything else. */
int metric_better_sign(const char *better);

/* run.json (the runner's manifest; see docs/results.md). */
#define RUN_SCHEMA "schema"
#define RUN_ID "id"
#define RUN_SCENARIO "scenario"
#define RUN_HOST "host"
#define RUN_VERSIONS "versions"
#define RUN_ACCEL "accel"
#define RUN_ACCEL_REASON "accel_reason"
#define RUN_KERNELS "kernels"
#define RUN_STARTED "started"
#define RUN_ENDED "ended"
#define RUN_STATUS "status"
#define RUN_RESUMED "resumed"
#define RUN_MATRIX "matrix"
#define RUN_SKIPPED "skipped"
/* run.json's "scenario" object */
#define RUN_SCENARIO_FILE "file"
#define RUN_SCENARIO_NAME "name"
#define RUN_SCENARIO_DESCRIPTION "description"
#define RUN_SCENARIO_TEXT "text"
#define RUN_SCENARIO_REPEAT "repeat"
#define RUN_SCENARIO_DURATION_S "duration_s"
#define RUN_SCENARIO_WARMUP_S "warmup_s"
#define RUN_SCENARIO_TIMEOUT_S "timeout_s"
#define RUN_SCENARIO_SEED "seed"
#define RUN_SCENARIO_ICOUNT "icount"
#define RUN_SCENARIO_DEVICE_PERF "device_perf"
#define RUN_SCENARIO_WINDOWS "windows" /* measured windows per boot */
/* the scenario's words after the lab's own on each guest's command line,
 * null when it has none */
#define RUN_SCENARIO_KERNEL_ARGS "kernel_args"
/* run.json's "host" object */
#define RUN_HOST_HOSTNAME "hostname"
#define RUN_HOST_KERNEL "kernel"
#define RUN_HOST_CPUS "cpus"
#define RUN_HOST_MEMORY_MIB "memory_mib"
/* run.json's "versions" object */
#define RUN_VERSIONS_QEMU "qemu"
#define RUN_VERSIONS_LIBVIRT "libvirt"
#define RUN_VERSIONS_VQLAB "vqlab"
#define RUN_VERSIONS_PACKAGES "packages"
/* an entry of "matrix" and of "skipped" */
#define RUN_CELL "cell"
#define RUN_CELL_AXES "axes"
#define RUN_CELL_REASON "reason"
/* values of "status" */
#define RUN_STATUS_RUNNING "running"
#define RUN_STATUS_COMPLETE "complete"
#define RUN_STATUS_INTERRUPTED "interrupted"

/* Sharding (docs/cluster.md): run.json "shard": { "k": 1, "n": 4, "matrix":
 * "<matrix id>" } in each shard's run folder; the readers' paths into
 * run.json that the merge of shards checks. */
#define RUN_SHARD "shard"
#define RUN_SHARD_K "k"
#define RUN_SHARD_N "n"
#define RUN_SHARD_MATRIX "matrix"
/* A sample's own host name, when it ran elsewhere than its folder's run.json
 * host says (a shard resumed on another host); optional. */
#define SAMPLE_HOST "host"
/* Entries of runset.shards (tools/report/runset.h), beside K, N and MATRIX. */
#define RUN_SHARD_DIR "dir"
#define RUN_SHARD_ID "id"
#define RUN_SHARD_HOST "host"
/* run.json's "scenario" object: the guest clock of every cell, "wall" or
 * "icount" (docs/clock.md), or "axis" when cells differ (each sample's axes
 * say which); absent in runs from before the setting: wall. */
#define RUN_SCENARIO_CLOCK "clock"
/* Beside it, when a cell runs under clock = icount: what QEMU was given for
 * it (tools/lab/domain.h): -icount's option string, and the tap NIC's
 * libvirt txmode and ioeventfd. Absent in runs from before: -icount shift=0
 * alone. */
#define RUN_SCENARIO_CLOCK_ICOUNT "clock_icount"
#define RUN_CLOCK_ICOUNT_OPTS "icount"
#define RUN_CLOCK_ICOUNT_NET_TXMODE "net_txmode"
#define RUN_CLOCK_ICOUNT_NET_IOEVENTFD "net_ioeventfd"

#endif

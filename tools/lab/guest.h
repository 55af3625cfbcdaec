/* SPDX-License-Identifier: GPL-2.0 */
/* One lab guest: start it through libvirt, follow its report channel, stop it. */
#ifndef VQLAB_GUEST_H
#define VQLAB_GUEST_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <libvirt/libvirt.h>
#include "kernel.h"
#include "msg.h"
#include "netlab.h"
#include "scenario.h"

/* The guest's NIC (its packets' source, net-rx's destination). */
#define GUEST_MAC "02:76:71:00:00:02"

struct devperf_probes;

struct guest_ctx {
	virConnectPtr conn;
	struct netlab *lab;
	volatile sig_atomic_t *stop; /* set by a signal handler: give up at once */
	virDomainPtr dom; /* the guest that runs, for cleanup */
	struct guest_reaper *reaper; /* the last guest's end, in libvirt (reap.h) */
};

struct guest_job {
	const struct cell *cell;
	const struct kernel *kernel;
	bool kvm;
	double duration, warmup, timeout; /* timeout: per window, the first's with the boot */
	unsigned int windows; /* measured windows per boot; 0 or 1: one */
	const char *disk; /* raw image for blk-* workloads, or NULL */
	const char *icount_so; /* the vqicount plugin, or NULL: no instruction counts */
	const char *icount_out; /* where QEMU (an unprivileged user) writes its JSON */
	const char *dir; /* where console.log, report.log, domain.xml go */
	const char *name; /* libvirt domain name */
	const char *workload; /* overrides the cell's (the KVM probe) */
	const char *emulator; /* the QEMU binary (the qemu axis), or NULL: libvirt's */
	const char *errors_log; /* QEMU's -d guest_errors file (QEMU writes it), or NULL */
	double stall; /* seconds a ring may hold buffers and return none; 0: no check */
	const char *kernel_args; /* the scenario's, after the lab's own, or NULL */
	const struct devperf_probes *perf; /* uprobes on this QEMU (devperf.h), or NULL */
};

struct guest_result {
	bool ok;
	bool interrupted;
	struct errbuf reason; /* why it failed (msg.h) */
	double boot_s, wall_s;
	json_t *report; /* guest report, when complete */
	json_t *host_metrics; /* what the host measured (XDP sink, sender, testpmd) */
	json_t *device; /* QEMU's side over QMP (device.h), or NULL */
	json_t *stall; /* the stalled ring that ended the sample, or NULL */
	json_t *devperf; /* QEMU counted on the host: perf, CPU (devperf.h), or NULL */
	/* several windows per boot: the next window had started when the host
	 * had read this one's counters, which may then hold some of its work */
	bool read_late;
};

/* Measured windows per boot of @j (at least 1). */
static inline unsigned int guest_windows(const struct guest_job *j)
{
	return j->windows > 1 ? j->windows : 1;
}

/* Boot the guest, wait for its reports, one per window (or failure, timeout,
 * signal), destroy it and remove its tap. @r holds guest_windows(@j) results:
 * returns how many say what happened (1 or more; the boot ends at the first
 * window that fails). Each r[i].report is owned by the caller. */
int guest_run(struct guest_ctx *g, const struct guest_job *j, struct guest_result *r);
/* Destroy the guest that runs, and wait for the end of the one before. */
void guest_destroy(struct guest_ctx *g);
void guest_result_free(struct guest_result *r);
/* vqlab live: boot @j's guest with its job running until it is stopped
 * (@mode "trace": vqtrace's interval lines every @interval s on the report
 * channel) or a shell on its console (@mode "shell"). NULL + @e on failure,
 * with everything it started undone. */
struct guest_live;
struct guest_live *guest_live_start(struct guest_ctx *g, const struct guest_job *j,
				    const char *mode, double interval, struct errbuf *e);
/* Read what the guest sent since the last call: vqtrace's interval objects
 * are appended to @lines. Drives the host driver as guest_run does. -errno
 * with the reason when the guest failed, stopped or did not start in time. */
int guest_live_poll(struct guest_ctx *g, struct guest_live *l, json_t *lines, struct errbuf *e);
/* The workload runs (and, in trace mode, vqtrace is attached). */
bool guest_live_running(const struct guest_live *l);
const char *guest_live_console_log(const struct guest_live *l);
/* Destroy the guest, stop the driver (the tap goes), free @l. NULL is fine. */
void guest_live_stop(struct guest_ctx *g, struct guest_live *l);
/* /dev/kvm may exist and still not run guests: boot a real one to find out.
 * 0 when a KVM guest booted; else -errno, and @e says why. */
int guest_probe_kvm(struct guest_ctx *g, const struct cell *cell, const struct kernel *k,
		    const char *run_dir, struct errbuf *e);
/* libvirt's last error message. */
const char *virt_error(void);

#endif

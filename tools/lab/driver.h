/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host drivers: the host's side of one sample, one small driver per backend x
 * workload behind one narrow interface, on the model of Linux
 * tools/virtio/ringtest's interchangeable ring variants (with a do-nothing
 * baseline, "tap none"). guest_run() is the harness: it boots the guest,
 * waits for its report and times out; it calls the driver's hooks at fixed
 * moments and knows nothing of what they do:
 *
 *   start    before boot: the device side, and the guest's NIC (and disk)
 *            in the domain; d->peer_mac
 *   booted   QEMU runs (and holds the tap)
 *   go       the guest wrote "VQLAB-GO <secs>": its sink is ready, the host
 *            sends for @secs (net-rx; once for the warm-up, once measured)
 *   poll     every 50 ms while the harness waits
 *   collect  after the guest's report: read the final counters into d->c
 *   finish   PURE: the guest's report and the host counters -> metrics; no
 *            I/O, no root, so tests/unit/driver.c calls it with made-up counts
 *   stop     teardown, on every path, after the guest is gone; idempotent
 *   window_next  several measured windows per boot: after a window's
 *            collect and finish, make the counters count the next one.
 *            NULL: the driver counts once per boot (the plan skips its
 *            cells when a scenario asks for more windows)
 *
 * Every hook but finish may be NULL. A hook that fails returns -errno and
 * says why in @e (a sample's failure reason, word for word).
 * docs/workloads.md ("Adding a workload") shows how to add one.
 */
#ifndef VQLAB_DRIVER_H
#define VQLAB_DRIVER_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "msg.h"
#include "pktsend.h"
#include "vhostuser.h"

struct domain_spec;
struct guest_job;
struct netlab;

/* QEMU's CPU time over the guest's measured window, which the guest marks
 * on its report channel (VQLAB-MEASURE-START/END); the harness reads it for
 * every driver (seen within one 50 ms poll). */
struct cpu_window {
	double t[2]; /* host clock at start and end; 0: not seen */
	unsigned long long cpu_ns[2]; /* the QEMU process's CPU time then */
};

/* What the host counted during one sample: all that finish may read. */
struct host_counters {
	struct cpu_window cpu; /* every driver: the harness reads it */
	/* tap net-tx: the lab's XDP sink, after boot and after the report */
	bool xdp_valid; /* the second read worked */
	uint64_t xdp_start, xdp_end; /* packets */
	/* tap net-rx: the host sender that finished last (the measured one) */
	bool send_valid;
	struct pktsend_result send;
	/* vhost-user: testpmd's forward statistics at its end */
	bool testpmd_valid;
	struct vhostuser_stats testpmd;
	double forward_s; /* net-rx: testpmd forwarded this long
					 * from the last go line; 0: never */
};

struct host_driver;

/* One sample's driver and everything it holds. */
struct driver_state {
	const struct host_driver *drv;
	/* from the harness */
	const struct guest_job *job;
	struct netlab *lab;
	/* from start: where the guest's packets go (its vqlab.dst_mac) */
	const char *peer_mac;
	/* tap net-rx: the host sender of the current go line */
	struct pktsend sender;
	bool sending;
	/* vhost-user: testpmd, and (net-rx) the go line it forwards for */
	struct vhostuser vu;
	double forward_since; /* host clock; 0: not forwarding */
	double forward_secs;
	struct host_counters c;
};

struct host_driver {
	const char *name; /* "tap net-tx" */
	int (*start)(struct driver_state *d, struct domain_spec *ds, struct errbuf *e);
	int (*booted)(struct driver_state *d, struct errbuf *e);
	int (*go)(struct driver_state *d, double secs, struct errbuf *e);
	int (*poll)(struct driver_state *d, struct errbuf *e);
	int (*collect)(struct driver_state *d, struct errbuf *e);
	int (*finish)(const json_t *report, const struct host_counters *c, json_t *metrics,
		      struct errbuf *e);
	void (*stop)(struct driver_state *d);
	void (*window_next)(struct driver_state *d);
};

extern const struct host_driver driver_tap_tx, driver_tap_rx, driver_vhostuser_tx,
	driver_vhostuser_rx, driver_blk, driver_none;

/* The driver for a cell's backend ("tap", "vhost-user") and workload; NULL
 * for a backend none serves. */
/* The hooks of each driver (driver_<backend>_<workload>.c), put together in
 * driver.c's table. */
int tap_tx_booted(struct driver_state *d, struct errbuf *e);
int tap_tx_collect(struct driver_state *d, struct errbuf *e);
int tap_tx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
		  struct errbuf *e);
int tap_rx_go(struct driver_state *d, double secs, struct errbuf *e);
int tap_rx_poll(struct driver_state *d, struct errbuf *e);
int tap_rx_collect(struct driver_state *d, struct errbuf *e);
int tap_rx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
		  struct errbuf *e);
void tap_rx_stop(struct driver_state *d);
void tap_tx_window_next(struct driver_state *d);
void tap_rx_window_next(struct driver_state *d);
int blk_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e);
int vhostuser_tx_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e);
int vhostuser_tx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
			struct errbuf *e);
int vhostuser_rx_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e);
int vhostuser_rx_go(struct driver_state *d, double secs, struct errbuf *e);
int vhostuser_rx_poll(struct driver_state *d, struct errbuf *e);
int vhostuser_rx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
			struct errbuf *e);

const struct host_driver *host_driver_find(const char *backend, const char *workload);
/* A fresh state for @drv serving @job (nothing started, nothing to stop). */
void driver_state_init(struct driver_state *d, const struct host_driver *drv,
		       const struct guest_job *job, struct netlab *lab);

/* Pure, for every driver (the harness's own instruments): */
/* qemu_cpu_s and qemu_cpu_util over @w, when both ends were seen. */
void host_cpu_metrics(const struct cpu_window *w, json_t *metrics);
/* The vqicount plugin's measured @phase (docs/icount.md): the ring's
 * instructions in all, and per add and per get that the report's trace saw.
 * -ENODATA when the phase has no groups (the guest's marks are missing). */
int host_icount_metrics(const json_t *phase, const json_t *report, json_t *metrics,
			struct errbuf *e);

/* Several windows per boot: whether @drv counts each (NULL: no driver). */
bool host_driver_windows(const struct host_driver *drv);
/* After a window: the harness's own counters and the driver's count the next. */
void driver_window_next(struct driver_state *d);

/* ---- for the drivers ---- */

/* finish for a driver whose host counts nothing: the guest's metrics are all. */
int driver_finish_nothing(const json_t *report, const struct host_counters *c, json_t *metrics,
			  struct errbuf *e);
/* window_next for a driver whose host counts nothing per window. */
void driver_window_nothing(struct driver_state *d);

/* The guest report's metric @name, -1 when absent (results.h's metric_value). */
double report_metric(const json_t *report, const char *name);
/* What the guest's warm-up reported as @name, 0 when absent: the host's
 * counters see the warm-up too, and subtract this. */
double report_warmup(const json_t *report, const char *name);

/* The tap every tap-backend driver gives the guest (driver_tap.c). */
int tap_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e);
int tap_booted(struct driver_state *d, struct errbuf *e);
void tap_stop(struct driver_state *d);

/* testpmd as the vhost-user device (driver_vhostuser.c). */
int vhostuser_driver_start(struct driver_state *d, struct domain_spec *ds, enum vhostuser_mode mode,
			   struct errbuf *e);
int vhostuser_driver_collect(struct driver_state *d, struct errbuf *e);
void vhostuser_driver_stop(struct driver_state *d);
/* The metrics both vhost-user drivers report; -ENODATA without counts. */
int vhostuser_driver_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
			    struct errbuf *e);

#endif

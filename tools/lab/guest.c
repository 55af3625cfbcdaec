// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>
#include "clock.h"
#include "domain.h"
#include "frame.h"
#include "guest.h"
#include "pktsend.h"
#include "sample.h"
#include "textfile.h"
#include "vhostuser.h"

const char *virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

void guest_destroy(struct guest_ctx *g)
{
	if (g->dom) {
		if (virDomainIsActive(g->dom) == 1)
			virDomainDestroy(g->dom);
		virDomainFree(g->dom);
		g->dom = NULL;
	}
}

#define GUEST_MAC "02:76:71:00:00:02"
#define ICOUNT_MARK "__x64_sys_sethostname"

static const char *guest_workload(const struct guest_job *j)
{
	return j->workload ? j->workload : j->cell->val[AX_WORKLOAD];
}

static void build_cmdline(struct guest_ctx *g, const struct guest_job *j, const char *dst_mac,
			  char *buf, size_t len)
{
	const char *mit = j->cell->val[AX_MITIGATION];
	const char *spectre = !strcmp(mit, "off") ? " spectre_v2=off" :
			      !strcmp(mit, "retpoline") ? " spectre_v2=retpoline" : "";

	snprintf(buf, len,
		 "console=ttyS0 nokaslr panic=-1 quiet%s vqlab.job=%s vqlab.duration=%g "
		 "vqlab.warmup=%g vqlab.pkt_size=%s vqlab.iodepth=%s vqlab.dst_mac=%s "
		 "vqlab.dst_ip=%s vqlab.src_ip=%s vqlab.icount=%d vqlab.trace=%s",
		 spectre, guest_workload(j), j->duration, j->warmup, j->cell->val[AX_PKT_SIZE],
		 j->cell->val[AX_IODEPTH], dst_mac, NETLAB_TAP_ADDR, NETLAB_GUEST_ADDR,
		 j->icount_so != NULL, j->cell->val[AX_TRACE]);
}

static void copy_qemu_log(const struct guest_job *j)
{
	char src[PATH_MAX], dst[PATH_MAX + 16];
	size_t len;
	char *buf;

	snprintf(src, sizeof(src), "/var/log/libvirt/qemu/%s.log", j->name);
	snprintf(dst, sizeof(dst), "%s/qemu.log", j->dir);
	buf = file_read_all(src, &len);
	if (buf) {	/* append: called again after libvirt logs the shutdown */
		FILE *f = fopen(dst, "ae");

		if (f) {
			fwrite(buf, 1, len, f);
			fclose(f);
		}
		free(buf);
		unlink(src);
	}
}

/* The guest's go lines ("VQLAB-GO <seconds>", net-rx) before its report:
 * how many are complete, and the seconds the last one names (@dflt if none). */
static int go_lines(const char *buf, size_t len, double dflt, double *secs)
{
	const char *end = memmem(buf, len, "VQLAB-REPORT", 12), *p = buf;
	int n = 0;

	*secs = dflt;
	if (!end)
		end = buf + len;
	while ((p = memmem(p, end - p, "VQLAB-GO", 8))) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl)
			break;	/* the line is still arriving */
		n++;
		*secs = strtod(p + 8, NULL);
		if (*secs <= 0)
			*secs = dflt;
		p = nl;
	}
	return n;
}

/* net-rx on the tap: the guest writes "VQLAB-GO <seconds>" each time its sink
 * is ready (once for the warm-up, once for the measurement); the host sends
 * for that long. Start a sender for each new go line. */
struct rx_sender {
	struct pktsend ps;
	int gos;			/* go lines acted upon */
	bool running;
	struct pktsend_result last;	/* of the sender that finished last */
	bool have_last;
	struct errbuf err;
};

static int rx_sender_finish(struct rx_sender *rx)
{
	int rc;

	if (!rx->running)
		return 0;
	rx->running = false;
	rc = pktsend_wait(&rx->ps, &rx->last, &rx->err);
	rx->have_last = !rc;
	if (rc)
		err_prefix(&rx->err, rc, "host sender");
	return rc;
}

static int rx_sender_poll(struct guest_ctx *g, const struct guest_job *j, struct rx_sender *rx,
			  const char *buf, size_t len)
{
	static const uint8_t guest_mac[6] = { 0x02, 0x76, 0x71, 0x00, 0x00, 0x02 };
	struct pollfd pfd = { .fd = rx->ps.fd, .events = POLLIN };
	struct pktsend_opts o = {
		.netns = g->lab->ns, .ifname = g->lab->tap,
		.src_ip = NETLAB_TAP_ADDR, .dst_ip = NETLAB_GUEST_ADDR,
		.pkt_size = atoi(j->cell->val[AX_PKT_SIZE]),
	};
	int gos = go_lines(buf, len, j->duration, &o.duration);

	if (rx->running && poll(&pfd, 1, 0) > 0 && rx_sender_finish(rx))
		return -EIO;
	if (gos <= rx->gos)
		return 0;
	memcpy(o.dst_mac, guest_mac, 6);
	if (rx_sender_finish(rx))
		return -EIO;
	if (pktsend_start(&o, &rx->ps, &rx->err)) {
		err_prefix(&rx->err, 0, "host sender");
		return -EIO;
	}
	rx->running = true;
	rx->gos = gos;
	return 0;
}

/* The vqicount plugin writes its counts when QEMU exits: let the guest power
 * off by itself (it does right after its report) rather than kill QEMU, then
 * keep the JSON with the sample and divide the ring's instructions by the
 * adds and gets vqtrace saw over the same window. */
static int icount_collect(struct guest_ctx *g, const struct guest_job *j,
			  struct guest_result *r)
{
	double until = now_s() + 30, adds = 0, gets = 0;
	char dst[PATH_MAX + 16];
	json_t *ic, *phase, *groups, *q;
	size_t i;

	while (now_s() < until && virDomainIsActive(g->dom) == 1)
		sleep_s(0.1);
	guest_destroy(g);
	ic = json_load_file(j->icount_out, 0, NULL);
	if (!ic)
		return -ENOENT;
	snprintf(dst, sizeof(dst), "%s/icount.json", j->dir);
	json_dump_file(ic, dst, JSON_COMPACT);
	unlink(j->icount_out);
	/* phase 1 runs from the first mark to the second: the measured window */
	phase = json_array_get(json_object_get(ic, "phases"), 1);
	groups = json_object_get(phase, "groups");
	if (!groups) {
		json_decref(ic);
		err_set(&r->reason, 0, "vqicount saw no measured window "
			 "(the guest's sethostname marks are missing)");
		return -ENODATA;
	}
	json_array_foreach(json_object_get(json_object_get(r->report, "trace"), "queues"), i, q) {
		adds += json_number_value(json_object_get(q, "adds"));
		gets += json_number_value(json_object_get(q, "gets"));
	}
#define GROUP(name, field) json_number_value(json_object_get(json_object_get(groups, name), field))
	metric_set(r->host_metrics, "icount_ring_insns", GROUP("ring", "insns"), "instructions",
		   "lower");
	metric_set(r->host_metrics, "icount_kernel_insns",
		   json_number_value(json_object_get(json_object_get(phase, "totals"), "kernel_insns")),
		   "instructions", "lower");
	if (adds > 0) {
		metric_set(r->host_metrics, "icount_insns_per_add", GROUP("ring_add", "insns") / adds,
			   "instructions/add", "lower");
		metric_set(r->host_metrics, "icount_kick_insns_per_add",
			   GROUP("ring_kick", "insns") / adds, "instructions/add", "lower");
		metric_set(r->host_metrics, "icount_ring_insns_per_add", GROUP("ring", "insns") / adds,
			   "instructions/add", "lower");
		metric_set(r->host_metrics, "icount_thunk_calls_per_add",
			   GROUP("ring", "thunk_calls") / adds, "calls/add", "lower");
		metric_set(r->host_metrics, "icount_indirect_calls_per_add",
			   GROUP("ring", "indirect_calls") / adds, "calls/add", "lower");
	}
	if (gets > 0)
		metric_set(r->host_metrics, "icount_insns_per_get", GROUP("ring_get", "insns") / gets,
			   "instructions/get", "lower");
#undef GROUP
	json_decref(ic);
	return 0;
}

/* QEMU's CPU time over the guest's measured window, which the guest marks
 * on its report channel (seen here within one 50 ms poll). */
struct measure_window {
	double t[2];			/* host clock at start and end */
	unsigned long long cpu_ns[2];	/* the QEMU process's CPU time then */
};

static void measure_poll(struct guest_ctx *g, struct measure_window *mw, const char *buf,
			 size_t len)
{
	static const char *const mark[2] = { "VQLAB-MEASURE-START\n", "VQLAB-MEASURE-END\n" };
	virDomainInfo info;

	for (int i = 0; i < 2; i++) {
		if (mw->t[i] || !memmem(buf, len, mark[i], strlen(mark[i])))
			continue;
		if (virDomainGetInfo(g->dom, &info) == 0) {
			mw->t[i] = now_s();
			mw->cpu_ns[i] = info.cpuTime;
		}
	}
}

void guest_run(struct guest_ctx *g, const struct guest_job *j, struct guest_result *r)
{
	char console[PATH_MAX + 16], report[PATH_MAX + 16], xmlpath[PATH_MAX + 16];
	char cmdline[1024], tail[400], kpath[PATH_MAX + 16], vlog[PATH_MAX + 16];
	const char *workload = guest_workload(j);
	bool vhu = !strcmp(j->cell->val[AX_BACKEND], "vhost-user");
	bool net_rx = !strcmp(workload, "net-rx"), net_tx = !strcmp(workload, "net-tx");
	struct rx_sender rx = { .ps = { .fd = -1 } };
	struct measure_window mw = { 0 };
	char plugin_arg[3 * PATH_MAX + 64];
	const char *qemu_args[] = { "-plugin", plugin_arg, NULL };
	struct vhostuser vu = { 0 };
	struct vhostuser_stats vst;
	double vu_go = 0, vu_secs = 0, vu_window = 0;
	int vu_gos = 0;
	struct domain_spec ds = { 0 };
	struct frame fr = { 0 };
	uint64_t p0 = 0, b0 = 0, p1, b1;
	double t0 = 0, deadline, warm_tx;
	char *xml = NULL;

	memset(r, 0, sizeof(*r));
	r->host_metrics = json_object();
	snprintf(console, sizeof(console), "%s/console.log", j->dir);
	snprintf(report, sizeof(report), "%s/report.log", j->dir);
	snprintf(xmlpath, sizeof(xmlpath), "%s/domain.xml", j->dir);
	unlink(console);
	unlink(report);

	if (vhu) {
		/* the device side is testpmd: rxonly sinks net-tx, txonly feeds net-rx */
		char sock[108], name[32];
		struct vhostuser_opts o = {
			.socket = sock, .log = vlog, .name = name,
			.mode = net_rx ? VHOSTUSER_TXONLY : VHOSTUSER_RXONLY,
			.peer_mac = GUEST_MAC,
			.txpkt_len = atoi(j->cell->val[AX_PKT_SIZE]),
			.deferred = net_rx,	/* not while the guest boots */
		};

		mkdir_p("/run/vqlab", 0755);
		snprintf(sock, sizeof(sock), "/run/vqlab/vqlab%d.sock", getpid());
		snprintf(name, sizeof(name), "vqlab%d", getpid());
		snprintf(vlog, sizeof(vlog), "%s/testpmd.log", j->dir);
		if (vhostuser_start(&o, &vu, &r->reason)) {
			err_prefix(&r->reason, 0, "vhost-user");
			goto out;
		}
		build_cmdline(g, j, VHOSTUSER_PORT_MAC, cmdline, sizeof(cmdline));
		ds.vhost_user_socket = vu.socket;
	} else {
		if (netlab_tap_create(g->lab)) {
			err_set(&r->reason, 0, "tap: %s", g->lab->err);
			goto out;
		}
		build_cmdline(g, j, g->lab->tap_mac, cmdline, sizeof(cmdline));
		ds.tap = g->lab->tap;
	}
	ds.name = j->name;
	ds.kvm = j->kvm;
	ds.vcpus = atoi(j->cell->val[AX_VCPUS]);
	ds.memory_mib = atoi(j->cell->val[AX_MEMORY]);
	snprintf(kpath, sizeof(kpath), "%s/vmlinuz", j->kernel->dir);
	ds.kernel = kpath;
	ds.initrd = j->kernel->initrd;
	ds.cmdline = cmdline;
	ds.console_log = console;
	ds.report_log = report;
	ds.mac = GUEST_MAC;
	ds.packed = !strcmp(j->cell->val[AX_RING], "packed");
	ds.in_order = !strcmp(j->cell->val[AX_IN_ORDER], "on");
	ds.rx_queue_size = atoi(j->cell->val[AX_RX_QUEUE_SIZE]);
	ds.tx_queue_size = atoi(j->cell->val[AX_TX_QUEUE_SIZE]);
	if (!strncmp(workload, "blk-", 4)) {
		ds.disk = j->disk;
		ds.blk_queue_size = atoi(j->cell->val[AX_BLK_QUEUE_SIZE]);
	}
	if (j->icount_so) {
		/* QEMU's option syntax: a comma inside a value is written twice */
		snprintf(plugin_arg, sizeof(plugin_arg), "%s,syms=%s,out=%s,mark=%s", j->icount_so,
			 j->kernel->icount_syms, j->icount_out, ICOUNT_MARK);
		unlink(j->icount_out);
		ds.qemu_args = qemu_args;
	}
	xml = domain_xml(&ds);
	if (!xml) {
		err_set(&r->reason, 0, "domain XML: %s", strerror(errno));
		goto out;
	}
	file_write_text(xmlpath, xml);

	t0 = now_s();
	/* AUTODESTROY: libvirt destroys the guest if vqlab dies without cleanup. */
	g->dom = virDomainCreateXML(g->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!g->dom) {
		err_set(&r->reason, 0, "libvirt could not start the guest: %s",
			 virt_error());
		goto out;
	}
	if (!vhu) {
		if (netlab_tap_adopt(g->lab)) {
			err_set(&r->reason, 0, "lab network: %s", g->lab->err);
			goto out;
		}
		netlab_sink_read(g->lab, &p0, &b0);
	}
	deadline = t0 + j->timeout;

	for (;;) {
		size_t len;
		char *buf = file_read_all(report, &len);
		int active, state, why_state;

		frame_free(&fr);
		frame_parse(buf ? buf : "", len, &fr);
		if (net_rx && !vhu && rx_sender_poll(g, j, &rx, buf ? buf : "", len)) {
			free(buf);
			err_set(&r->reason, 0, "%s", rx.err.msg);
			goto out;
		}
		/* net-rx on vhost-user: testpmd txonly forwards from each go line
		 * for the seconds it names, then halts; its "start" resets the
		 * counts, so the final ones are the measured window's */
		if (net_rx && vhu) {
			int gos = go_lines(buf ? buf : "", len, j->duration, &vu_secs);

			if (gos > vu_gos) {
				vu_gos = gos;
				if (vhostuser_forward(&vu, &r->reason)) {
					free(buf);
					err_prefix(&r->reason, 0, "vhost-user");
					goto out;
				}
				vu_go = now_s();
			}
			if (vu_go && now_s() >= vu_go + vu_secs) {
				vhostuser_halt(&vu, NULL);
				vu_window = now_s() - vu_go;
				vu_go = 0;
			}
		}
		if (buf)
			measure_poll(g, &mw, buf, len);
		free(buf);
		if (fr.state >= FRAME_READY && !r->boot_s)
			r->boot_s = now_s() - t0;
		if (fr.state == FRAME_COMPLETE || fr.state == FRAME_CORRUPT)
			break;
		if (*g->stop) {
			r->interrupted = true;
			err_set(&r->reason, 0, "interrupted by signal %d",
				 (int)*g->stop);
			goto out;
		}
		if (virDomainGetState(g->dom, &state, &why_state, 0) < 0)
			state = VIR_DOMAIN_SHUTOFF;
		if (state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_CRASHED) {
			/* e.g. "KVM internal error … emulation failure": QEMU stops */
			copy_qemu_log(j);
			snprintf(tail, sizeof(tail), "%s/qemu.log", j->dir);
			file_tail(tail, 1, tail, sizeof(tail));
			err_set(&r->reason, 0, "guest %s (reason %d); QEMU: %s",
				 state == VIR_DOMAIN_PAUSED ? "paused by QEMU" : "crashed",
				 why_state, tail);
			goto out;
		}
		active = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED;
		if (!active) {
			/* one more read: the report may have landed just before power-off */
			buf = file_read_all(report, &len);
			frame_free(&fr);
			frame_parse(buf ? buf : "", len, &fr);
			free(buf);
			if (fr.state == FRAME_COMPLETE || fr.state == FRAME_CORRUPT)
				break;
			file_tail(console, 4, tail, sizeof(tail));
			err_set(&r->reason, 0,
				 "guest stopped before its report was complete; console: %s", tail);
			goto out;
		}
		if (now_s() > deadline) {
			file_tail(console, 4, tail, sizeof(tail));
			err_set(&r->reason, 0,
				 "timeout after %.0f s (%s); console: %s", j->timeout,
				 fr.state == FRAME_NOTHING ? "guest never reached /init" :
				 fr.state == FRAME_READY ? "no report" : "report incomplete", tail);
			goto out;
		}
		sleep_s(0.05);
	}
	r->wall_s = now_s() - t0;
	if (fr.state == FRAME_CORRUPT) {
		err_set(&r->reason, 0, "guest report rejected: %s", fr.error);
		goto out;
	}
	r->report = json_incref(fr.report);
	{
		const char *st = json_string_value(json_object_get(fr.report, "status"));
		const char *why = json_string_value(json_object_get(fr.report, "reason"));

		r->ok = st && !strcmp(st, "ok");
		if (!r->ok)
			err_set(&r->reason, 0, "guest: %s", why ? why : "failed");
	}

	/* Host-side counts, read after the guest reported: by then every packet
	 * in flight through QEMU has been delivered. The host's counters also
	 * saw the warm-up; the guest says how many packets that was. */
	warm_tx = json_number_value(json_object_get(json_object_get(json_object_get(
			fr.report, "warmup_metrics"), "pktgen_packets"), "value"));
	if (net_tx && !vhu && !netlab_sink_read(g->lab, &p1, &b1)) {
		double usec = metric_value(fr.report, "pktgen_usec");
		double pkts = p1 - p0 - warm_tx;

		metric_set(r->host_metrics, "xdp_packets_total", p1 - p0, "packets", "none");
		metric_set(r->host_metrics, "xdp_packets", pkts, "packets", "higher");
		if (usec > 0)
			metric_set(r->host_metrics, "xdp_pps", pkts * 1e6 / usec, "packets/s", "higher");
	}
	if (mw.t[1] > mw.t[0] && mw.t[0] > 0) {
		double cpu = (mw.cpu_ns[1] - mw.cpu_ns[0]) / 1e9;

		metric_set(r->host_metrics, "qemu_cpu_s", cpu, "s", "lower");
		metric_set(r->host_metrics, "qemu_cpu_util", 100 * cpu / (mw.t[1] - mw.t[0]), "%",
			   "lower");
	}
	if (net_rx && !vhu) {
		double got = metric_value(fr.report, "rx_packets");

		if (rx_sender_finish(&rx) || !rx.have_last) {
			r->ok = false;
			err_set(&r->reason, 0, "%s",
				 rx.err.msg[0] ? rx.err.msg : "the guest never said VQLAB-GO");
		} else {
			metric_set(r->host_metrics, "sent_packets", rx.last.packets, "packets", "higher");
			metric_set(r->host_metrics, "send_errors", rx.last.errors, "packets", "lower");
			/* frames the tap took and then dropped itself (full queue) */
			metric_set(r->host_metrics, "tap_dropped", rx.last.dropped, "packets", "lower");
			metric_set(r->host_metrics, "send_s", rx.last.seconds, "s", "none");
			/* the rate over the host's exact send window */
			if (got >= 0 && rx.last.seconds > 0)
				metric_set(r->host_metrics, "rx_pps", got / rx.last.seconds,
					   "packets/s", "higher");
		}
	}
	if (vhu) {
		if (vu_go)	/* still forwarding: the window ends now */
			vu_window = now_s() - vu_go;
		if (vhostuser_stop(&vu, &vst, &r->reason) == 0) {
			double usec = metric_value(fr.report, "pktgen_usec");
			double got = metric_value(fr.report, "rx_packets");

			metric_set(r->host_metrics, "vhu_rx_packets_total", vst.rx_packets, "packets",
				   "none");
			metric_set(r->host_metrics, "vhu_rx_packets", vst.rx_packets - warm_tx,
				   "packets", "higher");
			metric_set(r->host_metrics, "vhu_tx_packets", vst.tx_packets, "packets", "higher");
			metric_set(r->host_metrics, "vhu_tx_dropped", vst.tx_dropped, "packets", "lower");
			if (net_tx && usec > 0)
				metric_set(r->host_metrics, "vhu_rx_pps",
					   (vst.rx_packets - warm_tx) * 1e6 / usec, "packets/s", "higher");
			if (net_rx && vu_window > 0 && got >= 0) {
				metric_set(r->host_metrics, "send_s", vu_window, "s", "none");
				metric_set(r->host_metrics, "rx_pps", got / vu_window, "packets/s",
					   "higher");
			}
		} else {
			r->ok = false;
			err_prefix(&r->reason, 0, "vhost-user");
		}
	}
	if (j->icount_so && icount_collect(g, j, r)) {
		r->ok = false;
		if (!r->reason.msg[0])
			err_set(&r->reason, 0, "vqicount wrote no counts to %s",
				 j->icount_out);
	}
out:
	if (!r->wall_s)
		r->wall_s = now_s() - (t0 ? t0 : now_s());
	pktsend_kill(&rx.ps);
	guest_destroy(g);
	if (vhu)
		vhostuser_stop(&vu, NULL, NULL);
	else
		netlab_tap_remove(g->lab);
	copy_qemu_log(j);
	frame_free(&fr);
	free(xml);
}

void guest_result_free(struct guest_result *r)
{
	json_decref(r->report);
	json_decref(r->host_metrics);
	r->report = r->host_metrics = NULL;
}

/* ---- KVM probe -------------------------------------------------------- */

/* /dev/kvm may exist and still not run ordinary guests (a nested,
 * paravirtual KVM dies with "emulation failure"), so boot a real guest. */
bool guest_probe_kvm(struct guest_ctx *g, const struct cell *cell, const struct kernel *k, const char *run_dir,
		      char *why, size_t whylen)
{
	char dir[PATH_MAX], name[64];
	struct guest_result r;
	struct guest_job j = { .cell = cell, .kernel = k, .kvm = true, .duration = 1,
			       .timeout = 40, .dir = dir, .name = name, .workload = "none" };

	if (access("/dev/kvm", R_OK | W_OK)) {
		snprintf(why, whylen, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	snprintf(dir, sizeof(dir), "%s/kvm-probe", run_dir);
	snprintf(name, sizeof(name), "vqlab-%d-kvmprobe", getpid());
	mkdir_p(dir, 0755);
	guest_run(g, &j, &r);
	guest_result_free(&r);
	if (r.ok)
		return true;
	snprintf(why, whylen, "KVM guest did not boot: %s", r.reason.msg);
	return false;
}

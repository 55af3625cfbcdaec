// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
#include "results.h"
#include "textfile.h"

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

static void build_cmdline(struct guest_ctx *g, const struct guest_job *j, char *buf, size_t len)
{
	const char *mit = j->cell->val[AX_MITIGATION];
	const char *spectre = !strcmp(mit, "off") ? " spectre_v2=off" :
			      !strcmp(mit, "retpoline") ? " spectre_v2=retpoline" : "";

	snprintf(buf, len,
		 "console=ttyS0 nokaslr panic=-1 quiet%s vqlab.job=%s vqlab.duration=%g "
		 "vqlab.pkt_size=%s vqlab.dst_mac=%s vqlab.dst_ip=%s vqlab.src_ip=%s",
		 spectre, j->workload ? j->workload : j->cell->val[AX_WORKLOAD], j->duration,
		 j->cell->val[AX_PKT_SIZE], g->lab->tap_mac, NETLAB_TAP_ADDR, NETLAB_GUEST_ADDR);
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

void guest_run(struct guest_ctx *g, const struct guest_job *j, struct guest_result *r)
{
	char console[PATH_MAX + 16], report[PATH_MAX + 16], xmlpath[PATH_MAX + 16];
	char cmdline[1024], tail[400];
	struct domain_spec ds = { 0 };
	struct frame fr = { 0 };
	uint64_t p0 = 0, b0 = 0, p1, b1;
	double t0 = 0, deadline;
	char *xml = NULL;

	memset(r, 0, sizeof(*r));
	snprintf(console, sizeof(console), "%s/console.log", j->dir);
	snprintf(report, sizeof(report), "%s/report.log", j->dir);
	snprintf(xmlpath, sizeof(xmlpath), "%s/domain.xml", j->dir);
	unlink(console);
	unlink(report);

	if (netlab_tap_create(g->lab)) {
		snprintf(r->reason, sizeof(r->reason), "tap: %s", g->lab->err);
		goto out;
	}
	build_cmdline(g, j, cmdline, sizeof(cmdline));
	ds.name = j->name;
	ds.kvm = j->kvm;
	ds.vcpus = atoi(j->cell->val[AX_VCPUS]);
	ds.memory_mib = atoi(j->cell->val[AX_MEMORY]);
	ds.kernel = j->kernel->dir;	/* completed below */
	char kpath[PATH_MAX + 16];

	snprintf(kpath, sizeof(kpath), "%s/vmlinuz", j->kernel->dir);
	ds.kernel = kpath;
	ds.initrd = j->kernel->initrd;
	ds.cmdline = cmdline;
	ds.console_log = console;
	ds.report_log = report;
	ds.tap = g->lab->tap;
	ds.mac = "02:76:71:00:00:02";
	ds.packed = !strcmp(j->cell->val[AX_RING], "packed");
	ds.in_order = !strcmp(j->cell->val[AX_IN_ORDER], "on");
	ds.rx_queue_size = atoi(j->cell->val[AX_RX_QUEUE_SIZE]);
	ds.tx_queue_size = atoi(j->cell->val[AX_TX_QUEUE_SIZE]);
	xml = domain_xml(&ds);
	if (!xml) {
		snprintf(r->reason, sizeof(r->reason), "domain XML: %s", strerror(errno));
		goto out;
	}
	file_write_text(xmlpath, xml);

	t0 = now_s();
	/* AUTODESTROY: libvirt destroys the guest if vqlab dies without cleanup. */
	g->dom = virDomainCreateXML(g->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!g->dom) {
		snprintf(r->reason, sizeof(r->reason), "libvirt could not start the guest: %s",
			 virt_error());
		goto out;
	}
	if (netlab_tap_adopt(g->lab)) {
		snprintf(r->reason, sizeof(r->reason), "lab network: %s", g->lab->err);
		goto out;
	}
	netlab_sink_read(g->lab, &p0, &b0);
	deadline = t0 + j->timeout;

	for (;;) {
		size_t len;
		char *buf = file_read_all(report, &len);
		int active, state, why_state;

		frame_free(&fr);
		frame_parse(buf ? buf : "", len, &fr);
		free(buf);
		if (fr.state >= FRAME_READY && !r->boot_s)
			r->boot_s = now_s() - t0;
		if (fr.state == FRAME_COMPLETE || fr.state == FRAME_CORRUPT)
			break;
		if (*g->stop) {
			r->interrupted = true;
			snprintf(r->reason, sizeof(r->reason), "interrupted by signal %d",
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
			snprintf(r->reason, sizeof(r->reason), "guest %s (reason %d); QEMU: %s",
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
			snprintf(r->reason, sizeof(r->reason),
				 "guest stopped before its report was complete; console: %s", tail);
			goto out;
		}
		if (now_s() > deadline) {
			file_tail(console, 4, tail, sizeof(tail));
			snprintf(r->reason, sizeof(r->reason),
				 "timeout after %.0f s (%s); console: %s", j->timeout,
				 fr.state == FRAME_NOTHING ? "guest never reached /init" :
				 fr.state == FRAME_READY ? "no report" : "report incomplete", tail);
			goto out;
		}
		sleep_s(0.05);
	}
	r->wall_s = now_s() - t0;
	if (fr.state == FRAME_CORRUPT) {
		snprintf(r->reason, sizeof(r->reason), "guest report rejected: %s", fr.error);
		goto out;
	}
	/* Packets in flight through QEMU are delivered by the time the guest has
	 * stopped the job and written its report; read the sink after that. */
	if (!netlab_sink_read(g->lab, &p1, &b1)) {
		r->xdp_packets = p1 - p0;
		r->xdp_bytes = b1 - b0;
	}
	r->report = json_incref(fr.report);
	{
		const char *st = json_string_value(json_object_get(fr.report, "status"));
		const char *why = json_string_value(json_object_get(fr.report, "reason"));

		r->ok = st && !strcmp(st, "ok");
		if (!r->ok)
			snprintf(r->reason, sizeof(r->reason), "guest: %s", why ? why : "failed");
	}
out:
	if (!r->wall_s)
		r->wall_s = now_s() - (t0 ? t0 : now_s());
	guest_destroy(g);
	netlab_tap_remove(g->lab);
	copy_qemu_log(j);
	frame_free(&fr);
	free(xml);
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
	json_decref(r.report);
	if (r.ok)
		return true;
	snprintf(why, whylen, "KVM guest did not boot: %s", r.reason);
	return false;
}

// SPDX-License-Identifier: GPL-2.0
/* The prepare phase of a run (run.h): everything the first sample needs, in
 * the order that creates nothing before the inputs are known to be good:
 * checks, libvirt, kernels, the run folder, initramfs, the lab network and
 * disk, signals, the accelerator, icount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bootimage.h"
#include "dirs.h"
#include "jsonfile.h"
#include "results.h"
#include "run.h"

/* Say which cells are skipped and why; refuse a run with nothing to run. */
static int prepare_check(struct run *r, struct errbuf *e)
{
	const struct plan *pl = &r->plan;
	char desc[512];

	for (int i = 0; i < pl->ncells; i++) {
		cell_describe(&pl->cells[i], desc, sizeof(desc));
		if (pl->cells[i].skip_reason[0])
			p_info("skip %s (%s): %s", pl->cells[i].id, desc, pl->cells[i].skip_reason);
	}
	if (!pl->nrun)
		return err_set(e, -EINVAL, "%s: every cell of the matrix is skipped", pl->sc.path);
	if (geteuid())
		return err_set(e, -EPERM,
			       "vqlab run needs root (tap devices, network namespaces, XDP)");
	return 0;
}

static int prepare_libvirt(struct run *r, struct errbuf *e)
{
	/* tests point it at a dead socket */
	const char *uri = getenv("VQLAB_LIBVIRT_URI") ?: "qemu:///system";

	r->gctx.conn = virConnectOpen(uri);
	if (!r->gctx.conn)
		return err_set(e, -ECONNREFUSED,
			       "cannot connect to libvirtd at %s: %s "
			       "(is libvirtd running? scripts/setup.sh starts it)",
			       uri, virt_error());
	return 0;
}

/* Kernels first: a missing one is an error before anything is created. A
 * resumed run must boot the kernel releases it started with. */
static int prepare_kernels(struct run *r, struct errbuf *e)
{
	const struct scenario *sc = &r->plan.sc;
	json_t *was_all = json_object_get(r->manifest, RUN_KERNELS);

	r->kernels_json = json_object();
	for (int i = 0; i < sc->nvals[AX_KERNEL]; i++) {
		const char *spec = sc->vals[AX_KERNEL][i];
		json_t *was = json_object_get(was_all, spec);
		const char *rel_was = json_string_value(json_object_get(was, "kernel_release"));
		const char *rel;
		int ret;

		p_info("kernel %s: resolving", spec);
		ret = kernel_resolve(r->paths, spec, &r->kernels[i], e);
		if (ret)
			return ret;
		rel = json_string_value(json_object_get(r->kernels[i].info, "kernel_release"));
		if (rel_was && rel && strcmp(rel, rel_was))
			return err_set(e, -ESTALE,
				       "kernel %s is now %s, but %s ran on %s: samples "
				       "of two kernels would be mixed",
				       spec, rel, r->id, rel_was);
		json_object_set(r->kernels_json, r->kernels[i].spec, r->kernels[i].info);
	}
	return 0;
}

/* A new run's folder, <out>/<stamp>-<scenario>; every run's folder as an
 * absolute path: libvirtd opens the serial logs itself, relative to its own
 * working folder. */
static int prepare_folder(struct run *r, struct errbuf *e)
{
	char stamp[32], abs[PATH_MAX];

	if (!r->opts->resume) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(r->id, sizeof(r->id), "%s-%s", stamp, r->plan.sc.name);
		snprintf(r->dir, sizeof(r->dir), "%s/%s", r->opts->out_dir, r->id);
		if (mkdir_p(r->dir, 0755))
			return err_set(e, -errno, "cannot create %s: %s", r->dir, strerror(errno));
		r->dir_made = true;
	}
	if (!realpath(r->dir, abs))
		return err_set(e, -errno, "%s: %s", r->dir, strerror(errno));
	snprintf(r->dir, sizeof(r->dir), "%s", abs);
	snprintf(r->manifest_path, sizeof(r->manifest_path), "%s/" RESULTS_RUN_FILE, r->dir);
	snprintf(r->samples_path, sizeof(r->samples_path), "%s/" RESULTS_SAMPLES_FILE, r->dir);
	return 0;
}

static int prepare_initramfs(struct run *r, struct errbuf *e)
{
	for (int i = 0; i < r->plan.sc.nvals[AX_KERNEL]; i++) {
		/* the boot image first: mkinitramfs.sh takes the kernel's BTF from it */
		int ret = bootimage_prepare(r->paths, &r->kernels[i], r->id, i, e) ?:
				  kernel_initramfs(r->paths, &r->kernels[i], r->id, i, e);

		if (ret)
			return ret;
	}
	return 0;
}

/* A raw image on tmpfs for the blk-* workloads (sparse: costs memory only
 * where written). */
static int prepare_disk(struct run *r, struct errbuf *e)
{
	bool need = false;
	char path[64];
	int fd;

	for (int i = 0; i < r->plan.ncells; i++)
		if (!r->plan.cells[i].skip_reason[0] &&
		    !strncmp(r->plan.cells[i].val[AX_WORKLOAD], "blk-", 4))
			need = true;
	if (!need)
		return 0;
	snprintf(path, sizeof(path), "/dev/shm/vqlab-%d.img", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, -errno, "cannot create the block image %s: %s", path,
			       strerror(errno));
	snprintf(r->disk, sizeof(r->disk), "%s", path); /* unlinked by run_free */
	if (ftruncate(fd, 1ll << 30)) {
		err_set(e, -errno, "cannot create the block image %s: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* What dead runs left behind, this run's namespace, and its disk image. */
static int prepare_network(struct run *r, struct errbuf *e)
{
	int ret;

	netlab_reap_stale();
	icount_reap_stale(r->paths->cache);
	ret = netlab_open(&r->lab);
	if (ret)
		return err_set(e, ret, "lab network: %s", r->lab.error.msg);
	return prepare_disk(r, e);
}

/* ---- the KVM probe's result, cached per host boot ----------------------- */

static void boot_id_read(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (f && fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* What the probe's answer depends on: this host boot, the QEMU (libvirt's
 * hypervisor version) and the guest kernel it booted. */
static json_t *probe_key(struct run *r)
{
	unsigned long qemu = 0;
	char boot_id[64] = "";
	const char *rel = json_string_value(json_object_get(r->kernels[0].info, "kernel_release"));

	boot_id_read(boot_id, sizeof(boot_id));
	virConnectGetVersion(r->gctx.conn, &qemu);
	if (!boot_id[0] || !qemu)
		return NULL;
	return json_pack("{s:s, s:I, s:s}", "boot_id", boot_id, "qemu", (json_int_t)qemu, "kernel",
			 rel ?: r->kernels[0].spec);
}

/* A result probed since this host booted with the same QEMU and kernel:
 * 1 (r->kvm and r->accel_reason set, the reason says it came from the
 * cache and when it was measured), else 0. */
static int probe_cached(struct run *r, const char *path, const json_t *key)
{
	json_t *c = json_load_file(path, 0, NULL);
	const char *why = json_string_value(json_object_get(c, "reason"));
	const char *when = json_string_value(json_object_get(c, "measured"));
	int hit = c && json_equal(json_object_get(c, "key"), (json_t *)key) && why && when;

	if (hit) {
		r->kvm = json_is_true(json_object_get(c, "kvm"));
		snprintf(r->accel_reason, sizeof(r->accel_reason),
			 "%s (cached: probed at %s in this host boot, %s)", why, when, path);
	}
	json_decref(c);
	return hit;
}

static void probe_store(struct run *r, const char *path, json_t *key)
{
	char when[32];
	json_t *c;

	iso_time_now(when);
	c = json_pack("{s:O, s:b, s:s, s:s}", "key", key, "kvm", r->kvm, "reason",
		      r->kvm ? "KVM guest booted" : r->accel_reason, "measured", when);
	if (c && json_write_atomic(path, c))
		p_warn("cannot cache the KVM probe in %s: %s", path, strerror(errno));
	json_decref(c);
}

/* Probe KVM with a real guest, or take this host boot's cached answer. */
static void probe_kvm(struct run *r)
{
	json_t *key = probe_key(r);
	char path[PATH_MAX + 32] = "";
	struct errbuf why;

	if (key) {
		snprintf(path, sizeof(path), "%s/kvm-probe", r->paths->cache);
		mkdir_p(path, 0755);
		snprintf(path, sizeof(path), "%s/kvm-probe/%s.json", r->paths->cache,
			 json_string_value(json_object_get(key, "boot_id")));
		if (probe_cached(r, path, key)) {
			p_info("accelerator: %s", r->accel_reason);
			json_decref(key);
			return;
		}
	}
	p_info("accelerator: probing KVM with a real guest");
	r->kvm = !guest_probe_kvm(&r->gctx, &r->plan.cells[0], &r->kernels[0], r->dir, &why);
	if (!r->kvm) {
		snprintf(r->accel_reason, sizeof(r->accel_reason), "%s", why.msg);
		p_info("accelerator: TCG (%s)", r->accel_reason);
	}
	if (key)
		probe_store(r, path, key);
	json_decref(key);
}

/* A resumed run keeps its accelerator; a new one probes KVM with a real guest
 * when a cell allows it (once per host boot). Cells that need KVM are skipped
 * without it. */
static void prepare_accel(struct run *r)
{
	struct plan *pl = &r->plan;
	bool any_auto = false;

	if (r->opts->resume) {
		const char *was = json_string_value(json_object_get(r->manifest, RUN_ACCEL));

		r->kvm = was && !strcmp(was, "kvm");
	} else {
		for (int i = 0; i < pl->ncells; i++)
			if (strcmp(pl->cells[i].val[AX_ACCEL], "tcg"))
				any_auto = true;
		if (any_auto) {
			probe_kvm(r);
		} else {
			snprintf(r->accel_reason, sizeof(r->accel_reason),
				 "the scenario asks for TCG");
		}
	}
	for (int i = 0; i < pl->ncells && !r->kvm; i++) {
		struct cell *c = &pl->cells[i];

		if (strcmp(c->val[AX_ACCEL], "kvm") || c->skip_reason[0])
			continue;
		plan_skip(pl, c, "accel=kvm but KVM does not run guests here");
		p_info("skip %s: %s", c->id, c->skip_reason);
	}
	for (int i = 0; i < pl->ncells && r->kvm; i++) {
		struct cell *c = &pl->cells[i];

		if (strcmp(c->val[AX_CLOCK], "icount") || c->skip_reason[0])
			continue;
		plan_skip(pl, c,
			  "clock=icount needs TCG (QEMU allows no -icount with KVM): "
			  "set accel = tcg");
		p_info("skip %s: %s", c->id, c->skip_reason);
	}
}

int run_prepare(struct run *r, struct errbuf *e)
{
	/* in this order: each step may use what the ones before it set up */
	static int (*const steps[])(struct run *, struct errbuf *) = {
		prepare_check,	prepare_libvirt,   prepare_kernels, qemu_axis_prepare,
		prepare_folder, prepare_initramfs, prepare_network,
	};
	int ret;

	/* A shard that owns no sample boots nothing: no kernel, QEMU, network
	 * or accelerator probe; its folder is all the merge needs. */
	if (!plan_samples(&r->plan))
		return prepare_check(r, e) ?: prepare_libvirt(r, e) ?: prepare_folder(r, e);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ret = steps[i](r, e);
		if (ret)
			return ret;
	}
	run_catch_signals();
	prepare_accel(r);
	return r->plan.sc.icount ? icount_prepare(r, e) : 0;
}

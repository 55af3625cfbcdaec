// SPDX-License-Identifier: GPL-2.0
/*
 * vqlab: the scenario runner. Expands a scenario into a matrix of cells, boots
 * one real guest per cell and repetition through libvirt (KVM where it works,
 * else TCG), runs the workload with vqtrace inside the guest and an XDP sink on
 * the host, and stores every sample with its provenance in results/<run>/.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include "domain.h"
#include "frame.h"
#include "jsonfile.h"
#include "netlab.h"
#include "parse.h"
#include "proc.h"
#include "results.h"
#include "scenario.h"

static bool json_out;
static int verbose;
static volatile sig_atomic_t stop_signal;

static char top_dir[PATH_MAX];	/* the source tree: scripts/, guest/ */
static char bin_dir[PATH_MAX];	/* where vqlab and vqtrace were built */
static char cache_dir[PATH_MAX];

static void error_msg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (json_out) {
		json_t *o = json_pack("{s:s}", "error", buf);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		fprintf(stderr, "Error: %s\n", buf);
	}
}

/* Progress and notes go to stderr, so stdout stays clean for -j. */
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static int locate_self(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(bin_dir, sizeof(bin_dir), "%s", dirname(exe));
	env = getenv("VQLAB_TOP");
	if (env) {
		snprintf(top_dir, sizeof(top_dir), "%s", env);
	} else {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s", bin_dir);
		snprintf(top_dir, sizeof(top_dir), "%s", dirname(tmp));
	}
	snprintf(probe, sizeof(probe), "%s/scripts/mkinitramfs.sh", top_dir);
	if (access(probe, R_OK)) {
		error_msg("cannot find vqlab's source tree (looked for %s); set VQLAB_TOP", probe);
		return -ENOENT;
	}
	env = getenv("VQLAB_CACHE");
	snprintf(cache_dir, sizeof(cache_dir), "%s", env ? env : "/var/cache/vqlab");
	return 0;
}

/* ---- kernels ---------------------------------------------------------- */

struct kernel {
	char spec[128];
	char dir[PATH_MAX];	/* vmlinuz, lib/modules/…, kernel.json */
	char initrd[PATH_MAX];
	json_t *info;		/* kernel.json, or what we know */
};

static int kernel_resolve(const char *spec, struct kernel *k, char *err, size_t errlen)
{
	char out[4096], path[PATH_MAX + 32];
	struct stat st;

	snprintf(k->spec, sizeof(k->spec), "%s", spec);
	if (!strncmp(spec, "debian:", 7)) {
		char script[PATH_MAX + 32], kc[PATH_MAX + 16];
		const char *argv[] = { script, spec + 7, kc, NULL };
		int rc;

		snprintf(script, sizeof(script), "%s/scripts/fetch-kernel.sh", top_dir);
		snprintf(kc, sizeof(kc), "%s/kernels", cache_dir);
		rc = proc_run(argv, out, sizeof(out));
		if (rc) {
			char *last = strrchr(out, '\n');

			snprintf(err, errlen, "kernel %s: %s", spec, last ? last + 1 : out);
			return -ENOENT;
		}
		/* the script's last line is the kernel folder */
		char *last = strrchr(out, '\n');

		snprintf(k->dir, sizeof(k->dir), "%s", last ? last + 1 : out);
	} else if (!strncmp(spec, "build:", 6)) {
		snprintf(k->dir, sizeof(k->dir), "%s/kernels/build/%s", cache_dir, spec + 6);
	} else if (!strncmp(spec, "file:", 5)) {
		snprintf(k->dir, sizeof(k->dir), "%s", spec + 5);
	} else {
		snprintf(err, errlen, "kernel %s: unknown kind of spec", spec);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/vmlinuz", k->dir);
	if (stat(path, &st)) {
		snprintf(err, errlen, "kernel %s: no kernel image at %s%s", spec, path,
			 !strncmp(spec, "build:", 6) ? " (build it with scripts/kernel-build.sh)" : "");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/kernel.json", k->dir);
	k->info = json_load_file(path, 0, NULL);
	if (!k->info)
		k->info = json_object();
	json_object_set_new(k->info, "spec", json_string(spec));
	json_object_set_new(k->info, "dir", json_string(k->dir));
	return 0;
}

/* The initramfs goes to the cache, not the run folder: QEMU runs as an
 * unprivileged user that may not reach a private results folder. run.json
 * keeps its size and SHA-256 instead. */
static int kernel_initramfs(struct kernel *k, const char *run_id, int idx, char *err,
			    size_t errlen)
{
	char script[PATH_MAX + 32], out[2048], odir[PATH_MAX + 8], dir[PATH_MAX + 16];
	const char *argv[] = { script, k->dir, k->initrd, NULL };
	const char *sum[] = { "sha256sum", k->initrd, NULL };
	struct stat st;
	int rc;

	snprintf(script, sizeof(script), "%s/scripts/mkinitramfs.sh", top_dir);
	snprintf(dir, sizeof(dir), "%s/initramfs", cache_dir);
	mkdir_p(dir, 0755);
	snprintf(k->initrd, sizeof(k->initrd), "%s/%s-k%d.cpio.gz", dir, run_id, idx);
	snprintf(odir, sizeof(odir), "O=%s", bin_dir);
	putenv(odir);
	rc = proc_run(argv, out, sizeof(out));
	if (rc || stat(k->initrd, &st)) {
		snprintf(err, errlen, "initramfs for %s: %s", k->spec, out);
		return -EIO;
	}
	json_object_set_new(k->info, "initramfs_bytes", json_integer(st.st_size));
	if (proc_run(sum, out, sizeof(out)) == 0) {
		out[strcspn(out, " ")] = '\0';
		json_object_set_new(k->info, "initramfs_sha256", json_string(out));
	}
	return 0;
}

/* ---- one guest -------------------------------------------------------- */

struct guest_job {
	const struct cell *cell;
	const struct kernel *kernel;
	bool kvm;
	double duration, timeout;
	const char *dir;	/* where console.log, report.log, domain.xml go */
	const char *name;	/* libvirt domain name */
	const char *workload;	/* overrides the cell's (the KVM probe) */
};

struct guest_result {
	bool ok;
	bool interrupted;
	char reason[512];
	double boot_s, wall_s;
	json_t *report;		/* guest report, when complete */
	uint64_t xdp_packets, xdp_bytes;
};

static virConnectPtr conn;
static virDomainPtr live_dom;	/* the one guest that runs, for cleanup */
static struct netlab lab;

static const char *virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

static void guest_destroy(void)
{
	if (live_dom) {
		if (virDomainIsActive(live_dom) == 1)
			virDomainDestroy(live_dom);
		virDomainFree(live_dom);
		live_dom = NULL;
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		size_t n = fread(buf + *len, 1, cap - *len - 1, f);

		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/* The last @lines lines of a file, newlines folded into " | ". */
static void file_tail(const char *path, int lines, char *out, size_t outlen)
{
	size_t len;
	char *buf = read_file(path, &len), *p;
	int seen = 0;

	out[0] = '\0';
	if (!buf)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	for (p = buf + len; p > buf; p--)
		if (p[-1] == '\n' && ++seen == lines)
			break;
	snprintf(out, outlen, "%s", p);
	for (char *c = out; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = '|';
	free(buf);
}

static void build_cmdline(const struct guest_job *j, char *buf, size_t len)
{
	const char *mit = j->cell->val[AX_MITIGATION];
	const char *spectre = !strcmp(mit, "off") ? " spectre_v2=off" :
			      !strcmp(mit, "retpoline") ? " spectre_v2=retpoline" : "";

	snprintf(buf, len,
		 "console=ttyS0 nokaslr panic=-1 quiet%s vqlab.job=%s vqlab.duration=%g "
		 "vqlab.pkt_size=%s vqlab.dst_mac=%s vqlab.dst_ip=%s vqlab.src_ip=%s",
		 spectre, j->workload ? j->workload : j->cell->val[AX_WORKLOAD], j->duration,
		 j->cell->val[AX_PKT_SIZE], lab.tap_mac, NETLAB_TAP_ADDR, NETLAB_GUEST_ADDR);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static void copy_qemu_log(const struct guest_job *j)
{
	char src[PATH_MAX], dst[PATH_MAX + 16];
	size_t len;
	char *buf;

	snprintf(src, sizeof(src), "/var/log/libvirt/qemu/%s.log", j->name);
	snprintf(dst, sizeof(dst), "%s/qemu.log", j->dir);
	buf = read_file(src, &len);
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

static void guest_run(const struct guest_job *j, struct guest_result *r)
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

	if (netlab_tap_create(&lab)) {
		snprintf(r->reason, sizeof(r->reason), "tap: %s", lab.err);
		goto out;
	}
	build_cmdline(j, cmdline, sizeof(cmdline));
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
	ds.tap = lab.tap;
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
	write_text(xmlpath, xml);

	t0 = now_s();
	/* AUTODESTROY: libvirt destroys the guest if vqlab dies without cleanup. */
	live_dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!live_dom) {
		snprintf(r->reason, sizeof(r->reason), "libvirt could not start the guest: %s",
			 virt_error());
		goto out;
	}
	if (netlab_tap_adopt(&lab)) {
		snprintf(r->reason, sizeof(r->reason), "lab network: %s", lab.err);
		goto out;
	}
	netlab_sink_read(&lab, &p0, &b0);
	deadline = t0 + j->timeout;

	for (;;) {
		size_t len;
		char *buf = read_file(report, &len);
		int active, state, why_state;

		frame_free(&fr);
		frame_parse(buf ? buf : "", len, &fr);
		free(buf);
		if (fr.state >= FRAME_READY && !r->boot_s)
			r->boot_s = now_s() - t0;
		if (fr.state == FRAME_COMPLETE || fr.state == FRAME_CORRUPT)
			break;
		if (stop_signal) {
			r->interrupted = true;
			snprintf(r->reason, sizeof(r->reason), "interrupted by signal %d",
				 (int)stop_signal);
			goto out;
		}
		if (virDomainGetState(live_dom, &state, &why_state, 0) < 0)
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
			buf = read_file(report, &len);
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
	if (!netlab_sink_read(&lab, &p1, &b1)) {
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
	guest_destroy();
	netlab_tap_remove(&lab);
	copy_qemu_log(j);
	frame_free(&fr);
	free(xml);
}

/* ---- KVM probe -------------------------------------------------------- */

/* /dev/kvm may exist and still not run ordinary guests (a nested,
 * paravirtual KVM dies with "emulation failure"), so boot a real guest. */
static bool probe_kvm(const struct cell *cell, const struct kernel *k, const char *run_dir,
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
	guest_run(&j, &r);
	json_decref(r.report);
	if (r.ok)
		return true;
	snprintf(why, whylen, "KVM guest did not boot: %s", r.reason);
	return false;
}

/* ---- run -------------------------------------------------------------- */

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void xorshift_shuffle(int *a, int n, uint64_t *state)
{
	for (int i = n - 1; i > 0; i--) {
		uint64_t x = *state;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*state = x;
		int k = x % (uint64_t)(i + 1), t = a[i];

		a[i] = a[k];
		a[k] = t;
	}
}

static json_t *axes_json(const struct cell *c, const char *accel)
{
	json_t *o = json_object();

	for (int i = 0; i < NR_AXES; i++) {
		uint64_t u;

		if (i == AX_ACCEL)
			continue;
		if (axis_defs[i].max && !parse_u64(c->val[i], 0, UINT64_MAX, &u))
			json_object_set_new(o, axis_defs[i].name, json_integer(u));
		else
			json_object_set_new(o, axis_defs[i].name, json_string(c->val[i]));
	}
	json_object_set_new(o, "accel", json_string(accel));
	return o;
}

static json_t *host_json(void)
{
	struct utsname u;
	char host[256] = "";
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	uname(&u);
	gethostname(host, sizeof(host) - 1);
	return json_pack("{s:s, s:s, s:i, s:I}", "hostname", host, "kernel", u.release,
			 "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN), "memory_mib",
			 (json_int_t)((long long)pages * psz >> 20));
}

static json_t *versions_json(void)
{
	unsigned long hv = 0, lib = 0;
	char buf[64], path[PATH_MAX + 32], out[256] = "";
	json_t *v = json_object(), *pkgs = json_object();
	const char *git[] = { "git", "-C", top_dir, "describe", "--always", "--dirty", NULL };
	FILE *f;

	virConnectGetVersion(conn, &hv);
	virConnectGetLibVersion(conn, &lib);
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", hv / 1000000, hv / 1000 % 1000, hv % 1000);
	json_object_set_new(v, "qemu", json_string(buf));
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000, lib % 1000);
	json_object_set_new(v, "libvirt", json_string(buf));
	if (proc_run(git, out, sizeof(out)) == 0)
		json_object_set_new(v, "vqlab", json_string(out));
	snprintf(path, sizeof(path), "%s/host-packages.tsv", bin_dir);
	f = fopen(path, "re");
	while (f && fgets(out, sizeof(out), f)) {
		char *tab = strchr(out, '\t');

		if (!tab)
			continue;
		*tab++ = '\0';
		tab[strcspn(tab, "\n")] = '\0';
		json_object_set_new(pkgs, out, json_string(tab));
	}
	if (f)
		fclose(f);
	json_object_set_new(v, "packages", pkgs);
	return v;
}

static json_t *sample_json(const char *run_id, const struct cell *c, int rep,
			   const char *accel, const char *started,
			   const struct guest_result *r)
{
	json_t *s = json_object(), *m = json_object(), *gm;
	const char *key;
	json_t *val;

	json_object_set_new(s, "schema", json_integer(RESULTS_SCHEMA));
	json_object_set_new(s, "run", json_string(run_id));
	json_object_set_new(s, "cell", json_string(c->id));
	json_object_set_new(s, "rep", json_integer(rep));
	json_object_set_new(s, "axes", axes_json(c, accel));
	json_object_set_new(s, "status", json_string(r->ok ? "ok" : "failed"));
	json_object_set_new(s, "reason", r->ok ? json_null() : json_string(r->reason));
	json_object_set_new(s, "started", json_string(started));
	json_object_set_new(s, "wall_s", json_real(r->wall_s));
	if (r->boot_s)
		metric_set(m, "boot_s", r->boot_s, "s", "lower");
	gm = json_object_get(r->report, "metrics");
	json_object_foreach(gm, key, val)
		json_object_set(m, key, val);
	if (r->report) {
		json_t *us = json_object_get(gm, "pktgen_usec");
		double usec = json_number_value(json_object_get(us, "value"));

		metric_set(m, "xdp_packets", r->xdp_packets, "packets", "higher");
		if (usec > 0)
			metric_set(m, "xdp_pps", r->xdp_packets * 1e6 / usec, "packets/s", "higher");
		json_object_set_new(s, "guest", guest_info(r->report));
		json_object_set(s, "trace", json_object_get(r->report, "trace"));
	}
	json_object_set_new(s, "metrics", m);
	return s;
}

struct run_opts {
	const char *scenario;
	const char *out_dir;
	unsigned int repeat;	/* 0: the scenario's */
	double duration;	/* 0: the scenario's */
};

static int do_run_scenario(const struct run_opts *o)
{
	char err[1024], run_id[128], run_dir[PATH_MAX], path[PATH_MAX + 64], started[32];
	char samples_path[PATH_MAX + 32], desc[512], accel_why[600] = "";
	struct kernel kernels[AXIS_MAX_VALUES] = { 0 };
	struct cell *cells = NULL;
	struct scenario sc;
	json_t *run = NULL, *matrix, *skipped, *kjson, *samples = json_array();
	int ncells, nrun = 0, *order = NULL, ret = 1, done = 0, failed = 0;
	bool kvm = false, any_auto = false, interrupted = false;
	bool run_dir_made = false, run_started = false;
	const char *accel, *uri;
	uint64_t rng;
	time_t t;
	struct tm tm;

	snprintf(path, sizeof(path), "%s/guest/jobs", top_dir);
	if (scenario_load(o->scenario, path, &sc, err, sizeof(err))) {
		error_msg("%s", err);
		json_decref(samples);
		return 2;
	}
	if (o->repeat)
		sc.repeat = o->repeat;
	if (o->duration)
		sc.duration = o->duration;
	if (!sc.timeout_set)
		sc.timeout = sc.duration + 180;	/* boot under TCG + slack */
	ncells = scenario_expand(&sc, &cells);
	if (ncells < 0) {
		error_msg("expanding the matrix: %s", strerror(-ncells));
		goto cleanup;
	}
	for (int i = 0; i < ncells; i++) {
		cell_describe(&cells[i], desc, sizeof(desc));
		if (cells[i].skip_reason[0])
			note("skip %s (%s): %s", cells[i].id, desc, cells[i].skip_reason);
		else
			nrun++;
	}
	if (!nrun) {
		error_msg("%s: every cell of the matrix is skipped", sc.path);
		goto cleanup;
	}
	if (geteuid()) {
		error_msg("vqlab run needs root (tap devices, network namespaces, XDP)");
		goto cleanup;
	}

	uri = getenv("VQLAB_LIBVIRT_URI");	/* tests point it at a dead socket */
	if (!uri)
		uri = "qemu:///system";
	conn = virConnectOpen(uri);
	if (!conn) {
		error_msg("cannot connect to libvirtd at %s: %s "
			  "(is libvirtd running? scripts/setup.sh starts it)", uri, virt_error());
		goto cleanup;
	}

	/* Kernels first: a missing one is an error before anything is created. */
	kjson = json_object();
	for (int i = 0; i < sc.nvals[AX_KERNEL]; i++) {
		note("kernel %s: resolving", sc.vals[AX_KERNEL][i]);
		if (kernel_resolve(sc.vals[AX_KERNEL][i], &kernels[i], err, sizeof(err))) {
			error_msg("%s", err);
			json_decref(kjson);
			goto cleanup;
		}
		json_object_set(kjson, kernels[i].spec, kernels[i].info);
	}

	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(started, sizeof(started), "%Y%m%d-%H%M%S", &tm);
	snprintf(run_id, sizeof(run_id), "%s-%s", started, sc.name);
	snprintf(run_dir, sizeof(run_dir), "%s/%s", o->out_dir, run_id);
	if (mkdir_p(run_dir, 0755)) {
		error_msg("cannot create %s: %s", run_dir, strerror(errno));
		json_decref(kjson);
		goto cleanup;
	}
	run_dir_made = true;
	for (int i = 0; i < sc.nvals[AX_KERNEL]; i++) {
		if (kernel_initramfs(&kernels[i], run_id, i, err, sizeof(err))) {
			error_msg("%s", err);
			json_decref(kjson);
			goto cleanup;
		}
	}

	netlab_reap_stale();
	if (netlab_open(&lab)) {
		error_msg("lab network: %s", lab.err);
		json_decref(kjson);
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	for (int i = 0; i < ncells; i++)
		if (strcmp(cells[i].val[AX_ACCEL], "tcg"))
			any_auto = true;
	if (any_auto) {
		note("accelerator: probing KVM with a real guest");
		kvm = probe_kvm(&cells[0], &kernels[0], run_dir, accel_why, sizeof(accel_why));
		if (!kvm)
			note("accelerator: TCG (%s)", accel_why);
	} else {
		snprintf(accel_why, sizeof(accel_why), "the scenario asks for TCG");
	}
	accel = kvm ? "kvm" : "tcg";
	for (int i = 0; i < ncells; i++)
		if (!strcmp(cells[i].val[AX_ACCEL], "kvm") && !kvm && !cells[i].skip_reason[0]) {
			snprintf(cells[i].skip_reason, sizeof(cells[i].skip_reason),
				 "accel=kvm but KVM does not run guests here");
			note("skip %s: %s", cells[i].id, cells[i].skip_reason);
			nrun--;
		}

	run = json_object();
	iso_time_now(started);
	json_object_set_new(run, "schema", json_integer(RESULTS_SCHEMA));
	json_object_set_new(run, "id", json_string(run_id));
	json_object_set_new(run, "scenario",
			    json_pack("{s:s, s:s, s:s?, s:s, s:i, s:f, s:f, s:I}", "file", sc.path,
				      "name", sc.name, "description", sc.description, "text",
				      sc.text ? sc.text : "", "repeat", sc.repeat, "duration_s",
				      sc.duration, "timeout_s", sc.timeout, "seed",
				      (json_int_t)sc.seed));
	json_object_set_new(run, "host", host_json());
	json_object_set_new(run, "versions", versions_json());
	json_object_set_new(run, "accel", json_string(accel));
	json_object_set_new(run, "accel_reason", json_string(kvm ? "KVM guest booted" : accel_why));
	json_object_set_new(run, "kernels", kjson);
	json_object_set_new(run, "started", json_string(started));
	json_object_set_new(run, "status", json_string("running"));
	matrix = json_array();
	skipped = json_array();
	for (int i = 0; i < ncells; i++) {
		json_t *axes = axes_json(&cells[i], accel);

		if (cells[i].skip_reason[0])
			json_array_append_new(skipped, json_pack("{s:s, s:o, s:s}", "cell", cells[i].id,
								 "axes", axes, "reason",
								 cells[i].skip_reason));
		else
			json_array_append_new(matrix, json_pack("{s:s, s:o}", "cell", cells[i].id,
								"axes", axes));
	}
	json_object_set_new(run, "matrix", matrix);
	json_object_set_new(run, "skipped", skipped);
	snprintf(path, sizeof(path), "%s/run.json", run_dir);
	if (json_write_atomic(path, run)) {
		error_msg("cannot write %s: %s", path, strerror(errno));
		goto cleanup;
	}
	run_started = true;
	snprintf(samples_path, sizeof(samples_path), "%s/samples.jsonl", run_dir);
	note("run %s: %d cells x %u repetitions, %s, results in %s", run_id, nrun, sc.repeat,
	     accel, run_dir);

	/* Randomized blocks: each repetition runs every cell once, in an order
	 * shuffled with the scenario's seed, so drift is not mistaken for an effect. */
	order = calloc(ncells, sizeof(*order));
	rng = sc.seed * 0x9E3779B97F4A7C15ull + 1;
	for (unsigned int rep = 0; rep < sc.repeat && !stop_signal; rep++) {
		for (int i = 0; i < ncells; i++)
			order[i] = i;
		xorshift_shuffle(order, ncells, &rng);
		for (int k = 0; k < ncells && !stop_signal; k++) {
			struct cell *c = &cells[order[k]];
			struct kernel *kern = NULL;
			char dir[PATH_MAX + 64], name[128], when[32];
			struct guest_result r;
			struct guest_job j;
			json_t *s;

			if (c->skip_reason[0])
				continue;
			for (int i = 0; i < sc.nvals[AX_KERNEL]; i++)
				if (!strcmp(kernels[i].spec, c->val[AX_KERNEL]))
					kern = &kernels[i];
			snprintf(dir, sizeof(dir), "%s/cells/%s/%u", run_dir, c->id, rep);
			snprintf(name, sizeof(name), "vqlab-%d-%s-r%u", getpid(), c->id, rep);
			mkdir_p(dir, 0755);
			j = (struct guest_job){ .cell = c, .kernel = kern, .kvm = kvm,
						.duration = sc.duration, .timeout = sc.timeout,
						.dir = dir, .name = name };
			cell_describe(c, desc, sizeof(desc));
			note("[%d/%d] %s rep %u: %s", done + failed + 1, nrun * (int)sc.repeat, c->id,
			     rep, desc);
			iso_time_now(when);
			guest_run(&j, &r);
			if (r.interrupted) {
				json_decref(r.report);
				break;
			}
			s = sample_json(run_id, c, rep, accel, when, &r);
			if (json_append_line(samples_path, s))
				note("warning: cannot append to %s: %s", samples_path, strerror(errno));
			json_array_append_new(samples, s);
			if (r.ok) {
				json_t *pps = json_object_get(json_object_get(json_object_get(s, "metrics"),
									     "tx_pps"), "value");
				done++;
				note("    ok in %.1f s (boot %.1f s)%s%.0f%s", r.wall_s, r.boot_s,
				     pps ? ", TX " : "", pps ? json_number_value(pps) : 0,
				     pps ? " pps" : "");
			} else {
				failed++;
				note("    FAILED: %s", r.reason);
			}
			json_decref(r.report);
		}
	}
	interrupted = stop_signal != 0;
	ret = interrupted ? 130 : failed && !done ? 1 : 0;

	iso_time_now(started);
	json_object_set_new(run, "ended", json_string(started));
	json_object_set_new(run, "status", json_string(interrupted ? "interrupted" : "complete"));
	json_write_atomic(path, run);
	results_write_markdown(run_dir, run, samples);
	if (json_out) {
		json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:b, s:s}", "run", run_id, "dir", run_dir,
				      "ok", done, "failed", failed, "interrupted", interrupted,
				      "report", "report.md");

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%s: %d samples ok, %d failed%s\nreport: %s/report.md\n", run_id, done,
		       failed, interrupted ? ", interrupted" : "", run_dir);
	}
cleanup:
	guest_destroy();
	netlab_close(&lab);
	if (run_dir_made && !run_started) {
		/* set-up failed before the first sample: nothing worth keeping */
		const char *rm[] = { "rm", "-rf", "--", run_dir, NULL };

		proc_run(rm, NULL, 0);
	}
	if (conn) {
		virConnectClose(conn);
		conn = NULL;
	}
	for (int i = 0; i < AXIS_MAX_VALUES; i++) {
		if (kernels[i].initrd[0])
			unlink(kernels[i].initrd);
		json_decref(kernels[i].info);
	}
	json_decref(run);
	json_decref(samples);
	free(order);
	free(cells);
	scenario_free(&sc);
	return ret;
}

/* ---- commands --------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqlab [-j] [-v] COMMAND ...\n"
		"       vqlab run SCENARIO [-o DIR] [--repeat N] [--duration S]\n"
		"       vqlab kernel fetch debian:SUITE\n"
		"       vqlab help\n"
		"\n"
		"Runs virtio ring benchmarks in real guests (libvirt/QEMU) and stores every\n"
		"sample with its provenance in DIR/<run-id>/ (default DIR: ./results).\n"
		"\n"
		"Options:\n"
		"  -j, --json        machine-readable output on stdout\n"
		"  -v, --verbose     more detail\n"
		"  -o, --output DIR  where runs are stored (default ./results)\n"
		"  --repeat N        repetitions per cell, overriding the scenario\n"
		"  --duration S      workload seconds, overriding the scenario\n"
		"\n"
		"EXAMPLES:\n"
		"  vqlab run scenarios/smoke.ini              # the default scenario\n"
		"  vqlab run scenarios/smoke.ini --repeat 3   # three repetitions per cell\n"
		"  vqlab -j run scenarios/smoke.ini           # JSON summary on stdout\n"
		"  vqlab kernel fetch debian:sid              # Debian's newest cloud kernel\n");
}

static int do_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_opts o = { .out_dir = "results" };
	uint64_t u;
	int c;

	optind = 0;	/* 0: glibc re-initialises getopt for the subcommand */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'r':
			if (parse_u64(optarg, 1, 1000, &u)) {
				error_msg("--repeat: '%s' is not a whole number from 1 to 1000", optarg);
				return 2;
			}
			o.repeat = u;
			break;
		case 'd':
			if (parse_duration(optarg, &o.duration) || o.duration < 1 ||
			    o.duration > 3600) {
				error_msg("--duration: '%s' is not a duration from 1s to 3600s", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		error_msg("run takes one scenario file (e.g. vqlab run scenarios/smoke.ini)");
		return 2;
	}
	o.scenario = argv[optind];
	return do_run_scenario(&o);
}

static int do_kernel(int argc, char **argv)
{
	struct kernel k = { 0 };
	char err[1024];

	if (argc != 3 || strcmp(argv[1], "fetch") || strncmp(argv[2], "debian:", 7)) {
		error_msg("usage: vqlab kernel fetch debian:SUITE");
		return 2;
	}
	if (kernel_resolve(argv[2], &k, err, sizeof(err))) {
		error_msg("%s", err);
		return 1;
	}
	if (json_out) {
		json_dumpf(k.info, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		printf("%s\n", k.dir);
	}
	json_decref(k.info);
	return 0;
}

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static void quiet_virt_error(void *opaque, virErrorPtr err)
{
}

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "run", do_run },
	{ "kernel", do_kernel },
	{ "help", do_help },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cmd *found = NULL;
	int c, matches = 0;

	/* Global options come before the command ("+": stop at the first word). */
	while ((c = getopt_long(argc, argv, "+jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_out = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strncmp(cmds[i].name, argv[optind], strlen(argv[optind]))) {
			found = &cmds[i];
			matches++;
			if (!strcmp(cmds[i].name, argv[optind])) {
				matches = 1;
				break;
			}
		}
	}
	if (matches != 1) {
		error_msg("%s command '%s' (commands: run, kernel, help)",
			  matches ? "ambiguous" : "unknown", argv[optind]);
		return 2;
	}
	if (found->fn != do_help && locate_self())
		return 1;
	virSetErrorFunc(NULL, quiet_virt_error);	/* we report errors ourselves */
	return found->fn(argc - optind, argv + optind);
}

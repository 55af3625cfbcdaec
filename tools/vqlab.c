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
#include "clock.h"
#include "guest.h"
#include "jsonfile.h"
#include "kernel.h"
#include "netlab.h"
#include "parse.h"
#include "proc.h"
#include "results.h"
#include "scenario.h"

static bool json_out;
static int verbose;
static volatile sig_atomic_t stop_signal;

static struct lab_paths paths;
static struct netlab lab;
static struct guest_ctx gctx = { .lab = &lab, .stop = &stop_signal };

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

static int locate_self(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(paths.bin, sizeof(paths.bin), "%s", dirname(exe));
	env = getenv("VQLAB_TOP");
	if (env) {
		snprintf(paths.top, sizeof(paths.top), "%s", env);
	} else {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s", paths.bin);
		snprintf(paths.top, sizeof(paths.top), "%s", dirname(tmp));
	}
	snprintf(probe, sizeof(probe), "%s/scripts/mkinitramfs.sh", paths.top);
	if (access(probe, R_OK)) {
		error_msg("cannot find vqlab's source tree (looked for %s); set VQLAB_TOP", probe);
		return -ENOENT;
	}
	env = getenv("VQLAB_CACHE");
	snprintf(paths.cache, sizeof(paths.cache), "%s", env ? env : "/var/cache/vqlab");
	return 0;
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
	const char *git[] = { "git", "-C", paths.top, "describe", "--always", "--dirty", NULL };
	FILE *f;

	virConnectGetVersion(gctx.conn, &hv);
	virConnectGetLibVersion(gctx.conn, &lib);
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", hv / 1000000, hv / 1000 % 1000, hv % 1000);
	json_object_set_new(v, "qemu", json_string(buf));
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000, lib % 1000);
	json_object_set_new(v, "libvirt", json_string(buf));
	if (proc_run(git, out, sizeof(out)) == 0)
		json_object_set_new(v, "vqlab", json_string(out));
	snprintf(path, sizeof(path), "%s/host-packages.tsv", paths.bin);
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

	snprintf(path, sizeof(path), "%s/guest/jobs", paths.top);
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
	gctx.conn = virConnectOpen(uri);
	if (!gctx.conn) {
		error_msg("cannot connect to libvirtd at %s: %s "
			  "(is libvirtd running? scripts/setup.sh starts it)", uri, virt_error());
		goto cleanup;
	}

	/* Kernels first: a missing one is an error before anything is created. */
	kjson = json_object();
	for (int i = 0; i < sc.nvals[AX_KERNEL]; i++) {
		note("kernel %s: resolving", sc.vals[AX_KERNEL][i]);
		if (kernel_resolve(&paths, sc.vals[AX_KERNEL][i], &kernels[i], err, sizeof(err))) {
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
		if (kernel_initramfs(&paths, &kernels[i], run_id, i, err, sizeof(err))) {
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
		kvm = guest_probe_kvm(&gctx, &cells[0], &kernels[0], run_dir, accel_why, sizeof(accel_why));
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
			guest_run(&gctx, &j, &r);
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
				if (pps)
					note("    ok in %.1f s (boot %.1f s), TX %.0f pps", r.wall_s,
					     r.boot_s, json_number_value(pps));
				else
					note("    ok in %.1f s (boot %.1f s)", r.wall_s, r.boot_s);
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
	guest_destroy(&gctx);
	netlab_close(&lab);
	if (run_dir_made && !run_started) {
		/* set-up failed before the first sample: nothing worth keeping */
		const char *rm[] = { "rm", "-rf", "--", run_dir, NULL };

		proc_run(rm, NULL, 0);
	}
	if (gctx.conn) {
		virConnectClose(gctx.conn);
		gctx.conn = NULL;
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
	if (kernel_resolve(&paths, argv[2], &k, err, sizeof(err))) {
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

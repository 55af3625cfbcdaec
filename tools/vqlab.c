// SPDX-License-Identifier: GPL-2.0
/*
 * vqlab: the scenario runner. Expands a scenario into a matrix of cells, boots
 * one real guest per cell and repetition through libvirt (KVM where it works,
 * else TCG), runs the workload with vqtrace inside the guest and an XDP sink on
 * the host, and stores every sample with its provenance in results/<run>/.
 * The run itself lives in tools/lab/run.c; this file holds the commands.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include "bootimage.h"
#include "cli.h"
#include "cli_opts.h"
#include "domain.h"
#include "jsonfile.h"
#include "kernel.h"
#include "live.h"
#include "msg.h"
#include "parse.h"
#include "plan.h"
#include "proc.h"
#include "results.h"
#include "qemu.h"
#include "run.h"
#include "shard.h"
#include "watch.h"

#define TOOL "vqlab"

static struct lab_paths paths;

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
		p_err("cannot find vqlab's source tree (looked for %s); set VQLAB_TOP", probe);
		return -ENOENT;
	}
	env = getenv("VQLAB_CACHE");
	snprintf(paths.cache, sizeof(paths.cache), "%s", env ? env : "/var/cache/vqlab");
	return 0;
}

/* ---- list and show ---------------------------------------------------- */

/* The end of a listing: under -j its rows as one array (text rows are out). */
static int rows_end(json_t *rows)
{
	if (msg_json())
		p_json(rows);
	json_decref(rows);
	return 0;
}

static bool sample_ok(json_t *s)
{
	const char *st = json_string_value(json_object_get(s, SAMPLE_STATUS));

	return st && !strcmp(st, STATUS_OK);
}

static void count_samples(const char *run_dir, int *ok, int *failed)
{
	char path[PATH_MAX + 32];
	json_t *all, *s;
	size_t i;

	*ok = *failed = 0;
	snprintf(path, sizeof(path), "%s/" RESULTS_SAMPLES_FILE, run_dir);
	all = json_read_lines(path, NULL);
	json_array_foreach(all, i, s) {
		if (sample_ok(s))
			(*ok)++;
		else
			(*failed)++;
	}
	json_decref(all);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of @dir (no dot files), sorted; their number, or -errno. */
static int list_names(const char *dir, char ***names)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	*names = NULL;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char **more;

		if (de->d_name[0] == '.')
			continue;
		more = realloc(*names, (n + 1) * sizeof(**names));
		if (!more)
			break;
		*names = more;
		(*names)[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(*names, n, sizeof(**names), cmp_str);
	return n;
}

/* One row of `vqlab list`: run @name in @dir, when it is a run. */
static void list_run(const char *dir, const char *name, json_t *arr)
{
	char path[PATH_MAX], rd[PATH_MAX];
	const char *st, *acc, *file;
	int ok, failed;
	json_t *run;

	snprintf(rd, sizeof(rd), "%s/%s", dir, name);
	snprintf(path, sizeof(path), "%s/" RESULTS_RUN_FILE, rd);
	run = json_load_file(path, 0, NULL);
	if (!run)
		return;
	st = json_string_value(json_object_get(run, RUN_STATUS)) ?: "?";
	acc = json_string_value(json_object_get(run, RUN_ACCEL)) ?: "?";
	file = json_string_value(json_object_get(json_object_get(run, RUN_SCENARIO), RUN_SCENARIO_FILE)) ?:
		       "?";
	count_samples(rd, &ok, &failed);
	if (msg_json())
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "run",
						     name, "dir", rd, "status", st, "accel", acc,
						     "ok", ok, "failed", failed, "scenario", file));
	else
		printf("%-36s %-12s %-4s %6d %6d  %s\n", name, st, acc, ok, failed, file);
	json_decref(run);
}

static int do_list(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "results";
	json_t *arr;
	char **names;
	int n;

	if (argc > 2)
		return cli_usage_error(TOOL, "usage: vqlab list [DIR]");
	n = list_names(dir, &names);
	if (n < 0) {
		p_err("%s: %s", dir, strerror(-n));
		return 1;
	}
	arr = json_array();
	if (!msg_json())
		printf("%-36s %-12s %-4s %6s %6s  %s\n", "RUN", "STATUS", "ACC", "OK", "FAILED",
		       "SCENARIO");
	for (int i = 0; i < n; i++) {
		list_run(dir, names[i], arr);
		free(names[i]);
	}
	free(names);
	return rows_end(arr);
}

/* One line of `vqlab show`: the sample's rates, or why it failed. */
static void show_sample(json_t *s)
{
	const char *st = json_string_value(json_object_get(s, SAMPLE_STATUS)) ?: "?";
	char line[512] = "";
	const char *key;
	size_t n = 0;
	json_t *m;

	if (!sample_ok(s))
		snprintf(line, sizeof(line), "%s",
			 json_string_value(json_object_get(s, SAMPLE_REASON)) ?: "");
	else
		json_object_foreach(json_object_get(s, SAMPLE_METRICS), key, m)
			if (n < sizeof(line) && strstr(key, "pps"))
				n += snprintf(line + n, sizeof(line) - n, "%s=%.0f %s  ", key,
					      json_number_value(json_object_get(m, METRIC_VALUE)),
					      json_string_value(json_object_get(m, METRIC_UNIT)) ?:
						      "");
	printf("%-5s %-4" JSON_INTEGER_FORMAT " %-7s %8.1f  %.150s\n",
	       json_string_value(json_object_get(s, SAMPLE_CELL)),
	       json_integer_value(json_object_get(s, SAMPLE_REP)), st,
	       json_number_value(json_object_get(s, SAMPLE_WALL_S)), line);
}

static void show_text(json_t *run, json_t *samples)
{
	const char *ended = json_string_value(json_object_get(run, RUN_ENDED));
	json_t *s;
	size_t i;

	printf("run %s: %s, %s, started %s%s%s\n", json_string_value(json_object_get(run, RUN_ID)),
	       json_string_value(json_object_get(run, RUN_STATUS)),
	       json_string_value(json_object_get(run, RUN_ACCEL)),
	       json_string_value(json_object_get(run, RUN_STARTED)),
	       json_object_get(run, RUN_ENDED) ? ", ended " : "", ended ?: "");
	printf("%-5s %-4s %-7s %8s  %s\n", "CELL", "REP", "STATUS", "WALL s", "METRICS / REASON");
	json_array_foreach(samples, i, s)
		show_sample(s);
}

static int do_show(int argc, char **argv)
{
	char path[PATH_MAX + 32];
	json_t *run, *all;

	if (argc != 2)
		return cli_usage_error(TOOL, "usage: vqlab show RUN_DIR");
	snprintf(path, sizeof(path), "%s/" RESULTS_RUN_FILE, argv[1]);
	run = json_load_file(path, 0, NULL);
	if (!run) {
		p_err("%s: not a vqlab run (no readable run.json)", argv[1]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/" RESULTS_SAMPLES_FILE, argv[1]);
	all = json_read_lines(path, NULL);
	if (!all)
		all = json_array();
	if (msg_json()) {
		json_object_set(run, "samples", all);
		json_object_del(json_object_get(run, RUN_SCENARIO), RUN_SCENARIO_TEXT);
		p_json(run);
	} else {
		show_text(run, all);
	}
	json_decref(all);
	json_decref(run);
	return 0;
}

/* ---- run and plan ----------------------------------------------------- */

static const char usage_head[] =
	"Usage: vqlab [-j] [-v] COMMAND ...\n"
	"       vqlab run SCENARIO [-o DIR] [--repeat N] [--duration S] [--retries N]\n"
	"                 [--shard K/N]\n"
	"       vqlab run --resume RUN_DIR [--retries N]\n"
	"       vqlab plan SCENARIO [--repeat N] [--duration S] [--shard K/N]\n"
	"       vqlab list [DIR]\n"
	"       vqlab show RUN_DIR\n"
	"       vqlab kernel fetch debian:SUITE\n"
	"       vqlab kernel build [--upto N|PATCH] [--config NAME]\n"
	"       vqlab kernel list\n"
	"       vqlab kernel vmlinux VMLINUZ OUT\n"
	"       vqlab kernel args\n"
	"       vqlab qemu build [--upto N|PATCH] [--name NAME]\n"
	"       vqlab qemu list\n"
	"       vqlab live SCENARIO [--cell ID | AXIS=VALUE ...] [--shell] [INTERVAL [COUNT]]\n"
	"       vqlab watch DOMAIN [INTERVAL [COUNT]]\n"
	"       vqlab help\n"
	"\n"
	"Runs virtio ring benchmarks in real guests (libvirt/QEMU) and stores every\n"
	"sample with its provenance in DIR/<run-id>/ (default DIR: ./results).\n"
	"Commands may be shortened to an unambiguous prefix.\n"
	"\n"
	"Options:\n";

static const char usage_tail[] =
	"\n"
	"EXAMPLES:\n"
	"  vqlab plan scenarios/inorder-net.ini        # the matrix and its wall time\n"
	"  vqlab run scenarios/smoke.ini               # the default scenario\n"
	"  vqlab run scenarios/smoke.ini --repeat 5 --retries 1\n"
	"  vqlab run --resume results/20261121-130000-smoke\n"
	"  vqlab run scenarios/inorder-net.ini --shard 2/4 -o results/shard-2-of-4\n"
	"  vqlab plan scenarios/inorder-net.ini --shard 2/4  # what shard 2 runs\n"
	"  vqlab -j run scenarios/smoke.ini            # JSON summary on stdout\n"
	"  vqlab list                                  # runs in ./results\n"
	"  vqlab show results/20261121-130000-smoke\n"
	"  vqlab kernel fetch debian:sid               # Debian's newest cloud kernel\n"
	"  vqlab kernel build --upto 12                # the series before virtqueue ops\n"
	"  vqlab kernel build --config lab+retpoline-off\n"
	"  vqlab kernel list                           # cached kernels and their specs\n"
	"  vqlab kernel vmlinux K/vmlinuz /tmp/vmlinux # the kernel's ELF out of its bzImage\n"
	"  qemu-system-x86_64 ... -append \"console=ttyS0 $(vqlab kernel args)\"  # boot as the lab does\n"
	"  vqlab qemu build --upto 1                   # QEMU 10.0.2 + qemu-patches 0001\n"
	"  vqlab qemu list                             # cached QEMU builds and their specs\n"
	"  vqlab live scenarios/inorder-net.ini --cell c0 1          # both ends of c0's rings\n"
	"  vqlab live scenarios/inorder-net.ini --cell c0 --shell    # a shell in that guest\n"
	"  vqlab watch mydomain 1                      # device side of a running domain\n"
	"\n"
	"ENVIRONMENT:\n"
	"  VQLAB_CACHE=DIR     every cache (kernels, QEMU builds, initramfs; default\n"
	"                      /var/cache/vqlab)\n"
	"  VQLAB_BOOT=bzimage  boot the kernel's vmlinuz, not its ELF through PVH\n"
	"  VQLAB_BIOS=qboot    QEMU's qboot ROM instead of SeaBIOS\n"
	"  VQLAB_PHASES=1      each sample's host-side steps on stderr, timed\n";

enum { OPT_REPEAT = 256, OPT_DURATION, OPT_RETRIES, OPT_RESUME, OPT_SHARD };

/* The options before the command, then those of run and plan: the parsers'
 * tables and the help's "Options:" lines (-h, --help is not listed). */
static const struct cli_opt global_options[] = {
	{ 'j', "json", NULL, "machine-readable output on stdout" },
	{ 'v', "verbose", NULL, "more detail" },
	{ 'h', "help", NULL, NULL },
};

static const struct cli_opt run_options[] = {
	{ 'o', "output", "DIR", "where runs are stored (default ./results)" },
	{ OPT_REPEAT, "repeat", "N", "repetitions per cell, overriding the scenario" },
	{ OPT_DURATION, "duration", "S",
	  "workload seconds (of each window), overriding the scenario" },
	{ OPT_RETRIES, "retries", "N", "run a failed sample up to N more times (default 0)" },
	{ OPT_RESUME, "resume", "RUN_DIR",
	  "complete an interrupted run (or shard); finished\n"
	  "samples are kept" },
	{ OPT_SHARD, "shard", "K/N",
	  "run (or plan) only part K of N of the matrix,\n"
	  "1 <= K <= N; N shards cover every sample once\n"
	  "(docs/cluster.md)" },
	{ 'h', "help", NULL, NULL },
};

#define USAGE_COL 24

static void usage(FILE *f)
{
	fputs(usage_head, f);
	cli_opts_print(f, global_options, CLI_NOPTS(global_options), USAGE_COL);
	cli_opts_print(f, run_options, CLI_NOPTS(run_options), USAGE_COL);
	fputs(usage_tail, f);
}

/* --repeat, --retries: a whole number in [@min, @max]. 0 or EXIT_USAGE. */
static int count_arg(const char *name, const char *arg, unsigned int min, unsigned int max,
		     unsigned int *out)
{
	uint64_t u;

	if (parse_u64(arg, min, max, &u))
		return cli_usage_error(TOOL, "%s: '%s' is not a whole number from %u to %u", name,
				       arg, min, max);
	*out = u;
	return 0;
}

/* One option of run and plan. 0, EXIT_USAGE (printed) or CLI_OPTS_HELP. */
static int run_option(int c, const char *arg, void *ctx)
{
	struct run_opts *o = ctx;
	struct errbuf e = { "" };

	switch (c) {
	case 'o':
		o->out_dir = arg;
		return 0;
	case OPT_REPEAT:
		return count_arg("--repeat", arg, 1, 1000, &o->repeat);
	case OPT_RETRIES:
		return count_arg("--retries", arg, 0, 10, &o->retries);
	case OPT_RESUME:
		o->resume = arg;
		return 0;
	case OPT_SHARD:
		if (shard_parse(arg, &o->shard, &e))
			return cli_usage_error(TOOL, "%s", e.msg);
		return 0;
	case OPT_DURATION:
		if (parse_duration(arg, &o->duration) || o->duration < 1 || o->duration > 3600)
			return cli_usage_error(TOOL,
					       "--duration: '%s' is not a duration "
					       "from 1s to 3600s",
					       arg);
		return 0;
	case 'h':
		usage(stdout);
		return CLI_OPTS_HELP;
	}
	return EXIT_USAGE;
}

/* The options of run and plan. Returns -1 to go on, else the exit code
 * (0 after --help). */
static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	int ret;

	optind = 0; /* 0: glibc re-initialises getopt for the subcommand */
	ret = cli_opts_parse(TOOL, argc, argv, run_options, CLI_NOPTS(run_options), run_option, o);
	if (ret)
		return ret == CLI_OPTS_HELP ? 0 : ret;
	if (o->resume) {
		if (optind != argc || o->repeat || o->duration || o->shard.n)
			return cli_usage_error(TOOL,
					       "--resume takes no scenario, --repeat, "
					       "--duration or --shard: the run keeps its own");
		return -1;
	}
	if (optind != argc - 1)
		return cli_usage_error(TOOL,
				       "%s takes one scenario file (e.g. vqlab %s "
				       "scenarios/smoke.ini)",
				       argv[0], argv[0]);
	o->scenario = argv[optind];
	return -1;
}

static int do_run(int argc, char **argv)
{
	struct run_opts o = { .out_dir = "results" };
	int rc = parse_run_opts(argc, argv, &o);

	return rc >= 0 ? rc : run_scenario(&o, &paths);
}

/* The matrix, what is skipped and why, and the expected wall time: nothing
 * starts, no root needed. */
static int do_plan(int argc, char **argv)
{
	struct run_opts o = { .out_dir = "results" };
	int rc = parse_run_opts(argc, argv, &o);
	struct errbuf e = { "" };
	char jobs[PATH_MAX + 16];
	struct plan pl;

	if (rc >= 0)
		return rc;
	if (o.resume)
		return cli_usage_error(TOOL, "plan takes a scenario file, not --resume");
	snprintf(jobs, sizeof(jobs), "%s/guest/jobs", paths.top);
	if (plan_load(&pl, o.scenario, jobs, o.repeat, o.duration, &e) ||
	    (o.shard.n && plan_shard(&pl, &o.shard, &e))) {
		p_err("%s", e.msg);
		plan_free(&pl);
		return EXIT_USAGE;
	}
	if (msg_json()) {
		json_t *j = plan_json(&pl);

		p_json(j);
		json_decref(j);
	} else {
		plan_print(&pl);
	}
	plan_free(&pl);
	return 0;
}

/* ---- kernel ----------------------------------------------------------- */

/* One kernel folder of the cache, when it holds a kernel.json. */
static void kernel_list_one(const char *folder, const char *kind, const char *name, json_t *arr)
{
	char path[PATH_MAX + 16], spec[PATH_MAX];
	bool debian = !strncmp(kind, "debian-", 7);
	json_t *k;

	snprintf(path, sizeof(path), "%s/kernel.json", folder);
	k = json_load_file(path, 0, NULL);
	if (!k)
		return;
	json_object_set_new(k, "dir", json_string(folder));
	if (msg_json()) {
		json_array_append(arr, k);
	} else {
		if (debian)
			snprintf(spec, sizeof(spec), "debian:%s (%s)", kind + 7,
				 json_string_value(json_object_get(k, "package_version")) ?: "?");
		else
			snprintf(spec, sizeof(spec), "build:%s", name);
		printf("%-44s %-36s %s\n", spec,
		       json_string_value(json_object_get(k, "kernel_release")) ?: "?", folder);
	}
	json_decref(k);
}

/* Kernel folders in the cache: debian-<suite>/<release>/ and build/<name>/. */
static int kernel_list(void)
{
	json_t *arr = json_array();
	char dir[PATH_MAX + 16];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/kernels", paths.cache);
	d = opendir(dir);
	if (!msg_json())
		printf("%-44s %-36s %s\n", "SPEC", "RELEASE", "FOLDER");
	while (d && (de = readdir(d))) {
		char sub[PATH_MAX * 2], folder[PATH_MAX * 3];
		struct dirent *e;
		DIR *sd;

		if (strncmp(de->d_name, "debian-", 7) && strcmp(de->d_name, "build"))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		sd = opendir(sub);
		while (sd && (e = readdir(sd))) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "current"))
				continue;
			snprintf(folder, sizeof(folder), "%s/%s", sub, e->d_name);
			kernel_list_one(folder, de->d_name, e->d_name, arr);
		}
		if (sd)
			closedir(sd);
	}
	if (d)
		closedir(d);
	return rows_end(arr);
}

/* The script prints "build:NAME" and the folder as its last two lines. */
static int kernel_build_result(char *out)
{
	char *dir = strrchr(out, '\n'), *spec;

	if (!dir) {
		p_err("kernel build printed no spec: %s", out);
		return 1;
	}
	*dir++ = '\0';
	spec = strrchr(out, '\n');
	spec = spec ? spec + 1 : out;
	if (msg_json()) {
		json_t *o = json_pack("{s:s, s:s}", "spec", spec, "dir", dir);

		p_json(o);
		json_decref(o);
	} else {
		printf("%s\n%s\n", spec, dir);
	}
	return 0;
}

/* vqlab kernel build: scripts/kernel-build.sh does the work (unpack the
 * pinned base once, apply a prefix of kernel-patches/series, build with
 * ccache, cache by base + prefix hash + config hash); its progress goes to
 * the terminal and its first output line is the spec for scenarios. */
static int kernel_build(int argc, char **argv)
{
	char script[PATH_MAX + 32], out[8192] = "";
	const char *args[16] = { script };
	int n = 1, rc;

	snprintf(script, sizeof(script), "%s/scripts/kernel-build.sh", paths.top);
	for (int i = 2; i < argc; i++) {
		if ((strcmp(argv[i], "--upto") && strcmp(argv[i], "--config")) || i + 1 >= argc ||
		    n > 12)
			return cli_usage_error(TOOL, "usage: vqlab kernel build [--upto N|PATCH] "
						     "[--config NAME]");
		args[n++] = argv[i];
		args[n++] = argv[++i];
	}
	args[n] = NULL;
	p_info("kernel build: %s (this can take minutes; the build runs niced)", script);
	rc = proc_run(args, out, sizeof(out));
	if (rc) {
		char *last = strrchr(out, '\n');

		p_err("kernel build failed (exit %d): %s", rc, last ? last + 1 : out);
		return rc == 2 ? 2 : 1;
	}
	return kernel_build_result(out);
}

/* vqlab kernel args: the kernel arguments every lab guest boots with, for a
 * guest booted by hand (the tests' too) to boot the same way. */
static int kernel_args(void)
{
	if (msg_json()) {
		json_t *o = json_pack("{s:s}", "args", DOMAIN_BOOT_ARGS);

		p_json(o);
		json_decref(o);
	} else
		printf("%s\n", DOMAIN_BOOT_ARGS);
	return 0;
}

/* vqlab kernel vmlinux VMLINUZ OUT: the kernel's ELF out of its bzImage, for
 * scripts that need it (mkinitramfs.sh's minimal BTF). */
static int kernel_vmlinux(const char *vmlinuz, const char *out)
{
	struct errbuf e = { "" };
	char format[8];
	bool pvh;

	if (bootimage_elf(vmlinuz, out, format, &pvh, &e)) {
		p_err("%s", e.msg);
		return 1;
	}
	if (msg_json()) {
		json_t *o = json_pack("{s:s, s:s, s:b}", "vmlinux", out, "compression", format,
				      "pvh", pvh);

		p_json(o);
		json_decref(o);
	} else
		printf("%s\n", out);
	return 0;
}

static int do_kernel(int argc, char **argv)
{
	struct errbuf e = { "" };
	struct kernel k = { 0 };

	if (argc == 2 && !strcmp(argv[1], "list"))
		return kernel_list();
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return kernel_build(argc, argv);
	if (argc == 4 && !strcmp(argv[1], "vmlinux"))
		return kernel_vmlinux(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "args"))
		return kernel_args();
	if (argc != 3 || strcmp(argv[1], "fetch") || strncmp(argv[2], "debian:", 7))
		return cli_usage_error(TOOL,
				       "usage: vqlab kernel fetch debian:SUITE | kernel "
				       "build [--upto N|PATCH] [--config NAME] | kernel list | "
				       "kernel vmlinux VMLINUZ OUT | kernel args");
	if (kernel_resolve(&paths, argv[2], &k, &e)) {
		p_err("%s", e.msg);
		return 1;
	}
	if (msg_json())
		p_json(k.info);
	else
		printf("%s\n", k.dir);
	json_decref(k.info);
	return 0;
}

/* ---- commands --------------------------------------------------------- */

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static void quiet_virt_error(void *opaque, virErrorPtr err)
{
}

static const struct cli_cmd cmds[] = {
	{ "run", do_run },	{ "plan", do_plan },	 { "list", do_list },
	{ "show", do_show },	{ "kernel", do_kernel }, { "qemu", qemu_cmd },
	{ "watch", watch_cmd }, { "live", live_cmd },	 { "help", do_help },
};

int main(int argc, char **argv)
{
	struct cli_getopt g;
	char optstring[sizeof(g.optstring) + 1] = "+";
	const struct cli_cmd *cmd;
	bool json = false;
	int c;

	/* Global options come before the command ("+": stop at the first word). */
	cli_getopt_init(&g, global_options, CLI_NOPTS(global_options));
	strcat(optstring, g.optstring);
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			break; /* accepted; nothing prints more yet */
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_getopt_error(TOOL, c, argv);
		}
	}
	msg_set_json(json, false);
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_cmd_find(TOOL, cmds, sizeof(cmds) / sizeof(cmds[0]), argv[optind]);
	if (!cmd)
		return EXIT_USAGE;
	/* help and watch need no source tree: watch reads any running domain */
	if (cmd->fn != do_help && cmd->fn != watch_cmd && locate_self())
		return EXIT_RUNTIME;
	virSetErrorFunc(NULL, quiet_virt_error); /* we report errors ourselves */
	return cmd->fn(argc - optind, argv + optind);
}

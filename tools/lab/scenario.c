// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel.h"
#include "msg.h"
#include "parse.h"
#include "scenario.h"

const struct axis_def axis_defs[NR_AXES] = {
	[AX_KERNEL] = { "kernel", "debian:sid" },
	[AX_RING] = { "ring", "split", "split|packed" },
	[AX_IN_ORDER] = { "in_order", "off", "off|on" },
	[AX_RX_QUEUE_SIZE] = { "rx_queue_size", "256", NULL, 256, 1024, 1 },
	[AX_TX_QUEUE_SIZE] = { "tx_queue_size", "256", NULL, 256, 1024, 1 },
	[AX_WORKLOAD] = { "workload", "net-tx" },
	[AX_PKT_SIZE] = { "pkt_size", "60", NULL, 60, 9000 },
	[AX_BLK_QUEUE_SIZE] = { "blk_queue_size", "256", NULL, 2, 1024, 1 },
	[AX_IODEPTH] = { "iodepth", "16", NULL, 1, 256 },
	[AX_VCPUS] = { "vcpus", "1", NULL, 1, 64 },
	[AX_MEMORY] = { "memory", "1024", NULL, 256, 65536 },
	[AX_MITIGATION] = { "mitigation", "auto", "auto|retpoline|off" },
	[AX_BACKEND] = { "backend", "tap", "tap|vhost-user" },
	[AX_ACCEL] = { "accel", "auto", "auto|kvm|tcg" },
	/* vqtrace in the guest during the measured window: every program, adds
	 * and gets only (--core), or none (a rate with no tracer's cost). */
	[AX_TRACE] = { "trace", "full", "full|core|off" },
	/* wall: the guest's clock is the host's; icount: -icount shift=0, one
	 * guest nanosecond per guest instruction (docs/clock.md) */
	[AX_CLOCK] = { "clock", "wall", "wall|icount" },
	/* the QEMU binary (lab/qemu.h); plan checks that a build exists */
	[AX_QEMU] = { "qemu", "system" },
};

struct parse_ctx {
	struct scenario *sc;
	FILE *f;
	int line;
	int section_line; /* line of the last [section] header */
	const char *workload_dir;
	struct errbuf *e; /* never NULL */
	int seen[NR_AXES];
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* inih hands us lines through this reader, so we know the current line. */
static char *counting_reader(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	char *s = fgets(str, num, ctx->f);

	if (s) {
		ctx->line++;
		if (*trim(s) == '[')
			ctx->section_line = ctx->line;
	}
	return s;
}

#define fail(ctx, ...)                                                                      \
	({                                                                                  \
		char *_m = (ctx)->e->msg;                                                   \
		int _n = snprintf(_m, ERRBUF_LEN, "%s:%d: ", (ctx)->sc->path, (ctx)->line); \
		if (_n >= 0 && _n < ERRBUF_LEN)                                             \
			snprintf(_m + _n, ERRBUF_LEN - _n, __VA_ARGS__);                    \
		0;                                                                          \
	})

static int workload_exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.sh", dir, name);
	return !strchr(name, '/') && stat(path, &st) == 0;
}

static void workload_list(const char *dir, char *buf, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	buf[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 3 && !strcmp(de->d_name + l - 3, ".sh") && n + l < len) {
			n += snprintf(buf + n, len - n, "%s%.*s", n ? ", " : "", (int)(l - 3),
				      de->d_name);
		}
	}
	closedir(d);
}

/* qemu = system | build:<name> | file:<path>: the form only; whether the
 * build or file exists is plan's check (qemuaxis.c), against the cache. */
static int check_qemu(struct parse_ctx *ctx, const char *v)
{
	const char *name = !strncmp(v, "build:", 6) ? v + 6 : NULL;

	if (!strcmp(v, "system"))
		return 1;
	if (name && *name && !strchr(name, '/') && *name != '.')
		return 1;
	if (!strncmp(v, "file:", 5) && v[5] == '/')
		return 1;
	return fail(ctx,
		    "qemu: '%s' is not a QEMU spec (accepted: system, build:<name>, "
		    "file:<absolute path>)",
		    v);
}

static int check_value(struct parse_ctx *ctx, enum axis_id id, const char *v)
{
	const struct axis_def *def = &axis_defs[id];
	char accepted[512];
	uint64_t u;

	if (def->accepted) {
		const char *p = def->accepted;
		size_t l = strlen(v);

		while (p) {
			if (!strncmp(p, v, l) && (p[l] == '|' || !p[l]))
				return 1;
			p = strchr(p, '|');
			p = p ? p + 1 : NULL;
		}
		snprintf(accepted, sizeof(accepted), "%s", def->accepted);
		for (char *c = accepted; *c; c++)
			if (*c == '|')
				*c = ',';
		return fail(ctx, "%s: unknown value '%s' (accepted: %s)", def->name, v, accepted);
	}
	if (def->max) {
		if (parse_u64(v, def->min, def->max, &u))
			return fail(ctx, "%s: '%s' is not a whole number from %lu to %lu",
				    def->name, v, (unsigned long)def->min, (unsigned long)def->max);
		if (def->power_of_two && (u & (u - 1)))
			return fail(ctx, "%s: %s is not a power of two", def->name, v);
		return 1;
	}
	if (id == AX_KERNEL) {
		/* a wrong spec is found by plan, not when the run starts */
		struct errbuf e;

		if (kernel_spec_check(v, &e))
			return fail(ctx, "%s", e.msg);
		return 1;
	}
	if (id == AX_QEMU)
		return check_qemu(ctx, v);
	if (id == AX_WORKLOAD) {
		if (workload_exists(ctx->workload_dir, v))
			return 1;
		workload_list(ctx->workload_dir, accepted, sizeof(accepted));
		return fail(ctx, "workload: unknown workload '%s' (accepted: %s)", v, accepted);
	}
	return 1;
}

static int set_axis(struct parse_ctx *ctx, enum axis_id id, const char *value)
{
	struct scenario *sc = ctx->sc;
	char *copy = strdup(value), *rest = copy, *tok;
	int ok = 1;

	if (ctx->seen[id]) {
		free(copy);
		return fail(ctx, "axis '%s' is given twice (first on line %d)", axis_defs[id].name,
			    ctx->seen[id]);
	}
	ctx->seen[id] = ctx->line;
	sc->axis_line[id] = ctx->line;
	/* strsep, not strtok: "a,,b" has an empty item, and that is an error */
	while (ok && (tok = strsep(&rest, ","))) {
		char *v = trim(tok);

		if (!*v) {
			ok = fail(ctx, "%s: empty value in list", axis_defs[id].name);
			break;
		}
		if (sc->nvals[id] == AXIS_MAX_VALUES) {
			ok = fail(ctx, "%s: more than %d values", axis_defs[id].name,
				  AXIS_MAX_VALUES);
			break;
		}
		ok = check_value(ctx, id, v);
		if (!ok)
			break;
		for (int i = 0; i < sc->nvals[id]; i++)
			if (!strcmp(sc->vals[id][i], v))
				ok = fail(ctx, "%s: value '%s' is listed twice", axis_defs[id].name,
					  v);
		if (ok)
			sc->vals[id][sc->nvals[id]++] = strdup(v);
	}
	if (ok && !sc->nvals[id])
		ok = fail(ctx, "%s: no value", axis_defs[id].name);
	free(copy);
	return ok;
}

/* stall = seconds a ring may hold buffers and return none (lab/device.h);
 * 0 turns the check off. */
static int set_stall(struct parse_ctx *ctx, const char *value)
{
	double d;

	if (parse_duration(value, &d) || (d != 0 && d < 2) || d > 3600)
		return fail(ctx, "stall: '%s' is not 0 (off) or a duration from 2s to 3600s",
			    value);
	ctx->sc->stall = d;
	return 1;
}

/* A word of kernel_args that the lab sets itself, or NULL: vqlab.* are each
 * sample's job, console= and panic= where the harness reads the guest and
 * how it sees a crash end. */
static const char *lab_owned_arg(const char *word, size_t len)
{
	static const char *const owned[] = { "vqlab.", "console=", "panic=" };

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (len >= strlen(owned[i]) && !strncmp(word, owned[i], strlen(owned[i])))
			return owned[i];
	return NULL;
}

/* kernel_args = words for every guest's kernel command line, after the lab's
 * own (`vqlab kernel args`): printable, unquoted, none of the lab's. */
static int set_kernel_args(struct parse_ctx *ctx, const char *value)
{
	const char *w = value, *owned;
	size_t len;

	if (strlen(value) > SCENARIO_MAX_KERNEL_ARGS)
		return fail(ctx, "kernel_args: longer than %d characters",
			    SCENARIO_MAX_KERNEL_ARGS);
	for (const char *c = value; *c; c++)
		if (*c < ' ' || *c > '~' || *c == '"' || *c == '\'' || *c == '\\')
			return fail(
				ctx,
				"kernel_args: '%s': only printable characters without quotes or "
				"backslashes",
				value);
	for (; *w; w += len) {
		w += strspn(w, " ");
		len = strcspn(w, " ");
		owned = len ? lab_owned_arg(w, len) : NULL;
		if (owned)
			return fail(
				ctx,
				"kernel_args: '%.*s': the lab sets %s* itself (each sample's job, "
				"where and how it reads the guest)",
				(int)len, w, owned);
	}
	free(ctx->sc->kernel_args);
	ctx->sc->kernel_args = *value ? strdup(value) : NULL;
	return 1;
}

/* [scenario] clock = wall|icount: the clock of every cell, as a one-value
 * axis would give; [axes] clock = wall, icount interleaves both in one run. */
static int set_clock(struct parse_ctx *ctx, const char *value)
{
	if (ctx->sc->clock_line)
		return fail(ctx, "clock is given twice (first on line %d)", ctx->sc->clock_line);
	if (!check_value(ctx, AX_CLOCK, value))
		return 0;
	if (ctx->seen[AX_CLOCK])
		return fail(ctx, "clock is both a setting and an axis (axis on line %d)",
			    ctx->seen[AX_CLOCK]);
	ctx->sc->clock_line = ctx->line;
	return set_axis(ctx, AX_CLOCK, value);
}

static int set_setting(struct parse_ctx *ctx, const char *name, const char *value)
{
	struct scenario *sc = ctx->sc;
	uint64_t u;
	double d;

	if (!strcmp(name, "name")) {
		for (const char *c = value; *c; c++)
			if (!(*c == '-' || *c == '_' || (*c >= 'a' && *c <= 'z') ||
			      (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
				return fail(ctx,
					    "name: '%s' may hold only letters, digits, '-' and '_'",
					    value);
		if (!*value || strlen(value) > 40)
			return fail(ctx, "name: must be 1 to 40 characters");
		free(sc->name);
		sc->name = strdup(value);
	} else if (!strcmp(name, "description")) {
		free(sc->description);
		sc->description = strdup(value);
	} else if (!strcmp(name, "repeat")) {
		if (parse_u64(value, 1, 1000, &u))
			return fail(ctx, "repeat: '%s' is not a whole number from 1 to 1000",
				    value);
		sc->repeat = u;
	} else if (!strcmp(name, "duration")) {
		if (parse_duration(value, &d) || d < 1 || d > 3600)
			return fail(
				ctx,
				"duration: '%s' is not a duration from 1s to 3600s (e.g. 5, 5s, 500ms, 2m)",
				value);
		sc->duration = d;
	} else if (!strcmp(name, "windows")) {
		if (parse_u64(value, 1, SCENARIO_MAX_WINDOWS, &u))
			return fail(ctx, "windows: '%s' is not a whole number from 1 to %d", value,
				    SCENARIO_MAX_WINDOWS);
		sc->windows = u;
		sc->windows_line = ctx->line;
	} else if (!strcmp(name, "icount")) {
		if (strcmp(value, "on") && strcmp(value, "off"))
			return fail(ctx, "icount: unknown value '%s' (accepted: off, on)", value);
		sc->icount = !strcmp(value, "on");
	} else if (!strcmp(name, "device_perf")) {
		if (strcmp(value, "on") && strcmp(value, "off"))
			return fail(ctx, "device_perf: unknown value '%s' (accepted: off, on)",
				    value);
		sc->device_perf = !strcmp(value, "on");
	} else if (!strcmp(name, "clock")) {
		return set_clock(ctx, value);
	} else if (!strcmp(name, "warmup")) {
		if (parse_duration(value, &d) || d > 600)
			return fail(ctx, "warmup: '%s' is not a duration from 0s to 600s", value);
		sc->warmup = d;
	} else if (!strcmp(name, "timeout")) {
		if (parse_duration(value, &d) || d < 10 || d > 86400)
			return fail(ctx, "timeout: '%s' is not a duration from 10s to 86400s",
				    value);
		sc->timeout = d;
		sc->timeout_set = 1;
	} else if (!strcmp(name, "stall")) {
		return set_stall(ctx, value);
	} else if (!strcmp(name, "kernel_args")) {
		return set_kernel_args(ctx, value);
	} else if (!strcmp(name, "seed")) {
		if (parse_u64(value, 0, UINT64_MAX, &u))
			return fail(ctx, "seed: '%s' is not a whole number", value);
		sc->seed = u;
	} else {
		return fail(ctx,
			    "unknown key '%s' in [scenario] (accepted: name, description, "
			    "repeat, duration, windows, warmup, timeout, seed, icount, clock, "
			    "stall, device_perf, kernel_args)",
			    name);
	}
	return 1;
}

static int axis_by_name(const char *name)
{
	for (int i = 0; i < NR_AXES; i++)
		if (!strcmp(name, axis_defs[i].name))
			return i;
	return -1;
}

static void axis_names(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < NR_AXES && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", axis_defs[i].name);
}

/* [exclude]  NAME = axis=value, axis=value …  (a cell matching all is left out) */
static int add_exclude(struct parse_ctx *ctx, const char *name, const char *value)
{
	struct scenario *sc = ctx->sc;
	char *copy, *rest, *tok, accepted[512];
	struct exclude *ex;
	int ok = 1;

	if (sc->nexcludes == MAX_EXCLUDES)
		return fail(ctx, "more than %d exclude rules", MAX_EXCLUDES);
	ex = &sc->excludes[sc->nexcludes];
	memset(ex, 0, sizeof(*ex));
	ex->line = ctx->line;
	ex->name = strdup(name);
	copy = strdup(value);
	rest = copy;
	while (ok && (tok = strsep(&rest, ","))) {
		char *kv = trim(tok), *eq = strchr(kv, '='), *v;
		int id;

		if (!eq) {
			ok = fail(ctx, "exclude %s: '%s' is not axis=value", name, kv);
			break;
		}
		*eq = '\0';
		v = trim(eq + 1);
		id = axis_by_name(trim(kv));
		if (id < 0) {
			axis_names(accepted, sizeof(accepted));
			ok = fail(ctx, "exclude %s: unknown axis '%s' (accepted: %s)", name,
				  trim(kv), accepted);
			break;
		}
		if (ex->val[id]) {
			ok = fail(ctx, "exclude %s: axis '%s' named twice", name, trim(kv));
			break;
		}
		ok = check_value(ctx, id, v);
		if (ok)
			ex->val[id] = strdup(v);
	}
	free(copy);
	if (ok)
		sc->nexcludes++;
	else
		for (int i = 0; i < NR_AXES; i++)
			free((char *)ex->val[i]);
	if (!ok)
		free(ex->name);
	return ok;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *ctx = user;

	if (!name) /* a section header alone */
		goto check_section;
	if (!strcmp(section, "scenario"))
		return set_setting(ctx, name, value);
	if (!strcmp(section, "axes")) {
		int id = axis_by_name(name);
		char accepted[512];

		if (id >= 0)
			return set_axis(ctx, id, value);
		axis_names(accepted, sizeof(accepted));
		return fail(ctx, "unknown axis '%s' in [axes] (accepted: %s)", name, accepted);
	}
	if (!strcmp(section, "exclude"))
		return add_exclude(ctx, name, value);
check_section:
	if (strcmp(section, "scenario") && strcmp(section, "axes") && strcmp(section, "exclude")) {
		ctx->line = ctx->section_line;
		return fail(ctx, "unknown section [%s] (accepted: [scenario], [axes], [exclude])",
			    section);
	}
	return 1;
}

static char *slurp(FILE *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;

	if (!m)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	rewind(f);
	return buf;
}

static int scenario_parse(FILE *f, const char *path, const char *workload_dir, struct scenario *sc,
			  struct errbuf *e)
{
	struct parse_ctx ctx = { .sc = sc, .workload_dir = workload_dir, .f = f, .e = e };
	const char *base;
	int rc;

	memset(sc, 0, sizeof(*sc));
	sc->path = strdup(path);
	sc->repeat = 1;
	sc->duration = 5;
	sc->windows = 1;
	sc->seed = 1;
	sc->stall = DEVICE_STALL_S;
	e->msg[0] = '\0';
	sc->text = slurp(f);
	rc = ini_parse_stream(counting_reader, &ctx, handler, &ctx);
	if (rc) {
		if (!e->msg[0]) {
			ctx.line = rc > 0 ? rc : ctx.line;
			fail(&ctx, "syntax error (expected '[section]' or 'key = value')");
		}
		return -EINVAL;
	}
	if (!sc->name) {
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		sc->name = strndup(base, strcspn(base, "."));
	}
	if (!sc->timeout)
		sc->timeout = sc->warmup + sc->duration + 180; /* boot under TCG + slack */
	/* perf stat counts QEMU's calls from its start to its end: one window */
	if (sc->windows > 1 && sc->device_perf)
		return err_set(e, -EINVAL,
			       "%s:%d: windows = %u needs device_perf = off: perf stat counts "
			       "one window per boot",
			       path, sc->windows_line, sc->windows);
	for (int i = 0; i < NR_AXES; i++)
		if (!sc->nvals[i])
			sc->vals[i][sc->nvals[i]++] = strdup(axis_defs[i].def);
	{
		unsigned long long cells = 1;

		for (int i = 0; i < NR_AXES; i++)
			cells *= sc->nvals[i];
		if (cells > SCENARIO_MAX_CELLS) {
			return err_set(e, -E2BIG,
				       "%s: the axes make a matrix of %llu cells "
				       "(at most %d)",
				       path, cells, SCENARIO_MAX_CELLS);
		}
	}
	return 0;
}

/* Parse the stream @f (closed here) that fopen or fmemopen just returned,
 * NULL with errno set when it failed. */
static int scenario_parse_stream(FILE *f, const char *path, const char *workload_dir,
				 struct scenario *sc, struct errbuf *e)
{
	struct errbuf none;
	int rc;

	if (!f) {
		memset(sc, 0, sizeof(*sc));
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	}
	rc = scenario_parse(f, path, workload_dir, sc, e ?: &none);
	fclose(f);
	return rc;
}

int scenario_load(const char *path, const char *workload_dir, struct scenario *sc, struct errbuf *e)
{
	return scenario_parse_stream(fopen(path, "re"), path, workload_dir, sc, e);
}

int scenario_load_text(const char *path, const char *text, const char *workload_dir,
		       struct scenario *sc, struct errbuf *e)
{
	return scenario_parse_stream(fmemopen((void *)text, strlen(text), "r"), path, workload_dir,
				     sc, e);
}

void scenario_free(struct scenario *sc)
{
	for (int i = 0; i < NR_AXES; i++)
		for (int j = 0; j < sc->nvals[i]; j++)
			free(sc->vals[i][j]);
	for (int i = 0; i < sc->nexcludes; i++) {
		free(sc->excludes[i].name);
		for (int j = 0; j < NR_AXES; j++)
			free((char *)sc->excludes[i].val[j]);
	}
	free(sc->path);
	free(sc->text);
	free(sc->name);
	free(sc->description);
	free(sc->kernel_args);
	memset(sc, 0, sizeof(*sc));
}

/* Why a cell cannot run, before QEMU is ever started (DESIGN.md: QEMU's
 * user-space virtio-net with a tap backend accepts tx_queue_size=256 only). */
static void cell_check(const struct scenario *sc, struct cell *c)
{
	for (int i = 0; i < sc->nexcludes && !c->excluded_by; i++) {
		int match = 1;

		for (int a = 0; a < NR_AXES && match; a++)
			if (sc->excludes[i].val[a] && strcmp(sc->excludes[i].val[a], c->val[a]))
				match = 0;
		if (match) {
			c->excluded_by = sc->excludes[i].line;
			snprintf(c->skip_reason, sizeof(c->skip_reason),
				 "excluded by rule '%s' (%s:%d)", sc->excludes[i].name, sc->path,
				 sc->excludes[i].line);
		}
	}
	if (c->excluded_by)
		return;
	if (!strcmp(c->val[AX_BACKEND], "tap") && strcmp(c->val[AX_TX_QUEUE_SIZE], "256"))
		snprintf(
			c->skip_reason, sizeof(c->skip_reason),
			"backend=tap accepts tx_queue_size=256 only (1024 needs vhost-user or vDPA)");
	else if (!strcmp(c->val[AX_BACKEND], "vhost-user") &&
		 strncmp(c->val[AX_WORKLOAD], "net-", 4))
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "backend=vhost-user carries net workloads only, not %s",
			 c->val[AX_WORKLOAD]);
	else if (!strcmp(c->val[AX_CLOCK], "icount") && !strcmp(c->val[AX_ACCEL], "kvm"))
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "clock=icount needs TCG: QEMU allows no -icount with KVM");
	else if (!strcmp(c->val[AX_CLOCK], "icount") && !strcmp(c->val[AX_WORKLOAD], "net-rx"))
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "clock=icount: net-rx's host sender counts its window in host seconds, "
			 "the guest in instructions (docs/clock.md)");
	else if (sc->icount && !strcmp(c->val[AX_TRACE], "off"))
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "icount = on divides by vqtrace's adds and gets: trace=off gives none");
}

int scenario_expand(const struct scenario *sc, struct cell **cells)
{
	int total = 1, idx[NR_AXES] = { 0 };

	for (int i = 0; i < NR_AXES; i++)
		total *= sc->nvals[i];
	*cells = calloc(total, sizeof(**cells));
	if (!*cells)
		return -ENOMEM;
	for (int n = 0; n < total; n++) {
		struct cell *c = &(*cells)[n];

		c->index = n;
		snprintf(c->id, sizeof(c->id), "c%d", n);
		for (int i = 0; i < NR_AXES; i++)
			c->val[i] = sc->vals[i][idx[i]];
		cell_check(sc, c);
		/* odometer, last axis fastest */
		for (int i = NR_AXES - 1; i >= 0; i--) {
			if (++idx[i] < sc->nvals[i])
				break;
			idx[i] = 0;
		}
	}
	return total;
}

/* splitmix64: a well-mixed stream from any seed, even 0 or 1 */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void scenario_block_order(const struct scenario *sc, unsigned int rep, int *order, int n)
{
	uint64_t state = sc->seed ^ ((uint64_t)rep << 32 | rep);

	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
		int k = splitmix64(&state) % (uint64_t)(i + 1), t = order[i];

		order[i] = order[k];
		order[k] = t;
	}
}

const char *scenario_clock(const struct scenario *sc)
{
	return sc->nvals[AX_CLOCK] == 1 ? sc->vals[AX_CLOCK][0] : "axis";
}

void cell_describe(const struct cell *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < NR_AXES && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s=%s", i ? " " : "", axis_defs[i].name,
			      c->val[i]);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The device side's binaries: `vqlab qemu build` (scripts/qemu-build.sh does
 * the sequencing: fetch, verify, unpack, patch, configure, ninja; this file
 * chooses the point and the name, keys the cache, condenses the progress and
 * writes the provenance), `vqlab qemu list`, and the resolver of the `qemu`
 * axis' specs.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "dirs.h"
#include "jsonfile.h"
#include "msg.h"
#include "parse.h"
#include "proc.h"
#include "qemu.h"
#include "results.h"
#include "textfile.h"

#define TOOL "vqlab qemu"

/* ---- small helpers ------------------------------------------------------ */

/* sha256 of a file, 64 hex digits. */
static int file_sha256(const char *path, char out[65], struct errbuf *e)
{
	const char *argv[] = { "sha256sum", "--", path, NULL };
	char buf[PATH_MAX + 128];
	int rc = proc_run(argv, buf, sizeof(buf));

	if (rc || strlen(buf) < 64)
		return err_set(e, -EIO, "cannot hash %s (sha256sum exit %d)", path, rc);
	memcpy(out, buf, 64);
	out[64] = '\0';
	return 0;
}

int qemu_version_parse(const char *text, char *out, size_t outlen)
{
	const char *p = strstr(text, "version ");
	size_t n = 0;

	if (!p)
		return -EINVAL;
	p += strlen("version ");
	while (p[n] && (isdigit((unsigned char)p[n]) || p[n] == '.'))
		n++;
	if (!n || !isdigit((unsigned char)p[0]) || n >= outlen)
		return -EINVAL;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* Run BINARY -version: the version it reports. */
static int binary_version(const char *path, char *out, size_t outlen, struct errbuf *e)
{
	const char *argv[] = { path, "-version", NULL };
	char buf[1024];
	int rc = proc_run(argv, buf, sizeof(buf));

	if (rc)
		return err_set(e, -EIO, "%s -version failed (exit %d): %.200s", path, rc, buf);
	if (qemu_version_parse(buf, out, outlen))
		return err_set(e, -EIO, "%s -version printed no version: %.200s", path, buf);
	return 0;
}

/* A build name is one path component of [A-Za-z0-9._+-], not starting with '.'. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 100 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._+-", name[i]))
			return false;
	return true;
}

/* ---- qemu-patches/ ---------------------------------------------------- */

static int base_line(struct qemu_series *s, const char *path, int lineno, char *line,
		     struct errbuf *e)
{
	static const struct {
		const char *key;
		size_t off, len;
	} keys[] = {
		{ "base_version", offsetof(struct qemu_series, base_version), 32 },
		{ "base_debian_version", offsetof(struct qemu_series, base_debian_version), 96 },
		{ "base_tarball", offsetof(struct qemu_series, base_tarball), 128 },
		{ "base_sha256", offsetof(struct qemu_series, base_sha256), 65 },
	};
	char *eq = strchr(line, '=');

	if (!eq)
		return err_set(e, -EINVAL, "%s:%d: not KEY=VALUE: '%s'", path, lineno, line);
	*eq++ = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(line, keys[i].key))
			continue;
		if (strlen(eq) >= keys[i].len || strpbrk(eq, "\"' \t"))
			return err_set(e, -EINVAL, "%s:%d: %s: bad value '%s'", path, lineno, line,
				       eq);
		strcpy((char *)s + keys[i].off, eq);
	}
	return 0; /* other keys (base_package) are for people and the script */
}

/* Each non-comment, non-blank line of @path, stripped, to @fn. */
static int for_each_line(const char *path, struct qemu_series *s, struct errbuf *e,
			 int (*fn)(struct qemu_series *, const char *, int, char *,
				   struct errbuf *))
{
	size_t size;
	char *text = file_read_all(path, &size), *line, *next, *end;
	int lineno = 0, ret = 0;

	if (!text)
		return err_set(e, -errno, "cannot read %s: %s", path, strerror(errno));
	for (line = text; line && *line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		end = strchr(line, '#');
		if (end)
			*end = '\0';
		for (end = line + strlen(line); end > line && isspace((unsigned char)end[-1]);)
			*--end = '\0';
		if (*line)
			ret = fn(s, path, lineno, line, e);
	}
	free(text);
	return ret;
}

static int series_line(struct qemu_series *s, const char *path, int lineno, char *line,
		       struct errbuf *e)
{
	if (s->n >= QEMU_SERIES_MAX)
		return err_set(e, -E2BIG, "%s:%d: more than %d patches", path, lineno,
			       QEMU_SERIES_MAX);
	if (!name_ok(line) || strlen(line) >= sizeof(s->patch[0]))
		return err_set(e, -EINVAL, "%s:%d: '%s' is not a patch file name", path, lineno,
			       line);
	snprintf(s->patch[s->n++], sizeof(s->patch[0]), "%s", line);
	return 0;
}

int qemu_series_load(const char *dir, struct qemu_series *s, struct errbuf *e)
{
	char path[PATH_MAX];
	int ret;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/base", dir);
	ret = for_each_line(path, s, e, base_line);
	if (ret)
		return ret;
	if (!s->base_version[0] || strlen(s->base_sha256) != 64 || !s->base_tarball[0])
		return err_set(e, -EINVAL,
			       "%s: needs base_version, base_tarball and a 64-digit "
			       "base_sha256",
			       path);
	snprintf(path, sizeof(path), "%s/series", dir);
	return for_each_line(path, s, e, series_line);
}

/* @arg names patch @p: its file name, without ".patch", or also without "NNNN-". */
static bool patch_named(const char *p, const char *arg)
{
	size_t plen = strlen(p), len = strlen(arg), stem = plen;

	if (plen > 6 && !strcmp(p + plen - 6, ".patch"))
		stem = plen - 6;
	if (!strcmp(p, arg) || (len == stem && !strncmp(p, arg, stem)))
		return true;
	return stem > 5 && strspn(p, "0123456789") == 4 && p[4] == '-' && len == stem - 5 &&
	       !strncmp(p + 5, arg, len);
}

int qemu_series_point(const struct qemu_series *s, const char *arg, int *point, struct errbuf *e)
{
	size_t len = strlen(arg);

	if (len && strspn(arg, "0123456789") == len) { /* decimal, "0010" is 10 */
		unsigned long u = len < 6 ? strtoul(arg, NULL, 10) : ULONG_MAX;

		if (u > (unsigned long)s->n)
			return err_set(e, -ERANGE, "--upto %s: the series has %d patch%s (0-%d)",
				       arg, s->n, s->n == 1 ? "" : "es", s->n);
		*point = (int)u;
		return 0;
	}
	for (int i = 0; i < s->n; i++) {
		if (patch_named(s->patch[i], arg)) {
			*point = i + 1;
			return 0;
		}
	}
	return err_set(e, -ENOENT,
		       "--upto '%s' is neither a number (0-%d) nor a patch of "
		       "qemu-patches/series",
		       arg, s->n);
}

/* ---- spec resolution ---------------------------------------------------- */

static void base_provenance(struct qemu_binary *q)
{
	q->provenance = json_pack("{s:s, s:s, s:s}", "spec", q->spec, "path", q->path, "version",
				  q->version);
}

/* The builds in @cache, "a, b, c" (for "no such build" messages). */
static void build_names(const char *cache, char *out, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	size_t off = 0;
	DIR *d;

	snprintf(out, len, "none");
	snprintf(dir, sizeof(dir), "%s/qemu/build", cache);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && off < len) {
		if (de->d_name[0] == '.')
			continue;
		off += snprintf(out + off, len - off, "%s%s", off ? ", " : "", de->d_name);
	}
	closedir(d);
}

static int resolve_system(struct qemu_binary *q, struct errbuf *e)
{
	const char *dpkg[] = { "dpkg-query", "-W", "-f=${Version}", "qemu-system-x86", NULL };
	char pkg[128];
	int ret;

	snprintf(q->path, sizeof(q->path), "%s", QEMU_SYSTEM_BINARY);
	if (access(q->path, X_OK))
		return err_set(e, -errno, "system QEMU %s: %s (run scripts/setup.sh)", q->path,
			       strerror(errno));
	ret = binary_version(q->path, q->version, sizeof(q->version), e);
	if (ret)
		return ret;
	base_provenance(q);
	if (!proc_run(dpkg, pkg, sizeof(pkg)) && pkg[0]) {
		json_object_set_new(q->provenance, "package", json_string("qemu-system-x86"));
		json_object_set_new(q->provenance, "package_version", json_string(pkg));
	}
	return 0;
}

static int resolve_build(struct qemu_binary *q, const char *name, const char *cache,
			 struct errbuf *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], names[512];
	json_error_t jerr;
	json_t *point;

	if (!name_ok(name))
		return err_set(e, -EINVAL,
			       "qemu spec 'build:%s': not a build name "
			       "([A-Za-z0-9._+-], not starting with '.')",
			       name);
	snprintf(dir, sizeof(dir), "%s/qemu/build/%s", cache, name);
	snprintf(path, sizeof(path), "%s/%s", dir, QEMU_PROVENANCE);
	q->provenance = json_load_file(path, 0, &jerr);
	if (!q->provenance) {
		build_names(cache, names, sizeof(names));
		return err_set(e, -ENOENT,
			       "no QEMU build '%s' in %s/qemu/build (builds: %s; "
			       "make one with: vqlab qemu build)",
			       name, cache, names);
	}
	snprintf(q->path, sizeof(q->path), "%s/%s", dir, QEMU_BINARY_NAME);
	if (access(q->path, X_OK))
		return err_set(e, -EACCES, "QEMU build '%s': %s is not executable: %s", name,
			       q->path, strerror(errno));
	snprintf(q->version, sizeof(q->version), "%s",
		 json_string_value(json_object_get(q->provenance, "qemu_version")) ?: "");
	if (!q->version[0])
		return err_set(e, -EIO, "%s: no qemu_version", path);
	point = json_object_get(json_object_get(q->provenance, "series"), "point");
	q->series_point = json_is_integer(point) ? (int)json_integer_value(point) : -1;
	json_object_set_new(q->provenance, "path", json_string(q->path));
	return 0;
}

static int resolve_file(struct qemu_binary *q, const char *path, struct errbuf *e)
{
	struct stat st;
	int ret;

	if (path[0] != '/')
		return err_set(e, -EINVAL, "qemu spec 'file:%s': give an absolute path", path);
	if (stat(path, &st))
		return err_set(e, -ENOENT, "qemu spec 'file:%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(path, X_OK))
		return err_set(e, -EACCES, "qemu spec 'file:%s': not an executable file", path);
	snprintf(q->path, sizeof(q->path), "%s", path);
	ret = binary_version(q->path, q->version, sizeof(q->version), e);
	if (ret)
		return ret;
	base_provenance(q);
	return 0;
}

int qemu_spec_resolve(const char *spec, const char *cache, struct qemu_binary *out,
		      struct errbuf *e)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->series_point = -1;
	if (strlen(spec) >= sizeof(out->spec))
		return err_set(e, -ENAMETOOLONG, "qemu spec too long");
	snprintf(out->spec, sizeof(out->spec), "%s", spec);
	if (!strcmp(spec, "system")) {
		out->kind = QEMU_SYSTEM;
		ret = resolve_system(out, e);
	} else if (!strncmp(spec, "build:", 6)) {
		out->kind = QEMU_BUILD;
		ret = resolve_build(out, spec + 6, cache, e);
	} else if (!strncmp(spec, "file:", 5)) {
		out->kind = QEMU_FILE;
		ret = resolve_file(out, spec + 5, e);
	} else {
		return err_set(e, -EINVAL,
			       "qemu spec '%s': expected system, build:NAME or "
			       "file:PATH",
			       spec);
	}
	if (ret)
		qemu_binary_release(out);
	return ret;
}

void qemu_binary_release(struct qemu_binary *q)
{
	json_decref(q->provenance);
	q->provenance = NULL;
}

/* ---- vqlab qemu build --------------------------------------------------- */

struct qemu_paths {
	char top[PATH_MAX]; /* the source tree: qemu-patches/, scripts/ */
	char cache[PATH_MAX]; /* VQLAB_CACHE, default /var/cache/vqlab */
};

/* The source tree is VQLAB_TOP or the folder above the one vqlab is in. */
static int locate(struct qemu_paths *p, struct errbuf *e)
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("VQLAB_TOP");
	ssize_t n;

	if (env) {
		snprintf(p->top, sizeof(p->top), "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return err_set(e, -errno, "/proc/self/exe: %s", strerror(errno));
		exe[n] = '\0';
		snprintf(p->top, sizeof(p->top), "%s", dirname(dirname(exe)));
	}
	snprintf(probe, sizeof(probe), "%s/scripts/qemu-build.sh", p->top);
	if (access(probe, X_OK))
		return err_set(e, -ENOENT,
			       "cannot find vqlab's source tree (looked for %s); "
			       "set VQLAB_TOP",
			       probe);
	env = getenv("VQLAB_CACHE");
	snprintf(p->cache, sizeof(p->cache), "%s", env && *env ? env : "/var/cache/vqlab");
	return 0;
}

/* One build being made: its inputs, key and scratch folder. */
struct qemu_build {
	struct qemu_paths paths;
	struct qemu_series series;
	int point;
	char name[128];
	unsigned int jobs;
	char tmp[PATH_MAX]; /* CACHE/qemu/build/.tmp-NAME-XXXXXX */
	char dest[PATH_MAX]; /* CACHE/qemu/build/NAME */
	char prefix_sha256[65]; /* of series.sha256: the applied patches */
	char config_sha256[65]; /* of configure.args */
	char key[17];
	json_t *patches; /* [{name, sha256}] */
	json_t *configure; /* [arg, ...] */
};

static int write_text(const char *dir, const char *name, const char *text, char *sha,
		      struct errbuf *e)
{
	char path[PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = file_write_text(path, text);
	if (ret)
		return err_set(e, ret, "cannot write %s: %s", path, strerror(-ret));
	return sha ? file_sha256(path, sha, e) : 0;
}

/* series.sha256 (sha256sum's format) lists the applied patches. */
static int build_hash_patches(struct qemu_build *b, struct errbuf *e)
{
	char path[PATH_MAX + 300], sha[65], text[QEMU_SERIES_MAX * 330] = "";
	size_t off = 0;
	int ret;

	b->patches = json_array();
	for (int i = 0; i < b->point; i++) {
		snprintf(path, sizeof(path), "%s/qemu-patches/%s", b->paths.top,
			 b->series.patch[i]);
		ret = file_sha256(path, sha, e);
		if (ret)
			return ret;
		off += snprintf(text + off, sizeof(text) - off, "%s  %s\n", sha,
				b->series.patch[i]);
		json_array_append_new(b->patches, json_pack("{s:s, s:s}", "name",
							    b->series.patch[i], "sha256", sha));
	}
	return write_text(b->tmp, "series.sha256", text, b->prefix_sha256, e);
}

/* configure.args: the script's configure line, one argument a line. */
static int build_hash_config(struct qemu_build *b, struct errbuf *e)
{
	char script[PATH_MAX + 32], out[4096];
	const char *argv[] = { script, "--configure-args", NULL };
	int rc;

	snprintf(script, sizeof(script), "%s/scripts/qemu-build.sh", b->paths.top);
	rc = proc_run(argv, out, sizeof(out));
	if (rc)
		return err_set(e, -EIO, "%s --configure-args: exit %d: %.200s", script, rc, out);
	if (strlen(out) + 2 > sizeof(out))
		return err_set(e, -E2BIG, "%s --configure-args: output too long", script);
	strcat(out, "\n"); /* proc_run dropped the last newline */
	rc = write_text(b->tmp, "configure.args", out, b->config_sha256, e);
	if (rc)
		return rc;
	b->configure = json_array();
	for (char *save = NULL, *p = out, *l; (l = strtok_r(p, "\n", &save)); p = NULL)
		json_array_append_new(b->configure, json_string(l));
	return 0;
}

/* The cache key: base sha256, series-prefix hash and config hash. */
static int build_key(struct qemu_build *b, struct errbuf *e)
{
	char text[256], sha[65];
	int ret;

	ret = build_hash_patches(b, e) ?: build_hash_config(b, e);
	if (ret)
		return ret;
	snprintf(text, sizeof(text), "%s\n%s\n%s\n", b->series.base_sha256, b->prefix_sha256,
		 b->config_sha256);
	ret = write_text(b->tmp, "key.txt", text, sha, e);
	if (ret)
		return ret;
	snprintf(b->key, sizeof(b->key), "%.16s", sha);
	return 0;
}

/* The build in b->dest has this key and its binary. */
static bool build_cached(const struct qemu_build *b)
{
	char path[PATH_MAX + 32];
	const char *key;
	json_t *o;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", b->dest, QEMU_PROVENANCE);
	o = json_load_file(path, 0, NULL);
	key = json_string_value(json_object_get(o, "key"));
	ok = key && !strcmp(key, b->key);
	json_decref(o);
	snprintf(path, sizeof(path), "%s/%s", b->dest, QEMU_BINARY_NAME);
	return ok && !access(path, X_OK);
}

/* Condenses the script's output: ninja's "[n/m] ..." lines become one
 * progress line (rewritten in place on a terminal, every 10 % otherwise),
 * the script's own "qemu-build: " lines and errors pass through; everything
 * goes to the log. */
struct progress {
	bool tty, inline_shown;
	int last_tenth;
};

static void progress_line(struct progress *pg, const char *line)
{
	unsigned long n, m;
	int len;

	if (sscanf(line, "[%lu/%lu]%n", &n, &m, &len) == 2 && m && n <= m) {
		int pct = (int)(n * 100 / m);

		if (pg->tty) {
			fprintf(stderr, "\r  qemu build [%lu/%lu] %3d%% %.60s\033[K", n, m, pct,
				line + len);
			pg->inline_shown = true;
		} else if (pct / 10 != pg->last_tenth) {
			fprintf(stderr, "  qemu build [%lu/%lu] %d%%\n", n, m, pct);
		}
		pg->last_tenth = pct / 10;
		return;
	}
	if (strncmp(line, "qemu-build: ", 12) && strncmp(line, "Error", 5) &&
	    strncmp(line, "FAILED", 6) && strncmp(line, "ERROR", 5) && !strstr(line, ": error: "))
		return;
	if (pg->inline_shown)
		fputc('\n', stderr);
	pg->inline_shown = false;
	fprintf(stderr, "%s\n", line);
}

static pid_t spawn_piped(const char *const argv[], int *out_fd)
{
	int pfd[2], nul;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		proc_child_default_signals();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -1;
	}
	*out_fd = pfd[0];
	return pid;
}

/* Run scripts/qemu-build.sh; its whole output into TMP/build.log. */
static int build_run_script(struct qemu_build *b, struct errbuf *e)
{
	char script[PATH_MAX + 32], log[PATH_MAX + 16], upto[16], jobs[16], *line = NULL;
	const char *argv[] = { script,	 "--upto", upto,      "--out",	      b->tmp,
			       "--jobs", jobs,	   "--cache", b->paths.cache, NULL };
	struct progress pg = { .tty = isatty(2), .last_tenth = -1 };
	size_t cap = 0;
	ssize_t len;
	int fd, status = 0;
	FILE *in, *logf;
	pid_t pid;

	snprintf(script, sizeof(script), "%s/scripts/qemu-build.sh", b->paths.top);
	snprintf(log, sizeof(log), "%s/build.log", b->tmp);
	snprintf(upto, sizeof(upto), "%d", b->point);
	snprintf(jobs, sizeof(jobs), "%u", b->jobs);
	logf = fopen(log, "we");
	if (!logf)
		return err_set(e, -errno, "cannot write %s: %s", log, strerror(errno));
	pid = spawn_piped(argv, &fd);
	in = pid > 0 ? fdopen(fd, "r") : NULL;
	if (!in) {
		fclose(logf);
		return err_set(e, -errno, "cannot run %s: %s", script, strerror(errno));
	}
	while ((len = getline(&line, &cap, in)) > 0) {
		fputs(line, logf);
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		progress_line(&pg, line);
	}
	free(line);
	fclose(in);
	fclose(logf);
	if (pg.inline_shown)
		fputc('\n', stderr);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	file_tail(log, 1, script, sizeof(script));
	return err_set(e, -EIO, "qemu-build.sh failed (%s %d): %s; full log: %s",
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), script, log);
}

static int build_provenance(struct qemu_build *b, double secs, const char *version,
			    struct errbuf *e)
{
	char when[32], path[PATH_MAX + 32], spec[160];
	const struct qemu_series *s = &b->series;
	json_t *o;
	int ret;

	iso_time_now(when);
	snprintf(spec, sizeof(spec), "build:%s", b->name);
	o = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s},"
		      " s:{s:i, s:i, s:s?, s:s, s:O}, s:O, s:s, s:s, s:s, s:s, s:s, s:f, s:i}",
		      "spec", spec, "name", b->name, "key", b->key, "base", "package", "qemu",
		      "version", s->base_version, "debian_version", s->base_debian_version,
		      "tarball", s->base_tarball, "sha256", s->base_sha256, "series", "point",
		      b->point, "total", s->n, "top", b->point ? s->patch[b->point - 1] : NULL,
		      "prefix_sha256", b->prefix_sha256, "patches", b->patches, "configure",
		      b->configure, "configure_sha256", b->config_sha256, "qemu_version", version,
		      "binary", QEMU_BINARY_NAME, "plugin_header", "qemu-plugin.h", "built_at",
		      when, "build_seconds", secs, "jobs", (int)b->jobs);
	if (!o)
		return err_set(e, -ENOMEM, "cannot build the provenance");
	snprintf(path, sizeof(path), "%s/%s", b->tmp, QEMU_PROVENANCE);
	ret = json_write_atomic(path, o);
	json_decref(o);
	return ret ? err_set(e, ret, "cannot write %s: %s", path, strerror(-ret)) : 0;
}

/* Build in b->tmp, check the binary, record where it came from, move it to
 * b->dest (replacing a stale build of that name). */
static int build_make(struct qemu_build *b, struct errbuf *e)
{
	const char *rm[] = { "rm", "-rf", "--", b->dest, NULL };
	char bin[PATH_MAX + 32], version[64];
	double t0 = now_s();
	int ret;

	p_info("building QEMU %s at p%d (%s) as '%s' (log: %s/build.log; minutes with a cold "
	       "ccache)",
	       b->series.base_version, b->point,
	       b->point ? b->series.patch[b->point - 1] : "no patch", b->name, b->tmp);
	ret = build_run_script(b, e);
	if (ret)
		return ret;
	snprintf(bin, sizeof(bin), "%s/%s", b->tmp, QEMU_BINARY_NAME);
	ret = binary_version(bin, version, sizeof(version), e);
	if (ret)
		return ret;
	if (strcmp(version, b->series.base_version))
		return err_set(e, -EIO, "%s reports version %s, the base is %s", bin, version,
			       b->series.base_version);
	ret = build_provenance(b, now_s() - t0, version, e);
	if (ret)
		return ret;
	/* libvirt's QEMU runs as another user: it must reach and run the binary */
	if (chmod(b->tmp, 0755))
		return err_set(e, -errno, "chmod %s: %s", b->tmp, strerror(errno));
	if (proc_run(rm, NULL, 0) || rename(b->tmp, b->dest))
		return err_set(e, -EIO, "cannot move %s to %s", b->tmp, b->dest);
	p_info("built build:%s in %.0f s", b->name, now_s() - t0);
	return 0;
}

static void build_print(const struct qemu_build *b, bool cached)
{
	char path[PATH_MAX + 32];
	json_t *o;

	snprintf(path, sizeof(path), "%s/%s", b->dest, QEMU_BINARY_NAME);
	if (!msg_json()) {
		printf("build:%s\n%s\n", b->name, path);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", b->dest, QEMU_PROVENANCE);
	o = json_load_file(path, 0, NULL);
	if (!o)
		o = json_object();
	snprintf(path, sizeof(path), "%s/%s", b->dest, QEMU_BINARY_NAME);
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "dir", json_string(b->dest));
	json_object_set_new(o, "cached", json_boolean(cached));
	p_json(o);
	json_decref(o);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqlab qemu build [--upto N|PATCH] [--name NAME] [--jobs N] [-j|-p]\n"
		"       vqlab qemu list [-j|-p]\n"
		"       vqlab qemu help\n"
		"\n"
		"build: qemu-system-x86_64 from qemu-patches/base (QEMU's source as Debian\n"
		"  ships it, pinned by sha256) with the first N patches of qemu-patches/series\n"
		"  (default: all), out of tree, x86_64 only, with virtio, vhost-user, tap, KVM,\n"
		"  TCG plugins and USDT trace points for perf. Cached in\n"
		"  $VQLAB_CACHE/qemu/build/NAME/ (default /var/cache/vqlab) under a key of the\n"
		"  base sha256, the series-prefix hash and the configure line; an up-to-date\n"
		"  build is reused. NAME defaults to BASE+pN (10.0.2+p1). Prints the spec\n"
		"  build:NAME and the binary.\n"
		"list: the builds, with version, series point and provenance.\n"
		"A scenario picks a binary with the axis qemu = system | build:NAME | file:PATH.\n"
		"\n"
		"EXAMPLES:\n"
		"  vqlab qemu build                # the whole series: build:10.0.2+p1\n"
		"  vqlab qemu build --upto 0       # the pristine base: build:10.0.2+p0\n"
		"  vqlab qemu build --upto 1       # up to patch 1, or name it (NNNN-subject)\n"
		"  vqlab qemu build --name mine    # your series (see qemu-patches/README.md)\n"
		"  vqlab qemu list -j | jq '.[].series.point'\n");
}

/* Common options of the subcommands: -j, -p, -h, and build's. Returns -1 to
 * go on, else the exit code. */
static int parse_opts(int argc, char **argv, const char **upto, const char **name,
		      unsigned int *jobs)
{
	static const struct option opts[] = {
		{ "upto", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool build = !strcmp(argv[0], "build");
	uint64_t u;
	int c;

	optind = 0; /* 0: glibc re-initialises getopt for the subcommand */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jph", opts, NULL)) != -1) {
		if (!build && (c == 'u' || c == 'n' || c == 'J'))
			return cli_usage_error(TOOL, "%s takes only -j, -p and -h", argv[0]);
		switch (c) {
		case 'u':
			*upto = optarg;
			break;
		case 'n':
			*name = optarg;
			break;
		case 'J':
			if (parse_u64(optarg, 1, 64, &u))
				return cli_usage_error(TOOL, "--jobs '%s': a number from 1 to 64",
						       optarg);
			*jobs = (unsigned int)u;
			break;
		case 'j':
		case 'p':
			msg_set_json(true, c == 'p');
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_getopt_error(TOOL, c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(TOOL, "%s: unexpected argument '%s'", argv[0], argv[optind]);
	return -1;
}

/* Point, name and scratch folder of the build the options ask for. Returns
 * -1 to go on, else the exit code. */
static int build_setup(struct qemu_build *b, const char *upto, const char *name)
{
	struct errbuf e = { "" };
	char qp[PATH_MAX + 16], dir[PATH_MAX];

	snprintf(qp, sizeof(qp), "%s/qemu-patches", b->paths.top);
	if (qemu_series_load(qp, &b->series, &e)) {
		p_err("%s", e.msg);
		return EXIT_RUNTIME;
	}
	b->point = b->series.n;
	if (upto && qemu_series_point(&b->series, upto, &b->point, &e))
		return cli_usage_error(TOOL, "%s", e.msg);
	if (name && !name_ok(name))
		return cli_usage_error(TOOL,
				       "--name '%s': use letters, digits and ._+- "
				       "(not starting with '.')",
				       name);
	if (name)
		snprintf(b->name, sizeof(b->name), "%s", name);
	else
		snprintf(b->name, sizeof(b->name), "%s+p%d", b->series.base_version, b->point);
	snprintf(dir, sizeof(dir), "%s/qemu/build", b->paths.cache);
	snprintf(b->dest, sizeof(b->dest), "%s/%s", dir, b->name);
	snprintf(b->tmp, sizeof(b->tmp), "%s/.tmp-%s-XXXXXX", dir, b->name);
	if (mkdir_p(dir, 0755) || !mkdtemp(b->tmp)) {
		p_err("cannot create a folder in %s: %s (run as root, or set VQLAB_CACHE)", dir,
		      strerror(errno));
		return EXIT_RUNTIME;
	}
	return -1;
}

static int do_build(int argc, char **argv)
{
	const char *rm[] = { "rm", "-rf", "--", NULL, NULL };
	struct qemu_build b = { .jobs = 2 };
	const char *upto = NULL, *name = NULL;
	struct errbuf e = { "" };
	int rc = parse_opts(argc, argv, &upto, &name, &b.jobs);

	if (rc >= 0)
		return rc;
	if (locate(&b.paths, &e)) {
		p_err("%s", e.msg);
		return EXIT_RUNTIME;
	}
	rc = build_setup(&b, upto, name);
	if (rc >= 0)
		return rc;
	rm[3] = b.tmp;
	rc = EXIT_RUNTIME;
	if (build_key(&b, &e))
		goto cleanup;
	if (build_cached(&b)) {
		p_info("cached: build:%s (key %s)", b.name, b.key);
		proc_run(rm, NULL, 0);
		build_print(&b, true);
		rc = 0;
		goto cleanup;
	}
	if (build_make(&b, &e))
		goto cleanup; /* the scratch folder stays: it has the log */
	build_print(&b, false);
	rc = 0;
cleanup:
	if (rc)
		p_err("%s", e.msg);
	json_decref(b.patches);
	json_decref(b.configure);
	return rc;
}

/* ---- vqlab qemu list ---------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_print_text(json_t *arr)
{
	size_t i;
	json_t *o;

	printf("%-24s %-8s %-5s %-16s %-20s %s\n", "SPEC", "VERSION", "POINT", "KEY", "BUILT",
	       "TOP PATCH");
	json_array_foreach(arr, i, o) {
		json_t *s = json_object_get(o, "series");

		printf("build:%-18s %-8s %2d/%-2d %-16s %-20s %s\n",
		       json_string_value(json_object_get(o, "name")) ?: "?",
		       json_string_value(json_object_get(o, "qemu_version")) ?: "?",
		       (int)json_integer_value(json_object_get(s, "point")),
		       (int)json_integer_value(json_object_get(s, "total")),
		       json_string_value(json_object_get(o, "key")) ?: "?",
		       json_string_value(json_object_get(o, "built_at")) ?: "?",
		       json_string_value(json_object_get(s, "top")) ?: "(none)");
	}
}

/* The builds' qemu.json, sorted by name, each with its "path". */
static json_t *list_builds(const char *cache)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], *names[1024];
	json_t *arr = json_array(), *o;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/qemu/build", cache);
	d = opendir(dir);
	while (d && (de = readdir(d)) && n < 1024)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", dir, names[i], QEMU_PROVENANCE);
		o = json_load_file(path, 0, NULL);
		if (o) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, names[i], QEMU_BINARY_NAME);
			json_object_set_new(o, "path", json_string(path));
			json_array_append_new(arr, o);
		}
		free(names[i]);
	}
	return arr;
}

static int do_list(int argc, char **argv)
{
	struct qemu_paths paths;
	struct errbuf e = { "" };
	int rc = parse_opts(argc, argv, NULL, NULL, NULL);
	json_t *arr;

	if (rc >= 0)
		return rc;
	if (locate(&paths, &e)) {
		p_err("%s", e.msg);
		return EXIT_RUNTIME;
	}
	arr = list_builds(paths.cache);
	if (msg_json())
		p_json(arr);
	else if (json_array_size(arr))
		list_print_text(arr);
	else
		printf("no QEMU builds in %s/qemu/build (make one with: vqlab qemu build)\n",
		       paths.cache);
	json_decref(arr);
	return 0;
}

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int qemu_cmd(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "build", do_build },
		{ "list", do_list },
		{ "help", do_help },
	};
	const struct cli_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return do_help(argc, argv);
	c = cli_cmd_find(TOOL, cmds, sizeof(cmds) / sizeof(cmds[0]), argv[1]);
	if (!c)
		return EXIT_USAGE;
	return c->fn(argc - 1, argv + 1);
}

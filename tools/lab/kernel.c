// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dirs.h"
#include "kernel.h"
#include "proc.h"

/* The last line a script printed: its error, or its result. */
static const char *last_line(const char *out)
{
	const char *nl = strrchr(out, '\n');

	return nl ? nl + 1 : out;
}

/* scripts/fetch-kernel.sh: fetch (or find cached) Debian's cloud kernel of
 * @suite; its last line is the kernel folder. */
static int kernel_fetch_debian(const struct lab_paths *p, const char *spec, struct kernel *k,
			       struct errbuf *e)
{
	char out[4096] = "", script[PATH_MAX + 32], kc[PATH_MAX + 16];
	const char *argv[] = { script, spec + strlen("debian:"), kc, NULL };

	snprintf(script, sizeof(script), "%s/scripts/fetch-kernel.sh", p->top);
	snprintf(kc, sizeof(kc), "%s/kernels", p->cache);
	if (proc_run(argv, out, sizeof(out)))
		return err_set(e, -ENOENT, "kernel %s: %s", spec, last_line(out));
	snprintf(k->dir, sizeof(k->dir), "%s", last_line(out));
	return 0;
}

int kernel_resolve(const struct lab_paths *p, const char *spec, struct kernel *k, struct errbuf *e)
{
	char path[PATH_MAX + 32];
	struct stat st;
	int ret;

	snprintf(k->spec, sizeof(k->spec), "%s", spec);
	if (!strncmp(spec, "debian:", 7)) {
		ret = kernel_fetch_debian(p, spec, k, e);
		if (ret)
			return ret;
	} else if (!strncmp(spec, "build:", 6)) {
		snprintf(k->dir, sizeof(k->dir), "%s/kernels/build/%s", p->cache, spec + 6);
	} else if (!strncmp(spec, "file:", 5)) {
		snprintf(k->dir, sizeof(k->dir), "%s", spec + 5);
	} else {
		return err_set(e, -EINVAL, "kernel %s: unknown kind of spec", spec);
	}
	snprintf(path, sizeof(path), "%s/vmlinuz", k->dir);
	if (stat(path, &st))
		return err_set(e, -ENOENT, "kernel %s: no kernel image at %s%s", spec, path,
			       !strncmp(spec, "build:", 6) ?
				       " (build it with scripts/kernel-build.sh)" :
				       "");
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
int kernel_initramfs(const struct lab_paths *p, struct kernel *k, const char *run_id, int idx,
		     struct errbuf *e)
{
	char script[PATH_MAX + 32], out[2048] = "", dir[PATH_MAX + 16];
	const char *argv[] = { script, k->dir, k->initrd, NULL };
	const char *sum[] = { "sha256sum", k->initrd, NULL };
	struct stat st;
	int rc;

	snprintf(script, sizeof(script), "%s/scripts/mkinitramfs.sh", p->top);
	snprintf(dir, sizeof(dir), "%s/initramfs", p->cache);
	mkdir_p(dir, 0755);
	snprintf(k->initrd, sizeof(k->initrd), "%s/%s-k%d.cpio", dir, run_id, idx);
	/* the script takes the guest tools from the build folder O, and the
	 * kernel's ELF (for vqtrace's BTF) from the run's boot image if any */
	setenv("O", p->bin, 1);
	if (k->vmlinux[0])
		setenv("VMLINUX", k->vmlinux, 1);
	else
		unsetenv("VMLINUX");
	rc = proc_run(argv, out, sizeof(out));
	if (rc || stat(k->initrd, &st))
		return err_set(e, -EIO, "initramfs for %s: %s", k->spec, out);
	json_object_set_new(k->info, "initramfs_bytes", json_integer(st.st_size));
	if (proc_run(sum, out, sizeof(out)) == 0) {
		out[strcspn(out, " ")] = '\0';
		json_object_set_new(k->info, "initramfs_sha256", json_string(out));
	}
	return 0;
}

void kernel_release(struct kernel *k)
{
	if (k->initrd[0])
		unlink(k->initrd);
	if (k->vmlinux[0])
		unlink(k->vmlinux);
	if (k->icount_syms[0])
		unlink(k->icount_syms);
	json_decref(k->info);
	k->info = NULL;
}

/* ---- kernel specs, checked when a scenario is read (vqlab plan) ---------- */
/* (included here, not at the top, so that this section merges as one block) */
#include <dirent.h>
#include "msg.h"

/* The Debian suites scripts/fetch-kernel.sh fetches a cloud kernel from. */
static const char *const kernel_suites[] = {
	"bookworm", "bookworm-backports", "trixie", "trixie-backports", "forky", "sid", "unstable",
};

/* The cache vqlab reads kernels from: VQLAB_CACHE, as in vqlab and scripts/. */
static const char *kernel_cache(void)
{
	const char *c = getenv("VQLAB_CACHE");

	return c && *c ? c : "/var/cache/vqlab";
}

static int kernel_has_vmlinuz(const char *dir)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/vmlinuz", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The names of the builds in @dir that hold a vmlinuz, ", "-separated. */
static void kernel_build_names(const char *dir, char *buf, size_t len)
{
	char sub[PATH_MAX];
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	buf[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d))) {
		int w;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (!kernel_has_vmlinuz(sub))
			continue;
		w = snprintf(buf + n, len - n, "%sbuild:%s", n ? ", " : "", de->d_name);
		if (w < 0 || (size_t)w >= len - n) {
			buf[n] = '\0';
			break;
		}
		n += w;
	}
	closedir(d);
}

static int kernel_check_suite(const char *spec, const char *suite, struct errbuf *e)
{
	char list[256];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(kernel_suites) / sizeof(kernel_suites[0]); i++) {
		if (!strcmp(suite, kernel_suites[i]))
			return 0;
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", kernel_suites[i]);
	}
	return err_set(e, -EINVAL,
		       "kernel: unknown Debian suite in '%s' "
		       "(accepted: debian:<suite>, <suite> one of %s)",
		       spec, list);
}

static int kernel_check_build(const char *spec, const char *name, struct errbuf *e)
{
	char dir[PATH_MAX], have[512];
	char path[PATH_MAX + 256];

	snprintf(dir, sizeof(dir), "%s/kernels/build", kernel_cache());
	if (!*name || strchr(name, '/') || name[0] == '.')
		return err_set(e, -EINVAL, "kernel: '%s' is not build:<name> (a folder name in %s)",
			       spec, dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (kernel_has_vmlinuz(path))
		return 0;
	kernel_build_names(dir, have, sizeof(have));
	return err_set(e, -ENOENT,
		       "kernel: no build '%s' in %s (accepted: %s; "
		       "scripts/kernel-build.sh builds one)",
		       name, dir, have[0] ? have : "none built yet");
}

int kernel_spec_check(const char *spec, struct errbuf *e)
{
	if (!strncmp(spec, "debian:", 7))
		return kernel_check_suite(spec, spec + 7, e);
	if (!strncmp(spec, "build:", 6))
		return kernel_check_build(spec, spec + 6, e);
	if (!strncmp(spec, "file:", 5)) {
		if (spec[5] && kernel_has_vmlinuz(spec + 5))
			return 0;
		return err_set(e, -ENOENT,
			       "kernel: no vmlinuz in '%s' (accepted: file:<dir> where "
			       "<dir>/vmlinuz exists)",
			       spec + 5);
	}
	return err_set(e, -EINVAL,
		       "kernel: '%s' is not a kernel spec (accepted: debian:<suite>, "
		       "build:<name>, file:<dir with vmlinuz>)",
		       spec);
}

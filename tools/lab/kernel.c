// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel.h"
#include "proc.h"
#include "sample.h"

int kernel_resolve(const struct lab_paths *p, const char *spec, struct kernel *k, char *err, size_t errlen)
{
	char out[4096], path[PATH_MAX + 32];
	struct stat st;

	snprintf(k->spec, sizeof(k->spec), "%s", spec);
	if (!strncmp(spec, "debian:", 7)) {
		char script[PATH_MAX + 32], kc[PATH_MAX + 16];
		const char *argv[] = { script, spec + 7, kc, NULL };
		int rc;

		snprintf(script, sizeof(script), "%s/scripts/fetch-kernel.sh", p->top);
		snprintf(kc, sizeof(kc), "%s/kernels", p->cache);
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
		snprintf(k->dir, sizeof(k->dir), "%s/kernels/build/%s", p->cache, spec + 6);
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
int kernel_initramfs(const struct lab_paths *p, struct kernel *k, const char *run_id, int idx, char *err,
			    size_t errlen)
{
	char script[PATH_MAX + 32], out[2048], odir[PATH_MAX + 8], dir[PATH_MAX + 16];
	const char *argv[] = { script, k->dir, k->initrd, NULL };
	const char *sum[] = { "sha256sum", k->initrd, NULL };
	struct stat st;
	int rc;

	snprintf(script, sizeof(script), "%s/scripts/mkinitramfs.sh", p->top);
	snprintf(dir, sizeof(dir), "%s/initramfs", p->cache);
	mkdir_p(dir, 0755);
	snprintf(k->initrd, sizeof(k->initrd), "%s/%s-k%d.cpio.gz", dir, run_id, idx);
	snprintf(odir, sizeof(odir), "O=%s", p->bin);
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

// SPDX-License-Identifier: GPL-2.0
/* icount = on (docs/icount.md): the vqicount TCG plugin and the kallsyms of
 * each kernel, which the plugin needs to name the guest's functions. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dirs.h"
#include "proc.h"
#include "run.h"

/* Plugin copies, kallsyms and plugin outputs (vqicount-<pid>.so,
 * vqlab-<pid>-…) of vqlab runs that no longer run: killed before their
 * cleanup, or QEMU wrote its output while being stopped, after it. */
static void icount_reap_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		const char *p = !strncmp(de->d_name, "vqlab-", 6)    ? de->d_name + 6 :
				!strncmp(de->d_name, "vqicount-", 9) ? de->d_name + 9 :
								       NULL;
		char *end;
		long pid = p ? strtol(p, &end, 10) : 0;

		if (pid > 0 && (*end == '-' || *end == '.') && proc_pid_gone(pid))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
}

void icount_reap_stale(const char *cache)
{
	char dir[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/icount", cache);
	icount_reap_dir(dir);
	snprintf(dir, sizeof(dir), "%s/icount/out", cache);
	icount_reap_dir(dir);
}

/* The plugin where QEMU (user libvirt-qemu) may read it, and an output
 * folder it may write. */
static int icount_install(struct run *r, struct errbuf *e)
{
	char src[PATH_MAX + 32], dir[PATH_MAX + 16], out[1024] = "";
	const char *cp[] = { "install", "-m", "0644", src, r->icount_so, NULL };

	snprintf(src, sizeof(src), "%s/vqicount.so", r->paths->bin);
	if (access(src, R_OK))
		return err_set(e, -ENOENT, "icount = on needs %s (make plugin): %s", src,
			       strerror(errno));
	snprintf(dir, sizeof(dir), "%s/icount/out", r->paths->cache);
	mkdir_p(dir, 0755);
	chmod(dir, 01777);
	snprintf(r->icount_so, sizeof(r->icount_so), "%s/icount/vqicount-%d.so", r->paths->cache,
		 getpid());
	if (proc_run(cp, out, sizeof(out)))
		return err_set(e, -EIO, "installing the plugin: %s", out);
	return 0;
}

/* Kernel @i's own kallsyms, taken by booting it once with the kallsyms job
 * (nokaslr: the addresses hold for every later boot of the same kernel and
 * initramfs), into k->icount_syms. */
static int icount_kallsyms(struct run *r, int i, struct errbuf *e)
{
	char kdir[PATH_MAX + 64], name[64], script[PATH_MAX + 32], out[1024] = "";
	const char *syms[] = { script, kdir, NULL, NULL };
	struct kernel *k = &r->kernels[i];
	struct guest_result res;
	struct guest_job j = { .cell = &r->plan.cells[0],
			       .kernel = k,
			       .kvm = r->kvm,
			       .duration = 1,
			       .timeout = r->plan.sc.timeout,
			       .dir = kdir,
			       .name = name,
			       .workload = "kallsyms" };

	for (int c = 0; c < r->plan.ncells; c++)
		if (!strcmp(r->plan.cells[c].val[AX_KERNEL], k->spec))
			j.cell = &r->plan.cells[c];
	snprintf(kdir, sizeof(kdir), "%s/kallsyms/k%d", r->dir, i);
	snprintf(name, sizeof(name), "vqlab-%d-kallsyms-k%d", getpid(), i);
	snprintf(k->icount_syms, sizeof(k->icount_syms), "%s/icount/vqlab-%d-k%d.kallsyms",
		 r->paths->cache, getpid(), i);
	mkdir_p(kdir, 0755);
	p_info("icount: reading %s's kallsyms in a guest", k->spec);
	guest_run(&r->gctx, &j, &res);
	guest_result_free(&res);
	if (!res.ok)
		return err_set(e, -EIO, "icount: kallsyms boot of %s failed: %s", k->spec,
			       res.reason.msg);
	snprintf(kdir + strlen(kdir), sizeof(kdir) - strlen(kdir), "/report.log");
	snprintf(script, sizeof(script), "%s/plugin/guest-syms.sh", r->paths->top);
	syms[2] = k->icount_syms;
	if (proc_run(syms, out, sizeof(out)))
		return err_set(e, -EIO, "icount: %s", out);
	return 0;
}

int icount_prepare(struct run *r, struct errbuf *e)
{
	int ret = icount_install(r, e);

	for (int i = 0; !ret && i < r->plan.sc.nvals[AX_KERNEL]; i++)
		ret = icount_kallsyms(r, i, e);
	return ret;
}

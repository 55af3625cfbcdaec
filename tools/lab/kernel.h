/* SPDX-License-Identifier: GPL-2.0 */
/* Guest kernels: resolve a spec to a folder with vmlinuz, build its initramfs. */
#ifndef VQLAB_KERNEL_H
#define VQLAB_KERNEL_H
#include <limits.h>
#include <stddef.h>
#include <jansson.h>
#include "msg.h"

struct lab_paths {
	char top[PATH_MAX]; /* the source tree: scripts/, guest/ */
	char bin[PATH_MAX]; /* where vqlab and the guest tools were built */
	char cache[PATH_MAX]; /* kernels, initramfs (default /var/cache/vqlab) */
};

struct kernel {
	char spec[128];
	char dir[PATH_MAX]; /* vmlinuz, lib/modules/…, kernel.json */
	char initrd[PATH_MAX];
	char boot[PATH_MAX]; /* what the guest boots: a run's vmlinux (PVH) or vmlinuz */
	char vmlinux[PATH_MAX]; /* the run's extracted vmlinux, to remove; "" if none */
	char icount_syms[PATH_MAX]; /* the guest's kallsyms, when icount = on */
	json_t *info; /* kernel.json, or what we know */
};

/* debian:<suite> (fetched), build:<name> (cache/kernels/build/<name>) or
 * file:<dir>. 0, or -errno with a one-line message in @e. */
int kernel_resolve(const struct lab_paths *p, const char *spec, struct kernel *k, struct errbuf *e);
/* Build @k's initramfs for run @run_id (@idx: the kernel's place on the
 * kernel axis). 0, or -errno with a one-line message in @e. */
int kernel_initramfs(const struct lab_paths *p, struct kernel *k, const char *run_id, int idx,
		     struct errbuf *e);
/* Remove @k's run files (initramfs, vmlinux, kallsyms) and drop its info. */
void kernel_release(struct kernel *k);

struct errbuf;
/* Checks a scenario's kernel spec before anything runs (vqlab plan):
 * debian:<suite> names a suite scripts/fetch-kernel.sh knows, build:<name> a
 * build in the cache (VQLAB_CACHE) and file:<dir> a folder with a vmlinuz.
 * 0, or -EINVAL/-ENOENT with the accepted values in @e. */
int kernel_spec_check(const char *spec, struct errbuf *e);

#endif

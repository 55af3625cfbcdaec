/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side: QEMU binaries for the `qemu` scenario axis. A binary is
 * the system's (`system`), one built from qemu-patches/ at a point of its
 * series (`build:NAME`, cached under CACHE/qemu/build/NAME/), or any
 * executable (`file:PATH`). `vqlab qemu build|list` makes and shows builds.
 */
#ifndef VQLAB_QEMU_H
#define VQLAB_QEMU_H
#include <limits.h>
#include <jansson.h>
#include "msg.h"

#define QEMU_SYSTEM_BINARY "/usr/bin/qemu-system-x86_64"
#define QEMU_BINARY_NAME "qemu-system-x86_64"
#define QEMU_PROVENANCE "qemu.json"
#define QEMU_SERIES_MAX 64

enum qemu_kind { QEMU_SYSTEM, QEMU_BUILD, QEMU_FILE };

/* What a spec resolves to. */
struct qemu_binary {
	enum qemu_kind kind;
	char spec[PATH_MAX + 8]; /* as given: system, build:NAME, file:PATH */
	char path[PATH_MAX]; /* the executable (libvirt's <emulator>) */
	char version[64]; /* "10.0.2", from the binary's -version */
	int series_point; /* patches of qemu-patches/series applied; -1: unknown */
	/* Where it came from, for run.json: always an object with spec, path and
	 * version; a build's is its qemu.json (base sha256, series point, each
	 * patch's sha256, configure line, build time); the system's names the
	 * Debian package. Owned: qemu_binary_release(). */
	json_t *provenance;
};

/* Resolve @spec (system | build:NAME | file:PATH) against the cache folder
 * @cache (build:NAME is @cache/qemu/build/NAME/). 0, or -errno with the
 * reason in @e: -EINVAL a malformed spec, -ENOENT no such build or file
 * (naming the builds there are), -EACCES not executable, -EIO no version. */
int qemu_spec_resolve(const char *spec, const char *cache, struct qemu_binary *out,
		      struct errbuf *e);
void qemu_binary_release(struct qemu_binary *q);

/* "QEMU emulator version 10.0.2 (Debian ...)" -> "10.0.2". 0 or -EINVAL. */
int qemu_version_parse(const char *text, char *out, size_t outlen);

/* qemu-patches/: the pinned base and the series. */
struct qemu_series {
	char base_version[32]; /* 10.0.2 */
	char base_debian_version[96]; /* 1:10.0.2+ds-2+deb13u1~bpo12+1 */
	char base_tarball[128];
	char base_sha256[65];
	int n;
	char patch[QEMU_SERIES_MAX][256];
};

/* Read @dir/base and @dir/series. 0 or -errno with file:line in @e. */
int qemu_series_load(const char *dir, struct qemu_series *s, struct errbuf *e);
/* --upto: a count 0..n, or a patch of the series by file name, with or
 * without ".patch", or without its "NNNN-" number. 0 or -ERANGE / -ENOENT. */
int qemu_series_point(const struct qemu_series *s, const char *arg, int *point, struct errbuf *e);

/* `vqlab qemu build|list|help`; argv[0] is "qemu". Exit code 0, 1 or 2. */
int qemu_cmd(int argc, char **argv);

#endif

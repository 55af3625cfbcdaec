// SPDX-License-Identifier: GPL-2.0
/* The qemu axis' specs (system | build:NAME | file:PATH) resolved against a
 * scratch cache with stand-in binaries, qemu-patches/ parsing and --upto. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dirs.h"
#include "qemu.h"
#include "test.h"
#include "textfile.h"

static char cache[64];

static void put(const char *rel, const char *text, int mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cache, rel);
	file_write_text(path, text);
	chmod(path, mode);
}

static int resolve(const char *spec, struct qemu_binary *q, struct errbuf *e)
{
	e->msg[0] = '\0';
	return qemu_spec_resolve(spec, cache, q, e);
}

static void test_version_parse(void)
{
	char v[16];

	CHECK(qemu_version_parse("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2)\n"
				 "Copyright (c) 2003-2025", v, sizeof(v)) == 0 &&
	      !strcmp(v, "10.0.2"));
	CHECK(qemu_version_parse("QEMU emulator version 9.2.90", v, sizeof(v)) == 0 &&
	      !strcmp(v, "9.2.90"));
	CHECK(qemu_version_parse("no such thing", v, sizeof(v)) == -EINVAL);
	CHECK(qemu_version_parse("version .x", v, sizeof(v)) == -EINVAL);
	CHECK(qemu_version_parse("version 123456789.123456789", v, 8) == -EINVAL);
}

static void test_builds(void)
{
	struct qemu_binary q;
	struct errbuf e;
	char path[256];

	mkdir_p(strcat(strcpy(path, cache), "/qemu/build/good"), 0755);
	mkdir_p(strcat(strcpy(path, cache), "/qemu/build/noexec"), 0755);
	put("qemu/build/good/qemu.json",
	    "{\"qemu_version\":\"10.0.2\",\"series\":{\"point\":1,\"total\":1}}", 0644);
	put("qemu/build/good/qemu-system-x86_64", "#!/bin/sh\nexit 0\n", 0755);
	put("qemu/build/noexec/qemu.json", "{\"qemu_version\":\"10.0.2\"}", 0644);
	put("qemu/build/noexec/qemu-system-x86_64", "", 0644);

	CHECK(resolve("build:good", &q, &e) == 0);
	CHECK(q.kind == QEMU_BUILD && !strcmp(q.version, "10.0.2") && q.series_point == 1);
	CHECK(strstr(q.path, "/qemu/build/good/qemu-system-x86_64") != NULL);
	CHECK(json_is_string(json_object_get(q.provenance, "path")));
	qemu_binary_release(&q);
	CHECK(q.provenance == NULL);

	CHECK(resolve("build:missing", &q, &e) == -ENOENT);
	/* names the builds there are */
	CHECK(strstr(e.msg, "good") && strstr(e.msg, "vqlab qemu build"));
	CHECK(q.provenance == NULL);
	CHECK(resolve("build:noexec", &q, &e) == -EACCES);
	CHECK(resolve("build:../good", &q, &e) == -EINVAL);
	CHECK(resolve("build:.tmp-x", &q, &e) == -EINVAL);
	CHECK(resolve("build:", &q, &e) == -EINVAL);
}

static void test_files(void)
{
	struct qemu_binary q;
	struct errbuf e;
	char spec[128];

	put("fake-qemu", "#!/bin/sh\necho 'QEMU emulator version 9.9.9 (mine)'\n", 0755);
	put("mute-qemu", "#!/bin/sh\necho hello\n", 0755);
	put("plain", "x", 0644);

	snprintf(spec, sizeof(spec), "file:%s/fake-qemu", cache);
	CHECK(resolve(spec, &q, &e) == 0);
	CHECK(q.kind == QEMU_FILE && !strcmp(q.version, "9.9.9") && q.series_point == -1);
	CHECK(!strcmp(json_string_value(json_object_get(q.provenance, "spec")), spec));
	qemu_binary_release(&q);
	snprintf(spec, sizeof(spec), "file:%s/mute-qemu", cache);
	CHECK(resolve(spec, &q, &e) == -EIO && strstr(e.msg, "no version"));
	snprintf(spec, sizeof(spec), "file:%s/plain", cache);
	CHECK(resolve(spec, &q, &e) == -EACCES);
	snprintf(spec, sizeof(spec), "file:%s/none", cache);
	CHECK(resolve(spec, &q, &e) == -ENOENT);
	snprintf(spec, sizeof(spec), "file:%s", cache);	/* a folder */
	CHECK(resolve(spec, &q, &e) == -EACCES);
	CHECK(resolve("file:relative/qemu", &q, &e) == -EINVAL);
	CHECK(resolve("qemu-9", &q, &e) == -EINVAL && strstr(e.msg, "system, build:NAME"));
	CHECK(resolve("System", &q, &e) == -EINVAL);
}

static void test_system(void)
{
	struct qemu_binary q;
	struct errbuf e;

	if (access(QEMU_SYSTEM_BINARY, X_OK)) {
		printf("no %s: system spec not checked\n", QEMU_SYSTEM_BINARY);
		return;
	}
	CHECK(resolve("system", &q, &e) == 0);
	CHECK(q.kind == QEMU_SYSTEM && !strcmp(q.path, QEMU_SYSTEM_BINARY) && q.version[0]);
	CHECK(json_is_string(json_object_get(q.provenance, "version")));
	qemu_binary_release(&q);
}

static void test_series(void)
{
	const char *top = getenv("VQLAB_TOP");
	struct qemu_series s;
	struct errbuf e;
	char dir[256];
	int p = -1;

	snprintf(dir, sizeof(dir), "%s/qemu-patches", top ? top : ".");
	CHECK(qemu_series_load(dir, &s, &e) == 0);
	CHECK(s.n >= 1 && !strncmp(s.patch[0], "0001-", 5) && strlen(s.base_sha256) == 64);
	CHECK(qemu_series_point(&s, "0", &p, &e) == 0 && p == 0);
	CHECK(qemu_series_point(&s, "1", &p, &e) == 0 && p == 1);
	CHECK(qemu_series_point(&s, "99", &p, &e) == -ERANGE && strstr(e.msg, "99"));
	CHECK(qemu_series_point(&s, s.patch[0], &p, &e) == 0 && p == 1);
	p = -1;
	CHECK(qemu_series_point(&s, "0001-virtio-fix-off-by-one-and-invalid-access-in-"
				"virtqueue_ordered_fill", &p, &e) == 0 && p == 1);
	p = -1;
	CHECK(qemu_series_point(&s, "virtio-fix-off-by-one-and-invalid-access-in-"
				"virtqueue_ordered_fill", &p, &e) == 0 && p == 1);
	CHECK(qemu_series_point(&s, "virtio", &p, &e) == -ENOENT);
	CHECK(qemu_series_point(&s, "-1", &p, &e) == -ENOENT);
	CHECK(qemu_series_point(&s, "01", &p, &e) == 0 && p == 1);
	CHECK(qemu_series_point(&s, "0010", &p, &e) == -ERANGE);
	CHECK(qemu_series_point(&s, "99999999999999999999", &p, &e) == -ERANGE);
	CHECK(qemu_series_point(&s, "", &p, &e) == -ENOENT);

	/* a broken base names the file */
	snprintf(dir, sizeof(dir), "%s/qp", cache);
	mkdir_p(dir, 0755);
	put("qp/base", "base_version=10.0.2\nbase_tarball=q.tar.xz\nbase_sha256=abc\n", 0644);
	put("qp/series", "0001-a.patch\n", 0644);
	CHECK(qemu_series_load(dir, &s, &e) == -EINVAL && strstr(e.msg, "qp/base"));
	put("qp/base", "base_version=10.0.2 # ok\nbase_tarball=q.tar.xz\nbase_sha256="
	    "0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1\n", 0644);
	CHECK(qemu_series_load(dir, &s, &e) == 0 && s.n == 1 && !strcmp(s.base_version, "10.0.2"));
	put("qp/series", "# comment only\n../evil.patch\n", 0644);
	CHECK(qemu_series_load(dir, &s, &e) == -EINVAL && strstr(e.msg, "qp/series:2"));
	put("qp/base", "base_version='10.0.2'\n", 0644);
	CHECK(qemu_series_load(dir, &s, &e) == -EINVAL);
}

int main(void)
{
	char rm[128];

	snprintf(cache, sizeof(cache), "/tmp/vqlab-unit-qemu.XXXXXX");
	if (!mkdtemp(cache)) {
		perror("mkdtemp");
		return 1;
	}
	test_version_parse();
	test_builds();
	test_files();
	test_system();
	test_series();
	snprintf(rm, sizeof(rm), "rm -rf '%s'", cache);
	if (system(rm))
		fprintf(stderr, "cannot remove %s\n", cache);
	TEST_DONE();
}

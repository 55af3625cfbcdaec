// SPDX-License-Identifier: GPL-2.0
/* The shared pieces of tools/lib: the error convention and printer, mkdir_p,
 * verdict and feature-bit names, command lookup, and the metric helpers of
 * the results contract. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "dirs.h"
#include "msg.h"
#include "results.h"
#include "test.h"
#include "verdict.h"
#include "virtio_features.h"

static void test_errbuf(void)
{
	struct errbuf e = { "" };
	char long_text[2 * ERRBUF_LEN];

	CHECK(err_set(NULL, -EINVAL, "ignored %d", 1) == -EINVAL);
	CHECK(err_prefix(NULL, -EIO, "ignored") == -EIO);
	CHECK(err_set(&e, -ENOENT, "no file %s", "x.ini") == -ENOENT);
	CHECK(!strcmp(e.msg, "no file x.ini"));
	CHECK(err_prefix(&e, -ENOENT, "scenario %d", 2) == -ENOENT);
	CHECK(!strcmp(e.msg, "scenario 2: no file x.ini"));
	CHECK(err_prefix(&e, 0, "run") == 0);
	CHECK(!strcmp(e.msg, "run: scenario 2: no file x.ini"));
	/* Too long: cut to the buffer, still a terminated string. */
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	CHECK(err_set(&e, -E2BIG, "%s", long_text) == -E2BIG);
	CHECK(strlen(e.msg) == ERRBUF_LEN - 1);
	CHECK(err_prefix(&e, -E2BIG, "ctx") == -E2BIG);
	CHECK(strlen(e.msg) == ERRBUF_LEN - 1 && !strncmp(e.msg, "ctx: aaa", 8));
}

/* p_err under -j: one {"error": text} line on stdout; the first error kept. */
static void test_p_err_json(void)
{
	char path[] = "/tmp/vqlab-unit-lib-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	json_t *o;

	CHECK(fd >= 0 && saved >= 0);
	if (fd < 0 || saved < 0)
		return;
	CHECK(!strcmp(msg_first_error(), ""));
	msg_set_json(true, false);
	CHECK(msg_json());
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	p_err("cell %s: %d \"quoted\"", "c0", 3);
	p_err("second");
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	msg_set_json(false, false);
	CHECK(!msg_json());
	o = json_load_file(path, JSON_DISABLE_EOF_CHECK, NULL);
	CHECK(json_is_object(o) && json_object_size(o) == 1);
	CHECK(!strcmp(json_string_value(json_object_get(o, "error")) ?: "",
		      "cell c0: 3 \"quoted\""));
	CHECK(!strcmp(msg_first_error(), "cell c0: 3 \"quoted\""));
	json_decref(o);
	close(fd);
	unlink(path);
	/* -p alone means JSON too. */
	msg_set_json(false, true);
	CHECK(msg_json());
	msg_set_json(false, false);
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void test_mkdir_p(void)
{
	char top[] = "/tmp/vqlab-unit-mkdir-XXXXXX", path[PATH_MAX], file[PATH_MAX];
	char longp[PATH_MAX + 16];
	struct stat st;
	FILE *f;

	CHECK(mkdtemp(top) != NULL);
	snprintf(path, sizeof(path), "%s/a/b/c", top);
	CHECK(mkdir_p(path, 0700) == 0);
	CHECK(is_dir(path));
	CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0700);
	CHECK(mkdir_p(path, 0700) == 0); /* exists: fine */
	snprintf(path, sizeof(path), "%s/d/", top);
	CHECK(mkdir_p(path, 0755) == 0); /* a trailing slash */
	snprintf(path, sizeof(path), "%s/d", top);
	CHECK(is_dir(path));
	/* A file in the way, as the last part or in the middle. */
	snprintf(file, sizeof(file), "%s/file", top);
	f = fopen(file, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK(mkdir_p(file, 0755) == -ENOTDIR);
	snprintf(path, sizeof(path), "%s/file/x/y", top);
	CHECK(mkdir_p(path, 0755) == -ENOTDIR);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	CHECK(mkdir_p(longp, 0755) == -ENAMETOOLONG);
	unlink(file);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	CHECK(system(path) == 0);
}

static void test_verdict(void)
{
	const enum verdict all[] = { VERDICT_NONE, VERDICT_IMPROVEMENT, VERDICT_REGRESSION,
				     VERDICT_CHANGED, VERDICT_INSUFFICIENT };
	size_t n = sizeof(all) / sizeof(all[0]);

	for (size_t i = 0; i < n; i++) {
		CHECK(verdict_from_key(verdict_key(all[i])) == (int)all[i]);
		CHECK(verdict_text(all[i]) && *verdict_text(all[i]));
		for (size_t j = 0; j < i; j++) {
			CHECK(strcmp(verdict_key(all[i]), verdict_key(all[j])));
			CHECK(strcmp(verdict_text(all[i]), verdict_text(all[j])));
		}
	}
	CHECK(!strcmp(verdict_key(VERDICT_REGRESSION), "regression"));
	CHECK(!strcmp(verdict_text(VERDICT_NONE), "no significant change"));
	CHECK(!strcmp(verdict_key((enum verdict)99), "insufficient"));
	CHECK(verdict_from_key("Regression") == -1);
	CHECK(verdict_from_key("") == -1);
	CHECK(verdict_from_key(NULL) == -1);
	CHECK(verdict_key_is_directed("improvement"));
	CHECK(verdict_key_is_directed("regression"));
	CHECK(!verdict_key_is_directed("none"));
	CHECK(!verdict_key_is_directed("changed"));
	CHECK(!verdict_key_is_directed("insufficient"));
	CHECK(!verdict_key_is_directed(NULL));
}

static void test_features(void)
{
	const int bits[] = { VIRTIO_F_INDIRECT_DESC, VIRTIO_F_EVENT_IDX,	 VIRTIO_F_VERSION_1,
			     VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_RING_PACKED, VIRTIO_F_IN_ORDER,
			     VIRTIO_F_NOTIFICATION_DATA, VIRTIO_F_RING_RESET };
	size_t n = sizeof(bits) / sizeof(bits[0]);
	char sysfs[64];

	CHECK(VIRTIO_F_RING_PACKED == 34 && VIRTIO_F_IN_ORDER == 35);
	CHECK(!strcmp(feature_name(VIRTIO_F_IN_ORDER) ?: "", "VIRTIO_F_IN_ORDER"));
	CHECK(!strcmp(feature_key(VIRTIO_F_IN_ORDER) ?: "", "in_order"));
	CHECK(!strcmp(feature_key(VIRTIO_F_RING_PACKED) ?: "", "packed"));
	CHECK(feature_name(0) == NULL && feature_key(0) == NULL);
	CHECK(feature_name(-1) == NULL && feature_key(64) == NULL);
	for (size_t i = 0; i < n; i++) {
		CHECK(feature_name(bits[i]) && feature_key(bits[i]));
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(feature_key(bits[i]) ?: "", feature_key(bits[j]) ?: ""));
	}
	/* sysfs: one '0'/'1' per bit, bit 0 first. */
	memset(sysfs, '0', 40);
	sysfs[40] = '\0';
	sysfs[VIRTIO_F_IN_ORDER] = '1';
	sysfs[0] = '1';
	CHECK(feature_bit_sysfs(sysfs, VIRTIO_F_IN_ORDER) == 1);
	CHECK(feature_bit_sysfs(sysfs, VIRTIO_F_RING_PACKED) == 0);
	CHECK(feature_bit_sysfs(sysfs, 0) == 1);
	CHECK(feature_bit_sysfs(sysfs, 39) == 0);
	CHECK(feature_bit_sysfs(sysfs, 40) == -1);
	CHECK(feature_bit_sysfs(sysfs, -1) == -1);
	CHECK(feature_bit_sysfs(NULL, 0) == -1);
	CHECK(feature_bit_u64(1ULL << VIRTIO_F_IN_ORDER, VIRTIO_F_IN_ORDER));
	CHECK(!feature_bit_u64(1ULL << VIRTIO_F_IN_ORDER, VIRTIO_F_RING_PACKED));
	CHECK(feature_bit_u64(1ULL << 63, 63));
}

static int cmd_show(int argc, char **argv)
{
	return 10;
}

static int cmd_shows(int argc, char **argv)
{
	return 11;
}

static int cmd_run(int argc, char **argv)
{
	return 12;
}

static void test_cli(void)
{
	const struct cli_cmd cmds[] = { { "show", cmd_show }, { "shows", cmd_shows },
					{ "run", cmd_run } };
	const struct cli_cmd *c;

	c = cli_cmd_find("t", cmds, 3, "run");
	CHECK(c && c->fn(0, NULL) == 12);
	c = cli_cmd_find("t", cmds, 3, "r"); /* unambiguous prefix */
	CHECK(c && c->fn(0, NULL) == 12);
	c = cli_cmd_find("t", cmds, 3, "show"); /* exact wins over a longer name */
	CHECK(c && c->fn(0, NULL) == 10);
	c = cli_cmd_find("t", cmds, 3, "shows");
	CHECK(c && c->fn(0, NULL) == 11);
	CHECK(cli_cmd_find("t", cmds, 3, "sh") == NULL); /* ambiguous */
	CHECK(cli_cmd_find("t", cmds, 3, "s") == NULL);
	CHECK(cli_cmd_find("t", cmds, 3, "stop") == NULL); /* unknown */
	CHECK(cli_cmd_find("t", cmds, 3, "runs") == NULL); /* longer than any */
	CHECK(cli_cmd_find("t", cmds, 3, "") == NULL);
	CHECK(cli_cmd_find("t", cmds, 0, "run") == NULL);
}

static void test_metrics(void)
{
	json_t *s = json_object(), *m = json_object(), *x;
	char now[32];
	struct tm tm = { 0 };
	char *end;

	metric_set(m, "tx_pps", 40123.5, "packets/s", BETTER_HIGHER);
	metric_set(m, "boot_s", 3.25, "s", BETTER_LOWER);
	metric_set(m, "zero", 0, "packets", "none");
	json_object_set_new(m, "null", json_pack("{s:n, s:s, s:s}", METRIC_VALUE, METRIC_UNIT,
						 "s", METRIC_BETTER, BETTER_LOWER));
	json_object_set_new(s, SAMPLE_METRICS, m);
	x = json_object_get(m, "tx_pps");
	CHECK(json_object_size(x) == 3);
	CHECK(json_real_value(json_object_get(x, METRIC_VALUE)) == 40123.5);
	CHECK(!strcmp(json_string_value(json_object_get(x, METRIC_UNIT)) ?: "", "packets/s"));
	CHECK(!strcmp(json_string_value(json_object_get(x, METRIC_BETTER)) ?: "", "higher"));
	CHECK(metric_value(s, "tx_pps") == 40123.5);
	CHECK(metric_value(s, "boot_s") == 3.25);
	CHECK(metric_value(s, "zero") == 0);
	CHECK(metric_value(s, "null") == -1);
	CHECK(metric_value(s, "absent") == -1);
	CHECK(metric_value(NULL, "tx_pps") == -1);
	/* metric_set replaces a metric of the same name. */
	metric_set(m, "tx_pps", 7, "packets/s", BETTER_HIGHER);
	CHECK(metric_value(s, "tx_pps") == 7);
	CHECK(metric_better_sign(BETTER_HIGHER) == 1);
	CHECK(metric_better_sign(BETTER_LOWER) == -1);
	CHECK(metric_better_sign("none") == 0);
	CHECK(metric_better_sign("Higher") == 0);
	CHECK(metric_better_sign("") == 0);
	CHECK(metric_better_sign(NULL) == 0);
	json_decref(s);

	iso_time_now(now);
	end = strptime(now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	CHECK(end && *end == '\0' && strlen(now) == 20);
	CHECK(end && labs((long)(timegm(&tm) - time(NULL))) <= 5);
}

int main(void)
{
	test_errbuf();
	test_p_err_json();
	test_mkdir_p();
	test_verdict();
	test_features();
	test_cli();
	test_metrics();
	TEST_DONE();
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "jsonfile.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int json_write_atomic(const char *path, json_t *obj)
{
	char *tmp = NULL, *text = NULL;
	int fd = -1, ret = -ENOMEM;

	text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text || asprintf(&tmp, "%s.tmp.%d", path, getpid()) < 0) {
		tmp = NULL;
		goto cleanup;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto cleanup;
	}
	ret = write_all(fd, text, strlen(text));
	if (!ret)
		ret = write_all(fd, "\n", 1);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	fd = -1;
	if (!ret && rename(tmp, path))
		ret = -errno;
cleanup:
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	free(text);
	return ret;
}

int json_append_line(const char *path, json_t *obj)
{
	char *text, *line = NULL;
	int fd, ret;

	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text || asprintf(&line, "%s\n", text) < 0) {
		free(text);
		return -ENOMEM;
	}
	free(text);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* One write() of the whole line: O_APPEND makes it land contiguously. */
	ret = write_all(fd, line, strlen(line));
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
out:
	free(line);
	return ret;
}

json_t *json_read_lines(const char *path, int *skipped)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *arr;

	if (skipped)
		*skipped = 0;
	if (!f)
		return NULL;
	arr = json_array();
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *obj;

		if (line[n - 1] != '\n') { /* torn last line */
			if (skipped)
				(*skipped)++;
			break;
		}
		obj = json_loads(line, 0, NULL);
		if (!obj || !json_is_object(obj)) {
			json_decref(obj);
			if (skipped)
				(*skipped)++;
			continue;
		}
		json_array_append_new(arr, obj);
	}
	free(line);
	fclose(f);
	return arr;
}

void json_seed_local(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	json_object_seed(((size_t)ts.tv_sec * 1000000000u + ts.tv_nsec) ^ (size_t)getpid());
}

// SPDX-License-Identifier: GPL-2.0
/* Crash-safe result files: atomic replace, whole-line append, torn lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jsonfile.h"
#include "test.h"

int main(void)
{
	char dir[] = "/tmp/vqlab-jsonfile-XXXXXX", path[256], cmd[300];
	json_t *o, *arr;
	FILE *f;
	int skipped;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/run.json", dir);
	o = json_pack("{s:s, s:f}", "id", "x\"\n\x01", "nan_is_not_json", 1.5);
	CHECK(json_write_atomic(path, o) == 0);
	json_decref(o);
	o = json_load_file(path, 0, NULL);
	CHECK(o && !strcmp(json_string_value(json_object_get(o, "id")), "x\"\n\x01"));
	json_decref(o);
	CHECK(json_write_atomic("/nonexistent/dir/run.json", o) < 0);

	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	for (int i = 0; i < 3; i++) {
		o = json_pack("{s:i}", "rep", i);
		CHECK(json_append_line(path, o) == 0);
		json_decref(o);
	}
	/* a line torn by a crash, and a garbage line in the middle */
	f = fopen(path, "a");
	fputs("{\"rep\": 9", f);
	fclose(f);
	arr = json_read_lines(path, &skipped);
	CHECK(arr && json_array_size(arr) == 3 && skipped == 1);
	CHECK(json_integer_value(json_object_get(json_array_get(arr, 2), "rep")) == 2);
	json_decref(arr);
	CHECK(json_read_lines("/nonexistent/samples.jsonl", &skipped) == NULL);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	TEST_DONE();
}

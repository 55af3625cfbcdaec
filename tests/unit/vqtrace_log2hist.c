// SPDX-License-Identifier: GPL-2.0
/* tools/lib/log2hist.c: slot boundaries, JSON trimming, print_log2_hist text;
 * bpf/log2.h (the BPF programs' table log2) agrees with it. */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "log2hist.h"
#include "log2.h"

static char *print_to_string(const uint64_t *v, int n, const char *unit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	log2hist_print(f, v, n, unit);
	fclose(f);
	return buf;
}

int main(void)
{
	uint64_t v[8] = { 0 }, big[40] = { 0 };
	json_t *a;
	char *s;

	/* slot i = [2^i, 2^(i+1)), slot 0 also holds 0 (the BPF side's log2). */
	CHECK(log2hist_slot(0) == 0);
	CHECK(log2hist_slot(1) == 0);
	CHECK(log2hist_slot(2) == 1);
	CHECK(log2hist_slot(3) == 1);
	CHECK(log2hist_slot(4) == 2);
	CHECK(log2hist_slot(1023) == 9);
	CHECK(log2hist_slot(1024) == 10);
	CHECK(log2hist_slot(~0ULL) == 63);

	/* The BPF side's slots, at every power of two and either side of it,
	 * and clamped into the last slot. */
	for (int i = 0; i < 64; i++) {
		uint64_t p = 1ULL << i, c[] = { p - 1, p, p + 1 };

		for (int j = 0; j < 3; j++) {
			unsigned int want = (unsigned int)log2hist_slot(c[j]);

			CHECK(vqt_slot64(c[j], 64) == want);
			CHECK(vqt_slot64(c[j], 40) == (want < 40 ? want : 39));
			CHECK(vqt_slot16(c[j], 17) == (c[j] > 0xffff ? 16 : want));
		}
	}
	for (uint64_t x = 0; x < 70000; x++)
		CHECK((int)vqt_slot16(x, 17) == (x > 0xffff ? 16 : log2hist_slot(x)));

	/* JSON: trailing zero slots left out, leading ones kept. */
	a = log2hist_json(v, 8);
	CHECK(a && json_array_size(a) == 0);
	json_decref(a);
	v[0] = 0;
	v[2] = 5;
	v[3] = 1;
	a = log2hist_json(v, 8);
	CHECK(a && json_array_size(a) == 4);
	CHECK(json_integer_value(json_array_get(a, 2)) == 5);
	CHECK(json_integer_value(json_array_get(a, 0)) == 0);
	json_decref(a);

	/* Text: nothing for an empty histogram; otherwise bcc's layout. */
	memset(v, 0, sizeof(v));
	s = print_to_string(v, 8, "nsecs");
	CHECK(s && s[0] == '\0');
	free(s);
	v[1] = 10;
	v[2] = 5;
	s = print_to_string(v, 8, "nsecs");
	CHECK(strstr(s, "nsecs") != NULL);
	CHECK(strstr(s, "         0 -> 1          : 0        |                                        |\n") != NULL);
	CHECK(strstr(s, "         2 -> 3          : 10       |****************************************|\n") != NULL);
	CHECK(strstr(s, "         4 -> 7          : 5        |********************                    |\n") != NULL);
	CHECK(strstr(s, "8 -> 15") == NULL); /* trailing empty slots left out */
	free(s);
	/* Wide values get a wide range column, like print_log2_hist. */
	big[39] = 1;
	s = print_to_string(big, 40, "nsecs");
	CHECK(strstr(s, "549755813888 -> 1099511627775") != NULL);
	free(s);
	TEST_DONE();
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal unit-test helpers: CHECK() records a failure and goes on. */
#ifndef VQLAB_TEST_H
#define VQLAB_TEST_H
#include <stdio.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                          \
	do {                                                                 \
		test_checks++;                                               \
		if (!(cond)) {                                               \
			test_failures++;                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

#define TEST_DONE()                                                          \
	do {                                                                 \
		printf("%d checks, %d failed\n", test_checks, test_failures); \
		return test_failures ? 1 : 0;                                \
	} while (0)

#endif

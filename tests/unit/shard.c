// SPDX-License-Identifier: GPL-2.0
/* The shard spec, the partition of a matrix's samples and the matrix id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "test.h"

static void test_parse(void)
{
	static const char *const bad[] = { "0/2", "3/2", "a/b", "1/0", "1/2x", "", "1/",
					   "/2", " 1/2", "+1/2", "1/-2", "1/1001",
					   "0x1/2", "1/2/3", "1 /2", "1001/1001",
					   "99999999999/1" };
	struct shard_spec s = { 0, 0 };
	struct errbuf e;

	CHECK(shard_parse("1/2", &s, &e) == 0 && s.k == 1 && s.n == 2);
	CHECK(shard_parse("1000/1000", &s, &e) == 0 && s.k == 1000 && s.n == 1000);
	CHECK(shard_parse("1/1", &s, &e) == 0 && s.k == 1 && s.n == 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.k = s.n = 7;
		e.msg[0] = '\0';
		CHECK(shard_parse(bad[i], &s, &e) < 0);
		/* The error names the input and the accepted form; @s is untouched. */
		CHECK(strstr(e.msg, "K/N") && strstr(e.msg, bad[i]) && !strchr(e.msg, '\n'));
		CHECK(s.k == 7 && s.n == 7);
	}
	CHECK(shard_parse(NULL, &s, NULL) == -EINVAL);
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A seeded Fisher-Yates per block, as scenario_block_order does. */
static void shuffled(void *ctx, unsigned int block, int *order, int n)
{
	uint64_t state = *(uint64_t *)ctx ^ ((uint64_t)block << 32 | block);

	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int k = splitmix64(&state) % (uint64_t)(i + 1), t = order[i];

		order[i] = order[k];
		order[k] = t;
	}
}

static void broken_order(void *ctx, unsigned int block, int *order, int n)
{
	for (int i = 0; i < n; i++)
		order[i] = n;	/* out of range */
}

/* Every runnable slot in exactly one shard, none of the others; each shard's
 * share within one of T/N; the same answer twice; whole blocks when N | R. */
static int check_partition(unsigned int nblocks, unsigned int ncells, unsigned int n,
			   const bool *runnable, uint64_t seed)
{
	size_t nslots = (size_t)nblocks * ncells, nrun = 0;
	unsigned char *own = calloc(nslots + 1, 1), *again = calloc(nslots + 1, 1);
	unsigned int *cover = calloc(nslots + 1, sizeof(*cover));
	long min = -1, max = -1, total = 0;
	int bad = 0;

	for (unsigned int c = 0; c < ncells; c++)
		nrun += runnable[c];
	for (unsigned int k = 1; k <= n; k++) {
		struct shard_spec s = { k, n };
		long got = shard_plan(&s, nblocks, ncells, runnable, shuffled, &seed, own);

		bad |= got < 0;
		bad |= shard_plan(&s, nblocks, ncells, runnable, shuffled, &seed, again) != got;
		bad |= memcmp(own, again, nslots) != 0;
		for (size_t i = 0; i < nslots; i++)
			cover[i] += own[i];
		min = min < 0 || got < min ? got : min;
		max = got > max ? got : max;
		total += got;
		/* Whole blocks: every runnable cell in each block it touches. */
		if (nblocks % n == 0)
			for (unsigned int b = 0; b < nblocks; b++) {
				unsigned int in = 0;

				for (unsigned int c = 0; c < ncells; c++)
					in += own[(size_t)c * nblocks + b];
				bad |= in != 0 && in != nrun;
			}
	}
	for (unsigned int c = 0; c < ncells; c++)
		for (unsigned int b = 0; b < nblocks; b++)
			bad |= cover[(size_t)c * nblocks + b] != (runnable[c] ? 1u : 0u);
	bad |= total != (long)(nrun * nblocks) || max - min > 1;
	free(own);
	free(again);
	free(cover);
	return bad;
}

static void test_partition(void)
{
	bool runnable[13];
	int failures = 0, cases = 0;

	for (unsigned int ncells = 0; ncells <= 13; ncells++)
		for (unsigned int nblocks = 0; nblocks <= 7; nblocks++)
			for (unsigned int n = 1; n <= 12; n++)
				for (int mask = 0; mask < 3; mask++) {
					for (unsigned int c = 0; c < ncells; c++)
						runnable[c] = mask == 0 || (c + mask) % 3;
					failures += check_partition(nblocks, ncells, n, runnable,
								    42 + ncells);
					cases++;
				}
	CHECK(cases > 3000 && failures == 0);
	/* A large matrix over many shards. */
	{
		bool *all = malloc(400 * sizeof(*all));

		for (int c = 0; c < 400; c++)
			all[c] = c % 7 != 3;
		CHECK(check_partition(25, 400, 1000, all, 7) == 0);
		CHECK(check_partition(10, 400, 999, all, 7) == 0);
		free(all);
	}
}

/* A shard's samples, in the order the runner visits them, interleave its
 * cells: with 2 shards of 4 blocks of 5 cells, shard 1 runs blocks 0-1 and
 * meets every cell in each, never one cell's repetitions back to back. */
static void test_interleave(void)
{
	unsigned char own[5 * 4];
	struct shard_spec s = { 1, 2 };
	uint64_t seed = 3;
	int order[5], last = -1, repeats = 0, seen = 0;

	CHECK(shard_plan(&s, 4, 5, NULL, shuffled, &seed, own) == 10);
	for (unsigned int b = 0; b < 4; b++) {
		shuffled(&seed, b, order, 5);
		for (int i = 0; i < 5; i++) {
			if (!own[order[i] * 4 + b])
				continue;
			CHECK(b < 2);
			repeats += order[i] == last;
			last = order[i];
			seen++;
		}
	}
	CHECK(seen == 10 && repeats <= 1);	/* a block's last may open the next */
	/* Uneven: 3 blocks over 2 shards split block 1 between them. */
	{
		struct shard_spec s1 = { 1, 2 }, s2 = { 2, 2 };
		unsigned char a[15], b2[15];
		int in1 = 0, in2 = 0;

		CHECK(shard_plan(&s1, 3, 5, NULL, shuffled, &seed, a) == 7);
		CHECK(shard_plan(&s2, 3, 5, NULL, shuffled, &seed, b2) == 8);
		for (int c = 0; c < 5; c++) {
			in1 += a[c * 3 + 1];
			in2 += b2[c * 3 + 1];
		}
		CHECK(in1 == 2 && in2 == 3);
	}
}

static void test_plan_errors(void)
{
	unsigned char own[8];
	struct shard_spec zero = { 0, 2 }, over = { 3, 2 }, ok = { 1, 2 };
	uint64_t seed = 1;

	CHECK(shard_plan(&zero, 2, 4, NULL, shuffled, &seed, own) == -EINVAL);
	CHECK(shard_plan(&over, 2, 4, NULL, shuffled, &seed, own) == -EINVAL);
	CHECK(shard_plan(&ok, 2, 4, NULL, NULL, &seed, own) == -EINVAL);
	CHECK(shard_plan(&ok, 2, 4, NULL, broken_order, NULL, own) == -EINVAL);
}

static void test_range(void)
{
	struct shard_spec s = { 1000, 1000 };
	size_t first, end, huge = (size_t)-1 / 2;

	shard_range(&s, huge, &first, &end);
	CHECK(end == huge && first < end);
	s.k = 1;
	s.n = 1;
	shard_range(&s, 17, &first, &end);
	CHECK(first == 0 && end == 17);
}

static void test_matrix_id(void)
{
	const char *text = "[scenario]\nname = x\n";
	char a[SHARD_MATRIX_ID_LEN], b[SHARD_MATRIX_ID_LEN];

	/* Known answer, from an independent FNV-1a 64 (python): the id must not
	 * change between vqlab builds, or shards of one matrix would not merge. */
	shard_matrix_id(text, 3, 5, 42, a);
	CHECK(!strcmp(a, "0723ab07041b1d32"));
	shard_matrix_id(text, 3, 5, 42, b);
	CHECK(!strcmp(a, b));
	shard_matrix_id("[scenario]\nname = y\n", 3, 5, 42, b);
	CHECK(strcmp(a, b));
	shard_matrix_id(text, 4, 5, 42, b);
	CHECK(strcmp(a, b));
	shard_matrix_id(text, 3, 5.5, 42, b);
	CHECK(strcmp(a, b));
	shard_matrix_id(text, 3, 5, 43, b);
	CHECK(strcmp(a, b));
	shard_matrix_id(NULL, 3, 5, 42, b);
	CHECK(strlen(b) == 16 && strcmp(a, b));
}

int main(void)
{
	test_parse();
	test_partition();
	test_interleave();
	test_plan_errors();
	test_range();
	test_matrix_id();
	TEST_DONE();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The partition. A matrix of R repetition blocks over C runnable cells has
 * T = R * C sample slots. Lay them out block-major, each block in the order
 * the runner visits it (the seeded shuffle): slot g = block * C + position.
 * Shard K of N owns the contiguous range [floor((K-1) T / N), floor(K T / N)).
 *
 * Why contiguous rather than dealing slots round-robin:
 * - coverage and balance are the same (the ranges tile 0..T-1, and their
 *   lengths are floor(T/N) or ceil(T/N));
 * - when N divides R, every shard runs whole blocks: each host measures every
 *   cell, equally often, so the host is a complete block and every comparison
 *   can be made within one host. Round-robin would scatter each block's cells
 *   over the hosts, and a cell could then be measured on one host only;
 * - a shard still visits its cells interleaved, block after block in the
 *   shuffled order, so drift on one host is not mistaken for an effect. Only
 *   when N does not divide R does a block straddle two shards; the merge then
 *   says which cells were measured on several hosts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"

#define SHARD_FORM "K/N with 1 <= K <= N <= 1000 (e.g. 1/4)"

/* Decimal digits only: no sign, space, hex or octal in a spec a person types. */
static const char *parse_part(const char *p, unsigned int *v)
{
	unsigned long x = 0;
	const char *start = p;

	while (*p >= '0' && *p <= '9' && p - start < 5)
		x = x * 10 + (unsigned long)(*p++ - '0');
	if (p == start || (*p >= '0' && *p <= '9'))
		return NULL;
	*v = (unsigned int)x;
	return p;
}

int shard_parse(const char *text, struct shard_spec *s, struct errbuf *e)
{
	unsigned int k, n;
	const char *p = text ? parse_part(text, &k) : NULL;

	if (!p || *p != '/' || !(p = parse_part(p + 1, &n)) || *p)
		return err_set(e, -EINVAL, "--shard '%s': expected " SHARD_FORM, text ? text : "");
	if (n < 1 || n > SHARD_MAX || k < 1 || k > n)
		return err_set(e, -ERANGE, "--shard '%s': expected " SHARD_FORM, text);
	s->k = k;
	s->n = n;
	return 0;
}

/* floor(k * t / n) without overflowing for any t: k, n <= SHARD_MAX. */
static size_t cut(size_t t, unsigned int k, unsigned int n)
{
	return (size_t)k * (t / n) + (size_t)k * (t % n) / n;
}

void shard_range(const struct shard_spec *s, size_t nslots, size_t *first, size_t *end)
{
	*first = cut(nslots, s->k - 1, s->n);
	*end = cut(nslots, s->k, s->n);
}

long shard_plan(const struct shard_spec *s, unsigned int nblocks, unsigned int ncells,
		const bool *runnable, shard_block_order_fn block_order, void *ctx,
		unsigned char *own)
{
	size_t nrun = 0, first, end, g = 0;
	long owned = 0;
	int *order;

	if (!s->n || s->k < 1 || s->k > s->n || !block_order)
		return -EINVAL;
	order = calloc(ncells ? ncells : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (unsigned int c = 0; c < ncells; c++)
		nrun += !runnable || runnable[c];
	memset(own, 0, (size_t)ncells * nblocks);
	shard_range(s, nrun * nblocks, &first, &end);
	for (unsigned int b = 0; b < nblocks; b++) {
		block_order(ctx, b, order, (int)ncells);
		for (unsigned int i = 0; i < ncells; i++) {
			int c = order[i];

			if (c < 0 || (unsigned int)c >= ncells) {
				owned = -EINVAL;
				goto out;
			}
			if (runnable && !runnable[c])
				continue;
			if (g >= first && g < end) {
				own[(size_t)c * nblocks + b] = 1;
				owned++;
			}
			g++;
		}
	}
out:
	free(order);
	return owned;
}

void shard_matrix_id(const char *scenario_text, unsigned int repeat, double duration, uint64_t seed,
		     char out[SHARD_MATRIX_ID_LEN])
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
	char settings[128];
	const char *parts[2] = { scenario_text ? scenario_text : "", settings };

	/* %.17g: the double round-trips, so equal settings give equal text. */
	snprintf(settings, sizeof(settings), "\nrepeat=%u\nduration=%.17g\nseed=%llu\n", repeat,
		 duration, (unsigned long long)seed);
	for (int i = 0; i < 2; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			h ^= *p;
			h *= 0x100000001b3ULL; /* FNV 64 prime */
		}
	snprintf(out, SHARD_MATRIX_ID_LEN, "%016llx", (unsigned long long)h);
}

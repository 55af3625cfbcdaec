/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sharding one matrix over several hosts (docs/cluster.md): the K/N spec, the
 * partition of the matrix's (block, cell) sample slots among N shards, and the
 * matrix id that every shard of one matrix shares. Pure logic: no I/O, no
 * libvirt, so tests/unit/shard.c checks it without root.
 */
#ifndef VQLAB_SHARD_H
#define VQLAB_SHARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define SHARD_MAX 1000
/* "%016llx" of a 64-bit hash and its NUL. */
#define SHARD_MATRIX_ID_LEN 17

/* Shard @k of @n, 1 <= k <= n <= SHARD_MAX. {1, 1} is the whole matrix. */
struct shard_spec {
	unsigned int k;
	unsigned int n;
};

/* Parse "K/N" (decimal digits only). 0, or -EINVAL/-ERANGE with a message
 * naming the accepted form in @e. */
int shard_parse(const char *text, struct shard_spec *s, struct errbuf *e);

/* The half-open range [*first, *end) of the block-major sequence of @nslots
 * sample slots that shard @s owns (see shard.c for why contiguous). */
void shard_range(const struct shard_spec *s, size_t nslots, size_t *first, size_t *end);

/* The order in which the runner visits the cells of block @block: @order
 * receives a permutation of 0..@ncells-1 (scenario_block_order's shape). */
typedef void (*shard_block_order_fn)(void *ctx, unsigned int block, int *order, int ncells);

/* Mark in @own (@ncells * @nblocks bytes, indexed cell * nblocks + block as
 * the runner's slots are) the samples that shard @s runs: 1 owned, 0 not.
 * Only cells with @runnable[cell] take part; @runnable NULL means all.
 * @block_order gives each block's visiting order. Returns the number of
 * owned slots, or -EINVAL (bad spec, no order, an order naming a cell out of range) or
 * -ENOMEM. */
long shard_plan(const struct shard_spec *s, unsigned int nblocks, unsigned int ncells,
		const bool *runnable, shard_block_order_fn block_order, void *ctx,
		unsigned char *own);

/* The id every shard of one matrix shares: FNV-1a 64 of the scenario text
 * and the effective settings that change which samples exist or what they
 * measure (repeat, duration, seed), as 16 hex digits in @out. */
void shard_matrix_id(const char *scenario_text, unsigned int repeat, double duration, uint64_t seed,
		     char out[SHARD_MATRIX_ID_LEN]);

#endif

// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: any bytes as a scenario file. The parser must return an
 * error or a scenario, never crash, leak or read out of bounds, and a
 * scenario it accepts must expand. Built and run by tests/fuzz-scenario.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct errbuf err;
	struct scenario sc;
	struct cell *cells;
	int n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (scenario_load_text("fuzz.ini", text, getenv("VQLAB_JOBS"), &sc, &err) == 0) {
		n = scenario_expand(&sc, &cells);
		if (n > 0) {
			int *order = malloc(n * sizeof(*order));

			scenario_block_order(&sc, 0, order, n);
			free(order);
			free(cells);
		}
	} else if (!err.msg[0]) {
		abort();	/* every rejection says why */
	}
	scenario_free(&sc);
	free(text);
	return 0;
}

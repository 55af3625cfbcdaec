/* SPDX-License-Identifier: GPL-2.0 */
/* A sample as the runner writes it (docs/results.md): what goes into one line of samples.jsonl. */
#ifndef VQLAB_SAMPLE_H
#define VQLAB_SAMPLE_H
#include <jansson.h>
#include "dirs.h"
#include "results.h"

/* Fold what the guest reported (devices, features) into the sample. */
json_t *guest_info(json_t *report);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Strict parsing of numbers a person types: whole string, range checked. */
#ifndef VQLAB_PARSE_H
#define VQLAB_PARSE_H
#include <stdint.h>

/* Return 0, or -EINVAL (not a number, trailing garbage) / -ERANGE. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_double(const char *s, double min, double max, double *out);
/* "5", "5s", "500ms", "2m" -> seconds. */
int parse_duration(const char *s, double *seconds);

#endif

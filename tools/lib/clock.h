/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VQLAB_CLOCK_H
#define VQLAB_CLOCK_H

/* Seconds on the monotonic clock. */
double now_s(void);
/* Sleep @s seconds (returns early on a signal). */
void sleep_s(double s);

#endif

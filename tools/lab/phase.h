/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VQLAB_PHASE_H
#define VQLAB_PHASE_H

/* With VQLAB_PHASES set in the environment, "phase <monotonic seconds>
 * <what>" on stderr: where a sample's host-side time goes
 * (docs/performance.md). Nothing otherwise. */
void phase_mark(const char *what);

#endif

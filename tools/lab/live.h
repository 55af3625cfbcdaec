/* SPDX-License-Identifier: GPL-2.0 */
/* vqlab live SCENARIO [--cell ID | AXIS=VALUE ...] [--shell] [INTERVAL [COUNT]]:
 * boot one cell of a scenario as `vqlab run` would and show both ends of its
 * rings while the workload runs (vqtrace in the guest, QMP on the host), or
 * give a shell on the guest's console. */
#ifndef VQLAB_LIVE_H
#define VQLAB_LIVE_H

int live_cmd(int argc, char **argv);

#endif

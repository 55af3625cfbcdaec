/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each metric is for in a report, in one place: the primary rate of a
 * workload (the figure the Answer leads with), the per-operation figures
 * shown beside it, and the bookkeeping metrics that go to the appendix.
 */
#ifndef VQREPORT_METRIC_ROLES_H
#define VQREPORT_METRIC_ROLES_H

/* The rate a workload is judged by: tx_pps for net-tx, rx_pps for net-rx,
 * iops for blk-*; NULL for a workload the table does not know. */
const char *metric_primary(const char *workload);
/* Why @name is bookkeeping (a duplicate of another metric, or a figure of
 * the lab rather than of the ring), or NULL when it is a result. */
const char *metric_bookkeeping(const char *name);
/* Exact per-operation instruction counts of the vqicount plugin
 * (docs/icount.md): icount_*_per_add, icount_*_per_get. */
int metric_is_icount_per_op(const char *name);
/* Device-side figures (QEMU's view of the ring): metrics named dev_*. */
int metric_is_device(const char *name);

#endif

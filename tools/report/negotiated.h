/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the samples of a cell actually negotiated. An axis that switches a
 * virtio feature (in_order: VIRTIO_F_IN_ORDER, bit 35; ring=packed:
 * VIRTIO_F_RING_PACKED, bit 34) measures that feature only where driver and
 * device agreed on it: QEMU offers in_order=on, a guest kernel without the
 * in-order series still runs without it. Each ok sample records the
 * negotiated bits (sample.guest.devices[], from the guest's sysfs; later
 * sample.device.devices[], from QEMU), and a comparison reads them here.
 */
#ifndef VQREPORT_NEGOTIATED_H
#define VQREPORT_NEGOTIATED_H
#include <jansson.h>
#include "runset.h"

/* The feature bit @axis switches, and in *@expected whether @value asks for
 * it (1) or not (0); -1 when the axis switches no feature or the value is
 * not one of the feature's on/off words. */
int negotiated_axis_feature(const char *axis, const char *value, int *expected);

/* What cell @c's ok samples negotiated of feature @bit:
 * { feature, bit, samples, known, negotiated, state, sources: { guest:
 * { samples, negotiated }, device: {...} } }, where known counts the samples
 * with data from some source, negotiated those where every source with data
 * shows the bit, and state is "all", "none", "some" or "unknown". */
json_t *negotiated_summary(const struct run_cell *c, int bit);
/* The summary with expected (bool) and as_expected (bool, or null when
 * unknown). */
json_t *negotiated_side(const struct run_cell *c, int bit, int expected);
/* True when a side's summary shows the feature other than its axis asked:
 * asked for and not negotiated in all samples, or not asked for and
 * negotiated in some. */
int negotiated_mismatch(const json_t *side);
/* @value labelled by what was negotiated: "on" when as asked or unknown,
 * "on (not negotiated)", "on (negotiated in 2/5)", "off (negotiated)".
 * Allocated. */
char *negotiated_label(const char *value, const json_t *side);
/* { in_order: summary, packed: summary } of the features the samples of
 * @c recorded (empty object when none did). */
json_t *negotiated_cell(const struct run_cell *c);

#endif

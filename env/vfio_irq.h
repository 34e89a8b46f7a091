/* SPDX-License-Identifier: MIT */
/*
 * One VFIO call both interrupt users need: pointing a device's interrupts
 * of one kind (an IRQ index: MSI-X vectors, the kernel's request to release
 * the device) at eventfds, so that each interrupt increments one.
 */
#ifndef ENV_VFIO_IRQ_H
#define ENV_VFIO_IRQ_H

#include <stdint.h>

/*
 * VFIO_DEVICE_SET_IRQS on the VFIO device vfio_fd: interrupts
 * [start, start + count) of IRQ index `index` (VFIO_PCI_*_IRQ_INDEX) trigger
 * fds[0..count-1]; an fd of -1 leaves that one without a trigger.
 * Returns 0 or a negative errno.
 */
int env_vfio_set_eventfds(int vfio_fd, uint32_t index, unsigned start, unsigned count,
			  const int *fds);

#endif /* ENV_VFIO_IRQ_H */

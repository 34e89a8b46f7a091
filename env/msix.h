/* SPDX-License-Identifier: MIT */
/*
 * MSI-X vectors of a VFIO device, each wired to an eventfd: the device's
 * interrupts reach a thread that sleeps in poll() on it. Knows nothing of
 * NVMe: the caller says which vectors it needs and what they serve.
 *
 * VFIO before Linux 6.2 cannot add vectors to an enabled MSI-X block one at
 * a time, and enabling the block again would tear down vectors other
 * threads are sleeping on. So the first attach enables the whole block
 * (`nvec` vectors, vector 0 left without a trigger) and later attaches only
 * point a vector of it at a new eventfd. Thread-safe per device.
 * Functions return 0 or a negative errno.
 */
#ifndef ENV_MSIX_H
#define ENV_MSIX_H

#include <stdint.h>
#include <unistd.h>

struct env_pci_dev;

/* The device's MSI-X table size (0: no MSI-X through VFIO). */
unsigned env_msix_table_size(struct env_pci_dev *dev);

/*
 * A free vector in 1..nvec-1 (vector 0 is the admin queue's, left polled),
 * with a new non-blocking eventfd that each of its interrupts increments.
 * nvec is capped by the table size. -ENOSPC when every vector is taken,
 * -ENODEV when the device has no MSI-X, or the errno VFIO gave.
 */
int env_msix_attach(struct env_pci_dev *dev, unsigned nvec, unsigned *vector, int *fd);

/* Unhooks the vector's eventfd, closes it and frees the vector. */
void env_msix_detach(struct env_pci_dev *dev, unsigned vector, int fd);

/* Vectors attached now, for messages. */
unsigned env_msix_in_use(struct env_pci_dev *dev);

/*
 * Drains the eventfd; true when an interrupt came since the last drain.
 * Before a sleep, so the poll() that follows wakes only for interrupts
 * raised after the caller's last look at its queue.
 */
static inline int env_msix_drain(int fd)
{
	uint64_t count;

	return read(fd, &count, sizeof(count)) == sizeof(count);
}

#endif

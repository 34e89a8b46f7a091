/* SPDX-License-Identifier: MIT */
/*
 * MSI-X vectors through VFIO_DEVICE_SET_IRQS, one eventfd per vector (see
 * env/msix.h for why the block is enabled whole).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

#include "env/log.h"
#include "env/msix.h"
#include "env/pci.h"
#include "env/vfio_irq.h"

unsigned env_msix_table_size(struct env_pci_dev *dev)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX };

	if (dev->vfio_fd < 0 || ioctl(dev->vfio_fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return 0;
	return info.count;
}

/* Points vectors [start, start + count) at fds (-1: no trigger). */
static int set_triggers(struct env_pci_dev *dev, unsigned start, unsigned count, const int *fds)
{
	return env_vfio_set_eventfds(dev->vfio_fd, VFIO_PCI_MSIX_IRQ_INDEX, start, count, fds);
}

/* The whole block at once, every vector without a trigger yet. */
static int enable_block(struct env_pci_dev *dev, unsigned nvec)
{
	int *fds = malloc(nvec * sizeof(int));
	int ret;

	if (!fds)
		return -ENOMEM;
	for (unsigned i = 0; i < nvec; i++)
		fds[i] = -1;
	ret = set_triggers(dev, 0, nvec, fds);
	free(fds);
	if (ret) {
		env_err("%s: cannot enable %u MSI-X vectors through VFIO: %s", dev->bdf, nvec,
			strerror(-ret));
		return ret;
	}
	dev->msix_enabled = nvec;
	env_debug("%s: MSI-X enabled, %u vectors", dev->bdf, nvec);
	return 0;
}

static int take_vector(struct env_pci_dev *dev)
{
	for (unsigned v = 1; v < dev->msix_enabled; v++)
		if (!(dev->msix_used[v / 64] & (UINT64_C(1) << (v % 64)))) {
			dev->msix_used[v / 64] |= UINT64_C(1) << (v % 64);
			return (int)v;
		}
	return -ENOSPC;
}

static void give_back(struct env_pci_dev *dev, unsigned v)
{
	dev->msix_used[v / 64] &= ~(UINT64_C(1) << (v % 64));
}

int env_msix_attach(struct env_pci_dev *dev, unsigned nvec, unsigned *vector, int *fd)
{
	unsigned table = env_msix_table_size(dev);
	int v, efd, ret = 0;

	if (nvec > table)
		nvec = table;
	if (nvec > ENV_MSIX_MAX)
		nvec = ENV_MSIX_MAX;
	if (nvec < 2)
		return -ENODEV;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	pthread_mutex_lock(&dev->msix_lock);
	if (!dev->msix_enabled)
		ret = enable_block(dev, nvec);
	v = ret ? ret : take_vector(dev);
	if (v >= 0) {
		ret = set_triggers(dev, (unsigned)v, 1, &efd);
		if (ret) {
			env_err("%s: cannot wire MSI-X vector %d to an eventfd: %s", dev->bdf, v,
				strerror(-ret));
			give_back(dev, (unsigned)v);
			v = ret;
		}
	}
	pthread_mutex_unlock(&dev->msix_lock);
	if (v < 0) {
		close(efd);
		return v;
	}
	*vector = (unsigned)v;
	*fd = efd;
	return 0;
}

void env_msix_detach(struct env_pci_dev *dev, unsigned vector, int fd)
{
	int none = -1;

	pthread_mutex_lock(&dev->msix_lock);
	if (vector && vector < dev->msix_enabled) {
		if (dev->vfio_fd >= 0)
			(void)set_triggers(dev, vector, 1, &none);
		give_back(dev, vector);
	}
	pthread_mutex_unlock(&dev->msix_lock);
	if (fd >= 0)
		close(fd);
}

unsigned env_msix_in_use(struct env_pci_dev *dev)
{
	unsigned n = 0;

	pthread_mutex_lock(&dev->msix_lock);
	for (unsigned i = 0; i < ENV_MSIX_MAX / 64; i++)
		n += (unsigned)__builtin_popcountll(dev->msix_used[i]);
	pthread_mutex_unlock(&dev->msix_lock);
	return n;
}

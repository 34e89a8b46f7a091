/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <rte_vfio.h>

#include "env/log.h"
#include "env/pci.h"
#include "env/preflight.h"
#include "env/sysfs.h"
#include "env/vfio_irq.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

/* PCI command register (PCI Local Bus spec 3.0, 6.2.2). */
#define PCI_CFG_COMMAND 0x04
#define PCI_CMD_MEMORY (1u << 1)
#define PCI_CMD_BUS_MASTER (1u << 2)
#define PCI_CMD_INTX_DISABLE (1u << 10)

int env_pci_numa_node(const char *bdf)
{
	return env_sysfs_numa_node("", bdf);
}

/* vfio_iommu_type1 caps DMA mappings per container; EAL maps one per hugepage. */
static void explain_setup_failure(const struct env_pci_dev *dev)
{
	unsigned limit = 0;
	bool low = false;
	FILE *f = fopen("/sys/module/vfio_iommu_type1/parameters/dma_entry_limit", "r");

	if (f) {
		low = fscanf(f, "%u", &limit) == 1 && limit < 4096;
		fclose(f);
	}
	if (low)
		env_err("%s: VFIO set-up of IOMMU group %d failed: vfio_iommu_type1 allows only %u "
			"DMA mappings (dma_entry_limit) and EAL maps each hugepage separately; raise "
			"it: echo 65535 > /sys/module/vfio_iommu_type1/parameters/dma_entry_limit",
			dev->bdf, dev->iommu_group, limit);
	else
		env_err("%s: VFIO set-up of IOMMU group %d failed (EAL's lines above say why); is "
			"another process using the device?", dev->bdf, dev->iommu_group);
}

/* Sets and clears bits of the PCI Command register through VFIO's config region. */
static int update_command(struct env_pci_dev *dev, uint16_t set, uint16_t clear)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t cmd;

	if (ioctl(dev->vfio_fd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -errno;
	if (pread(dev->vfio_fd, &cmd, sizeof(cmd), cfg.offset + PCI_CFG_COMMAND) != sizeof(cmd))
		return -EIO;
	cmd = (uint16_t)((cmd | set) & ~clear);
	if (pwrite(dev->vfio_fd, &cmd, sizeof(cmd), cfg.offset + PCI_CFG_COMMAND) != sizeof(cmd))
		return -EIO;
	return 0;
}

static int enable_bus_master(struct env_pci_dev *dev)
{
	/* Polled queues only: INTx stays off so a stray interrupt cannot storm. */
	return update_command(dev, PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER | PCI_CMD_INTX_DISABLE, 0);
}

int env_pci_stop_dma(struct env_pci_dev *dev)
{
	return update_command(dev, 0, PCI_CMD_BUS_MASTER);
}

static int map_bar0(struct env_pci_dev *dev)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	void *va;

	if (ioctl(dev->vfio_fd, VFIO_DEVICE_GET_REGION_INFO, &bar)) {
		env_err("%s: VFIO cannot describe BAR0: %s", dev->bdf, strerror(errno));
		return -errno;
	}
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP) || bar.size == 0) {
		env_err("%s: BAR0 cannot be memory-mapped through VFIO (size %llu, flags 0x%x)",
			dev->bdf, (unsigned long long)bar.size, bar.flags);
		return -ENOTSUP;
	}
	va = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->vfio_fd, bar.offset);
	if (va == MAP_FAILED) {
		int err = errno;

		env_err("%s: mmap of BAR0 (%llu bytes) failed: %s", dev->bdf,
			(unsigned long long)bar.size, strerror(err));
		return -err;
	}
	dev->bar0 = va;
	dev->bar0_size = bar.size;
	return 0;
}

/*
 * Hot-unplug or unbind of a vfio-pci device blocks in the kernel until the
 * user closes it; VFIO's request interrupt is how it asks. Without it a
 * removal would hang both the kernel and the job.
 */
static void arm_removal_notice(struct env_pci_dev *dev)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_REQ_IRQ_INDEX };
	int fd, ret;

	if (ioctl(dev->vfio_fd, VFIO_DEVICE_GET_IRQ_INFO, &info) || info.count < 1)
		return;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return;
	ret = env_vfio_set_eventfds(dev->vfio_fd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &fd);
	if (ret) {
		env_warn("%s: no hot-unplug notice from VFIO (%s): a removal will wait for fio to end",
			 dev->bdf, strerror(-ret));
		close(fd);
		return;
	}
	dev->req_fd = fd;
}

bool env_pci_removal_requested(struct env_pci_dev *dev)
{
	uint64_t count;

	if (__atomic_load_n(&dev->removal_requested, __ATOMIC_RELAXED))
		return true;
	if (dev->req_fd >= 0 && read(dev->req_fd, &count, sizeof(count)) == sizeof(count))
		__atomic_store_n(&dev->removal_requested, true, __ATOMIC_RELAXED);
	return __atomic_load_n(&dev->removal_requested, __ATOMIC_RELAXED);
}

int env_pci_open(struct env_pci_dev *dev, const char *bdf)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	memset(dev, 0, sizeof(*dev));
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
	dev->vfio_fd = -1;
	dev->req_fd = -1;
	pthread_mutex_init(&dev->msix_lock, NULL);
	dev->numa_node = env_pci_numa_node(bdf);
	/*
	 * The job's preflight checked this device before EAL started; again
	 * here in case its state changed since (VFIO's own error says less).
	 */
	ret = env_preflight_device(bdf);
	if (ret)
		return ret;
	dev->iommu_group = env_sysfs_iommu_group("", bdf);

	/* Joins EAL's container: group viability, IOMMU type, DMA map of EAL memory. */
	env_preflight_vfio_lock();
	ret = rte_vfio_setup_device(SYSFS_PCI, bdf, &dev->vfio_fd, &info);
	env_preflight_vfio_unlock();
	if (ret) {
		explain_setup_failure(dev);
		dev->vfio_fd = -1;
		return -EIO;
	}
	ret = enable_bus_master(dev);
	if (ret) {
		env_err("%s: cannot enable bus mastering through VFIO config space: %s", bdf,
			strerror(-ret));
		env_pci_close(dev);
		return ret;
	}
	ret = map_bar0(dev);
	if (ret) {
		env_pci_close(dev);
		return ret;
	}
	arm_removal_notice(dev);
	return 0;
}

void env_pci_close(struct env_pci_dev *dev)
{
	if (dev->bar0)
		munmap((void *)dev->bar0, dev->bar0_size);
	dev->bar0 = NULL;
	if (dev->vfio_fd >= 0)
		rte_vfio_release_device(SYSFS_PCI, dev->bdf, dev->vfio_fd);
	dev->vfio_fd = -1;
	if (dev->req_fd >= 0)
		close(dev->req_fd);
	dev->req_fd = -1;
	/* Closing the device disabled MSI-X: the next open enables it again. */
	dev->msix_enabled = 0;
	memset(dev->msix_used, 0, sizeof(dev->msix_used));
}

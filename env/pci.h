/* SPDX-License-Identifier: MIT */
/*
 * A PCI function owned through VFIO: its state checked once more
 * (env/preflight.c: present, bound to vfio-pci, in a viable IOMMU group,
 * held by no other process), the device joined to EAL's
 * VFIO container (which DMA-maps all EAL memory for it), bus mastering on,
 * and BAR0 mapped. Knows nothing of NVMe.
 * Functions return 0 or a negative errno; failures are logged with the
 * address, the IOMMU group, the cause and the fix.
 */
#ifndef ENV_PCI_H
#define ENV_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MSI-X vectors the engine can use per device: NVMe allows 2048. */
#define ENV_MSIX_MAX 2048

struct env_pci_dev {
	char bdf[16];          /* "0000:00:04.0" */
	int vfio_fd;
	int iommu_group;
	int numa_node;         /* -1: the platform does not say */
	volatile void *bar0;
	size_t bar0_size;
	int req_fd;            /* eventfd VFIO signals when the kernel wants the device back */
	bool removal_requested;
	/* MSI-X (env/msix.h): the enabled block's size, and which vectors are taken */
	pthread_mutex_t msix_lock;
	unsigned msix_enabled;
	uint64_t msix_used[ENV_MSIX_MAX / 64];
};

/* Needs env_eal_init() first. */
int env_pci_open(struct env_pci_dev *dev, const char *bdf);
void env_pci_close(struct env_pci_dev *dev);

/*
 * Whether the kernel asked for the device back (hot-unplug, unbind): VFIO
 * then waits until the device is closed, so the caller must stop using it
 * and close it. Cheap (a non-blocking read); call it from slow paths only.
 */
bool env_pci_removal_requested(struct env_pci_dev *dev);

/*
 * Clears Bus Master Enable: the function can no longer read or write host
 * memory, whatever state its queues are in. The last resort before memory a
 * device that will not stop may still write is given back.
 */
int env_pci_stop_dma(struct env_pci_dev *dev);

/* NUMA node from sysfs, -1 when unknown or absent. */
int env_pci_numa_node(const char *bdf);

#endif

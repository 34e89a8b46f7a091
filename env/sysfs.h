/* SPDX-License-Identifier: MIT */
/*
 * What sysfs and /proc say about a PCI function and the processes using it,
 * read under a root directory: "" on a live system, a fake tree in the unit
 * tests, so the logic that decides what is wrong runs without a device.
 * Knows nothing of NVMe. Functions return a value or a negative errno.
 */
#ifndef ENV_SYSFS_H
#define ENV_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether root/sys/bus/pci/devices/<bdf> exists. */
bool env_sysfs_pci_exists(const char *root, const char *bdf);

/* Name of the driver bound to bdf into out; "" when none. */
void env_sysfs_pci_driver(const char *root, const char *bdf, char *out, size_t len);

/* IOMMU group number of bdf, -1 when it has none. */
int env_sysfs_iommu_group(const char *root, const char *bdf);

/* Whether any IOMMU group exists: without one, no device can use VFIO. */
bool env_sysfs_iommu_on(const char *root);

/*
 * A group is viable only when every device in it is bound to vfio-pci, to a
 * PCIe port driver, or to nothing. Writes the first device other than self
 * that is not ("0000:02:01.0 (driver nvme)") into out and returns 1; 0 when
 * the group is viable.
 */
int env_sysfs_group_blocker(const char *root, int group, const char *self, char *out, size_t len);

/* NUMA node of bdf, -1 when unknown or absent. */
int env_sysfs_numa_node(const char *root, const char *bdf);

/* Whether VFIO runs in its unsafe no-IOMMU mode (devices see physical addresses). */
bool env_sysfs_vfio_noiommu(const char *root);

/*
 * The group's VFIO node as the kernel names it, without root: /dev/vfio/N,
 * or /dev/vfio/noiommu-N when only that exists (VFIO's no-IOMMU mode).
 */
void env_sysfs_vfio_group_node(const char *root, int group, char *out, size_t len);

struct env_holder {
	int pid;
	char comm[32];   /* /proc/PID/comm */
	char cmd[96];    /* /proc/PID/cmdline, arguments joined by spaces, cut short */
};

/*
 * Processes holding bdf through VFIO: a descriptor on its group node
 * (group_node, the path as the kernel shows it, without root), on its
 * /dev/vfio/devices/vfioX character device, or on a VFIO device file whose
 * fdinfo names bdf (vfio-device-syspath, Linux 6.9 on; older kernels show
 * only "anon_inode:[vfio-device]", which names no device, so there the
 * group node is what identifies the holder). Scans root/proc/PID/fd.
 * self_pid is left out of out and reported through *self_holds instead.
 * Fills up to max entries; returns how many processes hold it (may be more
 * than max), or a negative errno when root/proc cannot be read.
 */
int env_proc_vfio_holders(const char *root, const char *bdf, const char *group_node, int self_pid,
			  bool *self_holds, struct env_holder *out, int max);

#endif

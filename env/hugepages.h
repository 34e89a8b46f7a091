/* SPDX-License-Identifier: MIT */
/*
 * Hugepage and memlock checks for the preflight (env/preflight.c): DPDK's
 * own message when hugepages are missing ("requested 512MB, available 0MB")
 * does not say what to do; these run first and name the fix.
 * Functions return 0 or a negative errno.
 */
#ifndef ENV_HUGEPAGES_H
#define ENV_HUGEPAGES_H

#include <stdint.h>

/* Free hugepage memory of every size, in bytes, from sysfs; node -1 = all nodes. */
uint64_t env_hugepages_free_bytes(int node);

/*
 * Reserved hugepage memory (free or in use), in bytes, from sysfs under root
 * ("" on a live system); node -1 = all nodes.
 */
uint64_t env_hugepages_total_bytes_at(const char *root, int node);

/*
 * The checks one by one, reading sysfs and /proc/mounts under root ("" on a
 * live system, a fake tree in unit tests), each logging its problem and fix:
 * hugepages free (at least mem_mb MiB when mem_mb > 0), -ENOMEM; a
 * hugetlbfs mounted (huge_dir itself when given), -ENOENT; and hugepages
 * reserved on NUMA node node (-1: not known, passes), where the device bdf
 * sits, -ENOMEM.
 */
int env_hugepages_check_free(const char *root, unsigned mem_mb);
int env_hugepages_check_mount(const char *root, const char *huge_dir);
int env_hugepages_check_node(const char *root, const char *bdf, int node);

/*
 * VFIO pins every DMA-mapped page against RLIMIT_MEMLOCK unless the process
 * has CAP_IPC_LOCK: checks that want_mb fits, naming the limit and the fix.
 * -ENOMEM when it does not.
 */
int env_memlock_check(unsigned want_mb);

#endif

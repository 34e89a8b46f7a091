/* SPDX-License-Identifier: MIT */
/*
 * Hugepage preflight: DPDK's own message when hugepages are missing
 * ("requested 512MB, available 0MB") does not say what to do; this check
 * runs first and names the fix. Functions return 0 or a negative errno.
 */
#ifndef ENV_HUGEPAGES_H
#define ENV_HUGEPAGES_H

#include <stdint.h>

/* Free hugepage memory of every size, in bytes, from sysfs; node -1 = all nodes. */
uint64_t env_hugepages_free_bytes(int node);

/* Reserved hugepage memory (free or in use), in bytes; node -1 = all nodes. */
uint64_t env_hugepages_total_bytes(int node);

/*
 * Checks that hugepages are reserved and free (at least mem_mb MiB when
 * mem_mb > 0) and that a hugetlbfs is mounted (huge_dir itself when given).
 * Logs the problem and the commands that fix it; -ENOMEM or -ENOENT.
 */
int env_hugepages_check(unsigned mem_mb, const char *huge_dir);

/*
 * VFIO pins every DMA-mapped page against RLIMIT_MEMLOCK unless the process
 * has CAP_IPC_LOCK: checks that want_mb fits, naming the limit and the fix.
 * -ENOMEM when it does not.
 */
int env_memlock_check(unsigned want_mb);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * DPDK's EAL, started once per process: hugepage memory with IOVAs, and the
 * VFIO container every device of this process joins.
 * Functions return 0 or a negative errno.
 */
#ifndef ENV_EAL_H
#define ENV_EAL_H

#include <stdbool.h>
#include <stdint.h>

enum env_iova_mode {
	ENV_IOVA_AUTO = 0, /* EAL's choice: VA when an IOMMU is present */
	ENV_IOVA_VA = 1,
	ENV_IOVA_PA = 2,
};

struct env_eal_opts {
	unsigned mem_mb;          /* hugepage memory reserved up front; 0: grow on demand */
	const char *huge_dir;     /* hugetlbfs mount; NULL: EAL finds one */
	enum env_iova_mode iova_mode;
};

/*
 * Starts EAL on the first call; later calls return the first call's result
 * (their options are ignored, a warning says so when they differ). Runs in
 * --in-memory mode: no files under /var/run/dpdk and no shared config, so two
 * fio processes never collide. The caller's CPU affinity is restored after
 * EAL pins it. Failures are logged with their cause and fix.
 */
int env_eal_init(const struct env_eal_opts *opts);

/* CLOCK_MONOTONIC ns when the first env_eal_init() began (0 before): start-up figures. */
uint64_t env_eal_init_began_ns(void);

/* Whether an earlier env_eal_init() started EAL in this process. */
bool env_eal_running(void);

/* The IOVA mode EAL runs in ("VA" or "PA"), for logs. */
const char *env_eal_iova_mode_name(void);

#endif

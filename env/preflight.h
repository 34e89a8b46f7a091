/* SPDX-License-Identifier: MIT */
/*
 * Preflight: everything a run needs from the machine and its devices,
 * checked before EAL starts, each problem named with its fix in one run,
 * so that a user does not fix one thing only to meet the next. Knows
 * nothing of NVMe. Functions return 0 or a negative errno (the first
 * problem's).
 */
#ifndef ENV_PREFLIGHT_H
#define ENV_PREFLIGHT_H

#include "env/eal.h"

/*
 * A job's checks: the process-wide ones (IOVA mode, hugepages free and
 * hugetlbfs mounted, RLIMIT_MEMLOCK, IOMMU on, VFIO loaded) and, for each
 * PCI address in bdfs (duplicates are checked once): present, in an IOMMU
 * group, bound to vfio-pci, group viable, /dev/vfio/N openable and held by
 * no other process (which is named: PID and command), hugepages on its NUMA
 * node. One error line per problem with its fix, then one line with the
 * count. A check that needs an earlier one to pass is skipped when that one
 * failed. With EAL already up in this process (a later job), the free
 * hugepages and the mount are EAL's business and not checked again, and a
 * group this process holds already counts as open.
 */
int env_preflight(const char *const *bdfs, unsigned nr_bdfs, const struct env_eal_opts *eal);

/*
 * The process-wide checks alone, for EAL start-up: every problem logged,
 * the first one's error returned.
 */
int env_preflight_process(const struct env_eal_opts *eal);

/*
 * One device's checks (with the IOMMU and VFIO ones it depends on), for
 * opening it: a second line of defence for a state that changed after the
 * job's preflight.
 */
int env_preflight_device(const char *bdf);

/*
 * VFIO lets a group be open in one file at a time, so the preflight's test
 * open and env_pci_open()'s real one must not overlap, or one of them meets
 * EBUSY from this very process (jobs set up in parallel, create_serialize=0).
 * Both run under this lock.
 */
void env_preflight_vfio_lock(void);
void env_preflight_vfio_unlock(void);

#endif

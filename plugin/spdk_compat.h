/* SPDX-License-Identifier: MIT */
/*
 * SPDK's fio plugin's job files, unchanged: under LD_PRELOAD the engine also
 * registers as ioengine=spdk, and every option of SPDK's NVMe plugin is
 * accepted. Those that map to this engine act the same; those that cannot
 * apply to a local PCIe controller through VFIO get a one-line notice when
 * harmless, or are refused with the reason when ignoring them would make
 * the run something else than the user asked for.
 */
#ifndef PLUGIN_SPDK_COMPAT_H
#define PLUGIN_SPDK_COMPAT_H

#include "fio.h"

#include "nvme/ctrl.h"

/* The job's SPDK-only options: notices, or a refusal (logged, -errno). */
int fvn_spdk_options_check(struct thread_data *td);

/*
 * enable_wrr: switches the controller to weighted round robin with the
 * job's burst and weights (nvme_ctrl_use_wrr()); 0, or refused with the
 * reason (no WRR in CAP.AMS, other jobs' queues on round robin).
 */
int fvn_spdk_wrr_check(struct thread_data *td, struct nvme_ctrl *c);

/* The priority class of the job's I/O queues: wrr_priority under WRR. */
uint8_t fvn_spdk_queue_priority(struct thread_data *td);

#endif

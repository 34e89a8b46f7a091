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

/* WRR options against one controller (CAP.AMS): 0, or refused with the reason. */
int fvn_spdk_wrr_check(struct thread_data *td, const struct nvme_ctrl *c);

#endif

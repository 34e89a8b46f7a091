/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fio.h"
#include "optgroup.h"

#include "plugin/options.h"

struct fio_option fvn_options[] = {
	{
		.name = "mem_size_mb",
		.lname = "Hugepage memory (MiB)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, mem_size_mb),
		.def = "0",
		.help = "Hugepage memory DPDK reserves at start-up, in MiB "
			"(0: take it as needed). The first job's value applies to the process",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "iova_mode",
		.lname = "IOVA mode",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, iova_mode),
		.def = "auto",
		.help = "DMA addresses given to the device: va (IOMMU), pa (physical), "
			"or auto (DPDK's choice: va when an IOMMU is on)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "huge_dir",
		.lname = "Hugetlbfs mount",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, huge_dir),
		.help = "hugetlbfs mount to take hugepages from (default: DPDK finds one)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "nsid",
		.lname = "Namespace id",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, nsid),
		.def = "0",
		.help = "Namespace for filenames without ns= (0: the first active namespace)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "queue_entries",
		.lname = "I/O queue entries",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, queue_entries),
		.def = "0",
		.help = "Slots in each thread's I/O queue pair (0: iodepth + 1; "
			"capped by the controller's CAP.MQES)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "log_level",
		.lname = "Engine log level",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, log_level),
		.help = "Engine diagnostics on stderr: error, warn, notice (default), info, debug; "
			"FIO_VFIO_NVME_LOG sets it too",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "cmd_timeout_ms",
		.lname = "Command timeout (ms)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, cmd_timeout_ms),
		.def = "30000",
		.help = "An I/O the controller has not completed after this many ms fails with "
			"ETIMEDOUT, naming the command, and its queue pair fails from then on "
			"(0: wait forever)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "shadow_doorbells",
		.lname = "Shadow doorbells",
		.type = FIO_OPT_STR,
		.off1 = offsetof(struct fvn_options, shadow_doorbells),
		.def = "auto",
		.help = "Shadow doorbells (Doorbell Buffer Config), which emulated controllers "
			"offer: doorbell values go to host memory and most register writes, "
			"each a trap into the hypervisor, are skipped. The first job to open a "
			"controller decides",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
		.posval = {
			{ .ival = "auto", .oval = FVN_SHADOW_AUTO,
			  .help = "when iodepth >= 4: below that the controller has nearly "
				  "always caught up, every doorbell needs the register anyway "
				  "and the shadow words only add to its work" },
			{ .ival = "on", .oval = FVN_SHADOW_ON, .help = "whenever offered" },
			{ .ival = "1", .oval = FVN_SHADOW_ON, .help = "the same as on" },
			{ .ival = "off", .oval = FVN_SHADOW_OFF, .help = "never" },
			{ .ival = "0", .oval = FVN_SHADOW_OFF, .help = "the same as off" },
		},
	},
	{
		.name = NULL,
	},
};

int fvn_parse_iova_mode(const char *text, enum env_iova_mode *mode)
{
	if (!text || !*text || !strcmp(text, "auto"))
		*mode = ENV_IOVA_AUTO;
	else if (!strcmp(text, "va"))
		*mode = ENV_IOVA_VA;
	else if (!strcmp(text, "pa"))
		*mode = ENV_IOVA_PA;
	else
		return -EINVAL;
	return 0;
}

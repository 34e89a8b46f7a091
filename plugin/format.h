/* SPDX-License-Identifier: MIT */
/*
 * How a job moves a namespace's blocks: the namespace's format (data and
 * metadata sizes, extended or separate metadata, protection information)
 * meets the job's options and block sizes, and the controller's largest
 * command. Everything a job asks that the format cannot do is refused here,
 * at set-up, with the fix in the message.
 */
#ifndef PLUGIN_FORMAT_H
#define PLUGIN_FORMAT_H

#include "fio.h"

#include "nvme/ctrl.h"
#include "plugin/engine.h"

/*
 * Sets ff's block and command geometry (block_bytes, md_bytes,
 * max_cmd_blocks, ...) from the namespace and the controller's maximum
 * transfer, and checks the job's block sizes against them. sgls is
 * Identify Controller's SGLS, for enable_sgl. Logs why and
 * returns a negative errno when the job cannot run on this namespace.
 */
int fvn_format_apply(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_info *ns,
		     uint32_t max_xfer, uint32_t sgls);

/* Separate metadata bytes an io_u of max_bs needs on ff (0: none). */
unsigned long long fvn_format_md_per_io(const struct fvn_file *ff, unsigned long long max_bs);

/*
 * What splits io_us on ff, for the start-up line: e.g. "io_us above 131072
 * bytes are split: MDTS limits a command to 131072 bytes (32 blocks)", or,
 * where the NLB field's 65,536 blocks come first, "... the NLB field limits
 * a command to 65,536 blocks (MDTS 0: no transfer limit)". Returns 0, or
 * -ENOSPC when the text was cut.
 */
int fvn_format_split_text(const struct fvn_file *ff, char *buf, size_t len);

/* Commands the largest io_u of this job needs on ff (1: never split). */
unsigned fvn_format_max_cmds(const struct fvn_file *ff, size_t max_bs);

#endif

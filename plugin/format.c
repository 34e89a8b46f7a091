/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "env/log.h"
#include "plugin/format.h"

/* NLB is a 16-bit, 0-based count: no command carries more blocks, whatever MDTS says. */
#define NVME_MAX_NLB 65536u

/* Checks the job's block sizes against the namespace's blocks. */
static int check_block_sizes(struct thread_data *td, struct fvn_file *ff)
{
	uint32_t bb = ff->block_bytes;
	static const char *const dir[] = { "read", "write", "trim" };

	for (int d = DDIR_READ; d <= DDIR_TRIM; d++) {
		unsigned long long min = td->o.min_bs[d], max = td->o.max_bs[d];

		if (!(td->o.td_ddir & (1 << d)))
			continue;
		if (min % bb || max % bb || (td->o.bs_unaligned && min != max)) {
			char range[48];

			if (min == max)
				snprintf(range, sizeof(range), "%llu", min);
			else
				snprintf(range, sizeof(range), "%llu-%llu", min, max);
			env_err("%s ns %u: %s block size %s is not a multiple of the namespace's "
				"%u-byte logical block: use bs=%u or a multiple",
				ff->bdf, ff->nsid, dir[d], range, bb, bb > 4096 || !ff->block_pow2 ? bb : 4096);
			return -EINVAL;
		}
		if (d == DDIR_TRIM && max / bb > UINT32_MAX) {
			env_err("%s: trim block size %llu is too large for one range", ff->bdf, max);
			return -EINVAL;
		}
	}
	return 0;
}

int fvn_format_apply(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_info *ns,
		     uint32_t max_xfer)
{
	uint64_t per_cmd;

	if (ns->metadata_size) {
		env_err("%s ns %u: formatted with %u bytes of metadata per block, which this engine "
			"does not handle yet", ff->bdf, ff->nsid, ns->metadata_size);
		return -ENOTSUP;
	}
	ff->block_bytes = ns->lba_size;
	ff->md_bytes = 0;
	ff->rw_flags = 0;
	ff->plain = true;
	ff->block_pow2 = !(ff->block_bytes & (ff->block_bytes - 1));
	ff->lba_shift = ff->block_pow2 ? (unsigned)__builtin_ctz(ff->block_bytes) : 0;

	/* MDTS counts the bytes the data pointer moves: interleaved metadata included. */
	per_cmd = max_xfer / ff->block_bytes;
	if (!per_cmd) {
		env_err("%s: the controller's maximum transfer (MDTS) of %u bytes is smaller than "
			"one %u-byte block of ns %u", ff->bdf, max_xfer, ff->block_bytes, ff->nsid);
		return -EINVAL;
	}
	if (per_cmd > NVME_MAX_NLB)
		per_cmd = NVME_MAX_NLB;
	if (per_cmd > UINT32_MAX / ff->block_bytes) /* cmd_bytes fits 32 bits */
		per_cmd = UINT32_MAX / ff->block_bytes;
	ff->max_cmd_blocks = (uint32_t)per_cmd;
	ff->cmd_bytes = ff->max_cmd_blocks * ff->block_bytes;
	return check_block_sizes(td, ff);
}

unsigned fvn_format_max_cmds(const struct fvn_file *ff, size_t max_bs)
{
	size_t blocks = max_bs / ff->block_bytes;

	return blocks <= ff->max_cmd_blocks ? 1 :
	       (unsigned)((blocks + ff->max_cmd_blocks - 1) / ff->max_cmd_blocks);
}

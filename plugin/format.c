/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "fio.h"
#include "verify.h"

#include "env/log.h"
#include "nvme/pi.h"
#include "nvme/sgl.h"
#include "plugin/format.h"
#include "plugin/options.h"


/* Why the job's PI options cannot apply to a namespace without PI; NULL when they can. */
static const char *pi_options_without_pi(const struct fvn_options *o, unsigned checks)
{
	if (!o->pi_act)
		return "pi_act=0 (the host generating and checking PI)";
	if (checks)
		return "pi_chk (PI checks by the controller)";
	return NULL;
}

/*
 * Bytes of PI in each block's metadata: f->pi_size where the host computes
 * it, else what the guard format takes (PIF 0: 8; PIF 1 and 2: 16); 0 when
 * not known (reserved type, qualified format).
 */
static unsigned pi_bytes_of(const struct nvme_ns_format *f)
{
	if (f->pi_size || !f->pi_type)
		return f->pi_size;
	if (f->pi_type > NVME_PI_TYPE3 || f->pif == NVME_PIF_QUALIFIED)
		return 0;
	return f->pif == NVME_PIF_16B_GUARD ? (unsigned)sizeof(struct nvme_pi16)
					    : (unsigned)sizeof(struct nvme_pi64);
}

/* pi_act=0 or pi_chk on a namespace without PI: what is missing, with the sizes. */
static void refuse_pi_options(const struct fvn_file *ff, const struct nvme_ns_format *f,
			      const char *why)
{
	char format[160], has[96];

	nvme_ns_format_text(f, format, sizeof(format));
	if (f->ms)
		snprintf(has, sizeof(has), "its %u metadata bytes per block hold no PI (no PI "
			 "type is set)", f->ms);
	else
		snprintf(has, sizeof(has), "it has no metadata at all");
	env_err("%s ns %u has no protection information (%s): %s needs PI in each block's "
		"metadata, %zu bytes with the 16-bit guard or %zu with the 64-bit guard, and %s. "
		"Remove the option, or format the namespace with PI: an LBA format with at least "
		"%zu metadata bytes and a PI type (e.g. nvme format --lbaf=N --pi=1)", ff->bdf,
		ff->nsid, format, why, sizeof(struct nvme_pi16), sizeof(struct nvme_pi64), has,
		sizeof(struct nvme_pi16));
}

/* PI the host cannot compute: refused unless the controller does it all. */
static int refuse_unsupported_pi(const struct fvn_options *o, const struct fvn_file *ff,
				 const struct nvme_ns_format *f, unsigned checks)
{
	unsigned pi_bytes = pi_bytes_of(f);

	if (pi_bytes && f->ms < pi_bytes) {
		/* Nobody can place this PI: not the host, not the controller. */
		env_err("%s ns %u: PI type %u with the %u-bit guard takes %u bytes of each "
			"block's metadata, and the namespace has %u: no room for it. Reformat with "
			"at least %u metadata bytes per block%s", ff->bdf, ff->nsid, f->pi_type,
			f->pif == NVME_PIF_16B_GUARD ? 16 : f->pif == NVME_PIF_32B_GUARD ? 32 : 64,
			pi_bytes, f->ms, pi_bytes,
			pi_bytes > sizeof(struct nvme_pi16) && f->ms >= sizeof(struct nvme_pi16) ?
			", or with the 16-bit guard (8 bytes of PI)" : "");
		return -EINVAL;
	}
	/* PRACT=1 with metadata that is only the PI: the controller inserts and strips it. */
	if (o->pi_act && !checks && pi_bytes && f->ms == pi_bytes)
		return 0;
	env_err("%s ns %u: its protection information uses %s, which this engine cannot "
		"generate or check%s: %s", ff->bdf, ff->nsid, f->unsupported,
		!o->pi_act ? " (pi_act=0)" : checks ? " (pi_chk)" : "",
		pi_bytes && f->ms == pi_bytes ?
		"use pi_act=1 without pi_chk (the controller inserts and strips the PI, and only "
		"data crosses the bus), or reformat with the 16- or 64-bit guard" :
		"reformat with the 16- or 64-bit guard and no storage tag");
	return -ENOTSUP;
}

/*
 * The PI settings of ff from the job's options: what goes in CDW12, and
 * what the host computes. Returns 0 or a negative errno, with the reason
 * logged.
 */
static int apply_pi(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_format *f)
{
	const struct fvn_options *o = td->eo;
	char bad[64];
	unsigned checks;
	const char *why;
	int ret;

	if (fvn_parse_pi_chk(o->pi_chk, &checks, bad, sizeof(bad))) {
		env_err("job '%s': pi_chk=%s: '%s' is not a check; use GUARD, REFTAG and/or "
			"APPTAG, comma separated", td->o.name, o->pi_chk, bad);
		return -EINVAL;
	}
	if (!f->pi_type) {
		why = pi_options_without_pi(o, checks);
		if (why) {
			refuse_pi_options(ff, f, why);
			return -EINVAL;
		}
		return 0;
	}
	/*
	 * The host computes PI only in formats it knows; the controller may
	 * still insert and strip it (PRACT=1) when the metadata is just the PI.
	 */
	if (f->unsupported) {
		ret = refuse_unsupported_pi(o, ff, f, checks);
		if (ret)
			return ret;
	}
	if (f->pi_type == 3 && (checks & NVME_PI_CHECK_REF)) {
		env_notice("%s ns %u: PI type 3 has no reference tag to check: pi_chk's REFTAG is "
			   "ignored", ff->bdf, ff->nsid);
		checks &= ~(unsigned)NVME_PI_CHECK_REF;
	}
	ff->rw_flags = (o->pi_act ? NVME_RW_PRACT : 0) | checks << NVME_RW_PRINFO_SHIFT;
	ff->pi_tags = (struct nvme_pi_tags){ .app = (uint16_t)o->apptag,
					     .app_mask = (uint16_t)o->apptag_mask };
	ff->pi_host = !o->pi_act;
	/*
	 * With pi_act=0 the host checks, on every block it reads, what it can
	 * know: the guard (the data), the reference tag (the LBA; not type 3),
	 * and the application tag when pi_chk asks for it (another writer may
	 * have used another one).
	 */
	ff->pi_tags.checks = (uint8_t)(NVME_PI_CHECK_GUARD | (checks & NVME_PI_CHECK_APP) |
				       (f->pi_type != 3 ? NVME_PI_CHECK_REF : 0));
	return 0;
}

/* bs must be whole blocks of what fio's buffer holds per block. */
static void suggest_block_size(const struct fvn_file *ff, unsigned long long bs, char *out,
			       size_t len)
{
	uint32_t bb = ff->block_bytes;

	if (bb != ff->lba_size && bs % ff->lba_size == 0)
		/* Extended LBAs: the user counted data only. */
		snprintf(out, len, "bs=%llu (%llu block%s of %u data + %u metadata bytes)",
			 bs / ff->lba_size * bb, bs / ff->lba_size, bs / ff->lba_size == 1 ? "" : "s",
			 ff->lba_size, bb - ff->lba_size);
	else
		snprintf(out, len, "bs=%u or a multiple", bb > 4096 || !ff->block_pow2 ? bb : 4096);
}

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
			char range[48], fix[128];

			if (min == max)
				snprintf(range, sizeof(range), "%llu", min);
			else
				snprintf(range, sizeof(range), "%llu-%llu", min, max);
			suggest_block_size(ff, min % bb ? min : max, fix, sizeof(fix));
			env_err("%s ns %u: %s block size %s is not a multiple of the %u bytes each "
				"block takes in fio's buffer%s: use %s", ff->bdf, ff->nsid, dir[d],
				range, bb, bb != ff->lba_size ? " (data and interleaved metadata, "
				"as SPDK's plugin counts)" : "", fix);
			return -EINVAL;
		}
		if (d == DDIR_TRIM && max / bb > UINT32_MAX) {
			env_err("%s: trim block size %llu is too large for one range", ff->bdf, max);
			return -EINVAL;
		}
	}
	return 0;
}

/* Separate metadata: md_per_io_size must hold the largest io_u's. */
static int check_md_buffer(struct thread_data *td, struct fvn_file *ff)
{
	const struct fvn_options *o = td->eo;
	unsigned long long need = fvn_format_md_per_io(ff, td_max_bs(td));

	if (o->md_per_io_size && o->md_per_io_size < need) {
		env_err("%s ns %u: md_per_io_size=%u is too small: bs=%llu is %llu blocks with %u "
			"bytes of separate metadata each%s; use md_per_io_size=%llu or leave it 0",
			ff->bdf, ff->nsid, o->md_per_io_size, td_max_bs(td),
			td_max_bs(td) / ff->block_bytes, ff->md_bytes,
			ff->pi_host ? " (room for the PI the host generates)" : "", need);
		return -EINVAL;
	}
	return 0;
}

/*
 * fio's verify compares whole buffers: it cannot run where the PI bytes
 * are inside them (extended LBAs, the controller or the host writing PI).
 */
static int check_verify(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_format *f)
{
	if (!f->pi_type || !f->extended || ff->block_bytes == ff->lba_size ||
	    td->o.verify == VERIFY_NONE)
		return 0;
	env_err("%s ns %u: fio's verify cannot run here: its %u-byte blocks carry their "
		"protection information inside fio's buffer, where fio would compare it as data. "
		"Use verify=0 (with pi_act=0 the engine checks every block's PI on reads itself)%s",
		ff->bdf, ff->nsid, ff->block_bytes,
		f->ms == f->pi_size ? ", or pi_act=1: the controller inserts and strips the PI, "
				      "and blocks are data only" : "");
	return -EINVAL;
}

/* enable_sgl: only where Identify Controller's SGLS says SGLs work. */
static int apply_sgl(struct thread_data *td, struct fvn_file *ff, uint32_t sgls)
{
	const struct fvn_options *o = td->eo;
	char why[160];
	int ret;

	ff->use_sgl = false;
	if (!o->enable_sgl)
		return 0;
	/* One command's descriptors fit one list: beyond that, split into more commands. */
	if (o->sge_size && ff->cmd_bytes / o->sge_size >= NVME_SGL_MAX_DESCS &&
	    (uint64_t)NVME_SGL_MAX_DESCS * o->sge_size >= ff->block_bytes) {
		ff->max_cmd_blocks = (uint32_t)((uint64_t)NVME_SGL_MAX_DESCS * o->sge_size /
						ff->block_bytes);
		ff->cmd_bytes = ff->max_cmd_blocks * ff->block_bytes;
		ff->cmd_limit = FVN_CMD_LIMIT_SGL;
	}
	/*
	 * Separate metadata goes through an SGL too where the controller says
	 * it takes one there (SGLS.MSDS); otherwise MPTR is its address, which
	 * every controller with SGLs accepts (QEMU 7.2 does not set MSDS).
	 */
	ret = nvme_sgl_setup(&ff->sgl, sgls, o->sge_size,
			     ff->cmd_bytes < td_max_bs(td) ? ff->cmd_bytes : td_max_bs(td),
			     ff->md_bytes && (sgls & NVME_SGLS_MSDS), why, sizeof(why));
	if (ret) {
		env_err("%s: enable_sgl=1 cannot be used: %s; leave enable_sgl=0 (PRPs)%s", ff->bdf,
			why, ret == -ENOTSUP ? "" : ", or choose another sge_size");
		return ret;
	}
	ff->use_sgl = true;
	ff->plain = false;
	return 0;
}

int fvn_format_apply(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_info *ns,
		     uint32_t max_xfer, uint32_t sgls)
{
	const struct fvn_options *o = td->eo;
	const struct nvme_ns_format *f = &ns->format;
	bool pi_stripped;
	uint64_t per_cmd;
	int ret;

	ff->fmt = *f;
	ff->rw_flags = 0;
	ff->pi_host = false;
	ret = apply_pi(td, ff, f);
	if (ret)
		return ret;
	/* PRACT=1 with metadata that is only PI: nothing of it crosses the bus. */
	pi_stripped = f->pi_type && o->pi_act && f->ms == pi_bytes_of(f);
	ff->block_bytes = f->ms && f->extended && !pi_stripped ? ns->lba_size + f->ms : ns->lba_size;
	ff->md_bytes = f->ms && !f->extended && !pi_stripped ? f->ms : 0;
	ff->plain = !f->ms;
	ff->block_pow2 = !(ff->block_bytes & (ff->block_bytes - 1));
	ff->lba_shift = ff->block_pow2 ? (unsigned)__builtin_ctz(ff->block_bytes) : 0;

	/* MDTS counts the bytes the data pointer moves: interleaved metadata included. */
	ff->max_xfer = max_xfer;
	per_cmd = max_xfer / ff->block_bytes;
	if (!per_cmd) {
		env_err("%s: the controller's maximum transfer (MDTS) of %u bytes is smaller than "
			"one %u-byte block of ns %u", ff->bdf, max_xfer, ff->block_bytes, ff->nsid);
		return -EINVAL;
	}
	ff->cmd_limit = FVN_CMD_LIMIT_MDTS;
	if (per_cmd > NVME_MAX_NLB) {
		per_cmd = NVME_MAX_NLB;
		ff->cmd_limit = FVN_CMD_LIMIT_NLB;
	}
	if (per_cmd > UINT32_MAX / ff->block_bytes) { /* cmd_bytes fits 32 bits */
		per_cmd = UINT32_MAX / ff->block_bytes;
		ff->cmd_limit = FVN_CMD_LIMIT_BYTES;
	}
	ff->max_cmd_blocks = (uint32_t)per_cmd;
	ff->cmd_bytes = ff->max_cmd_blocks * ff->block_bytes;
	ret = check_block_sizes(td, ff);
	if (!ret)
		ret = apply_sgl(td, ff, sgls);
	if (!ret)
		ret = check_md_buffer(td, ff);
	if (!ret)
		ret = check_verify(td, ff, f);
	return ret;
}

unsigned long long fvn_format_md_per_io(const struct fvn_file *ff, unsigned long long max_bs)
{
	return max_bs / ff->block_bytes * ff->md_bytes;
}

unsigned fvn_format_max_cmds(const struct fvn_file *ff, size_t max_bs)
{
	size_t blocks = max_bs / ff->block_bytes;

	return blocks <= ff->max_cmd_blocks ? 1 :
	       (unsigned)((blocks + ff->max_cmd_blocks - 1) / ff->max_cmd_blocks);
}

int fvn_format_split_text(const struct fvn_file *ff, char *buf, size_t len)
{
	char mdts[64], why[160];
	int n;

	if (ff->max_xfer == UINT32_MAX)
		snprintf(mdts, sizeof(mdts), "MDTS 0: no transfer limit");
	else
		snprintf(mdts, sizeof(mdts), "MDTS allows %u bytes", ff->max_xfer);
	switch (ff->cmd_limit) {
	case FVN_CMD_LIMIT_MDTS:
		snprintf(why, sizeof(why), "MDTS limits a command to %u bytes (%u blocks)",
			 ff->max_xfer, ff->max_cmd_blocks);
		break;
	case FVN_CMD_LIMIT_NLB:
		snprintf(why, sizeof(why), "the NLB field limits a command to 65,536 blocks (%s)",
			 mdts);
		break;
	case FVN_CMD_LIMIT_SGL:
		snprintf(why, sizeof(why), "%u SGL descriptors of sge_size %u bytes limit a command "
			 "to %u blocks", NVME_SGL_MAX_DESCS, ff->sgl.sge_size, ff->max_cmd_blocks);
		break;
	default:
		snprintf(why, sizeof(why), "a command carries at most 4 GiB here (%u blocks; %s)",
			 ff->max_cmd_blocks, mdts);
		break;
	}
	n = snprintf(buf, len, "io_us above %u bytes are split: %s", ff->cmd_bytes, why);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Reads and writes beyond one plain command: io_us larger than the
 * controller takes in one command (MDTS, or NLB's 65,536 blocks) are split
 * into children, and namespaces with metadata get their metadata pointer
 * and protection information fields. The plain 4 KiB read never comes
 * here (io.c), so it pays nothing for any of this.
 *
 * Children of one io_u are issued together, with consecutive command ids,
 * on the same queue pair; the io_u completes when the last one does, with
 * the status of the first child that failed (io.c, reap_cqes()). Child k
 * covers bytes [k * cmd_bytes, (k + 1) * cmd_bytes) of the transfer, and
 * its PRP list was built at set-up (fvn_post_init()): issuing fills the
 * SQEs and nothing else.
 */
#include <errno.h>

#include "fio.h"

#include "env/log.h"
#include "nvme/io_cmd.h"
#include "nvme/sgl.h"
#include "plugin/commands.h"
#include "nvme/status.h"
#include "plugin/engine.h"
#include "plugin/zones.h"

static struct nvme_prp_list child_list(const struct fvn_thread *t, const struct fvn_io *io,
				       unsigned k)
{
	return (struct nvme_prp_list){
		.entries = (uint64_t *)(io->child_lists + k * t->child_list_bytes),
		.iova = io->child_lists_iova + k * t->child_list_bytes,
		.pages = t->child_list_bytes / t->page_size,
	};
}

/*
 * Every child's list for io_u->buf split in children of cmd_bytes, over the
 * job's largest block size: later transfers of any length reuse them.
 */
int fvn_build_child_lists(struct fvn_thread *t, struct fvn_io *io, uint32_t cmd_bytes)
{
	uint64_t prp1, prp2;

	io->child_built_bytes = 0;
	for (size_t off = 0, k = 0; off < t->max_bs; off += cmd_bytes, k++) {
		struct nvme_prp_list list = child_list(t, io, (unsigned)k);
		size_t len = t->max_bs - off < cmd_bytes ? t->max_bs - off : cmd_bytes;
		int ret = nvme_prp_build(io->buf_iova + off, len, t->page_size, &list, &prp1, &prp2);

		if (ret)
			return ret;
	}
	io->child_built_bytes = cmd_bytes;
	return 0;
}

static int child_data_pointer(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
			      struct io_u *io_u, unsigned k, size_t off, size_t len,
			      struct nvme_sqe *cmd)
{
	struct nvme_prp_list list = child_list(t, io, k);
	size_t built;

	if (io_u->xfer_buf == io_u->buf) {
		if (io->child_built_bytes != ff->cmd_bytes && fvn_build_child_lists(t, io, ff->cmd_bytes))
			return -EINVAL;
		built = t->max_bs - off < ff->cmd_bytes ? t->max_bs - off : ff->cmd_bytes;
		return nvme_prp_reuse(io->buf_iova + off, len, built, t->page_size, &list,
				      &cmd->prp1, &cmd->prp2);
	}
	/* A buffer fio moved (partial transfers): this child's list afresh. */
	io->child_built_bytes = 0;
	return nvme_prp_build(fvn_xfer_iova(t, io_u) + off, len, t->page_size, &list, &cmd->prp1,
			      &cmd->prp2);
}

/*
 * PRINFO, and the tags the controller writes or checks: the initial
 * reference tag is the command's first LBA (types 1 and 2; the host's PI
 * counts from the same place), the application tag and its mask.
 */
static void set_pi_fields(const struct fvn_file *ff, struct nvme_sqe *cmd, uint64_t slba)
{
	cmd->cdw12 |= ff->rw_flags;
	cmd->cdw14 = nvme_rw_cdw14_reftag(slba);
	if (ff->fmt.guard_bits == 64)	/* the 48-bit reference tag's high bits */
		cmd->cdw3 = nvme_rw_cdw3_reftag(slba);
	cmd->cdw15 = nvme_rw_cdw15(ff->pi_tags.app, ff->pi_tags.app_mask);
}

/* The host's PI over a whole io_u, from its first LBA. */
static struct nvme_pi_tags io_tags(const struct fvn_file *ff, uint64_t slba)
{
	struct nvme_pi_tags tags = ff->pi_tags;

	tags.ref = slba;
	return tags;
}

/*
 * enable_sgl: the command's data as SGL descriptors of at most sge_size,
 * built per command in the child's list memory (the PRP lists there are
 * then stale: rebuilt on the next PRP use). Not yet kept from io_u->buf
 * and reused (nvme_sgl_reuse()) as the PRP lists are: that needs state
 * struct fvn_io lacks, which lists are built and which descriptor a
 * shorter transfer shortened. test_sgl_lengths is what a reuse must pass.
 */
static int sgl_data_pointer(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
			    struct io_u *io_u, unsigned k, size_t off, size_t len,
			    struct nvme_sqe *cmd)
{
	struct nvme_sgl_list list = {
		.descs = (struct nvme_sgl_desc *)(io->child_lists + k * t->child_list_bytes),
		.iova = io->child_lists_iova + k * t->child_list_bytes,
		.nr = t->child_list_bytes / sizeof(struct nvme_sgl_desc),
	};
	int ret;

	io->child_built_bytes = 0;
	ret = nvme_sgl_build(&ff->sgl, fvn_xfer_iova(t, io_u) + off, len, &list, &cmd->sgl1);
	if (!ret)
		nvme_sgl_set_psdt(cmd, &ff->sgl);
	return ret;
}

/*
 * Separate metadata of a command's blocks: MPTR is its address (PSDT 00b or
 * 01b), or, with SGLs on a controller that takes them for metadata
 * (SGLS.MSDS), the address of one SGL descriptor of it (PSDT 10b).
 */
static int metadata_pointer(const struct fvn_file *ff, struct fvn_io *io, unsigned k,
			    uint32_t first, uint32_t blocks, struct nvme_sqe *cmd)
{
	uint64_t md_iova = io->md_iova + (uint64_t)first * ff->md_bytes;

	if (!ff->use_sgl || ff->sgl.psdt != NVME_SQE_PSDT_SGL_MPTR_SGL) {
		cmd->mptr = md_iova;
		return 0;
	}
	return nvme_sgl_mptr(&ff->sgl, md_iova, blocks * ff->md_bytes, &io->md_descs[k],
			     io->md_descs_iova + k * sizeof(struct nvme_sgl_desc), &cmd->mptr);
}

/*
 * Zone Append: SLBA names the zone, the controller picks the block (never
 * split: fvn_zones_apply() kept bs within ZASL). PI reference tags are then
 * counted from the zone's start and remapped by the controller to the
 * blocks it chose.
 */
static void zone_append_fields(const struct fvn_file *ff, struct fvn_io *io, struct nvme_sqe *cmd)
{
	uint64_t zslba = fvn_zone_start(ff, nvme_sqe_slba(cmd));

	cmd->cdw10 = nvme_rw_cdw10(zslba);
	cmd->cdw11 = nvme_rw_cdw11(zslba);
	if (ff->fmt.pi_type == NVME_PI_TYPE1 || ff->fmt.pi_type == NVME_PI_TYPE2) {
		set_pi_fields(ff, cmd, zslba);
		cmd->cdw12 |= NVME_ZNS_APPEND_PIREMAP;
	}
	io->alba = UINT64_MAX;
}

int fvn_issue_transfer(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
		       struct io_u *io_u, uint16_t cid, uint64_t slba, uint32_t nlb)
{
	bool read = io_u->ddir == DDIR_READ;
	uint8_t opcode = read ? (io->compare ? NVME_NVM_COMPARE : NVME_NVM_READ) : ff->write_op;
	bool data = fvn_command_has_data(opcode);
	/* Commands without data are bound by NLB's 65,536 blocks, not by MDTS. */
	uint32_t per_cmd = data ? ff->max_cmd_blocks : NVME_MAX_NLB;
	uint32_t flags = read ? ff->read_flags : ff->write_flags;
	unsigned n = (nlb + per_cmd - 1) / per_cmd;
	uint16_t tail = ff->qp.sq.tail;

	/* fvn_post_init() refused jobs whose io_us need more: this is a bug guard. */
	if (n > t->max_cmds) {
		io->fail = FVN_FAIL_OUT_OF_RANGE;
		return EINVAL;
	}
	/* All children or none: a partial io_u in the SQ could wait forever for room. */
	if (nvme_sq_free_slots(&ff->qp.sq) < n)
		return EBUSY;
	/* Host PI for what goes to the controller: written data, or data to compare. */
	if (ff->pi_host && (opcode == NVME_NVM_WRITE || opcode == NVME_ZNS_APPEND ||
			    opcode == NVME_NVM_COMPARE)) {
		struct nvme_pi_tags tags = io_tags(ff, slba);

		nvme_pi_generate(&ff->fmt, io_u->xfer_buf, io->md, nlb, &tags);
		t->pi_blocks_generated += nlb;
	}

	for (unsigned k = 0; k < n; k++) {
		uint32_t first = k * per_cmd;
		uint32_t blocks = nlb - first < per_cmd ? nlb - first : per_cmd;
		struct nvme_sqe c, *cmd = &c;
		int ret = 0;

		nvme_io_rw_cmd(cmd, opcode, fvn_child_cid(t, cid, k), ff->nsid, slba + first, blocks);
		cmd->cdw12 |= flags;
		/* Write Uncorrectable has no PRINFO: it leaves no data, and no PI. */
		if (ff->fmt.pi_type && opcode != NVME_NVM_WRITE_UNCOR)
			set_pi_fields(ff, cmd, slba + first);
		if (opcode == NVME_ZNS_APPEND)
			zone_append_fields(ff, io, cmd);
		if (!data)
			goto copy;
		if (ff->use_sgl)
			ret = sgl_data_pointer(t, ff, io, io_u, k, (size_t)first * ff->block_bytes,
					       (size_t)blocks * ff->block_bytes, cmd);
		else if (n == 1)
			ret = fvn_set_data_pointer(t, io, io_u, cmd);
		else
			ret = child_data_pointer(t, ff, io, io_u, k, (size_t)first * ff->block_bytes,
						 (size_t)blocks * ff->block_bytes, cmd);
		if (!ret && ff->md_bytes)
			ret = metadata_pointer(ff, io, k, first, blocks, cmd);
		if (ret) {
			/* Not rung yet: the children copied so far never existed. */
			ff->qp.sq.tail = tail;
			io->fail = FVN_FAIL_DATA_POINTER;
			return EINVAL;
		}
copy:
		(void)nvme_sq_copy_cmd(&ff->qp.sq, cmd); /* room checked above */
	}
	io->nr_cmds = (uint16_t)n;
	return 0;
}

/*
 * Where a Zone Append landed is the controller's choice: fio learns it as
 * the io_u's offset, and so does the write's verify record (io_u->ipo,
 * logged before issue), so fio's verify reads the blocks actually written.
 */
static void zone_append_done(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
			     struct io_u *io_u)
{
	unsigned long long at = io->alba * ff->block_bytes;

	if (io->alba == UINT64_MAX || at == io_u->offset)
		return;
	t->appends_moved++;
	if (io_u->ipo)
		io_u->ipo->offset = at;
	io_u->offset = at;
}

void fvn_transfer_done(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
		       struct io_u *io_u)
{
	struct nvme_pi_tags tags;
	uint64_t slba, nlb;
	char what[160];

	if (fvn_zone_append_write(ff, io_u)) {
		zone_append_done(t, ff, io, io_u);
		return;
	}

	if (!ff->pi_host || io_u->ddir != DDIR_READ || io->compare ||
	    !fvn_to_blocks(ff, io_u->offset, io_u->xfer_buflen, &slba, &nlb))
		return;
	/*
	 * pi_act=0: the controller handed the PI over unchecked unless
	 * pi_chk asked; the host checks every block, so a controller that
	 * returns wrong PI is caught here too.
	 */
	tags = io_tags(ff, slba);
	t->pi_blocks_checked += nlb;
	if (!nvme_pi_verify(&ff->fmt, io_u->xfer_buf, io->md, (uint32_t)nlb, &tags, &io->pi_err))
		return;
	t->pi_host_failures++;
	io->status = nvme_pi_status(io->pi_err.check);
	io->fail = FVN_FAIL_HOST_PI;
	io_u->error = -nvme_status_to_errno(io->status);
	io_u->resid = io_u->xfer_buflen;
	nvme_pi_error_text(&io->pi_err, what, sizeof(what));
	env_err("%s ns %u: read at LBA %llu: %s", ff->bdf, ff->nsid, (unsigned long long)slba,
		what);
}

/* SPDX-License-Identifier: MIT */
/*
 * SGL (Scatter Gather List) data pointers for one IOVA-contiguous transfer,
 * the alternative to nvme/prp.h for I/O commands: fills an SQE's data
 * pointer (SGL1) and, when one descriptor is not enough, an array of Data
 * Block descriptors the caller owns; and the metadata pointer in the form
 * the controller accepts.
 *
 * Functions that can fail return 0 or a negative errno; the others
 * (*_needed, *_supported, the descriptor makers) return what they name.
 *
 * Why a contiguous buffer takes several descriptors: sge_size, the largest
 * Data Block this driver writes (SPDK's option of that name, default 4096),
 * is the knob that makes it, so that a controller's SGL walk can be
 * exercised with one buffer.
 *
 * Rules applied (NVMe base spec 2.0, "Scatter Gather List (SGL)" and the
 * Common Command Format's MPTR and DPTR):
 *  - SGLs are for I/O commands only; admin commands over PCIe use PRPs (QEMU
 *    fails an admin command whose PSDT is not 00b with Invalid Field).
 *  - A transfer of at most sge_size bytes: SGL1 is one Data Block (type 0h)
 *    for all of it. Longer: SGL1 is a Last Segment (type 3h) pointing at n
 *    Data Blocks in the caller's list, n * 16 bytes long; every block is
 *    sge_size bytes except the last, which holds the rest.
 *  - The SGL is exactly as long as the transfer: the spec allows a longer
 *    one only with SGLS bit 18 (LLDTS). QEMU 7.2 does not set it and fails a
 *    non-empty descriptor past the end with Data SGL Length Invalid.
 *  - No Segment (2h) chaining. The list is one IOVA-contiguous buffer and a
 *    segment may be any multiple of 16 bytes long (QEMU reads it 256
 *    descriptors at a time), so one Last Segment always suffices; chaining
 *    serves hosts whose list memory comes in pieces. A command carries at
 *    most NVME_SGL_MAX_DESCS descriptors (64 KiB of list): 16 MiB at the
 *    default sge_size, and a bound on what a tiny sge_size costs at set-up.
 *  - SGLS bits 1:0 = 10b: every Data Block's address and length has its low
 *    two bits clear, so the start, sge_size and the length are multiples of
 *    4. 01b: any byte address and length.
 *  - An SGL segment (the list, and PSDT 10b's metadata descriptor) is qword
 *    aligned.
 *
 * QEMU 7.2 (hw/nvme/ctrl.c) also fails a command whose SGL maps more than
 * IOV_MAX (1024) pieces with Internal Error; at its default MDTS (512 KiB)
 * only an sge_size below 512 gets there. It skips zero-length Data Blocks
 * and checks no alignment (it reports byte granularity).
 *
 * Metadata (separate, not interleaved with the data): PSDT 01b makes MPTR
 * the metadata buffer's address, as with PRPs; every SGL-capable controller
 * takes it. PSDT 10b makes MPTR the address of one descriptor in memory,
 * which describes the buffer; the spec allows it only with SGLS bit 19
 * (MSDS). QEMU 7.2 does not advertise MSDS yet accepts 10b (it reads the
 * descriptor at MPTR and walks it like a data SGL). The buffer here is one
 * piece, so 10b gains nothing: nvme_sgl_setup() picks 01b unless asked for
 * 10b, and refuses 10b where MSDS is clear.
 *
 * Reusing a list: nvme_sgl_build() for a buffer's largest length at set-up,
 * then nvme_sgl_reuse() per I/O for that length or a shorter one from the
 * same start. Because the SGL must not be longer than the transfer, reuse
 * shortens the last descriptor it needs (and restores the one an earlier
 * reuse shortened): two stores into the list, one 16-byte descriptor into
 * the SQE, no loop.
 */
#ifndef NVME_SGL_H
#define NVME_SGL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme/spec.h"

/* Descriptors one command may carry in its list; see the top of this file. */
#define NVME_SGL_MAX_DESCS 4096u

/* nvme_sgl_list.trimmed when no descriptor is shortened. */
#define NVME_SGL_NONE SIZE_MAX

/* What nvme_sgl_setup() decided for a controller; read-only afterwards. */
struct nvme_sgl_cfg {
	uint32_t sge_size;	/* largest Data Block, bytes */
	uint32_t data_align;	/* low bits each Data Block address and length keep clear */
	uint32_t mptr_align;	/* low bits MPTR keeps clear with PSDT 01b: 3 unless SGLS.MBA */
	uint8_t psdt;		/* for the SQE: NVME_SQE_PSDT_SGL_MPTR_CONTIG or _SGL */
};

/*
 * A descriptor list: @nr descriptors, contiguous in both virtual and IOVA
 * space, at @descs (CPU) and @iova (controller, qword aligned).
 * @trimmed belongs to nvme_sgl_build() and nvme_sgl_reuse(): the index of
 * the descriptor a reuse shortened, or NVME_SGL_NONE.
 */
struct nvme_sgl_list {
	struct nvme_sgl_desc *descs;
	uint64_t iova;
	size_t nr;
	size_t trimmed;
};

/* True when SGLS says I/O commands may use SGLs (bits 1:0 are 01b or 10b). */
static inline bool nvme_sgl_supported(uint32_t sgls)
{
	uint32_t support = NVME_GET(sgls, SGLS_SUPPORT);

	return support == NVME_SGLS_SUPPORT_BYTE || support == NVME_SGLS_SUPPORT_DWORD;
}

/**
 * nvme_sgl_unsupported_text() - why a controller's SGLS rules SGLs out
 * @sgls: Identify Controller SGLS
 * @out: set to a sentence naming the SGLS value, e.g. "the controller does
 *       not support SGLs (Identify Controller SGLS = 0)"; "" when
 *       nvme_sgl_supported(@sgls)
 * @len: size of @out
 */
void nvme_sgl_unsupported_text(uint32_t sgls, char *out, size_t len);

/* Descriptors a @len-byte transfer takes at @sge_size bytes each; 0 when either is 0. */
static inline size_t nvme_sgl_descs_needed(size_t len, uint32_t sge_size)
{
	return len && sge_size ? (len - 1) / sge_size + 1 : 0;
}

/**
 * nvme_sgl_list_bytes_needed() - list memory a transfer needs
 * @len: transfer length in bytes
 * @sge_size: largest Data Block
 *
 * Independent of the start address: size the list once for a buffer's
 * largest length.
 *
 * Return: bytes nvme_sgl_build() fills: 0 when one descriptor suffices (it
 * goes in the SQE), or when the arguments are invalid or need more than
 * NVME_SGL_MAX_DESCS descriptors (nvme_sgl_setup() and nvme_sgl_build() say
 * which).
 */
size_t nvme_sgl_list_bytes_needed(size_t len, uint32_t sge_size);

/**
 * nvme_sgl_setup() - check SGL use against a controller and fill @cfg
 * @cfg: filled on success only
 * @sgls: Identify Controller SGLS (struct nvme_ctrl.sgls)
 * @sge_size: largest Data Block, > 0; a multiple of 4 when SGLS bits 1:0 are 10b
 * @max_len: the largest transfer to come, > 0
 * @meta_sgl: describe metadata with a descriptor (PSDT 10b) instead of an
 *            address (PSDT 01b, the default)
 * @why: on error, a sentence for the user; may be NULL
 * @why_len: size of @why
 *
 * Return: 0; -ENOTSUP when the controller has no SGLs or, for @meta_sgl, no
 * MSDS; -EINVAL for a zero or misaligned @sge_size or a zero @max_len;
 * -E2BIG when @max_len needs more than NVME_SGL_MAX_DESCS descriptors.
 */
int nvme_sgl_setup(struct nvme_sgl_cfg *cfg, uint32_t sgls, uint32_t sge_size, size_t max_len,
		   bool meta_sgl, char *why, size_t why_len);

/**
 * nvme_sgl_build() - fill SGL1 and the descriptor list for one transfer
 * @cfg: from nvme_sgl_setup()
 * @iova: IOVA of the first byte; dword aligned when @cfg->data_align says so
 * @len: transfer length in bytes, > 0; a multiple of 4 likewise
 * @list: descriptor list; may be NULL when @len <= @cfg->sge_size, and is
 *        then not used
 * @sgl1: set to the SQE's data pointer (pass &cmd->sgl1)
 *
 * Return: 0; -EINVAL for a zero or misaligned @len, a misaligned @iova, a
 * transfer wrapping the address space, a bad @cfg, or a list without memory
 * or not qword aligned; -E2BIG when more than NVME_SGL_MAX_DESCS descriptors
 * are needed or @list is missing or holds fewer than needed. @sgl1 and the
 * list are untouched on error.
 */
int nvme_sgl_build(const struct nvme_sgl_cfg *cfg, uint64_t iova, size_t len,
		   struct nvme_sgl_list *list, struct nvme_sgl_desc *sgl1);

/* A Data Block descriptor: @len bytes at @addr. */
static inline struct nvme_sgl_desc nvme_sgl_data_block(uint64_t addr, uint32_t len)
{
	return (struct nvme_sgl_desc){
		.addr = addr,
		.len = len,
		.id = nvme_sgl_id(NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_ADDRESS),
	};
}

/* A Last Segment descriptor: @nr descriptors at @addr. */
static inline struct nvme_sgl_desc nvme_sgl_last_segment(uint64_t addr, size_t nr)
{
	return (struct nvme_sgl_desc){
		.addr = addr,
		.len = (uint32_t)(nr * sizeof(struct nvme_sgl_desc)),
		.id = nvme_sgl_id(NVME_SGL_TYPE_LAST_SEGMENT, NVME_SGL_SUBTYPE_ADDRESS),
	};
}

/**
 * nvme_sgl_reuse() - point SGL1 at a list built earlier, for a length up to the built one
 * @cfg: the configuration that build used
 * @iova: the start that build was given
 * @len: this transfer's length, 0 < @len <= @built_len; a multiple of 4
 *       when @cfg->data_align says so
 * @built_len: the length nvme_sgl_build() succeeded with on @list
 * @list: the list that build filled; not in use by a command in flight
 * @sgl1: set to the SQE's data pointer (pass &cmd->sgl1)
 *
 * Return: 0, or -EINVAL for a zero, too long or misaligned @len.
 */
static inline int nvme_sgl_reuse(const struct nvme_sgl_cfg *cfg, uint64_t iova, size_t len,
				 size_t built_len, struct nvme_sgl_list *list,
				 struct nvme_sgl_desc *sgl1)
{
	size_t last, t;

	if (!len || len > built_len || (len & cfg->data_align))
		return -EINVAL;
	if (len <= cfg->sge_size) {
		*sgl1 = nvme_sgl_data_block(iova, (uint32_t)len);
		return 0;
	}

	/*
	 * Blocks before the last this transfer needs have the build's length
	 * unless an earlier reuse shortened one: give that one back its
	 * length (sge_size, or the rest for the build's own last block).
	 */
	last = (len - 1) / cfg->sge_size;
	t = list->trimmed;
	if (t != NVME_SGL_NONE && t != last) {
		size_t rest = built_len - t * cfg->sge_size;

		list->descs[t].len = (uint32_t)(rest < cfg->sge_size ? rest : cfg->sge_size);
	}
	list->descs[last].len = (uint32_t)(len - last * cfg->sge_size);
	list->trimmed = last;
	*sgl1 = nvme_sgl_last_segment(list->iova, last + 1);
	return 0;
}

/**
 * nvme_sgl_mptr() - set MPTR for separate metadata, in the form @cfg->psdt names
 * @cfg: from nvme_sgl_setup()
 * @md_iova: IOVA of the metadata buffer
 * @md_len: metadata bytes this command moves, > 0
 * @md_desc: PSDT 10b only: 16 bytes of caller DMA memory for the one
 *           descriptor MPTR points at (rewritten per command, as the length
 *           varies); may be NULL with PSDT 01b
 * @md_desc_iova: IOVA of @md_desc, qword aligned
 * @mptr: set to the SQE's MPTR (pass &cmd->mptr)
 *
 * With PSDT 01b, @md_iova keeps @cfg->mptr_align clear; with PSDT 10b the
 * descriptor is a Data Block, so @md_iova and @md_len keep
 * @cfg->data_align clear.
 *
 * Return: 0, or -EINVAL for a zero @md_len, a buffer wrapping the address
 * space, a misaligned address or length, or a missing @md_desc. Nothing is
 * written on error.
 */
static inline int nvme_sgl_mptr(const struct nvme_sgl_cfg *cfg, uint64_t md_iova, uint32_t md_len,
				struct nvme_sgl_desc *md_desc, uint64_t md_desc_iova,
				uint64_t *mptr)
{
	if (!md_len || md_len - 1 > UINT64_MAX - md_iova)
		return -EINVAL;
	if (cfg->psdt != NVME_SQE_PSDT_SGL_MPTR_SGL) {
		if (md_iova & cfg->mptr_align)
			return -EINVAL;
		*mptr = md_iova;
		return 0;
	}
	if (!md_desc || (md_desc_iova & 7) || ((md_iova | md_len) & cfg->data_align))
		return -EINVAL;
	*md_desc = nvme_sgl_data_block(md_iova, md_len);
	*mptr = md_desc_iova;
	return 0;
}

/* Mark @cmd's data (and metadata) pointers as SGLs in @cfg's form; FUSE is kept. */
static inline void nvme_sgl_set_psdt(struct nvme_sqe *cmd, const struct nvme_sgl_cfg *cfg)
{
	cmd->flags = (uint8_t)((cmd->flags & ~NVME_SET(SQE_PSDT, NVME_SQE_PSDT_MASK)) |
			       NVME_SET(SQE_PSDT, cfg->psdt));
}

#endif /* NVME_SGL_H */

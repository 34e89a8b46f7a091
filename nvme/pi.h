/* SPDX-License-Identifier: MIT */
/*
 * End-to-end protection information (PI) on the host side: what format a
 * namespace has, generating PI before a write and checking it after a read
 * when the controller is not asked to (PRACT=0), and the words that describe
 * both for logs and errors. Pure computation: no device, no allocation, no
 * lock; generate and verify run per I/O.
 *
 * The rules (NVM Command Set 1.0a, section 5.2.1), and who else follows them:
 *  - Guard: CRC over the block's data and, when the PI is in the LAST bytes
 *    of the metadata, the metadata bytes before it (nothing of the metadata
 *    when the PI is first). Same in QEMU's hw/nvme/dif.c, Linux's
 *    blk-integrity (pi_offset) and fio's engines/nvme.c.
 *  - Application tag: opaque; the host checks it under a mask.
 *  - Reference tag: types 1 and 2 count up by one per block from the
 *    command's initial tag (type 1: the LBA), truncated to the field's 32
 *    bits (16-bit guard) or 48 bits (64-bit guard, no storage tag). Type 3
 *    writes one tag into every block and nobody checks it (as QEMU with
 *    PRACT, SPDK, and Linux's t10_pi_verify do).
 *  - Escapes: types 1 and 2 check nothing in a block whose application tag
 *    is 0xFFFF; type 3 nothing where the application tag is 0xFFFF and the
 *    reference tag is all ones.
 *
 * Buffers, for nblocks blocks of f->lba_size data bytes and f->ms metadata
 * bytes: with f->extended, data is the interleaved buffer (block i's data at
 * data + i * (lba_size + ms), its metadata right after it) and md is unused
 * (may be NULL); otherwise block i's data is at data + i * lba_size and its
 * metadata at md + i * ms.
 *
 * Functions return 0 or a negative errno: -EILSEQ for a failed PI check,
 * -ENOTSUP for a PI format the host cannot compute, -ENOSPC for text that
 * did not fit (it is still NUL terminated).
 */
#ifndef NVME_PI_H
#define NVME_PI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme/spec.h"

/* What a namespace is formatted with. */
struct nvme_ns_format {
	uint32_t lba_size;	/* data bytes per block */
	uint16_t ms;		/* metadata bytes per block (0: none) */
	bool extended;		/* metadata interleaved after each block's data (FLBAS bit 4);
				   false without metadata */
	uint8_t pi_type;	/* 0: no PI; 1, 2, 3 (DPS 2:0; kept when unsupported) */
	uint8_t pi_size;	/* 8 (16-bit guard) or 16 (64-bit guard); 0 without PI or when unsupported */
	uint8_t guard_bits;	/* 16 or 64; 0 when pi_size is 0 */
	bool pi_first;		/* PI in the first bytes of the metadata (DPS bit 3), else in the last */
	uint8_t pif;		/* ELBAF PIF as read (enum nvme_pif); 0 without the NVM Identify Namespace */
	uint8_t sts;		/* ELBAF storage tag bits as read */
	/*
	 * NULL, or why the host can neither generate nor check this namespace's
	 * PI ("32-bit guard (PIF 1)", ...); then pi_type is set but pi_size
	 * and guard_bits are 0, so nvme_pi_generate() and nvme_pi_verify() do
	 * nothing. The controller may still do it itself (PRACT=1, where ms
	 * equals the PI size), which is the engine's call.
	 */
	const char *unsupported;
};

/* PRCHK bits, in CDW12's bit order: shift by NVME_RW_PRINFO_SHIFT for the command. */
enum {
	NVME_PI_CHECK_REF = 1,
	NVME_PI_CHECK_APP = 2,
	NVME_PI_CHECK_GUARD = 4,
};

/* What the host writes into PI, and expects back from it. */
struct nvme_pi_tags {
	/*
	 * Reference tag of the first block: the command's initial reference
	 * tag. Types 1 and 2: the LBA (type 2 may use any start); only the
	 * low 32 (16-bit guard) or 48 (64-bit guard) bits are used. Type 3:
	 * anything, written into every block, never checked.
	 */
	uint64_t ref;
	uint16_t app, app_mask;	/* application tag, and which of its bits verify compares */
	uint8_t checks;		/* NVME_PI_CHECK_* that nvme_pi_verify() makes */
};

/* The first failed check nvme_pi_verify() found. */
struct nvme_pi_error {
	uint32_t block;		/* index in the command, from 0 */
	uint8_t check;		/* the NVME_PI_CHECK_* that failed */
	uint64_t expected, found; /* app tags both under app_mask */
};

/* Offset of the PI within a block's metadata. */
static inline uint16_t nvme_pi_offset(const struct nvme_ns_format *f)
{
	return f->pi_first ? 0 : (uint16_t)(f->ms - f->pi_size);
}

/**
 * nvme_ns_format_from_id() - a namespace's format from its identify pages
 * @id: Identify Namespace (CNS 00h)
 * @nvm: NVM command set Identify Namespace (CNS 05h, CSI 00h), or NULL when
 *	 the controller has no extended LBA formats (CTRATT.ELBAS clear) or
 *	 refused the command: then any PI has the 16-bit guard.
 * @f: filled in every case
 *
 * Return: 0; -ENOTSUP when the namespace has PI the host cannot compute
 * (reserved type, 32-bit guard, qualified format, storage tag, metadata
 * smaller than the PI), with the reason in @f->unsupported.
 */
int nvme_ns_format_from_id(const struct nvme_id_ns *id, const struct nvme_nvm_id_ns *nvm,
			   struct nvme_ns_format *f);

/**
 * nvme_pi_generate() - write PI into the metadata of nblocks blocks
 * @f: the namespace's format; nothing is written when f->pi_size is 0
 * @data: data (interleaved with the metadata when f->extended)
 * @md: separate metadata, or unused (may be NULL) when f->extended
 * @nblocks: blocks in the buffers
 * @t: tags; t->checks is not used
 *
 * Fills only the PI bytes of each block's metadata: the rest, which the
 * guard covers when the PI is last, must be in place before the call.
 */
void nvme_pi_generate(const struct nvme_ns_format *f, uint8_t *data, uint8_t *md,
		      uint32_t nblocks, const struct nvme_pi_tags *t);

/**
 * nvme_pi_verify() - check the PI of nblocks blocks as the controller would
 * @f, @data, @md, @nblocks: as for nvme_pi_generate()
 * @t: expected tags, and the checks to make (t->checks)
 * @err: where the first failure is described; may be NULL
 *
 * Per block, in this order: guard, application tag (under t->app_mask),
 * reference tag (not for type 3), each only when in t->checks, the block
 * skipped whole when it carries the escape values.
 *
 * Return: 0, or -EILSEQ at the first block that fails (0 when f->pi_size is 0).
 */
int nvme_pi_verify(const struct nvme_ns_format *f, const uint8_t *data, const uint8_t *md,
		   uint32_t nblocks, const struct nvme_pi_tags *t, struct nvme_pi_error *err);

/**
 * nvme_pi_status() - the status a controller reports for a failed check
 * @check: NVME_PI_CHECK_GUARD, _APP or _REF
 *
 * Return: the 15-bit status (SCT 2, End-to-end Guard / Application Tag /
 * Reference Tag Check Error; no DNR, no More), so that a failure the host
 * found reads and maps to errno (-EILSEQ) like one the controller found.
 * Anything else gives Invalid Protection Information (also -EILSEQ).
 */
uint16_t nvme_pi_status(uint8_t check);

/**
 * nvme_pi_error_text() - describe a failed check
 *
 * E.g. "host PI check: block 3 of the command: guard 0x1234 expected,
 * 0xabcd found".
 *
 * Return: 0, or -ENOSPC when cut short.
 */
int nvme_pi_error_text(const struct nvme_pi_error *e, char *buf, size_t len);

/**
 * nvme_ns_format_text() - one line on a namespace's format
 *
 * E.g. "4096 bytes per block, no metadata"; "4096+64 bytes per block,
 * metadata extended (interleaved), no PI"; "512+8 bytes per block, metadata
 * separate (8 bytes), PI type 1, 16-bit guard, PI in the last 8 bytes"; with
 * f->unsupported, "..., PI type 1, not supported on the host: 32-bit guard
 * (PIF 1)".
 *
 * Return: 0, or -ENOSPC when cut short.
 */
int nvme_ns_format_text(const struct nvme_ns_format *f, char *buf, size_t len);

#endif /* NVME_PI_H */

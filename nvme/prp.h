/* SPDX-License-Identifier: MIT */
/*
 * PRP (Physical Region Page) data pointers for one physically contiguous
 * transfer: fills an SQE's prp1/prp2 and, when the transfer spans more than
 * two controller pages, a PRP list the caller owns.
 *
 * Functions return 0 or a negative errno.
 *
 * Rules applied (NVMe base spec, "Physical Region Page Entry and List"):
 *  - prp1 is the transfer's IOVA and may carry an offset into its page;
 *    that offset must be dword aligned. Every later entry is page aligned.
 *  - One page: prp2 = 0. Two pages: prp2 = the second page. More: prp2
 *    points at a PRP list of the remaining pages.
 *  - When the entries do not fit one list page, the last slot of each full
 *    list page holds the IOVA of the next list page instead of data. The
 *    controller decides per slot from the remaining length, so the last
 *    slot holds data when exactly one entry remains.
 *
 * Reusing a list: for a fixed buffer, the list built for its maximum length
 * serves any shorter transfer from the same start, because the controller
 * ignores entries past the end -- except when the list spans several list
 * pages: a shorter transfer whose entries end exactly on a list page's last
 * slot needs data there, where the long build put a chain pointer.
 * nvme_prp_reuse() fixes those slots (one store per list page crossed, none
 * for transfers that fit one list page, i.e. up to 2 MiB with 4 KiB pages)
 * and picks prp2, so the engine can build each io_u's list once at setup and
 * call nvme_prp_reuse() per I/O.
 */
#ifndef NVME_PRP_H
#define NVME_PRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A PRP list buffer: @pages controller pages, contiguous in both virtual and
 * IOVA space. List page i is at entries + i * page_size / 8 and at IOVA
 * iova + i * page_size. @iova must be page aligned so that a list page never
 * straddles a controller page.
 */
struct nvme_prp_list {
	uint64_t *entries;
	uint64_t iova;
	size_t pages;
};

/**
 * nvme_prp_list_pages_needed() - list pages a transfer needs
 * @iova: IOVA of the first byte
 * @len: transfer length in bytes
 * @page_size: controller memory page size (CC.MPS), power of two >= 4096
 *
 * Return: number of list pages nvme_prp_build() will fill: 0 when the
 * transfer spans at most two pages, or when the arguments are invalid (let
 * nvme_prp_build() report which).
 */
size_t nvme_prp_list_pages_needed(uint64_t iova, size_t len, uint32_t page_size);

/**
 * nvme_prp_build() - fill prp1/prp2 and the PRP list for one transfer
 * @iova: IOVA of the first byte, 4-byte aligned
 * @len: transfer length in bytes, > 0
 * @page_size: controller memory page size, power of two, 4 KiB..128 MiB
 * @list: list buffer; may be NULL when the transfer spans at most two pages
 * @prp1: set to the first data pointer
 * @prp2: set to 0, the second page, or the list's IOVA
 *
 * Return: 0; -EINVAL for a misaligned @iova or @list->iova, a zero @len, a
 * transfer wrapping the address space or a bad @page_size; -E2BIG when @list
 * is missing or has fewer than nvme_prp_list_pages_needed() pages. @prp1,
 * @prp2 and the list are untouched on error.
 */
int nvme_prp_build(uint64_t iova, size_t len, uint32_t page_size,
		   const struct nvme_prp_list *list, uint64_t *prp1, uint64_t *prp2);

/**
 * nvme_prp_reuse() - point prp1/prp2 at a list built earlier, for a shorter or equal length
 * @iova: same start that nvme_prp_build() was given
 * @len: this transfer's length, 0 < @len <= @built_len
 * @built_len: the length nvme_prp_build() succeeded with on @list
 * @page_size: same page size as that build
 * @list: the list that build filled; must not be in use by a command in flight
 * @prp1: set to the first data pointer
 * @prp2: set to 0, the second page, or the list's IOVA
 *
 * May rewrite the last slot of list pages the transfer crosses (see the top
 * of this file); entries for lengths up to @built_len stay valid for later
 * calls.
 *
 * Return: 0, or -EINVAL when @len is 0 or exceeds @built_len.
 */
int nvme_prp_reuse(uint64_t iova, size_t len, size_t built_len, uint32_t page_size,
		   const struct nvme_prp_list *list, uint64_t *prp1, uint64_t *prp2);

/*
 * Bytes from @iova to the end of its memory page: what PRP1 alone carries.
 * A transfer longer than that continues at @iova + this, the second page,
 * which PRP2 names when no more than one page is left (a caller that keeps
 * this per buffer can then set both pointers without working it out again).
 */
static inline uint32_t nvme_prp_first_page_bytes(uint64_t iova, uint32_t page_size)
{
	return page_size - (uint32_t)(iova & (page_size - 1));
}

/*
 * The hot path's common case, without a call: a transfer within two memory
 * pages needs no list, so PRP1 is its address and PRP2 the second page's,
 * or 0. Returns false when the transfer is empty or needs a list; the
 * caller then goes to nvme_prp_reuse() or nvme_prp_build().
 */
static inline bool nvme_prp_without_list(uint64_t iova, size_t len, uint32_t page_size,
					 uint64_t *prp1, uint64_t *prp2)
{
	uint32_t room = nvme_prp_first_page_bytes(iova, page_size);

	if (!len || len > (uint64_t)room + page_size)
		return false;
	*prp1 = iova;
	*prp2 = len > room ? iova + room : 0;
	return true;
}

#endif /* NVME_PRP_H */

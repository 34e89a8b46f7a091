/* SPDX-License-Identifier: MIT */
/*
 * PRP list building. See prp.h for the rules; the code below counts in
 * "entries": data pages after the first, i.e. what prp2 or the list holds.
 */
#include <errno.h>
#include <stdbool.h>

#include "nvme/prp.h"

/* CAP.MPSMIN/MPSMAX span 2^12..2^27. */
#define PRP_PAGE_SIZE_MIN 4096u
#define PRP_PAGE_SIZE_MAX (1u << 27)

static bool prp_args_valid(uint64_t iova, size_t len, uint32_t page_size)
{
	if (page_size < PRP_PAGE_SIZE_MIN || page_size > PRP_PAGE_SIZE_MAX ||
	    (page_size & (page_size - 1)))
		return false;
	/* The spec requires a dword-aligned offset in prp1. */
	if (iova & 3)
		return false;
	return len && len - 1 <= UINT64_MAX - iova;
}

/* Controller pages touched by [iova, iova + len), minus the first. */
static uint64_t prp_entries(uint64_t iova, size_t len, uint32_t page_size)
{
	uint64_t offset = iova & (page_size - 1);

	return (offset + len - 1) / page_size;
}

/*
 * List pages for @entries (>= 2) entries: every list page but the last
 * gives one slot to the chain pointer, the last may use all its slots.
 */
static uint64_t prp_list_pages(uint64_t entries, uint32_t page_size)
{
	uint64_t slots = page_size / sizeof(uint64_t);

	return (entries - 2) / (slots - 1) + 1;
}

static uint64_t prp_second_page(uint64_t iova, uint32_t page_size)
{
	return (iova & ~(uint64_t)(page_size - 1)) + page_size;
}

size_t nvme_prp_list_pages_needed(uint64_t iova, size_t len, uint32_t page_size)
{
	uint64_t entries;

	if (!prp_args_valid(iova, len, page_size))
		return 0;
	entries = prp_entries(iova, len, page_size);
	return entries < 2 ? 0 : (size_t)prp_list_pages(entries, page_size);
}

int nvme_prp_build(uint64_t iova, size_t len, uint32_t page_size,
		   const struct nvme_prp_list *list, uint64_t *prp1, uint64_t *prp2)
{
	uint64_t entries, addr, slots = page_size / sizeof(uint64_t);
	uint64_t *slot;

	if (!prp_args_valid(iova, len, page_size))
		return -EINVAL;

	entries = prp_entries(iova, len, page_size);
	if (entries < 2) {
		*prp1 = iova;
		*prp2 = entries ? prp_second_page(iova, page_size) : 0;
		return 0;
	}

	if (!list || prp_list_pages(entries, page_size) > list->pages)
		return -E2BIG;
	if (!list->entries || (list->iova & (page_size - 1)))
		return -EINVAL;

	addr = prp_second_page(iova, page_size);
	slot = list->entries;
	for (uint64_t i = 0, page = 0, idx = 0; i < entries; i++, idx++) {
		/* Last slot of a list page with more than one entry to go: chain. */
		if (idx == slots - 1 && entries - i > 1) {
			page++;
			slot[page * slots - 1] = list->iova + page * page_size;
			idx = 0;
		}
		slot[page * slots + idx] = addr;
		addr += page_size;
	}

	*prp1 = iova;
	*prp2 = list->iova;
	return 0;
}

int nvme_prp_reuse(uint64_t iova, size_t len, size_t built_len, uint32_t page_size,
		   const struct nvme_prp_list *list, uint64_t *prp1, uint64_t *prp2)
{
	uint64_t entries, slots = page_size / sizeof(uint64_t), last_page, remaining;

	if (!len || len > built_len)
		return -EINVAL;

	*prp1 = iova;
	entries = prp_entries(iova, len, page_size);
	if (entries < 2) {
		*prp2 = entries ? prp_second_page(iova, page_size) : 0;
		return 0;
	}

	/*
	 * Data slots do not depend on the length; only the last slot of each
	 * list page does. Set it on every list page the controller will read:
	 * chain pointers before the last one, and data on the last one when
	 * this transfer's entries end exactly in its final slot.
	 */
	last_page = prp_list_pages(entries, page_size) - 1;
	for (uint64_t page = 0; page < last_page; page++)
		list->entries[(page + 1) * slots - 1] = list->iova + (page + 1) * page_size;

	remaining = entries - last_page * (slots - 1);
	if (remaining == slots)
		list->entries[(last_page + 1) * slots - 1] =
			prp_second_page(iova, page_size) + (entries - 1) * page_size;

	*prp2 = list->iova;
	return 0;
}

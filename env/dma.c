/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "env/dma.h"
#include "env/hugepages.h"
#include "env/log.h"

/*
 * In IOVA-as-VA mode a virtually contiguous block is IOVA contiguous. In PA
 * mode it is contiguous only if the hugepages under it happen to be
 * physically adjacent, so check each page.
 */
static int iova_contiguous(const void *va, size_t len)
{
	const uint8_t *p = va;
	uint64_t base = rte_malloc_virt2iova(va);
	size_t step = 4096;

	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		return 1;
	for (size_t off = step - ((uintptr_t)p & (step - 1)); off < len; off += step)
		if (rte_malloc_virt2iova(p + off) != base + off)
			return 0;
	return 1;
}

void *env_dma_alloc(size_t len, size_t align, int node, uint64_t *iova)
{
	void *va = rte_zmalloc_socket("fio-vfio-nvme", len, align, node < 0 ? SOCKET_ID_ANY : node);

	if (!va) {
		env_err("no DMA memory for %zu bytes on NUMA node %d (%" PRIu64 " MiB of hugepages free "
			"there): reserve more hugepages or raise mem_size_mb",
			len, node, env_hugepages_free_bytes(node) >> 20);
		return NULL;
	}
	if (!iova_contiguous(va, len)) {
		env_err("%zu bytes of DMA memory are not IOVA-contiguous in IOVA mode PA: "
			"use iova_mode=va (needs an IOMMU) or smaller blocks", len);
		rte_free(va);
		return NULL;
	}
	*iova = rte_malloc_virt2iova(va);
	return va;
}

void env_dma_free(void *va)
{
	rte_free(va);
}

uint64_t env_dma_heap_bytes(void)
{
	struct rte_malloc_socket_stats stats;
	uint64_t total = 0;

	for (int socket = 0; socket < RTE_MAX_NUMA_NODES; socket++)
		if (!rte_malloc_get_socket_stats(socket, &stats))
			total += stats.heap_totalsz_bytes;
	return total;
}

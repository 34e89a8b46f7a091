/* SPDX-License-Identifier: MIT */
/*
 * DMA memory: hugepage-backed, pinned, mapped in the VFIO container by EAL,
 * on a chosen NUMA node, with the IOVA the device must be given.
 * Needs env_eal_init() first. Functions return 0 or a negative errno.
 */
#ifndef ENV_DMA_H
#define ENV_DMA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Zeroed memory, IOVA-contiguous over its whole length, aligned to align
 * (a power of two), from node's hugepages (node -1: any node). NULL when
 * none is left; the log says how much was asked and what is free.
 */
void *env_dma_alloc(size_t len, size_t align, int node, uint64_t *iova);
void env_dma_free(void *va);

/* Hugepage memory EAL's heaps hold, all nodes, in bytes: the engine's footprint. */
uint64_t env_dma_heap_bytes(void);

#endif

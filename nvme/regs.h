/* SPDX-License-Identifier: MIT */
/*
 * Controller register access through the mapped BAR0.
 * 64-bit registers go as two 32-bit accesses, low half first: the spec
 * lets a controller refuse 64-bit MMIO, and CAP/ASQ/ACQ are read or written
 * only while the controller is idle, so tearing cannot happen.
 */
#ifndef NVME_REGS_H
#define NVME_REGS_H

#include <stdint.h>

#include "nvme/spec.h"

static inline uint32_t nvme_reg_read32(volatile uint8_t *regs, uint32_t off)
{
	return *(volatile uint32_t *)(regs + off);
}

static inline void nvme_reg_write32(volatile uint8_t *regs, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static inline uint64_t nvme_reg_read64(volatile uint8_t *regs, uint32_t off)
{
	uint64_t lo = nvme_reg_read32(regs, off);

	return lo | (uint64_t)nvme_reg_read32(regs, off + 4) << 32;
}

static inline void nvme_reg_write64(volatile uint8_t *regs, uint32_t off, uint64_t v)
{
	nvme_reg_write32(regs, off, (uint32_t)v);
	nvme_reg_write32(regs, off + 4, (uint32_t)(v >> 32));
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * LOOPBACK DEVICE: A TEST DOUBLE, NOT A DEVICE. NEVER INSTALLED.
 *
 * What the loopback env (test/bench/loopback_env.c, linked into the
 * benchmark build of the engine, fio-loopback-nvme.so, in place of the
 * DPDK/VFIO env sources) and the loopback controller process
 * (test/bench/loopback_dev.c, fio-loopback-ctrld) share.
 *
 * The controller is a process of its own, not a thread of fio's: like a real
 * device it runs beside the host on its own core, and, unlike a thread, it
 * stays out of valgrind when fio runs under callgrind (valgrind runs a
 * process's threads one at a time, so a polling controller thread would be
 * scheduled in 100,000-block slices and cost the job thread's count a spin
 * per slice). Two memfds join them:
 *  - BAR0: the controller registers and doorbells at the offsets of the
 *    spec (nvme/spec.h), then, past the doorbells, this control block;
 *  - DMA memory: every env_dma_alloc() of the process, at IOVA
 *    LB_IOVA_BASE + offset in the memfd, which is deliberately not the
 *    virtual address, so an engine that gives the controller a virtual
 *    address where an IOVA belongs is caught.
 */
#ifndef TEST_BENCH_LOOPBACK_SHM_H
#define TEST_BENCH_LOOPBACK_SHM_H

#include <stdint.h>

/* I/O queue ids 1..LB_MAX_QID-1, the admin queue 0. */
#define LB_MAX_QID 64
/*
 * BAR0: registers, doorbells for LB_MAX_QID queues at up to CAP.DSTRD
 * LB_MAX_DSTRD (one doorbell per 64-byte cache line), control block.
 */
#define LB_MAX_DSTRD 4
#define LB_CTL_OFFSET (0x1000 + 2 * LB_MAX_QID * (4 << LB_MAX_DSTRD))
#define LB_BAR_BYTES (LB_CTL_OFFSET + 0x1000)
/* DMA memory: reserved, filled on touch (memfd pages). */
#define LB_DMA_BYTES (UINT64_C(1) << 30)
#define LB_IOVA_BASE (UINT64_C(1) << 40)

/* The namespace the loopback serves: nsid 1, 4 KiB blocks, 8 TiB. */
#define LB_NSID 1
#define LB_LBA_SHIFT 12
#define LB_NS_BLOCKS (UINT64_C(1) << 31)
/* MDTS in minimum pages (4 KiB): 2^5 = 128 KiB per command. */
#define LB_MDTS 5

/*
 * Optional parts of the spec the loopback offers only when asked
 * (FVN_LOOPBACK_FEATURES in the loopback env), so that fio can drive the
 * engine's paths for them end to end where QEMU 7.2 has none of them.
 */
#define LB_FEAT_WRR (1u << 0)	 /* CAP.AMS weighted round robin, Set Features Arbitration */
#define LB_FEAT_UNCOR (1u << 1)	 /* ONCS Write Uncorrectable: marked blocks fail reads */
#define LB_FEAT_VERIFY (1u << 2) /* ONCS Verify: fails on marked blocks */
#define LB_FEAT_ZEROES (1u << 3) /* ONCS Write Zeroes (clears marks, as writes do) */

/*
 * Blocks Write Uncorrectable can mark: the namespace's first 2^16 (256 MiB).
 * The marks outlive the controller process in FVN_LOOPBACK_MEDIA, a file of
 * one bit per block, so that one fio run marks and the next one reads.
 */
#define LB_MEDIA_BLOCKS (UINT32_C(1) << 16)

struct lb_control {
	/* env -> controller */
	volatile uint32_t features;	/* LB_FEAT_*; read once, before CAP is set */
	char media_path[256];		/* FVN_LOOPBACK_MEDIA; "": marks die with the process */
	volatile uint32_t stop;		/* set by env_pci_close(): tally and exit */
	volatile uint32_t fail_every;	/* every Nth I/O command fails (Internal Error); 0: none */
	volatile uint32_t delay_ns;	/* each batch of I/O commands waits this long: a slow device */
	volatile uint32_t dstrd;	/* CAP.DSTRD, 0..LB_MAX_DSTRD; read once, before CAP is set */
	/* controller -> env */
	volatile uint32_t alive;	/* set once the controller polls BAR0 */
	volatile uint32_t done;		/* tallies below are final */
	volatile uint64_t io_commands;	/* I/O SQEs consumed */
	volatile uint64_t admin_commands;
	volatile uint64_t failed;	/* I/O commands failed on purpose (fail_every) */
	volatile uint64_t rejected;	/* commands that failed a check: the engine is wrong */
	volatile uint32_t cc_ams;	/* CC.AMS the host enabled the controller with */
	volatile uint32_t arb_cdw11;	/* the last Set Features Arbitration; 0: none */
	volatile uint32_t sq_qprios;	/* 1 << QPRIO of every I/O SQ created */
	volatile uint64_t uncor_commands, verify_commands, zeroes_commands;
	volatile uint64_t media_errors;	/* reads and Verifys failed on marked blocks */
	char first_error[256];
};

_Static_assert(sizeof(struct lb_control) <= LB_BAR_BYTES - LB_CTL_OFFSET, "control block size");

#endif /* TEST_BENCH_LOOPBACK_SHM_H */

/* SPDX-License-Identifier: MIT */
/*
 * State the fio hooks share: per job thread (td->io_ops_data), per file
 * (f->engine_data: one queue pair of this thread on one namespace) and per
 * io_u (thread->ios[io_u->index]: its PRP list, command id and last status).
 *
 * Ownership follows fio's lifecycle, not fio's structures: fio frees a
 * job's files before it calls cleanup, so the thread keeps its own list of
 * the files it set up (thread->files) and releases queue pairs and
 * controller references from that list.
 *
 * engine.c holds the set-up and tear-down hooks, io.c the hot path, stall.c
 * timeouts and recovery.
 */
#ifndef PLUGIN_ENGINE_H
#define PLUGIN_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fio.h"
#include "plugin/fio_compat.h"

#include "nvme/pi.h"
#include "nvme/prp.h"
#include "nvme/sgl.h"
#include "nvme/qpair.h"
#include "plugin/registry.h"

struct fvn_thread;

/* What limits one command's blocks (fvn_file.max_cmd_blocks), whichever is smallest. */
enum fvn_cmd_limit {
	FVN_CMD_LIMIT_MDTS,     /* the controller's maximum transfer */
	FVN_CMD_LIMIT_NLB,      /* the NLB field: 65,536 blocks */
	FVN_CMD_LIMIT_SGL,      /* enable_sgl: NVME_SGL_MAX_DESCS descriptors of sge_size */
	FVN_CMD_LIMIT_BYTES,    /* cmd_bytes in 32 bits */
};

struct fvn_file {
	struct fvn_ctrl *ctrl;      /* pending reference from setup, claimed in init */
	struct fvn_thread *thread;
	char bdf[16];               /* for messages once ctrl is given up */
	uint32_t nsid;
	unsigned lba_shift;         /* log2(block_bytes) when block_pow2 */
	uint32_t lba_size;          /* data bytes per block */
	uint64_t blocks;
	/*
	 * How this job moves blocks (plugin/format.c). A block in fio's buffer
	 * is block_bytes: its data, plus its metadata when the namespace
	 * interleaves it (extended LBAs) and the controller transfers it. fio's
	 * offsets count in those bytes too, as with SPDK's plugin.
	 */
	uint32_t block_bytes;
	bool block_pow2;            /* offsets convert with shifts, not divisions */
	uint32_t md_bytes;          /* separate metadata per block, through MPTR (0: none) */
	uint32_t max_cmd_blocks;    /* blocks one command may carry: MDTS, and NLB's 65,536 */
	uint32_t cmd_bytes;         /* max_cmd_blocks * block_bytes: a split io_u's child size */
	uint8_t cmd_limit;          /* what sets max_cmd_blocks (enum fvn_cmd_limit) */
	uint32_t max_xfer;          /* the controller's MDTS in bytes (UINT32_MAX: none) */
	uint32_t rw_flags;          /* CDW12 bits of every read and write (PRINFO) */
	bool plain;                 /* no metadata, no PI: one command per io_u up to cmd_bytes */
	/*
	 * fvn_queue()'s common case, worked out once (fvn_file_set_fast()):
	 * whether the in-line path is open (plain, a live queue pair, not
	 * broken); the namespace's bytes; the mask of bytes within a block,
	 * all ones when closed, so that no io_u passes it; and the start of
	 * its reads' and writes' commands. Open only when one command carries
	 * at least the two memory pages the path's PRPs reach (fvn_io.prp_max)
	 * and the namespace has them, so that its length test is prp_max's
	 * alone.
	 */
	bool fast_open;
	uint64_t fast_end;
	uint64_t fast_mask;
	uint64_t fast_word0[2];     /* its SQE word 0 with command id 0, by fio's DDIR_READ, DDIR_WRITE */
	struct nvme_ns_format fmt;
	uint8_t write_op;           /* the NVMe command of fio's writes (write_mode) */
	bool verify_compare;        /* verify_mode=compare: fio's verify reads are Compares */
	uint32_t read_flags;        /* CDW12 bits of reads besides PRINFO: FUA */
	uint32_t write_flags;       /* of writes: FUA, DEAC */
	bool use_sgl;               /* enable_sgl: SGL descriptors instead of PRPs */
	struct nvme_sgl_cfg sgl;
	bool pi_host;               /* pi_act=0: the host generates PI and checks what it reads */
	struct nvme_pi_tags pi_tags; /* app tag and mask; the host's checks (ref: per command) */
	unsigned ctrl_opened;       /* ctrl->opened when the geometry was read */
	bool claimed;               /* ctrl reference is a job thread's (init ran) */
	bool released;              /* ctrl given up (device removed): no queue pair */
	struct nvme_qpair qp;
	bool qp_live;
	int irq_vector;             /* MSI-X vector of qp when the job sleeps; -1: polled */
	int irq_fd;                 /* its eventfd (plugin/completion.c) */
	unsigned inflight;          /* commands on qp not yet completed */
	int broken;                 /* errno once qp cannot be used: every I/O then fails */
	const char *broken_why;
	uint64_t abort_deadline_ms; /* 0: no Abort outstanding on qp */
	/* A zoned namespace (plugin/zones.c); write_op is NVME_ZNS_APPEND with zone_append. */
	bool zoned;
	uint64_t zone_blocks;
	unsigned max_open_zones, max_active_zones; /* 0: no limit */
};

/* Why the engine failed an io_u, for errdetails when there is no NVMe status. */
enum fvn_fail {
	FVN_FAIL_NONE,
	FVN_FAIL_TIMEOUT,           /* outlived cmd_timeout_ms; recovered as the log says */
	FVN_FAIL_QUEUE_BROKEN,      /* its queue pair or controller failed (broken_why) */
	FVN_FAIL_OUT_OF_RANGE,      /* past the namespace or not whole blocks */
	FVN_FAIL_UNSUPPORTED,       /* a data direction the engine has no command for */
	FVN_FAIL_DATA_POINTER,      /* the buffer cannot be described to the controller */
	FVN_FAIL_HOST_PI,           /* read back, the PI failed the host's check (pi_err) */
};

struct fvn_io {
	/*
	 * What every I/O reads or writes, together at the front (64 bytes):
	 * one cache line per I/O on the hot path instead of three.
	 */
	struct io_u *io_u;
	struct fvn_file *ff;        /* whose queue pair it was issued on */
	uint64_t buf_iova;          /* IOVA of io_u->buf */
	/*
	 * fvn_queue()'s data pointer without a list, worked out once from
	 * buf_iova: up to prp_room bytes fit the buffer's first memory page
	 * (PRP2 is 0), up to prp_max its first two (PRP2 is prp2, buf_iova +
	 * prp_room). prp_max 0: no buffer, so never.
	 */
	uint64_t prp2;
	/*
	 * Of child 0: generation << cid_shift | index. Set up
	 * with generation 0; each issue adds thread->gen_step, which moves the
	 * generation on and leaves the index bits as they are.
	 */
	uint16_t cid;
	uint16_t nr_cmds;           /* commands of the last issue: 1, or its children */
	uint16_t pending;           /* of them not completed yet */
	/* Reset together on every issue, next to each other so that it takes few stores. */
	uint16_t status;            /* NVMe status of the last completion */
	uint16_t bad_cmd;           /* lowest child that failed, when status != 0 */
	uint8_t fail;               /* enum fvn_fail of the last failure */
	bool compare;               /* this read is a Compare (verify_mode=compare) */
	bool inflight;              /* on the device: its buffer may be written */
	bool timed_out;
	bool deliver_later;         /* failed by recovery, not yet handed to fio (no room) */
	/*
	 * The CQE dword 3 that ends this io_u the plain way, as
	 * nvme_cq_dw3_new() reads it (phase bit set: new): its one command,
	 * successful, with no host-side work after it. getevents checks the
	 * CQE at the head with this one compare and io->ff, new or not. When
	 * nothing can end it so (not in flight, timed out, issued by the
	 * general path), fvn_io_not_plain() sets a value that no CQE naming
	 * this fvn_io reads as, new or old.
	 */
	uint32_t plain_cqe;
	uint32_t prp_room;          /* see prp2 */
	uint32_t prp_max;
	/*
	 * The command timeout counts from the doorbell, which commit writes
	 * into io_u->issue_time (fio's clock) for every io_u, or from this
	 * (fvn_now_ms()) when stall.c issued the io_u again after a recovery;
	 * 0 otherwise. Put back to 0 wherever an io_u leaves flight other
	 * than the plain way (complete_cqe(), take_inflight()), so that
	 * fvn_queue()'s in-line path, which such an io_u never took, need
	 * not store it.
	 */
	uint64_t requeued_ms;

	size_t prp_built_len;       /* 0: not built (no buffer, or not usable) */
	struct nvme_prp_list prp;   /* built once for the io_u's whole buffer (up to one command) */
	/*
	 * An io_u larger than one command becomes nr_cmds children with
	 * command ids fvn_child_cid(cid, k), child k's PRP list at
	 * child_lists + k * thread->child_list_bytes. Built at set-up for
	 * children of child_built_bytes from io_u->buf; rebuilt only when a
	 * file with another child size or a moved buffer needs it.
	 */
	uint8_t *child_lists;
	uint64_t child_lists_iova;
	uint32_t child_built_bytes; /* 0: not built */
	uint8_t *md;                /* separate metadata buffer (md_per_io_size bytes) */
	uint64_t md_iova;
	struct nvme_pi_error pi_err; /* of FVN_FAIL_HOST_PI */
	/* enable_sgl with SGLS.MSDS: one metadata descriptor per command (PSDT 10b) */
	struct nvme_sgl_desc *md_descs;
	uint64_t md_descs_iova;
	struct nvme_dsm_range *dsm; /* one range, for trims */
	uint64_t dsm_iova;
	uint64_t alba;              /* a Zone Append's result: the first block it wrote */
};
_Static_assert(offsetof(struct fvn_io, prp_max) + sizeof(uint32_t) <= 64,
	       "the fields every I/O touches share the first cache line");

/* What fio's statistics take at issue time besides io_u->issue_time (fio_fill_issue_time()). */
enum fvn_issue_stats {
	FVN_ISSUE_TIME_ONLY,        /* nothing: the engine's command timeout alone needs it */
	FVN_ISSUE_QUEUED,           /* io_u_queued(): submission latency */
	FVN_ISSUE_QUEUED_LOGGED,    /* and td->last_issue, for read_iolog */
};

/*
 * Where fvn_queue()'s in-line command is handed to the device. fio commits
 * after every queue call with iodepth_batch_submit=1, its default: queue
 * then rings the doorbell itself, which is what commit would do next.
 * Only from the second I/O, so that the first goes through commit, which
 * notes it for the start-up figure (queue then need not test for that).
 * One test in line picks fio's defaults, the rest is out of line.
 */
enum fvn_queue_rings {
	FVN_RING_AT_COMMIT,         /* staged for commit */
	FVN_RING_IN_LINE,           /* the doorbell register, and FVN_ISSUE_QUEUED: in line */
	FVN_RING_OUT_OF_LINE,       /* in queue: shadow doorbells, or other issue statistics */
};

struct fvn_thread {
	/*
	 * The fio thread whose io_ops_data this is: getevents' out-of-line
	 * paths take it from here, so that its common case, which needs
	 * only t, leaves fio's arguments where they came.
	 */
	struct thread_data *td;
	struct fvn_file **files;    /* every file this job set up: released in cleanup */
	unsigned nr_files;
	struct fvn_file *only_file; /* files[0] when it is the only one */
	struct fvn_file *fast_file; /* only_file when its in-line path is open: getevents' common case */
	bool files_ready;           /* setup of the files done (in setup, or init first) */
	bool initialised;           /* init ran: references claimed, thread pinned */
	unsigned events_room;       /* of events[]: fio's iodepth when the thread state was made */
	unsigned nr_events;         /* of events[], counted inside getevents' loop only */
	struct io_u **staged;       /* queued since the last commit */
	unsigned nr_staged;
	void *buf;                  /* fio's I/O buffers (iomem_alloc) */
	uint64_t buf_iova;
	/*
	 * Indexed by io_u->index; one for every index a command id can name
	 * (a power of two, at least nr_ios), so that any completion's index
	 * names one. Those past nr_ios are never in flight.
	 */
	struct fvn_io *ios;
	void *io_dma;               /* PRP lists and DSM ranges of every io_u */
	unsigned nr_ios;
	/*
	 * A command id is generation | child | io_u index, the index lowest so
	 * that a completion names its fvn_io with one mask (fvn_cid_io()).
	 */
	unsigned cid_shift;         /* child and index bits; the rest count reuses */
	uint16_t gen_step;          /* 1 << cid_shift in 16 bits: the next generation of a command id */
	uint32_t index_mask;        /* the io_u index bits */
	unsigned child_shift;       /* where the child number starts: the index bits */
	uint16_t child_mask;        /* the child number, shifted down */
	unsigned max_cmds;          /* most commands one io_u needs on any of the files */
	size_t child_list_bytes;    /* PRP list memory of one child */
	size_t max_bs;              /* the job's largest block size: what buffers are built for */
	void *md_dma;               /* separate metadata buffers of every io_u */
	size_t md_per_io;
	int cpu;
	int numa_node;              /* of the first file's controller */
	unsigned cmd_timeout_ms;    /* 0: no command timeout */
	uint8_t completion;         /* enum fvn_completion */
	uint64_t poll_ns;           /* completion=hybrid: spin this long before sleeping */
	struct pollfd *pfds;        /* one per file, for fvn_sleep() */
	uint64_t last_check_ms;     /* of the last stall check (fvn_now_ms()); 0: look at the next one */
	uint32_t page_size;
	uint8_t issue_stats;        /* enum fvn_issue_stats: fio's options fixed it at init */
	bool batch_of_one;          /* iodepth_batch_submit=1 */
	uint8_t queue_rings;        /* enum fvn_queue_rings (fvn_thread_set_fast()) */
	bool ring_in_line;          /* queue_rings is FVN_RING_IN_LINE: queue's one test of it */
	bool first_io_done;         /* for the start-up figure: time to first I/O */
	/*
	 * Counters for the end-of-job summary. fvn_queue()'s doorbell
	 * register writes count in rung_at_queue alone, each one command and
	 * one write (fvn_commands(), fvn_sq_doorbells()).
	 */
	uint64_t doorbells, cq_doorbells, submitted, rung_at_queue, empty_polls, busy;
	uint64_t stale, timeouts, aborts, recreates, resets, requeued;
	uint64_t pi_blocks_generated, pi_blocks_checked, pi_host_failures;
	uint64_t appends_moved;     /* Zone Appends placed elsewhere than fio planned */
	uint64_t sleeps, wakeups;   /* waits on interrupts, and those an interrupt ended */
	/*
	 * Completions reaped by getevents, for fio's event hook. In the
	 * thread state itself, so that the hook loads one pointer less.
	 */
	struct io_u *events[];
};

/*
 * fio's byte range [offset, offset + len) as blocks of ff. False when it is
 * not whole blocks, is empty, or passes the end of the namespace.
 */
static inline bool fvn_to_blocks(const struct fvn_file *ff, uint64_t offset, uint64_t len,
				 uint64_t *slba, uint64_t *nlb)
{
	if (__builtin_expect(ff->block_pow2, 1)) {
		if ((offset | len) & ((UINT64_C(1) << ff->lba_shift) - 1))
			return false;
		*slba = offset >> ff->lba_shift;
		*nlb = len >> ff->lba_shift;
	} else {
		if (offset % ff->block_bytes || len % ff->block_bytes)
			return false;
		*slba = offset / ff->block_bytes;
		*nlb = len / ff->block_bytes;
	}
	return *nlb && *slba < ff->blocks && *nlb <= ff->blocks - *slba;
}

/*
 * The command id layout, generation | child | io_u index, with index_bits
 * and child_bits (at most 16 together); what is left counts generations.
 */
static inline void fvn_set_cid_layout(struct fvn_thread *t, unsigned index_bits,
				      unsigned child_bits)
{
	t->index_mask = (1u << index_bits) - 1;
	t->child_shift = index_bits;
	t->child_mask = (uint16_t)((1u << child_bits) - 1);
	t->cid_shift = index_bits + child_bits;
	t->gen_step = (uint16_t)(1u << t->cid_shift);
}

/* What an fvn_io's cid holds before its first issue: generation 0, child 0, its index. */
static inline uint16_t fvn_first_cid(const struct fvn_thread *t, unsigned index)
{
	(void)t;
	return (uint16_t)index;
}

/* Child k's command id, from child 0's. */
static inline uint16_t fvn_child_cid(const struct fvn_thread *t, uint16_t cid, unsigned k)
{
	return (uint16_t)(cid + (k << t->child_shift));
}

/*
 * The fvn_io a command id names: any id names one (t->ios covers every
 * index), so that a completion needs no bounds check to be looked up, even
 * one read before it is known to be new.
 */
static inline struct fvn_io *fvn_cid_io(const struct fvn_thread *t, uint32_t cid)
{
	return &t->ios[cid & t->index_mask];
}

/* io's buffer is at @iova: what fvn_queue()'s PRPs without a list need of it. */
static inline void fvn_io_set_buf(const struct fvn_thread *t, struct fvn_io *io, uint64_t iova)
{
	io->buf_iova = iova;
	io->prp_room = nvme_prp_first_page_bytes(iova, t->page_size);
	io->prp_max = io->prp_room + t->page_size;
	io->prp2 = iova + io->prp_room;
}

/*
 * io's command can no longer end the plain way: done, failed, timed out,
 * issued again, or never issued (set up with this). A CQE names its fvn_io
 * by the index bits of its command id (fvn_cid_io()), which are io->cid's;
 * bit 0 of this is not, so no CQE that leads to io equals it. (0 would not
 * do: an old, zeroed CQE of command id 0 reads as 0 in the first pass.)
 */
static inline void fvn_io_not_plain(struct fvn_io *io)
{
	io->plain_cqe = ~(uint32_t)io->cid & 1;
}

/*
 * fvn_io_not_plain() for an io_u that has just ended the plain way, whose
 * plain_cqe still holds its command's id: with bit 0 flipped, it is no
 * longer io's index either.
 */
static inline void fvn_io_plain_done(struct fvn_io *io)
{
	io->plain_cqe ^= 1;
}

/*
 * After t's files, one of their queue pairs, or their in-line paths
 * changed, and after the first I/O: getevents' common case, and where
 * queue rings.
 */
static inline void fvn_thread_set_fast(struct fvn_thread *t)
{
	bool shadow = false;

	t->fast_file = t->only_file && t->only_file->fast_open ? t->only_file : NULL;
	for (unsigned i = 0; i < t->nr_files; i++)
		shadow |= t->files[i]->qp_live && t->files[i]->qp.sq.tail_db.shadow;
	t->queue_rings = !t->batch_of_one || !t->first_io_done ? FVN_RING_AT_COMMIT :
			 shadow || t->issue_stats != FVN_ISSUE_QUEUED ? FVN_RING_OUT_OF_LINE :
			 FVN_RING_IN_LINE;
	t->ring_in_line = t->queue_rings == FVN_RING_IN_LINE;
}

/* The summary's figures, with fvn_queue()'s share (fvn_thread.rung_at_queue). */
static inline uint64_t fvn_commands(const struct fvn_thread *t)
{
	return t->submitted + t->rung_at_queue;
}

static inline uint64_t fvn_sq_doorbells(const struct fvn_thread *t)
{
	return t->doorbells + t->rung_at_queue;
}

/*
 * Opens or closes fvn_queue()'s in-line path for ff: after the format, the
 * commands or the queue pair changed, and whenever ff breaks.
 */
static inline void fvn_file_set_fast(struct fvn_file *ff)
{
	uint64_t end = ff->blocks << ff->lba_shift;
	uint64_t len = ff->cmd_bytes < end ? ff->cmd_bytes : end;
	/*
	 * plain: no metadata, so blocks are a power of two (block_pow2). A
	 * queue pair is live only once init gave ff its thread, whose page
	 * size is then known. MDTS is at least two pages, so a closed path
	 * for want of them is a namespace smaller than that.
	 */
	bool open = ff->plain && ff->block_pow2 && ff->qp_live && !ff->broken && ff->thread &&
		    len >= 2 * (uint64_t)ff->thread->page_size;

	ff->fast_end = end;
	ff->fast_mask = open ? ((uint64_t)1 << ff->lba_shift) - 1 : UINT64_MAX;
	ff->fast_open = open;
	ff->fast_word0[DDIR_READ] = nvme_sqe_word0(NVME_NVM_READ, 0, ff->nsid);
	ff->fast_word0[DDIR_WRITE] = nvme_sqe_word0(NVME_NVM_WRITE, 0, ff->nsid);
	if (ff->thread)
		fvn_thread_set_fast(ff->thread);
}

/*
 * The slow path of getevents, in stall.c: timeouts (Abort, then a new queue
 * pair, then a controller reset), failed, reset and vanishing controllers.
 * Fails as events only commands the device can no longer touch, appending
 * them to t->events (t->nr_events grows by at most room); returns how many. Rate-limited to one look per 100 ms while
 * nothing is wrong.
 */
unsigned fvn_check_stalls(struct thread_data *td, struct fvn_thread *t, unsigned room);

/*
 * Builds io's command for io_u and copies it to ff's SQ, with a new
 * generation in its command id. In io.c; stall.c reissues with it too.
 * Returns 0, or the errno to fail the io_u with (SQ full: EBUSY).
 */
int fvn_issue(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io, struct io_u *io_u);

/*
 * fio's clock in milliseconds. Commit stamps each io_u's issue time with
 * fio's clock, so the command timeout and the stall checks read fio's
 * clock too, never a second one.
 */
static inline uint64_t fvn_ms_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000 + (uint64_t)ts->tv_nsec / 1000000;
}

static inline uint64_t fvn_now_ms(void)
{
	struct timespec ts;

	fio_gettime(&ts, NULL);
	return fvn_ms_of(&ts);
}

/* When io's command (in flight) was issued, for its timeout: see fvn_io.requeued_ms. */
static inline uint64_t fvn_issued_ms(const struct fvn_io *io)
{
	return io->requeued_ms ? io->requeued_ms : fvn_ms_of(&io->io_u->issue_time);
}

/* IOVA of the io_u's transfer: fio may have moved xfer_buf inside its buffer (partial transfers). */
static inline uint64_t fvn_xfer_iova(const struct fvn_thread *t, const struct io_u *io_u)
{
	return t->buf_iova + (uint64_t)((uint8_t *)io_u->xfer_buf - (uint8_t *)t->buf);
}

/*
 * PRPs of a read or write that is one command: the io_u's list built at
 * set-up when the buffer is fio's own, built afresh when fio moved it
 * (partial transfers), in the same list memory. 0 or a negative errno.
 */
static inline int fvn_set_data_pointer(struct fvn_thread *t, struct fvn_io *io, struct io_u *io_u,
				       struct nvme_sqe *cmd)
{
	if (io_u->xfer_buf == io_u->buf && io->prp_built_len >= io_u->xfer_buflen) {
		/* One or two pages, the common case, without a call. */
		if (nvme_prp_without_list(io->buf_iova, io_u->xfer_buflen, t->page_size,
					  &cmd->prp1, &cmd->prp2))
			return 0;
		return nvme_prp_reuse(io->buf_iova, io_u->xfer_buflen, io->prp_built_len,
				      t->page_size, &io->prp, &cmd->prp1, &cmd->prp2);
	}
	/* A buffer fio moved (partial transfers): build afresh, same list memory. */
	io->prp_built_len = 0;
	return nvme_prp_build(fvn_xfer_iova(t, io_u), io_u->xfer_buflen, t->page_size, &io->prp,
			      &cmd->prp1, &cmd->prp2);
}

/*
 * Reads and writes beyond one plain command, in transfer.c: split above
 * the command size, metadata pointers, protection information. Builds and
 * copies io's commands (cid is child 0's); returns 0, EBUSY when the SQ
 * cannot take them all now, or the errno to fail the io_u with.
 */
int fvn_issue_transfer(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
		       struct io_u *io_u, uint16_t cid, uint64_t slba, uint32_t nlb);

/*
 * Builds the PRP list of every child of io's buffer split in children of
 * cmd_bytes, over the job's largest block size, so that issuing reuses
 * them. In transfer.c; fvn_post_init() calls it too. 0 or a negative errno.
 */
int fvn_build_child_lists(struct fvn_thread *t, struct fvn_io *io, uint32_t cmd_bytes);

/*
 * A transfer issued by fvn_issue_transfer() completed without an NVMe
 * error: host-side checks (PI of what was read); may fail the io_u.
 */
void fvn_transfer_done(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
		       struct io_u *io_u);

/* Hot-path hooks, in io.c. */
enum fio_q_status fvn_queue(struct thread_data *td, struct io_u *io_u);
int fvn_commit(struct thread_data *td);
int fvn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
		  const struct timespec *t);
struct io_u *fvn_event(struct thread_data *td, int ev);
char *fvn_errdetails(FVN_ERRDETAILS_PARAMS(io_u));

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Reads and writes beyond one plain command (plugin/transfer.c, and the
 * child accounting in plugin/io.c): io_us split at the controller's
 * maximum transfer, driven through fio's hooks (queue, commit, getevents,
 * event) with fio's own structures. The test plays the controller: it reads
 * the SQEs the engine wrote and posts completions in any order it likes.
 * Covers: children's LBAs, lengths, command ids and PRPs; completion only
 * with the last child; a failed child fails exactly its io_u, with the first
 * failed child's status and resid; all children or FIO_Q_BUSY; late child
 * completions; moved buffers; blocks that are not a power of two (extended
 * LBAs); io_us split at the NLB field's 65,536 blocks (MDTS 0), with PRPs
 * and with SGLs; SGLs of changing lengths and from moved buffers, walked as
 * a controller walks them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "plugin/io.c"
#include "plugin/transfer.c"
#include "nvme/prp.c"
#include "nvme/status.c"
#include "nvme/crc.c"
#include "nvme/pi.c"
#include "nvme/sgl.c"
#include "test/unit/check.h"
#include "test/unit/stub_fio_clock.h"

/* errdetails as fio calls it, with the parameter list of whichever fio the test is built with. */
#define fvn_errdetails_td (&td)

#define PS 4096u
#define NSID 1
#define DEPTH 2
#define SQ_SLOTS 16
#define CQ_SLOTS 16
#define MAX_BS (256u * 1024)
#define CMD_BLOCKS 8u            /* 32 KiB per command with 4 KiB blocks */
#define MAX_CMDS 8u              /* MAX_BS / 32 KiB */
#define CHILD_LIST_BYTES PS

/* ------------------------------------------------ stubs: fio and env */

void io_u_queued(struct thread_data *td, struct io_u *io_u)
{
	(void)td;
	(void)io_u;
}

void io_u_mark_submit(struct thread_data *td, unsigned int nr)
{
	(void)td;
	(void)nr;
}

uint64_t env_eal_init_began_ns(void)
{
	return 0;
}

enum env_log_level env_log_threshold = ENV_LOG_DEBUG;

void env_log(enum env_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* No stalls here: test_fio_glue covers the ladder. */
unsigned fvn_check_stalls(struct thread_data *td, struct fvn_thread *t, unsigned room)
{
	(void)td;
	(void)t;
	(void)room;
	return 0;
}

/* These jobs poll (completion=poll): test_fio_glue covers the sleeping modes. */
void fvn_sleep(struct fvn_thread *t, unsigned max_ms)
{
	(void)t;
	(void)max_ms;
}

/* ------------------------------------------------------- the set-up */

static struct thread_data td;
/* Room for DEPTH events after it (GNU C's static flexible array member). */
static struct fvn_thread t = { .events = { [DEPTH - 1] = NULL } };
static struct fvn_file ff;
static struct fvn_file *file_list[1] = { &ff };
static struct fio_file file;
static struct io_u io_us[DEPTH];
static struct fvn_io ios[DEPTH];
static struct io_u *staged[DEPTH];
static struct nvme_sqe sqes[SQ_SLOTS] __attribute__((aligned(4096)));
static struct nvme_cqe cqes[CQ_SLOTS] __attribute__((aligned(4096)));
static uint32_t fake_doorbells[2048]; /* BAR0: doorbells start at 0x1000 */
static uint8_t bufs[DEPTH][MAX_BS + PS] __attribute__((aligned(4096)));
static uint8_t lists[DEPTH][PS + MAX_CMDS * CHILD_LIST_BYTES] __attribute__((aligned(4096)));
static uint16_t sq_seen;	/* SQ slots the test has read */
static uint16_t cq_tail;
static uint8_t cq_phase;

/* IOVA = virtual address: the engine only does arithmetic on it. */
static uint64_t iova(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* A thread with one 4 KiB-block namespace; commands carry 8 blocks. */
static void setup(uint32_t block_bytes, uint32_t cmd_blocks)
{
	memset(&t, 0, sizeof(t));
	memset(&ff, 0, sizeof(ff));
	memset(ios, 0, sizeof(ios));
	memset(sqes, 0, sizeof(sqes));
	memset(cqes, 0, sizeof(cqes));
	sq_seen = 0;
	cq_tail = 0;
	cq_phase = 1;

	td.o.name = "transfer";
	td.o.iodepth = DEPTH;
	td.io_ops_data = &t;
	t.td = &td;
	t.events_room = DEPTH;
	t.staged = staged;
	t.ios = ios;
	t.nr_ios = DEPTH;
	t.files = file_list;
	t.nr_files = 1;
	t.page_size = PS;
	t.max_bs = MAX_BS;
	t.max_cmds = MAX_CMDS;
	fvn_set_cid_layout(&t, 1, 3);	/* 2 io_us of up to 8 children */
	t.issue_stats = FVN_ISSUE_QUEUED;
	t.only_file = &ff;
	t.child_list_bytes = CHILD_LIST_BYTES;
	t.buf = bufs;
	t.buf_iova = iova(bufs);

	snprintf(ff.bdf, sizeof(ff.bdf), "0000:00:04.0");
	ff.thread = &t;
	ff.nsid = NSID;
	ff.lba_size = block_bytes;
	ff.block_bytes = block_bytes;
	ff.block_pow2 = !(block_bytes & (block_bytes - 1));
	ff.lba_shift = ff.block_pow2 ? (unsigned)__builtin_ctz(block_bytes) : 0;
	ff.blocks = 1u << 20;
	ff.plain = true;
	ff.write_op = NVME_NVM_WRITE;
	ff.max_cmd_blocks = cmd_blocks;
	ff.cmd_bytes = cmd_blocks * block_bytes;
	ff.claimed = true;
	ff.qp_live = true;
	ff.qp.qid = 1;
	nvme_sq_init(&ff.qp.sq, sqes, nvme_doorbell(fake_doorbells, 1, false, 0), SQ_SLOTS);
	nvme_cq_init(&ff.qp.cq, cqes, nvme_doorbell(fake_doorbells, 1, true, 0), CQ_SLOTS);
	file.engine_data = &ff;

	for (unsigned i = 0; i < DEPTH; i++) {
		struct fvn_io *io = &ios[i];

		io_us[i] = (struct io_u){ .index = i, .file = &file, .ddir = DDIR_READ,
					  .buf = bufs[i], .xfer_buf = bufs[i],
					  .buflen = MAX_BS };
		io->io_u = &io_us[i];
		io->cid = fvn_first_cid(&t, i);
		fvn_io_not_plain(io);
		fvn_io_set_buf(&t, io, iova(bufs[i]));
		io->prp.entries = (uint64_t *)lists[i];
		io->prp.iova = iova(lists[i]);
		io->prp.pages = 1;
		io->child_lists = lists[i] + PS;
		io->child_lists_iova = iova(lists[i] + PS);
		CHECK_EQ(fvn_build_child_lists(&t, io, ff.cmd_bytes), 0);
	}
}

/*
 * fvn_queue() as the engine calls it: after the file's format and commands
 * are applied, which a test changes after setup(), so fvn_file_set_fast()
 * runs again here as read_geometry() runs it in the engine.
 */
static enum fio_q_status queue(struct io_u *io_u)
{
	fvn_file_set_fast(&ff);
	return fvn_queue(&td, io_u);
}

/* The next command the engine put in the SQ, as the controller fetches it. */
static const struct nvme_sqe *fetch(void)
{
	const struct nvme_sqe *cmd = &sqes[sq_seen];

	sq_seen = (uint16_t)((sq_seen + 1) % SQ_SLOTS);
	return cmd;
}

/* Posts a completion at the controller's CQ tail, with its phase. */
static void complete(uint16_t cid, uint16_t status)
{
	struct nvme_cqe *cqe = &cqes[cq_tail];

	cqe->cid = cid;
	cqe->sq_id = 1;
	cqe->sq_head = sq_seen;
	cqe->status_phase = (uint16_t)(status << 1 | cq_phase);
	if (++cq_tail == CQ_SLOTS) {
		cq_tail = 0;
		cq_phase ^= 1;
	}
}

static int reap(unsigned min)
{
	struct timespec ts = { .tv_nsec = 20 * 1000000 };

	return fvn_getevents(&td, min, DEPTH, &ts);
}

static void queue_read(struct io_u *io_u, uint64_t offset, unsigned long long len)
{
	io_u->ddir = DDIR_READ;
	io_u->offset = offset;
	io_u->xfer_buflen = len;
	io_u->error = 0;
	io_u->resid = 0;
}

/* ------------------------------------------------------------- tests */

/* 100 KiB with 32 KiB commands: 8, 8, 8 and 1 blocks, consecutive ids, each its own pages. */
static void test_children(void)
{
	const struct nvme_sqe *c[4];
	uint16_t base;

	setup(PS, CMD_BLOCKS);
	queue_read(&io_us[0], 1 << 20, 100 * 1024);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[0].nr_cmds, 4);
	CHECK_EQ(ios[0].pending, 4);
	CHECK_EQ(fvn_commit(&td), 0);
	CHECK_EQ(nvme_sq_free_slots(&ff.qp.sq), SQ_SLOTS - 1 - 4);
	base = ios[0].cid;
	CHECK_EQ((base >> 1) & 7, 0);		/* child 0 */
	CHECK_EQ(base & 1, 0);			/* io_u 0 */
	for (int k = 0; k < 4; k++) {
		c[k] = fetch();
		CHECK_EQ(c[k]->opcode, NVME_NVM_READ);
		CHECK_EQ(c[k]->cid, fvn_child_cid(&t, base, k));
		CHECK_EQ(c[k]->nsid, NSID);
		CHECK_EQ((uint64_t)c[k]->cdw11 << 32 | c[k]->cdw10, 256 + 8 * k);
		CHECK_EQ((c[k]->cdw12 & 0xffff) + 1, k < 3 ? 8 : 1);
		CHECK_EQ(c[k]->prp1, iova(bufs[0]) + (uint64_t)k * 32768);
	}
	/* 8 pages: prp2 is a list of pages 2..8 of the child. */
	CHECK_EQ(c[1]->prp2, iova(ios[0].child_lists + CHILD_LIST_BYTES));
	CHECK_EQ(((uint64_t *)(ios[0].child_lists + CHILD_LIST_BYTES))[0],
		 iova(bufs[0]) + 32768 + PS);
	CHECK_EQ(((uint64_t *)(ios[0].child_lists + CHILD_LIST_BYTES))[6],
		 iova(bufs[0]) + 32768 + 7 * PS);
	CHECK_EQ(c[3]->prp2, 0);		/* one page: no second pointer */

	/* Out of order: nothing for fio until the last child. */
	complete(fvn_child_cid(&t, base, 2), 0);
	complete(fvn_child_cid(&t, base, 0), 0);
	complete(fvn_child_cid(&t, base, 3), 0);
	CHECK_EQ(reap(0), 0);
	CHECK_EQ(ios[0].pending, 1);
	complete(fvn_child_cid(&t, base, 1), 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, 0);
	CHECK_EQ(io_us[0].resid, 0);
	CHECK(!ios[0].inflight);
	CHECK_EQ(ff.inflight, 0);
}

/* A failed child fails its io_u, with the first failed child's status; the other io_u is fine. */
static void test_failed_child(void)
{
	uint16_t base0, base1;
	char *text;

	setup(PS, CMD_BLOCKS);
	queue_read(&io_us[0], 0, 128 * 1024);	/* 4 children */
	queue_read(&io_us[1], 1 << 20, 64 * 1024);	/* 2 children */
	io_us[1].ddir = DDIR_WRITE;
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	CHECK_EQ(queue(&io_us[1]), FIO_Q_QUEUED);
	fvn_commit(&td);
	base0 = ios[0].cid;
	base1 = ios[1].cid;
	CHECK_EQ(base1 & 1, 1);
	for (int k = 0; k < 6; k++)
		CHECK_EQ(fetch()->opcode, k < 4 ? NVME_NVM_READ : NVME_NVM_WRITE);
	/* Children 3 and 1 fail, 3 first: the io_u reports child 1's (the lowest). */
	complete(fvn_child_cid(&t, base0, 3), NVME_SC_INTERNAL);
	complete(fvn_child_cid(&t, base0, 0), 0);
	complete(fvn_child_cid(&t, base1, 0), 0);
	complete(fvn_child_cid(&t, base0, 1), NVME_SC_LBA_OUT_OF_RANGE);
	complete(fvn_child_cid(&t, base1, 1), 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[1]);	/* the write: all its children succeeded */
	CHECK_EQ(io_us[1].error, 0);
	CHECK(ios[0].inflight);			/* one child still out: not counted yet */
	complete(fvn_child_cid(&t, base0, 2), 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, EREMOTEIO);	/* LBA Out of Range, as Linux maps it */
	CHECK_EQ(io_us[0].resid, 128 * 1024 - 32768);	/* child 0 transferred */
	text = fvn_errdetails(FVN_ERRDETAILS_ARGS(&io_us[0]));
	CHECK_CONTAINS(text, "LBA Out of Range");
	CHECK_CONTAINS(text, "command 2 of the 4 this io_u was split into");
	free(text);

	/* The same io_u next as one command that fails: nothing of the split is left over. */
	queue_read(&io_us[0], 0, 32768);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[0].nr_cmds, 1);
	complete(ios[0].cid, NVME_SC_INTERNAL);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, EIO);
	CHECK_EQ(io_us[0].resid, 32768);
	text = fvn_errdetails(FVN_ERRDETAILS_ARGS(&io_us[0]));
	CHECK(strstr(text, "split") == NULL);
	free(text);
}

/* All children go in together, or none: FIO_Q_BUSY, and the SQ untouched. */
static void test_busy_all_or_none(void)
{
	uint16_t tail;

	setup(PS, CMD_BLOCKS);
	ff.qp.sq.size = 4;	/* 3 free slots */
	ff.qp.sq.tail = ff.qp.sq.head = ff.qp.sq.last_db_tail = 0;
	tail = ff.qp.sq.tail;
	queue_read(&io_us[0], 0, 128 * 1024);	/* 4 children */
	CHECK_EQ(queue(&io_us[0]), FIO_Q_BUSY);
	CHECK_EQ(ff.qp.sq.tail, tail);
	CHECK(!ios[0].inflight);
	CHECK_EQ(t.busy, 1);
	queue_read(&io_us[0], 0, 96 * 1024);	/* 3 children fit */
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[0].nr_cmds, 3);
}

/* A completion for a child the io_u does not have, or of an older generation, is dropped. */
static void test_stale_child(void)
{
	uint16_t base;

	setup(PS, CMD_BLOCKS);
	queue_read(&io_us[0], 0, 64 * 1024);	/* 2 children */
	queue(&io_us[0]);
	fvn_commit(&td);
	base = ios[0].cid;
	complete(fvn_child_cid(&t, base, 5), 0);	/* child 5 of a 2-child io_u */
	complete((uint16_t)(fvn_child_cid(&t, base, 1) - (1 << 4)), 0);	/* child 1, older generation */
	CHECK_EQ(reap(0), 0);
	CHECK_EQ(t.stale, 2);
	CHECK_EQ(ios[0].pending, 2);
	complete(base, 0);
	complete(fvn_child_cid(&t, base, 1), 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, 0);
}

/* A buffer fio moved (a retried partial transfer): lists built for it, right addresses. */
static void test_moved_buffer(void)
{
	const struct nvme_sqe *c0, *c1;

	setup(PS, CMD_BLOCKS);
	queue_read(&io_us[0], 0, 64 * 1024);
	io_us[0].xfer_buf = bufs[0] + 2 * PS;
	queue(&io_us[0]);
	fvn_commit(&td);
	c0 = fetch();
	c1 = fetch();
	CHECK_EQ(c0->prp1, iova(bufs[0]) + 2 * PS);
	CHECK_EQ(c1->prp1, iova(bufs[0]) + 2 * PS + 32768);
	CHECK_EQ(((uint64_t *)(ios[0].child_lists + CHILD_LIST_BYTES))[0],
		 iova(bufs[0]) + 2 * PS + 32768 + PS);
	CHECK_EQ(ios[0].child_built_bytes, 0);	/* rebuilt on the next normal use */
	io_us[0].xfer_buf = bufs[0];
	ios[0].inflight = false;
	ff.inflight = 0;
	queue(&io_us[0]);
	fvn_commit(&td);
	CHECK_EQ(ios[0].child_built_bytes, 32768);
	CHECK_EQ(fetch()->prp1, iova(bufs[0]));
	CHECK_EQ(fetch()->prp1, iova(bufs[0]) + 32768);
}

/* 520-byte blocks (512 + 8 interleaved): divisions, not shifts; children of whole blocks. */
static void test_extended_blocks(void)
{
	const struct nvme_sqe *c;

	setup(520, 63);	/* 63 * 520 = 32,760 bytes per command */
	queue_read(&io_us[0], 520 * 100, 520 * 64);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[0].nr_cmds, 2);
	c = fetch();
	CHECK_EQ(c->cdw10, 100);
	CHECK_EQ((c->cdw12 & 0xffff) + 1, 63);
	c = fetch();
	CHECK_EQ(c->cdw10, 163);
	CHECK_EQ((c->cdw12 & 0xffff) + 1, 1);
	CHECK_EQ(c->prp1, iova(bufs[0]) + 63 * 520);
	ios[0].inflight = false;
	ff.inflight = 0;
	/* Not whole 520-byte blocks: refused before anything reaches the SQ. */
	queue_read(&io_us[1], 520 * 3 + 8, 520);
	CHECK_EQ(queue(&io_us[1]), FIO_Q_COMPLETED);
	CHECK_EQ(io_us[1].error, EINVAL);
	queue_read(&io_us[1], 0, 512);
	CHECK_EQ(queue(&io_us[1]), FIO_Q_COMPLETED);
	CHECK_EQ(io_us[1].error, EINVAL);
}

/* One command's worth or less still takes the plain path: one SQE, the whole-buffer list. */
static void test_plain_within_limit(void)
{
	const struct nvme_sqe *c;

	setup(PS, CMD_BLOCKS);
	CHECK_EQ(nvme_prp_build(iova(bufs[0]), 32768, PS, &ios[0].prp, &(uint64_t){ 0 },
				&(uint64_t){ 0 }), 0);
	ios[0].prp_built_len = 32768;
	queue_read(&io_us[0], 0, 32768);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[0].nr_cmds, 1);
	c = fetch();
	CHECK_EQ((c->cdw12 & 0xffff) + 1, 8);
	CHECK_EQ(c->prp2, iova(lists[0]));
}

/* 512+8 separate metadata, PI type 1, host PI (pi_act=0), controller checks guard and ref. */
static uint8_t mds[DEPTH][MAX_BS / 512 * 8] __attribute__((aligned(64)));

static void setup_pi(void)
{
	setup(512, CMD_BLOCKS);
	ff.fmt = (struct nvme_ns_format){ .lba_size = 512, .ms = 8, .pi_type = 1, .pi_size = 8,
					  .guard_bits = 16 };
	ff.plain = false;
	ff.md_bytes = 8;
	ff.pi_host = true;
	ff.rw_flags = (NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF) << NVME_RW_PRINFO_SHIFT;
	ff.pi_tags = (struct nvme_pi_tags){ .app = 0x1234, .app_mask = 0xffff,
					    .checks = NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF };
	for (unsigned i = 0; i < DEPTH; i++) {
		ios[i].md = mds[i];
		ios[i].md_iova = iova(mds[i]);
	}
}

static void test_pi_write_fields(void)
{
	const struct nvme_sqe *c0, *c1;
	struct nvme_pi_tags tags = { .ref = 1000, .app = 0x1234, .app_mask = 0xffff,
				     .checks = NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF |
					       NVME_PI_CHECK_APP };

	setup_pi();
	queue_read(&io_us[0], 1000 * 512, 16 * 512);	/* 2 commands of 8 blocks */
	io_us[0].ddir = DDIR_WRITE;
	memset(bufs[0], 0xa5, 16 * 512);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	c0 = fetch();
	c1 = fetch();
	CHECK_EQ(c0->opcode, NVME_NVM_WRITE);
	CHECK_EQ(c0->mptr, iova(mds[0]));
	CHECK_EQ(c1->mptr, iova(mds[0]) + 8 * 8);	/* child 1's blocks' metadata */
	CHECK_EQ(c0->cdw14, 1000);			/* initial reference tag: the LBA */
	CHECK_EQ(c1->cdw14, 1008);
	CHECK_EQ(c0->cdw15, 0xffff1234);
	CHECK_EQ((c0->cdw12 >> NVME_RW_PRINFO_SHIFT) & 0xf, NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF);
	CHECK_EQ(c0->cdw12 & NVME_RW_PRACT, 0);
	/* The host generated PI for all 16 blocks before the doorbell. */
	CHECK_EQ(nvme_pi_verify(&ff.fmt, bufs[0], mds[0], 16, &tags, NULL), 0);
	CHECK_EQ(t.pi_blocks_generated, 16);
}

/* pi_act=0 reads: the host checks every block; a corrupted one fails the io_u, decoded. */
static void test_pi_host_check_on_read(void)
{
	struct nvme_pi_tags tags = { .ref = 64, .app = 0x1234, .app_mask = 0xffff };
	uint16_t base;
	char *text;

	setup_pi();
	memset(bufs[0], 0x3c, 8 * 512);
	nvme_pi_generate(&ff.fmt, bufs[0], mds[0], 8, &tags);	/* what the device returns */
	queue_read(&io_us[0], 64 * 512, 8 * 512);
	queue(&io_us[0]);
	fvn_commit(&td);
	base = ios[0].cid;
	complete(base, 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, 0);
	CHECK_EQ(t.pi_blocks_checked, 8);

	bufs[0][5 * 512 + 17] ^= 0x01;	/* one bit of block 5's data */
	queue(&io_us[0]);
	fvn_commit(&td);
	complete(ios[0].cid, 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, EILSEQ);
	CHECK_EQ(io_us[0].resid, 8 * 512);
	CHECK_EQ(t.pi_host_failures, 1);
	CHECK_EQ(ios[0].pi_err.block, 5);
	text = fvn_errdetails(FVN_ERRDETAILS_ARGS(&io_us[0]));
	CHECK_CONTAINS(text, "End-to-end Guard Check Error");
	CHECK_CONTAINS(text, "host's PI check");
	free(text);

	/* A wrong reference tag (the block came from elsewhere) is caught too. */
	bufs[0][5 * 512 + 17] ^= 0x01;
	queue(&io_us[0]);
	fvn_commit(&td);
	io_us[0].offset = 65 * 512;	/* fio asked for LBA 65: the PI says 64 */
	ios[0].inflight = true;
	complete(ios[0].cid, 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, EILSEQ);
	CHECK_EQ(ios[0].pi_err.check, NVME_PI_CHECK_REF);
}

/*
 * enable_sgl on the file set up, on a controller whose SGLS is sgls: as
 * apply_sgl() leaves it, metadata through an SGL where SGLS.MSDS allows.
 */
static void use_sgl(uint32_t sgls, uint32_t sge_size, size_t max_len)
{
	char why[128];

	ff.plain = false;
	ff.use_sgl = true;
	CHECK_EQ(nvme_sgl_setup(&ff.sgl, sgls, sge_size, max_len,
				ff.md_bytes && (sgls & NVME_SGLS_MSDS), why, sizeof(why)), 0);
}

/* enable_sgl: one Data Block up to sge_size, a Last Segment beyond, PSDT 01b. */
static void test_sgl_pointers(void)
{
	const struct nvme_sqe *c;
	const struct nvme_sgl_desc *list;

	setup(PS, CMD_BLOCKS);
	use_sgl(NVME_SGLS_SUPPORT_BYTE, 4096, 32768);
	queue_read(&io_us[0], 0, 4096);
	queue(&io_us[0]);
	fvn_commit(&td);
	c = fetch();
	CHECK_EQ((c->flags >> NVME_SQE_PSDT_SHIFT) & 3, NVME_SQE_PSDT_SGL_MPTR_CONTIG);
	CHECK_EQ(c->sgl1.addr, iova(bufs[0]));
	CHECK_EQ(c->sgl1.len, 4096);
	CHECK_EQ(c->sgl1.id >> 4, NVME_SGL_TYPE_DATA_BLOCK);
	ios[0].inflight = false;
	ff.inflight = 0;

	queue_read(&io_us[0], 0, 40960);	/* 2 commands: 32 KiB, then 8 KiB */
	queue(&io_us[0]);
	fvn_commit(&td);
	c = fetch();
	CHECK_EQ(c->sgl1.id >> 4, NVME_SGL_TYPE_LAST_SEGMENT);
	CHECK_EQ(c->sgl1.len, 8 * 16);
	list = (const struct nvme_sgl_desc *)ios[0].child_lists;
	CHECK_EQ(list[7].addr, iova(bufs[0]) + 7 * 4096);
	CHECK_EQ(list[7].len, 4096);
	c = fetch();
	CHECK_EQ(c->sgl1.addr, iova(ios[0].child_lists + CHILD_LIST_BYTES));
	CHECK_EQ(c->sgl1.len, 2 * 16);
	CHECK_EQ(ios[0].child_built_bytes, 0);	/* the PRP lists there are gone */
}

/*
 * Walks a command's SGL as a controller does: true when its Data Blocks, none
 * above sge bytes, cover exactly [at, at + len) in order.
 */
static bool sgl_covers(const struct nvme_sqe *c, uint64_t at, size_t len, uint32_t sge)
{
	const struct nvme_sgl_desc *d = &c->sgl1;
	size_t n = 1;

	if (c->sgl1.id >> 4 == NVME_SGL_TYPE_LAST_SEGMENT) {
		d = (const struct nvme_sgl_desc *)(uintptr_t)c->sgl1.addr;
		n = c->sgl1.len / sizeof(*d);
	}
	for (size_t i = 0; i < n; i++) {
		if (d[i].id >> 4 != NVME_SGL_TYPE_DATA_BLOCK || d[i].addr != at || !d[i].len ||
		    d[i].len > sge || d[i].len > len)
			return false;
		at += d[i].len;
		len -= d[i].len;
	}
	return len == 0;
}

/* An SGL read of len bytes from io_u's xfer_buf in 32 KiB children, each walked, then completed. */
static void sgl_read(struct io_u *io_u, unsigned long long len, uint32_t sge)
{
	unsigned n = (unsigned)((len + 32767) / 32768);

	queue_read(io_u, 0, len);
	CHECK_EQ(queue(io_u), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[io_u->index].nr_cmds, n);
	for (unsigned k = 0; k < n; k++) {
		const struct nvme_sqe *c = fetch();
		size_t clen = len - k * 32768ull < 32768 ? len - k * 32768ull : 32768;

		if (!CHECK(sgl_covers(c, iova(io_u->xfer_buf) + k * 32768ull, clen, sge)))
			printf("#   child %u of a %llu-byte read\n", k, len);
		complete(c->cid, 0);
	}
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_u->error, 0);
}

/*
 * enable_sgl, one io_u through reads of changing length, then from a
 * buffer fio moved: every child's SGL is exactly its part of the transfer.
 * sge_size 12 KiB, so a 32 KiB child is 12 + 12 + 8 KiB and a short one
 * ends in a short block. The order is the one a list kept for io_u->buf
 * and reused (nvme_sgl_reuse()) must survive: a shorter read shortens one
 * block of one child's list, and a later read needs that child whole, or
 * another child shortened.
 */
static void test_sgl_lengths(void)
{
	static const unsigned long long lens[] = {
		256 << 10,	/* every child whole */
		80 << 10,	/* child 2: 12 + 4 KiB */
		256 << 10,	/* child 2 whole again */
		80 << 10,
		48 << 10,	/* child 1 short, child 2 unused */
		256 << 10,
		20 << 10,	/* child 0: 12 + 8 KiB */
		72 << 10,	/* child 2: 8 KiB, one block in the SQE */
		256 << 10,
	};

	setup(PS, CMD_BLOCKS);
	use_sgl(NVME_SGLS_SUPPORT_DWORD, 12288, 32768);
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		sgl_read(&io_us[0], lens[i], 12288);

	/* Partial transfers: fio moved xfer_buf inside the buffer; then back at its start. */
	io_us[0].xfer_buf = bufs[0] + 4096;
	sgl_read(&io_us[0], 48 << 10, 12288);
	io_us[0].xfer_buf = bufs[0];
	sgl_read(&io_us[0], 80 << 10, 12288);
	sgl_read(&io_us[0], 256 << 10, 12288);
}

/* SGLs on a controller with SGLS.MSDS: MPTR points at one descriptor per command (PSDT 10b). */
static struct nvme_sgl_desc md_descs[DEPTH][MAX_CMDS] __attribute__((aligned(64)));

static void test_sgl_metadata_descriptor(void)
{
	const struct nvme_sqe *c0, *c1;

	setup_pi();
	use_sgl(NVME_SGLS_SUPPORT_BYTE | NVME_SGLS_MSDS, 4096, 4096);
	ios[0].md_descs = md_descs[0];
	ios[0].md_descs_iova = iova(md_descs[0]);
	queue_read(&io_us[0], 0, 12 * 512);	/* 8 blocks, then 4 */
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	c0 = fetch();
	c1 = fetch();
	CHECK_EQ((c0->flags >> NVME_SQE_PSDT_SHIFT) & 3, NVME_SQE_PSDT_SGL_MPTR_SGL);
	CHECK_EQ(c0->mptr, iova(&md_descs[0][0]));
	CHECK_EQ(c1->mptr, iova(&md_descs[0][1]));
	CHECK_EQ(md_descs[0][0].addr, iova(mds[0]));
	CHECK_EQ(md_descs[0][0].len, 8 * 8);
	CHECK_EQ(md_descs[0][1].addr, iova(mds[0]) + 8 * 8);
	CHECK_EQ(md_descs[0][1].len, 4 * 8);
	CHECK_EQ(md_descs[0][1].id >> 4, NVME_SGL_TYPE_DATA_BLOCK);
}

/* verify_mode=compare: fio's verify reads become Compares of what fio expects; others stay reads. */
static void test_compare_and_write_modes(void)
{
	const struct nvme_sqe *c;

	setup(PS, CMD_BLOCKS);
	ff.plain = false;
	ff.verify_compare = true;
	ff.write_op = NVME_NVM_WRITE;
	populated = 0;
	queue_read(&io_us[0], 0, 8192);
	io_us[0].flags = IO_U_F_VER_LIST;
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	c = fetch();
	CHECK_EQ(c->opcode, NVME_NVM_COMPARE);
	CHECK_EQ(c->prp1, iova(bufs[0]));
	CHECK_EQ(populated, 1);
	CHECK_EQ(bufs[0][100], 0x77);
	complete(ios[0].cid, NVME_SC_COMPARE_FAILURE);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, ENODATA);	/* BLK_STS_MEDIUM, as Linux maps it */
	io_us[0].flags = 0;
	queue_read(&io_us[0], 0, 8192);
	queue(&io_us[0]);
	fvn_commit(&td);
	CHECK_EQ(fetch()->opcode, NVME_NVM_READ);	/* not a verify read */
	CHECK_EQ(populated, 1);
	complete(ios[0].cid, 0);
	CHECK_EQ(reap(1), 1);

	/* write_mode=zeroes with deac and writefua: no data pointer, not bound by MDTS. */
	ff.verify_compare = false;
	ff.write_op = NVME_NVM_WRITE_ZEROES;
	ff.write_flags = NVME_WZ_DEAC | NVME_RW_FUA;
	queue_read(&io_us[1], 1 << 20, 100 * 1024);
	io_us[1].ddir = DDIR_WRITE;
	CHECK_EQ(queue(&io_us[1]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[1].nr_cmds, 1);	/* 25 blocks: MDTS (8 blocks) is for data */
	c = fetch();
	CHECK_EQ(c->opcode, NVME_NVM_WRITE_ZEROES);
	CHECK_EQ((c->cdw12 & 0xffff) + 1, 25);
	CHECK_EQ(c->cdw12 & (NVME_WZ_DEAC | NVME_RW_FUA), NVME_WZ_DEAC | NVME_RW_FUA);
	CHECK_EQ(c->prp1, 0);
	CHECK_EQ(c->prp2, 0);
	complete(ios[1].cid, 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[1].error, 0);

	/* write_mode=uncor on a PI namespace: no PRINFO, no tags. */
	setup_pi();
	ff.write_op = NVME_NVM_WRITE_UNCOR;
	queue_read(&io_us[0], 0, 4096);
	io_us[0].ddir = DDIR_WRITE;
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	c = fetch();
	CHECK_EQ(c->opcode, NVME_NVM_WRITE_UNCOR);
	CHECK_EQ(c->cdw12 >> 16, 0);
	CHECK_EQ(c->cdw14, 0);
	CHECK_EQ(c->mptr, 0);
	CHECK_EQ(t.pi_blocks_generated, 0);	/* nothing of the host's goes out */
}

/* CDW10-11: SLBA; CDW12 15:0: NLB, 0-based. Read from the SQE as the controller does. */
static uint64_t sqe_slba(const struct nvme_sqe *c)
{
	return (uint64_t)c->cdw11 << 32 | c->cdw10;
}

#define FUA (1u << 30)		/* CDW12 bit 30 */

/* A write io_u of len bytes at block slba, issued; its one command as the controller sees it. */
static const struct nvme_sqe *issue_write(struct io_u *io_u, uint64_t slba, unsigned long long len)
{
	queue_read(io_u, slba * PS, len);
	io_u->ddir = DDIR_WRITE;
	CHECK_EQ(queue(io_u), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(ios[io_u->index].nr_cmds, 1);
	return fetch();
}

/* A write_mode whose command carries no data (Verify, Write Uncorrectable); 2^34 blocks. */
static void setup_dataless_write(uint8_t write_op)
{
	setup(PS, CMD_BLOCKS);
	ff.blocks = 1ull << 34;
	ff.plain = false;
	ff.write_op = write_op;
}

/*
 * A write io_u of len bytes at block slba becomes one command whatever MDTS
 * says (MDTS is for data), with opcode and CDW12 (NLB, 0-based, and flags)
 * as given, SLBA in CDW10-11, and no data or metadata pointer; it completes
 * without error.
 */
static void check_dataless_write(struct io_u *io_u, uint64_t slba, unsigned long long len,
				 uint8_t opcode, uint32_t cdw12)
{
	int failed = check_failed;
	const struct nvme_sqe *c = issue_write(io_u, slba, len);

	CHECK_EQ(c->opcode, opcode);
	CHECK_EQ(c->nsid, NSID);
	CHECK_EQ(sqe_slba(c), slba);
	CHECK_EQ(c->cdw12, cdw12);
	CHECK_EQ(c->prp1, 0);
	CHECK_EQ(c->prp2, 0);
	CHECK_EQ(c->mptr, 0);
	complete(ios[io_u->index].cid, 0);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_u->error, 0);
	if (check_failed != failed)	/* which caller: the lines above are the helper's */
		printf("#   in the write of %llu bytes at block %llu, opcode 0x%02x\n", len,
		       (unsigned long long)slba, opcode);
}

/*
 * write_mode=verify: one Verify (0Ch) per io_u for its blocks, SLBA above
 * 32 bits in CDW11, NLB 0-based; FUA from writefua, no DEAC.
 */
static void test_verify_command(void)
{
	setup_dataless_write(NVME_NVM_VERIFY);
	ff.write_flags = FUA;
	/* 25 blocks where MDTS is 8: NLB 24, FUA. */
	check_dataless_write(&io_us[0], (1ull << 32) + 40, 100 * 1024, 0x0c, 24 | FUA);
	/* Without writefua: no FUA. */
	ff.write_flags = 0;
	check_dataless_write(&io_us[1], 7, PS, 0x0c, 0);
}

/*
 * write_mode=uncor: one Write Uncorrectable (04h) for the io_u's blocks,
 * and nothing in CDW12 but NLB (the command has no FUA, PRINFO or DEAC).
 */
static void test_write_uncor_command(void)
{
	setup_dataless_write(NVME_NVM_WRITE_UNCOR);
	/* 16 blocks: NLB 15 and nothing else. */
	check_dataless_write(&io_us[0], (3ull << 32) + 4095, 64 * 1024, 0x04, 15);
}

/* Posts a Zone Append's completion: where it landed (ALBA) in DW0-1. */
static void complete_append(uint16_t cid, uint64_t alba)
{
	struct nvme_cqe *cqe = &cqes[cq_tail];

	complete(cid, 0);
	cqe->dw0 = (uint32_t)alba;
	cqe->dw1 = (uint32_t)(alba >> 32);
}

/*
 * zone_append=1: one Zone Append (7Dh) per write, SLBA the start of the
 * zone fio aimed into (ZSLBA), NLB 0-based, FUA from writefua, the data
 * pointer at the buffer; fio learns where it landed as the io_u's offset.
 */
static void test_zone_append_command(void)
{
	const struct nvme_sqe *c;

	setup(PS, CMD_BLOCKS);
	ff.plain = false;
	ff.zoned = true;
	ff.zone_blocks = 256;
	ff.write_op = NVME_ZNS_APPEND;
	ff.write_flags = FUA;
	c = issue_write(&io_us[0], 2 * 256 + 10, 8192);
	CHECK_EQ(c->opcode, 0x7d);
	CHECK_EQ(c->nsid, NSID);
	CHECK_EQ(sqe_slba(c), 2 * 256);
	CHECK_EQ(c->cdw12 & 0xffff, 1);
	CHECK_EQ(c->cdw12 & FUA, FUA);
	CHECK_EQ(c->prp1, iova(bufs[0]));
	complete_append(ios[0].cid, 2 * 256 + 3);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].error, 0);
	CHECK_EQ(io_us[0].offset, (2 * 256 + 3) * PS);
	CHECK_EQ(t.appends_moved, 1);

	/* Without writefua, at a zone's first block: landed where fio planned. */
	ff.write_flags = 0;
	c = issue_write(&io_us[1], 5 * 256, PS);
	CHECK_EQ(c->opcode, 0x7d);
	CHECK_EQ(sqe_slba(c), 5 * 256);
	CHECK_EQ(c->cdw12, 0);
	complete_append(ios[1].cid, 5 * 256);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[1].offset, 5 * 256 * PS);
	CHECK_EQ(t.appends_moved, 1);

	/* Zones of 2^33 blocks: ZSLBA's upper half (2) differs from the planned block's (3). */
	ff.blocks = 1ull << 36;
	ff.zone_blocks = 1ull << 33;
	c = issue_write(&io_us[0], (1ull << 33) + (1ull << 32) + 10, PS);
	CHECK_EQ(c->opcode, 0x7d);
	CHECK_EQ(c->cdw11, 2);
	CHECK_EQ(c->cdw10, 0);
	complete_append(ios[0].cid, (1ull << 33) + 1);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(io_us[0].offset, ((1ull << 33) + 1) * PS);
}

/* ----------------------------------- the NLB field's 65,536 blocks (MDTS 0) */

/*
 * io_us too large for the static set-up: reserved, never touched except
 * where the engine writes (PRP and SGL lists), so only those pages exist.
 */
static void *reserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	CHECK(p != MAP_FAILED);
	return p == MAP_FAILED ? NULL : p;
}

struct big_io {
	uint8_t *buf, *lists;
	size_t buf_len, lists_len;
};

/*
 * A controller with MDTS 0 (no transfer limit): one command carries what
 * NLB can say, 65,536 blocks, as fvn_format_apply() sets it. io_u 0 gets
 * a buffer of max_bs and list memory for max_cmds children of list_bytes,
 * with the children's PRP lists built as fvn_post_init() builds them
 * (not with SGLs: those are built per command).
 */
static void setup_nlb(struct big_io *big, uint32_t block_bytes, size_t max_bs, unsigned max_cmds,
		      size_t list_bytes, bool prp_lists)
{
	struct fvn_io *io = &ios[0];

	setup(block_bytes, NVME_MAX_NLB);
	ff.blocks = UINT64_C(1) << 40;
	t.max_bs = max_bs;
	t.max_cmds = max_cmds;
	t.child_list_bytes = list_bytes;
	big->buf_len = max_bs;
	big->lists_len = PS + max_cmds * list_bytes;
	big->buf = reserve(big->buf_len);
	big->lists = reserve(big->lists_len);
	io_us[0].buf = io_us[0].xfer_buf = big->buf;
	io_us[0].buflen = max_bs;
	fvn_io_set_buf(&t, io, iova(big->buf));
	io->prp.entries = (uint64_t *)big->lists;
	io->prp.iova = iova(big->lists);
	io->child_lists = big->lists + PS;
	io->child_lists_iova = iova(big->lists + PS);
	io->child_built_bytes = 0;
	if (prp_lists)
		CHECK_EQ(fvn_build_child_lists(&t, io, ff.cmd_bytes), 0);
}

static void release(struct big_io *big)
{
	munmap(big->buf, big->buf_len);
	munmap(big->lists, big->lists_len);
}

/* The PRP list entry for byte off of child k (after its first page), chained pages followed. */
static uint64_t prp_entry(const struct nvme_sqe *c, size_t index)
{
	const uint64_t *list = (const uint64_t *)(uintptr_t)c->prp2;

	/* 511 entries per list page and a pointer to the next, except on the last. */
	while (index >= PS / 8 - 1 && list[PS / 8 - 1] == iova(list) + PS) {
		index -= PS / 8 - 1;
		list = (const uint64_t *)(uintptr_t)list[PS / 8 - 1];
	}
	return list[index];
}

/*
 * One io_u split into children of exactly 65,536 blocks, as the
 * controller fetches them: consecutive ids and LBAs, NLB 0xFFFF (0-based)
 * in every full child and the rest in the last, and data pointers that
 * cover the buffer without a gap: nothing truncated by NLB's 16-bit mask.
 */
static void check_nlb_children(uint32_t block_bytes, uint64_t slba, uint64_t nlb, bool sgl,
			       uint32_t sge_size)
{
	size_t child_bytes = (size_t)NVME_MAX_NLB * block_bytes;
	unsigned n = (unsigned)((nlb + NVME_MAX_NLB - 1) / NVME_MAX_NLB);
	uint64_t blocks = 0;
	uint16_t base = ios[0].cid;

	CHECK_EQ(ios[0].nr_cmds, n);
	for (unsigned k = 0; k < n; k++) {
		const struct nvme_sqe *c = fetch();
		uint32_t nlb0 = c->cdw12 & NVME_RW_NLB_MASK;
		uint64_t want_blocks = nlb - blocks < NVME_MAX_NLB ? nlb - blocks : NVME_MAX_NLB;
		uint64_t start = iova(io_us[0].xfer_buf) + (uint64_t)k * child_bytes;
		size_t len = (size_t)want_blocks * block_bytes;

		CHECK_EQ(c->cid, fvn_child_cid(&t, base, k));
		CHECK_EQ((uint64_t)c->cdw11 << 32 | c->cdw10, slba + blocks);
		CHECK_EQ(nlb0, want_blocks - 1);
		if (want_blocks == NVME_MAX_NLB)
			CHECK_EQ(nlb0, 0xffff);
		if (sgl) {
			const struct nvme_sgl_desc *list =
				(const struct nvme_sgl_desc *)(uintptr_t)c->sgl1.addr;
			size_t descs = (len + sge_size - 1) / sge_size;

			CHECK_EQ((c->flags >> NVME_SQE_PSDT_SHIFT) & 3,
				 NVME_SQE_PSDT_SGL_MPTR_CONTIG);
			CHECK_EQ(c->sgl1.id >> 4, NVME_SGL_TYPE_LAST_SEGMENT);
			CHECK_EQ(c->sgl1.len, descs * sizeof(struct nvme_sgl_desc));
			CHECK_EQ(list[0].addr, start);
			CHECK_EQ(list[descs - 1].addr, start + (descs - 1) * sge_size);
			CHECK_EQ(list[descs - 1].addr + list[descs - 1].len, start + len);
		} else if (len > 2 * PS) {
			size_t pages = (len + PS - 1) / PS;

			CHECK_EQ(c->prp1, start);
			/* Entry i is page i + 1; the last is the child's last page. */
			CHECK_EQ(prp_entry(c, 0), start + PS);
			CHECK_EQ(prp_entry(c, pages - 2), start + (pages - 1) * PS);
		} else {
			CHECK_EQ(c->prp1, start);
			CHECK_EQ(c->prp2, len > PS ? start + PS : 0);
		}
		blocks += want_blocks;
		complete(c->cid, 0);
	}
	CHECK_EQ(blocks, nlb);
	CHECK_EQ(reap(1), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, 0);
	CHECK_EQ(io_us[0].resid, 0);
}

/* 512-byte blocks: 64 MiB is two commands of 32 MiB; 48 MiB + 512 is 32 MiB and the rest. */
static void test_nlb_split_512(void)
{
	struct big_io big;

	setup_nlb(&big, 512, 64u << 20, 2, 17 * PS, true);
	CHECK_EQ(ff.cmd_bytes, 32u << 20);
	queue_read(&io_us[0], 4096 * 512, 64u << 20);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	check_nlb_children(512, 4096, 131072, false, 0);

	queue_read(&io_us[0], 0, (48u << 20) + 512);
	io_us[0].ddir = DDIR_WRITE;
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	check_nlb_children(512, 0, 98305, false, 0);
	release(&big);
}

/* 4096-byte blocks: 65,536 blocks are 256 MiB; 512 MiB + 4 KiB is three commands. */
static void test_nlb_split_4k(void)
{
	struct big_io big;
	/* 256 MiB from any offset in a page: 65,537 entries, 129 list pages. */
	size_t list_bytes = nvme_prp_list_pages_needed(PS - 4, 256u << 20, PS) * PS;

	CHECK_EQ(list_bytes, 129 * PS);
	setup_nlb(&big, PS, (512u << 20) + PS, 3, list_bytes, true);
	queue_read(&io_us[0], 1ull << 32, (512u << 20) + PS);	/* above 32-bit LBAs' bytes */
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	check_nlb_children(PS, 1u << 20, 131073, false, 0);
	release(&big);
}

/* enable_sgl with sge_size=1m: the same children, each 32 Data Blocks of 1 MiB. */
static void test_nlb_split_sgl(void)
{
	struct big_io big;

	setup_nlb(&big, 512, 64u << 20, 2, PS, false);
	use_sgl(NVME_SGLS_SUPPORT_BYTE, 1u << 20, 32u << 20);
	CHECK_EQ(nvme_sgl_list_bytes_needed(32u << 20, 1u << 20), 32 * 16);
	queue_read(&io_us[0], 0, 64u << 20);
	io_us[0].ddir = DDIR_WRITE;
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	check_nlb_children(512, 0, 131072, true, 1u << 20);
	/* 40 MiB: 32 MiB, then 8 MiB in 8 descriptors. */
	queue_read(&io_us[0], 1u << 20, 40u << 20);
	CHECK_EQ(queue(&io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	check_nlb_children(512, 2048, 81920, true, 1u << 20);
	release(&big);
}

int main(void)
{
	test_children();
	test_failed_child();
	test_busy_all_or_none();
	test_stale_child();
	test_moved_buffer();
	test_extended_blocks();
	test_plain_within_limit();
	test_pi_write_fields();
	test_pi_host_check_on_read();
	test_sgl_pointers();
	test_sgl_metadata_descriptor();
	test_sgl_lengths();
	test_compare_and_write_modes();
	test_verify_command();
	test_write_uncor_command();
	test_zone_append_command();
	test_nlb_split_512();
	test_nlb_split_4k();
	test_nlb_split_sgl();
	return check_done("test_transfer");
}

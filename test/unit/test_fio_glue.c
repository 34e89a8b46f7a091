/* SPDX-License-Identifier: MIT */
/*
 * The fio glue's hot path and recovery (plugin/io.c, plugin/stall.c) driven
 * the way fio drives them (queue, commit, getevents, event, errdetails), with
 * fio's own structures, against the loopback controller (test/bench/
 * loopback_ctrl.c, A TEST DOUBLE, NOT A DEVICE). The admin commands of the
 * timeout ladder (Abort, queue recreation, reset) and the device layer are
 * stubbed: each stub records that it ran and does to the loopback what the
 * controller would (a deleted queue pair loses its commands).
 * Covers: command ids with a generation, late and stale completions, a
 * completion on the wrong queue pair, every rung of the ladder, another
 * thread's reset, removal, FIO_Q_BUSY, fio's submit and issue-time contracts,
 * errdetails text for every failure, and the sleeping completion modes
 * (plugin/completion.c): wake-ups, no lost wake-up, timeouts while asleep,
 * hybrid's spin, the vector and option checks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "plugin/io.c"
#include "plugin/stall.c"
#include "plugin/transfer.c"
#include "plugin/completion.c"
#include "nvme/prp.c"
#include "nvme/status.c"
#include "nvme/crc.c"
#include "nvme/pi.c"
#include "nvme/sgl.c"
#include "test/bench/loopback_ctrl.c"
#include "test/unit/check.h"
#include "test/unit/stub_fio_clock.h"

/* errdetails as fio calls it, with the parameter list of whichever fio the test is built with. */
#define fvn_errdetails_td (&td)
#define errdetails(io_u) fvn_errdetails(FVN_ERRDETAILS_ARGS(io_u))

#define PS 4096u
#define NSID 1
#define NS_BLOCKS 4096u
#define DEPTH 4
#define SQ_SLOTS 8
#define CQ_SLOTS 16

/* ------------------------------------------------ stubs: fio and env */

static unsigned submit_marked, issue_stamped;
static char last_log[512];

void io_u_queued(struct thread_data *td, struct io_u *io_u)
{
	(void)td;
	if (io_u->issue_time.tv_sec || io_u->issue_time.tv_nsec)
		issue_stamped++;
}

void io_u_mark_submit(struct thread_data *td, unsigned int nr)
{
	(void)td;
	submit_marked += nr;
}

uint64_t env_eal_init_began_ns(void)
{
	return 0;
}

enum env_log_level env_log_threshold = ENV_LOG_DEBUG;

void env_log(enum env_log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

/* ------------------------------------- one queue pair on a loopback */

struct pair {
	struct fvn_file ff;
	struct fvn_ctrl ctrl;
	struct loopback_ctrl lb;
	struct nvme_sqe sqes[SQ_SLOTS];
	struct nvme_cqe cqes[CQ_SLOTS];
	bool stalled;	/* the loopback consumes nothing */
};

static struct pair pairs[2];
static struct thread_data td;
/* Room for DEPTH events after it (GNU C's static flexible array member). */
static struct fvn_thread t = { .events = { [DEPTH - 1] = NULL } };
static struct fio_file files[2];
static struct io_u io_us[DEPTH];
static struct fvn_io ios[DEPTH];
static struct io_u *staged[DEPTH];
static uint8_t bufs[DEPTH][PS] __attribute__((aligned(4096)));
static struct fvn_file *file_list[2];
static struct pollfd pfds[2];

static struct pair *pair_of_qp(struct nvme_qpair *qp)
{
	for (int i = 0; i < 2; i++)
		if (&pairs[i].ff.qp == qp)
			return &pairs[i];
	return NULL;
}

/* What the controller's side of a new (or re-created) queue pair looks like. */
static void pair_rings_fresh(struct pair *p)
{
	loopback_ctrl_free(&p->lb);
	memset(p->cqes, 0, sizeof(p->cqes));
	CHECK_EQ(loopback_ctrl_init(&p->lb, p->sqes, SQ_SLOTS, p->cqes, CQ_SLOTS,
				    &(struct loopback_expect){
					    .opcode = NVME_NVM_READ, .nsid = NSID, .nlb = 1,
					    .lba_size = PS, .ns_blocks = NS_BLOCKS, .page_size = PS,
					    .nr_cids = 0xffff,
				    }),
		 0);
	p->ff.qp.qid = LOOPBACK_QID;
	p->ff.qp.entries = SQ_SLOTS;
	p->ff.qp.cq_entries = CQ_SLOTS;
	nvme_sq_init(&p->ff.qp.sq, p->sqes,
		     nvme_doorbell(p->lb.regs, LOOPBACK_QID, false, LOOPBACK_DSTRD), SQ_SLOTS);
	nvme_cq_init(&p->ff.qp.cq, p->cqes,
		     nvme_doorbell(p->lb.regs, LOOPBACK_QID, true, LOOPBACK_DSTRD), CQ_SLOTS);
	nvme_cq_set_doorbell_batch(&p->ff.qp.cq, SQ_SLOTS);
	p->ff.qp.epoch = p->ctrl.nvme.epoch;
}

/* ------------------------------- stubs: the admin path and the device */

static unsigned aborts_sent, recreates, revives, resets, releases, ctrl_puts, dma_stops;
static bool abort_accepted;
static int recreate_result, reset_result;
static unsigned events_at_dma_stop = 99;

int nvme_ctrl_abort(struct nvme_ctrl *c, uint16_t sqid, uint16_t cid, bool *aborted)
{
	(void)c;
	(void)sqid;
	(void)cid;
	aborts_sent++;
	*aborted = abort_accepted;
	return 0;
}

int nvme_qpair_recreate(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	(void)c;
	recreates++;
	if (recreate_result)
		return recreate_result;
	pair_rings_fresh(pair_of_qp(qp)); /* Delete SQ ended every command of it */
	return 0;
}

int nvme_qpair_revive(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	(void)c;
	revives++;
	pair_rings_fresh(pair_of_qp(qp));
	return 0;
}

int nvme_ctrl_reset(struct nvme_ctrl *c, uint32_t seen_epoch)
{
	resets++;
	if (reset_result)
		return reset_result;
	if (c->epoch == seen_epoch)
		c->epoch++;
	return 0;
}

void nvme_qpair_release(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	(void)c;
	(void)qp;
	releases++;
}

void fvn_ctrl_put(struct fvn_ctrl *ctrl)
{
	(void)ctrl;
	ctrl_puts++;
}

/* The MSI-X layer and interrupt coalescing: what the tests make them answer. */
static int msix_attach_result, coalesce_result;
static unsigned msix_attached, msix_detached, coalesce_calls;

unsigned env_msix_table_size(struct env_pci_dev *dev)
{
	(void)dev;
	return 3;
}

int env_msix_attach(struct env_pci_dev *dev, unsigned nvec, unsigned *vector, int *fd)
{
	(void)dev;
	(void)nvec;
	if (msix_attach_result)
		return msix_attach_result;
	msix_attached++;
	*vector = 1;
	*fd = eventfd(0, EFD_NONBLOCK);
	return 0;
}

void env_msix_detach(struct env_pci_dev *dev, unsigned vector, int fd)
{
	(void)dev;
	(void)vector;
	msix_detached++;
	close(fd);
}

unsigned env_msix_in_use(struct env_pci_dev *dev)
{
	(void)dev;
	return 2;
}

int nvme_ctrl_set_irq_coalescing(struct nvme_ctrl *c, uint32_t cdw11, uint16_t *status)
{
	(void)c;
	(void)cdw11;
	coalesce_calls++;
	*status = 0;
	return coalesce_result;
}

bool env_pci_removal_requested(struct env_pci_dev *dev)
{
	return dev->removal_requested;
}

int env_pci_stop_dma(struct env_pci_dev *dev)
{
	(void)dev;
	dma_stops++;
	events_at_dma_stop = t.nr_events;
	return 0;
}

/* ------------------------------------------------------------ harness */

static void setup(unsigned nr_files, unsigned timeout_ms)
{
	for (int i = 0; i < 2; i++)
		loopback_ctrl_free(&pairs[i].lb);
	memset(pairs, 0, sizeof(pairs));
	memset(&td, 0, sizeof(td));
	memset(&t, 0, sizeof(t));
	memset(ios, 0, sizeof(ios));
	aborts_sent = recreates = revives = resets = releases = ctrl_puts = dma_stops = 0;
	submit_marked = issue_stamped = 0;
	abort_accepted = false;
	recreate_result = reset_result = 0;
	events_at_dma_stop = 99;

	td.o.name = "glue";
	td.o.iodepth = DEPTH;
	td.io_ops_data = &t;
	t.td = &td;
	t.events_room = DEPTH;
	t.staged = staged;
	t.ios = ios;
	t.nr_ios = DEPTH;
	fvn_set_cid_layout(&t, 2, 0); /* 4 io_us: 2 index bits, 14 generation bits */
	t.issue_stats = FVN_ISSUE_QUEUED;
	t.max_cmds = 1;
	t.max_bs = PS;
	t.page_size = PS;
	t.cmd_timeout_ms = timeout_ms;
	t.files = file_list;
	t.nr_files = nr_files;
	for (unsigned i = 0; i < nr_files; i++)
		file_list[i] = &pairs[i].ff; /* before any fvn_file_set_fast(), which looks at them all */
	t.only_file = nr_files == 1 ? &pairs[0].ff : NULL;
	t.pfds = pfds;
	for (unsigned i = 0; i < nr_files; i++) {
		struct pair *p = &pairs[i];

		snprintf(p->ctrl.bdf, sizeof(p->ctrl.bdf), "0000:00:0%u.0", 4 + i);
		p->ctrl.nvme.regs = (volatile uint8_t *)p->lb.regs;
		memcpy(p->ff.bdf, p->ctrl.bdf, sizeof(p->ff.bdf));
		p->ff.ctrl = &p->ctrl;
		p->ff.thread = &t;
		p->ff.nsid = NSID;
		p->ff.lba_shift = 12;
		p->ff.lba_size = PS;
		p->ff.block_bytes = PS;
		p->ff.block_pow2 = true;
		p->ff.plain = true;
		p->ff.write_op = NVME_NVM_WRITE;
		p->ff.max_cmd_blocks = 32;
		p->ff.cmd_bytes = 32 * PS;
		p->ff.blocks = NS_BLOCKS;
		p->ff.claimed = true;
		p->ff.qp_live = true;
		p->ff.irq_vector = p->ff.irq_fd = -1;
		pair_rings_fresh(p);
		/* CSTS reads 0 from the fake BAR: ready bit clear but not all ones, no CFS. */
		p->ctrl.nvme.regs = (volatile uint8_t *)p->lb.regs;
		file_list[i] = &p->ff;
		files[i].engine_data = &p->ff;
		fvn_file_set_fast(&p->ff);
	}
	for (unsigned i = 0; i < DEPTH; i++) {
		io_us[i] = (struct io_u){ .index = i, .file = &files[0], .ddir = DDIR_READ,
					  .buf = bufs[i], .xfer_buf = bufs[i], .xfer_buflen = PS,
					  .buflen = PS, .offset = (uint64_t)i * PS };
		ios[i].io_u = &io_us[i];
		ios[i].cid = fvn_first_cid(&t, i);
		fvn_io_not_plain(&ios[i]);
		fvn_io_set_buf(&t, &ios[i], (uint64_t)(uintptr_t)bufs[i]);
		ios[i].prp_built_len = PS;
	}
}

static void poll_devices(void)
{
	for (int i = 0; i < 2; i++)
		if (pairs[i].lb.sqes && !pairs[i].stalled)
			loopback_ctrl_poll(&pairs[i].lb);
}

/*
 * What getevents is asked for at most: DEPTH, or 1, fio's default
 * (iodepth_batch_complete_max), which takes getevents' one-CQE path.
 */
static unsigned reap_max = DEPTH;

/* getevents as fio calls it, with a bound so a bug is a failed check, not a hang. */
static int reap_events(unsigned min, unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	poll_devices();
	return fvn_getevents(&td, min, min > reap_max ? min : reap_max, &ts);
}

static bool got(int n, struct io_u *io_u)
{
	for (int i = 0; i < n; i++)
		if (fvn_event(&td, i) == io_u)
			return true;
	return false;
}

/* Puts a CQE at the host's CQ head as the controller would: for replaying a late completion. */
static void post_raw_cqe(struct pair *p, uint16_t cid, uint16_t status)
{
	struct nvme_cqe *cqe = &p->cqes[p->ff.qp.cq.head];

	cqe->cid = cid;
	cqe->sq_id = LOOPBACK_QID;
	cqe->sq_head = p->ff.qp.sq.head;
	cqe->status_phase = (uint16_t)(status << 1 | p->ff.qp.cq.expected_phase);
}

static void wait_past_timeout(unsigned ms)
{
	usleep((ms + 5) * 1000);
	t.last_check_ms = 0; /* the next getevents looks at once */
}

/* ------------------------------------------------------------- tests */

static void test_read_path_and_contracts(void)
{
	int n;

	setup(1, 0);
	for (int i = 0; i < DEPTH; i++)
		CHECK_EQ(fvn_queue(&td, &io_us[i]), FIO_Q_QUEUED);
	CHECK_EQ(pairs[0].lb.regs[nvme_doorbell_offset(LOOPBACK_QID, false, 0) / 4], 0);
	CHECK_EQ(fvn_commit(&td), 0);
	CHECK_EQ(t.doorbells, 1); /* one doorbell for the batch */
	CHECK_EQ(submit_marked, DEPTH); /* io_u_mark_submit per batch */
	CHECK_EQ(issue_stamped, DEPTH); /* issue time taken at the doorbell */
	n = reap_events(DEPTH, 1000);
	CHECK_EQ(n, DEPTH);
	for (int i = 0; i < DEPTH; i++) {
		CHECK(got(n, &io_us[i]));
		CHECK_EQ(io_us[i].error, 0);
	}
	CHECK_EQ(pairs[0].lb.errors, 0);
	CHECK_STR(pairs[0].lb.first_error, "");
}

static void test_generations(void)
{
	uint16_t first;

	setup(1, 0);
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	first = ios[1].cid;
	CHECK_EQ(first & 3, 1); /* the index bits name the io_u */
	fvn_commit(&td);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	CHECK(ios[1].cid != first);
	CHECK_EQ(ios[1].cid & 3, 1);
	fvn_commit(&td);

	/* A completion for the old generation arrives before the new one: dropped. */
	pairs[0].stalled = true;
	post_raw_cqe(&pairs[0], first, 0);
	CHECK_EQ(reap_events(1, 50), 0);
	CHECK_EQ(t.stale, 1);
	CHECK(ios[1].inflight);
	pairs[0].stalled = false;
	/* The loopback posts after the raw CQE: the host took that slot already. */
	pairs[0].lb.cq.tail = pairs[0].ff.qp.cq.head;
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[1]);
	CHECK_EQ(io_us[1].error, 0);
}

static void test_wrong_queue_pair(void)
{
	setup(2, 0);
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED); /* on file 0 */
	fvn_commit(&td);
	pairs[0].stalled = true;
	/* File 1's CQ claims it: never taken for io_u 0. */
	pairs[1].stalled = true;
	pairs[1].ff.inflight = 1;
	post_raw_cqe(&pairs[1], ios[0].cid, 0);
	CHECK_EQ(reap_events(1, 50), 0);
	CHECK_EQ(t.stale, 1);
	CHECK(ios[0].inflight);
	pairs[0].stalled = false;
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(io_us[0].error, 0);
}

static void test_busy_when_full(void)
{
	unsigned queued = 0;

	setup(1, 0);
	pairs[0].ff.qp.sq.size = 3; /* two commands fit */
	for (int i = 0; i < 3; i++)
		queued += fvn_queue(&td, &io_us[i]) == FIO_Q_QUEUED;
	CHECK_EQ(queued, 2);
	CHECK_EQ(t.busy, 1);
}

/* Rung 1 then 2: Abort refused, the queue pair is recreated; the command that
 * had not timed out is issued again, the timed-out one fails. */
static void test_timeout_recreate(void)
{
	int n;
	char *text;

	setup(1, 20);
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	wait_past_timeout(20);
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED); /* young: must not fail */
	fvn_commit(&td);
	n = reap_events(1, 300);
	CHECK_EQ(aborts_sent, 1);
	CHECK_EQ(recreates, 1);
	CHECK_EQ(n, 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, ETIMEDOUT);
	CHECK(!ios[0].inflight);
	CHECK(ios[1].inflight);
	CHECK_EQ(t.requeued, 1);
	CHECK(ios[1].requeued_ms != 0);	/* its timeout counts from the new issue */
	CHECK_EQ(ios[0].requeued_ms, 0);
	text = errdetails(&io_us[0]);
	CHECK_CONTAINS(text, "did not complete within cmd_timeout_ms=20");
	free(text);
	/* The re-created queue pair serves the reissued command. */
	pairs[0].stalled = false;
	n = reap_events(1, 1000);
	CHECK_EQ(n, 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[1]);
	CHECK_EQ(io_us[1].error, 0);
	CHECK_EQ(pairs[0].lb.errors, 0);
	/*
	 * Done: back to 0, which the in-line path relies on (it does not
	 * store it), so the next issue's timeout counts from its own time.
	 */
	CHECK_EQ(ios[1].requeued_ms, 0);
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(fvn_issued_ms(&ios[1]), fvn_ms_of(&io_us[1].issue_time));
	CHECK_EQ(reap_events(1, 1000), 1);
}

/* Rung 1 succeeds: the controller takes the Abort and completes the command. */
static void test_timeout_abort_taken(void)
{
	int n;

	setup(1, 20);
	abort_accepted = true;
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_QUEUED);
	fvn_commit(&td);
	wait_past_timeout(20);
	/* Shorter than the 100 ms between looks: only the Abort is sent. */
	CHECK_EQ(reap_events(1, 50), 0);
	CHECK_EQ(aborts_sent, 1);
	CHECK_EQ(recreates, 0);
	CHECK(ios[2].inflight); /* the device may still write its buffer */
	post_raw_cqe(&pairs[0], ios[2].cid, NVME_SC_ABORT_REQUESTED);
	n = reap_events(1, 300);
	CHECK_EQ(n, 1);
	CHECK_EQ(io_us[2].error, ETIMEDOUT);
	CHECK_EQ(recreates, 0);
}

/* An Abort taken but never honoured: after the wait, rung 2. */
static void test_timeout_abort_ignored(void)
{
	setup(1, 20);
	abort_accepted = true;
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	wait_past_timeout(20);
	CHECK_EQ(reap_events(1, 50), 0);
	CHECK_EQ(aborts_sent, 1);
	CHECK_EQ(recreates, 0);
	wait_past_timeout(20); /* ABORT_WAIT is min(cmd_timeout_ms, 1 s) */
	CHECK_EQ(reap_events(1, 300), 1);
	CHECK_EQ(recreates, 1);
	CHECK_EQ(io_us[0].error, ETIMEDOUT);
	/* Its completion arrives late, after recovery: dropped. */
	pairs[0].stalled = true;
	post_raw_cqe(&pairs[0], ios[0].cid, 0);
	pairs[0].ff.inflight = 1;
	CHECK_EQ(reap_events(1, 50), 0);
	CHECK_EQ(t.stale, 1);
}

/* Rung 3: the queue pair cannot be recreated, the controller is reset. */
static void test_timeout_reset(void)
{
	setup(1, 20);
	recreate_result = -ETIMEDOUT;
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	wait_past_timeout(20);
	CHECK_EQ(fvn_queue(&td, &io_us[3]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(reap_events(1, 300), 1);
	CHECK_EQ(resets, 1);
	CHECK_EQ(revives, 1);
	CHECK_EQ(pairs[0].ctrl.nvme.epoch, 1);
	CHECK_EQ(pairs[0].ff.qp.epoch, 1);
	CHECK_EQ(io_us[0].error, ETIMEDOUT);
	CHECK(ios[3].inflight); /* issued again on the revived queue pair */
	pairs[0].stalled = false;
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(io_us[3].error, 0);
	CHECK_EQ(dma_stops, 0);
}

/* The reset fails too: DMA is stopped before fio gets any buffer back. */
static void test_reset_fails(void)
{
	char *text;

	setup(1, 20);
	recreate_result = -ETIMEDOUT;
	reset_result = -ETIMEDOUT;
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	fvn_commit(&td);
	wait_past_timeout(20);
	CHECK_EQ(reap_events(2, 300), 2);
	CHECK_EQ(dma_stops, 1);
	CHECK_EQ(events_at_dma_stop, 0); /* nothing handed back before */
	CHECK_EQ(pairs[0].ff.broken, EIO);
	CHECK_EQ(io_us[0].error, ETIMEDOUT);
	/* Later I/O fails at once, with the reason. */
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_COMPLETED);
	CHECK_EQ(io_us[2].error, EIO);
	text = errdetails(&io_us[2]);
	CHECK_CONTAINS(text, "did not come back from a reset");
	free(text);
}

/* Another thread reset the controller: this one's commands are issued again, not failed. */
static void test_other_threads_reset(void)
{
	setup(1, 1000);
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	fvn_commit(&td);
	pairs[0].ctrl.nvme.epoch++;
	t.last_check_ms = 0;
	CHECK_EQ(reap_events(1, 150), 0);
	CHECK_EQ(revives, 1);
	CHECK_EQ(t.requeued, 2);
	CHECK_EQ(resets, 0);
	pairs[0].stalled = false;
	CHECK_EQ(reap_events(2, 1000), 2);
	CHECK_EQ(io_us[0].error, 0);
	CHECK_EQ(io_us[1].error, 0);
}

/* Hot-unplug: DMA off first, I/O failed, the controller given up at once. */
static void test_removal(void)
{
	char *text;

	setup(1, 1000);
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	pairs[0].ctrl.pci.removal_requested = true;
	t.last_check_ms = 0;
	CHECK_EQ(reap_events(1, 300), 1);
	CHECK_EQ(dma_stops, 1);
	CHECK_EQ(events_at_dma_stop, 0);
	CHECK_EQ(io_us[0].error, ENODEV);
	CHECK_EQ(releases, 1);
	CHECK_EQ(ctrl_puts, 1);
	CHECK(pairs[0].ff.released);
	CHECK(!pairs[0].ff.qp_live);
	CHECK(pairs[0].ff.ctrl == NULL);
	text = errdetails(&io_us[0]);
	CHECK_CONTAINS(text, "being removed");
	free(text);
}

/* errdetails has text for every io_u the engine failed, and for device statuses. */
static void test_errdetails(void)
{
	char *text;

	setup(1, 0);
	io_us[0].offset = (uint64_t)NS_BLOCKS * PS; /* past the end */
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_COMPLETED);
	CHECK_EQ(io_us[0].error, EINVAL);
	text = errdetails(&io_us[0]);
	CHECK_CONTAINS(text, "inside the namespace");
	free(text);
	io_us[1].ddir = DDIR_WAIT;
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_COMPLETED);
	text = errdetails(&io_us[1]);
	CHECK_CONTAINS(text, "no NVMe command");
	free(text);
	pairs[0].lb.fail_every = 1;
	pairs[0].lb.fail_status = NVME_SC_LBA_OUT_OF_RANGE;
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK(io_us[2].error != 0);
	text = errdetails(&io_us[2]);
	CHECK_CONTAINS(text, "LBA Out of Range");
	free(text);
}

/* ------------------------------------ completion=interrupt and hybrid */

static uint64_t ms_since(const struct timespec *from)
{
	return utime_since_now(from) / 1000;
}

/* File 0 sleeps on an eventfd of its own, standing in for its MSI-X vector. */
static void setup_sleeping(uint8_t mode, unsigned poll_us, unsigned timeout_ms)
{
	setup(1, timeout_ms);
	t.completion = mode;
	t.poll_ns = (uint64_t)poll_us * 1000;
	pairs[0].ff.irq_vector = 1;
	pairs[0].ff.irq_fd = eventfd(0, EFD_NONBLOCK);
	CHECK(pairs[0].ff.irq_fd >= 0);
}

static void teardown_sleeping(void)
{
	close(pairs[0].ff.irq_fd);
	pairs[0].ff.irq_fd = pairs[0].ff.irq_vector = -1;
}

static void raise_irq(void)
{
	uint64_t one = 1;

	CHECK_EQ(write(pairs[0].ff.irq_fd, &one, sizeof(one)), (ssize_t)sizeof(one));
}

/* The device, some ms after the host went to sleep: completes, and maybe interrupts. */
struct device_later {
	unsigned delay_ms;
	bool interrupt;
};

static void *complete_later(void *arg)
{
	const struct device_later *d = arg;

	usleep(d->delay_ms * 1000);
	loopback_ctrl_poll(&pairs[0].lb);
	if (d->interrupt)
		raise_irq();
	return NULL;
}

static int getevents_for(unsigned min, unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	return fvn_getevents(&td, min, DEPTH, &ts);
}

/* io_u 0 issued, completed by the device thread d describes; getevents(1) waits for it. */
static int read_completed_later(struct device_later *d)
{
	pthread_t th;
	int n;

	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	pairs[0].stalled = true; /* only the device thread completes it */
	pthread_create(&th, NULL, complete_later, d);
	n = getevents_for(1, 5000);
	pthread_join(th, NULL);
	return n;
}

static void test_interrupt_wakes_the_sleeper(void)
{
	struct device_later d = { .delay_ms = 50, .interrupt = true };
	volatile uint32_t *cq_db = nvme_doorbell(pairs[0].lb.regs, LOOPBACK_QID, true,
						 LOOPBACK_DSTRD);
	struct timespec start;

	setup_sleeping(FVN_COMPLETION_INTERRUPT, 0, 0);
	*cq_db = 0xdead; /* arming must write the CQ head doorbell itself */
	fio_gettime(&start, NULL);
	CHECK_EQ(read_completed_later(&d), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, 0);
	CHECK(ms_since(&start) < 2000);
	CHECK(t.sleeps >= 1);
	CHECK(t.wakeups >= 1);
	CHECK_EQ(*cq_db, 0); /* the head when it went to sleep */
	teardown_sleeping();
}

/* A completion that lands after the last poll but before the sleep is not waited for. */
static void test_no_lost_wakeup(void)
{
	struct timespec start;
	int n;

	setup_sleeping(FVN_COMPLETION_INTERRUPT, 0, 0);
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	loopback_ctrl_poll(&pairs[0].lb); /* posted; its interrupt not delivered yet */
	fio_gettime(&start, NULL);
	fvn_sleep(&t, 3000);
	CHECK(ms_since(&start) < 1000);
	CHECK_EQ(t.sleeps, 0);
	pairs[0].stalled = true;
	n = getevents_for(1, 1000);
	CHECK_EQ(n, 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);

	/* An interrupt counted before arming (of CQEs polled already) wakes nobody. */
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	fvn_commit(&td);
	raise_irq();
	fio_gettime(&start, NULL);
	fvn_sleep(&t, 100);
	CHECK(ms_since(&start) >= 80);
	CHECK_EQ(t.sleeps, 1);
	CHECK_EQ(t.wakeups, 0);
	teardown_sleeping();
}

/* fio's getevents timeout, and cmd_timeout_ms, while asleep. */
static void test_timeouts_while_asleep(void)
{
	struct timespec start;
	int n;

	setup_sleeping(FVN_COMPLETION_INTERRUPT, 0, 0);
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	fio_gettime(&start, NULL);
	n = getevents_for(1, 250);
	CHECK_EQ(n, 0);
	CHECK(ms_since(&start) >= 240);
	CHECK(ms_since(&start) < 1000);
	CHECK(t.sleeps >= 3); /* slices of at most 100 ms */
	teardown_sleeping();

	setup_sleeping(FVN_COMPLETION_INTERRUPT, 0, 100);
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	fio_gettime(&start, NULL);
	n = getevents_for(1, 5000);
	CHECK_EQ(n, 1);
	CHECK_EQ(io_us[0].error, ETIMEDOUT);
	CHECK_EQ(recreates, 1);
	CHECK(ms_since(&start) < 1500);
	teardown_sleeping();
}

static void test_hybrid_spins_first(void)
{
	struct device_later d = { .delay_ms = 30, .interrupt = false };

	/* Within poll_us the CQ is polled: found without any interrupt. */
	setup_sleeping(FVN_COMPLETION_HYBRID, 1000000, 0);
	CHECK_EQ(read_completed_later(&d), 1);
	CHECK_EQ(t.sleeps, 0);
	teardown_sleeping();

	/* Past poll_us it sleeps, and the interrupt ends the sleep. */
	d.interrupt = true;
	setup_sleeping(FVN_COMPLETION_HYBRID, 1000, 0);
	CHECK_EQ(read_completed_later(&d), 1);
	CHECK(t.sleeps >= 1);
	teardown_sleeping();

	/* completion=poll never sleeps. */
	setup(1, 0);
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(reap_events(1, 50), 0);
	CHECK_EQ(t.sleeps, 0);
}

static int check_options(struct fvn_options *o)
{
	td.eo = o;
	last_log[0] = 0;
	return fvn_completion_check(&td);
}

static void test_completion_options(void)
{
	struct fvn_options o = { .enable_interrupts = 1 };

	setup(1, 0);
	CHECK_EQ(check_options(&o), 0);
	CHECK_EQ(o.completion, FVN_COMPLETION_INTERRUPT); /* SPDK's enable_interrupts=1 */
	o = (struct fvn_options){ .irq_coalesce_entries = 8, .irq_coalesce_us = 100 };
	CHECK_EQ(check_options(&o), -EINVAL);
	CHECK_CONTAINS(last_log, "add completion=interrupt or hybrid");
	o.completion = FVN_COMPLETION_INTERRUPT;
	CHECK_EQ(check_options(&o), 0);
	o.irq_coalesce_us = 0;
	CHECK_EQ(check_options(&o), -EINVAL);
	CHECK_CONTAINS(last_log, "set both");
	o.irq_coalesce_us = 250;
	CHECK_EQ(check_options(&o), -EINVAL);
	CHECK_CONTAINS(last_log, "use 200");
	o.irq_coalesce_us = 30000;
	CHECK_EQ(check_options(&o), -EINVAL);
	CHECK_CONTAINS(last_log, "use 25500");
	o.irq_coalesce_us = 100;
	o.irq_coalesce_entries = 257;
	CHECK_EQ(check_options(&o), -EINVAL);
	CHECK_CONTAINS(last_log, "1 to 256");
	o = (struct fvn_options){ .completion = FVN_COMPLETION_HYBRID, .poll_us = 5000000 };
	CHECK_EQ(check_options(&o), -EINVAL);
	CHECK_CONTAINS(last_log, "poll_us=5000000");
	td.eo = NULL;
}

static void test_vectors(void)
{
	struct fvn_options o = { .completion = FVN_COMPLETION_INTERRUPT };
	struct fvn_file *ff = &pairs[0].ff;
	int vector = 99;

	setup(1, 0);
	td.eo = &o;
	msix_attach_result = coalesce_result = 0;
	msix_attached = msix_detached = coalesce_calls = 0;
	CHECK_EQ(fvn_irq_attach(&td, ff, &vector), 0);
	CHECK_EQ(vector, 1);
	CHECK_EQ(ff->irq_vector, 1);
	CHECK(ff->irq_fd >= 0);
	CHECK_EQ(coalesce_calls, 0); /* off unless asked */
	fvn_irq_detach(ff);
	CHECK_EQ(msix_detached, 1);
	CHECK_EQ(ff->irq_vector, -1);
	fvn_irq_detach(ff); /* twice is harmless */
	CHECK_EQ(msix_detached, 1);

	/* Vectors run out: refused with the count and the fix. */
	msix_attach_result = -ENOSPC;
	CHECK_EQ(fvn_irq_attach(&td, ff, &vector), -ENOSPC);
	CHECK_CONTAINS(last_log, "no MSI-X vector left");
	CHECK_CONTAINS(last_log, "run fewer jobs on this controller, or give some completion=poll");
	CHECK_EQ(vector, -1);
	msix_attach_result = -ENODEV;
	CHECK_EQ(fvn_irq_attach(&td, ff, &vector), -ENODEV);
	CHECK_CONTAINS(last_log, "use completion=poll");
	msix_attach_result = 0;

	/* Another job's coalescing on the same controller: refused, the vector given back. */
	o.irq_coalesce_entries = 4;
	o.irq_coalesce_us = 200;
	coalesce_result = -EBUSY;
	CHECK_EQ(fvn_irq_attach(&td, ff, &vector), -EBUSY);
	CHECK_EQ(coalesce_calls, 1);
	CHECK_CONTAINS(last_log, "same irq_coalesce_entries");
	CHECK_EQ(ff->irq_vector, -1);
	CHECK_EQ(msix_detached, 2);
	coalesce_result = 0;

	/* completion=poll takes no vector. */
	o = (struct fvn_options){ 0 };
	CHECK_EQ(fvn_irq_attach(&td, ff, &vector), 0);
	CHECK_EQ(vector, -1);
	CHECK_EQ(msix_attached, 2);
	td.eo = NULL;
}

/*
 * One completion at a time, as fio asks by default: a repeated CQE for a
 * command already completed, a failed one, and one of an older generation
 * never end an io_u the plain way.
 */
static void test_one_at_a_time(void)
{
	uint16_t cid;

	setup(1, 0);
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[2]);
	CHECK_EQ(io_us[2].error, 0);
	CHECK(!ios[2].inflight);
	cid = ios[2].cid;

	/*
	 * The same CQE again, while another io_u is in flight (with none,
	 * getevents does not look at the CQ): dropped, not a second completion.
	 */
	pairs[0].stalled = true;
	CHECK_EQ(fvn_queue(&td, &io_us[3]), FIO_Q_QUEUED);
	fvn_commit(&td);
	post_raw_cqe(&pairs[0], cid, 0);
	CHECK_EQ(reap_events(0, 0), 0);
	CHECK_EQ(t.stale, 1);
	CHECK(!ios[2].inflight);
	CHECK_EQ(pairs[0].ff.inflight, 1);

	/* A failed command reaches fio as an error, through the general path. */
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_QUEUED);
	fvn_commit(&td);
	post_raw_cqe(&pairs[0], ios[2].cid, NVME_SC_INTERNAL);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[2]);
	CHECK(io_us[2].error != 0);
	CHECK(!ios[2].inflight);

	/* The previous generation's CQE while the io_u is in flight again: dropped. */
	io_us[2].error = 0; /* fio clears it before queueing (td_io_queue()) */
	cid = ios[2].cid;
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_QUEUED);
	fvn_commit(&td);
	post_raw_cqe(&pairs[0], cid, 0);
	CHECK_EQ(reap_events(0, 0), 0);
	CHECK_EQ(t.stale, 2);
	CHECK(ios[2].inflight);
	post_raw_cqe(&pairs[0], ios[2].cid, 0);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[2]);
	CHECK_EQ(io_us[2].error, 0);
	CHECK(ios[3].inflight); /* never completed: the loopback stays stalled */
}

/*
 * An io_u the general path issued cannot end the plain way, and the CQE at
 * the head that is not new yet must not read as its completion: here the
 * zeroed memory of a fresh CQ (command id 0, status 0, old phase) and io_u
 * 0, whose index bits are 0 as well.
 */
static void test_old_cqe_not_plain(void)
{
	setup(1, 0);
	pairs[0].stalled = true;
	ios[0].prp_max = 0; /* as for a buffer not the engine's: the general path */
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	fvn_commit(&td);
	CHECK_EQ(reap_events(0, 0), 0);
	CHECK(ios[0].inflight);
	CHECK_EQ(t.stale, 0);
	pairs[0].stalled = false;
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, 0);
	CHECK(!ios[0].inflight);
}

/*
 * The in-line path's PRPs from fvn_io.prp_room and prp_max: a buffer at
 * any offset in its page, a transfer within the first page, across into a
 * second, or over two whole pages. The loopback checks each command's
 * PRPs against its length (PRP2 0 within one page, the next page's start
 * across two); only the addresses matter, it moves no data.
 */
static void test_prp_room(void)
{
	static const struct {
		unsigned off, len;
		bool second_page;
	} cases[] = {
		{ 0, PS, false },     { 0, 2 * PS, true },    { 512, PS, true },
		{ 2048, PS, true },   { PS - 512, PS, true },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *buf = bufs[0] + cases[i].off;
		const struct nvme_sqe *sqe;

		setup(1, 0);
		pairs[0].lb.expect.nlb = cases[i].len / PS; /* it checks each command's length */
		io_us[0].buf = io_us[0].xfer_buf = buf;
		io_us[0].xfer_buflen = io_us[0].buflen = cases[i].len;
		fvn_io_set_buf(&t, &ios[0], (uint64_t)(uintptr_t)buf);
		CHECK_EQ(ios[0].prp_room, PS - cases[i].off);
		CHECK_EQ(ios[0].prp_max, 2 * PS - cases[i].off);
		CHECK_EQ(ios[0].prp2, ((uint64_t)(uintptr_t)buf | (PS - 1)) + 1);
		sqe = &pairs[0].ff.qp.sq.sqes[pairs[0].ff.qp.sq.tail];
		CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
		CHECK_EQ(sqe->prp1, (uint64_t)(uintptr_t)buf);
		CHECK_EQ(sqe->prp2, cases[i].second_page ?
					    ((uint64_t)(uintptr_t)buf | (PS - 1)) + 1 : 0);
		CHECK_EQ((sqe->cdw12 & 0xffff) + 1, cases[i].len / PS);
		CHECK_EQ(sqe->cid, ios[0].cid);
		fvn_commit(&td);
		CHECK_EQ(reap_events(1, 1000), 1);
		CHECK_EQ(io_us[0].error, 0);
		CHECK_EQ(pairs[0].lb.errors, 0);
		CHECK_STR(pairs[0].lb.first_error, "");
	}
}

/*
 * iodepth_batch_submit=1 (fio's default, t->batch_of_one): from the second
 * I/O on, the common case rings its doorbell and is stamped and counted in
 * queue; commit then has nothing left. The first goes through commit, which
 * notes it for the start-up figure. Anything the general path queues still
 * waits for commit; with shadow doorbells, queue rings out of line.
 */
static void test_submit_at_queue(void)
{
	volatile uint32_t *sq_db;

	setup(1, 0);
	t.batch_of_one = true;
	fvn_thread_set_fast(&t);
	CHECK_EQ(t.queue_rings, FVN_RING_AT_COMMIT);
	CHECK_EQ(t.ring_in_line, false);
	sq_db = &pairs[0].lb.regs[nvme_doorbell_offset(LOOPBACK_QID, false, 0) / 4];

	/* The first I/O: staged, rung by commit, which opens queue's ringing. */
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	CHECK_EQ(*sq_db, 0);
	CHECK_EQ(t.nr_staged, 1);
	CHECK(!t.first_io_done);
	CHECK_EQ(fvn_commit(&td), 0);
	CHECK_EQ(*sq_db, 1);
	CHECK(t.first_io_done);
	CHECK_EQ(t.queue_rings, FVN_RING_IN_LINE);
	CHECK_EQ(t.ring_in_line, true);
	CHECK_EQ(reap_events(1, 1000), 1);

	/* Then in queue: one register write and one command, counted once. */
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	CHECK_EQ(*sq_db, 2);		/* rung in queue */
	CHECK_EQ(t.rung_at_queue, 1);
	CHECK_EQ(fvn_sq_doorbells(&t), 2);
	CHECK_EQ(fvn_commands(&t), 2);
	CHECK_EQ(issue_stamped, 2);
	CHECK_EQ(submit_marked, 2);
	CHECK_EQ(t.nr_staged, 0);
	CHECK_EQ(fvn_commit(&td), 0);	/* nothing staged: nothing more */
	CHECK_EQ(fvn_sq_doorbells(&t), 2);
	CHECK_EQ(submit_marked, 2);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[0]);
	CHECK_EQ(io_us[0].error, 0);

	/* A flush takes the general path: staged, rung by commit. */
	io_us[1].ddir = DDIR_SYNC;
	CHECK_EQ(fvn_queue(&td, &io_us[1]), FIO_Q_QUEUED);
	io_us[1].ddir = DDIR_READ;
	CHECK_EQ(t.nr_staged, 1);
	CHECK_EQ(*sq_db, 2);
	CHECK_EQ(submit_marked, 2);
	CHECK_EQ(fvn_commit(&td), 0);
	CHECK_EQ(*sq_db, 3);
	CHECK_EQ(submit_marked, 3);
	CHECK_EQ(issue_stamped, 3);
	CHECK_EQ(fvn_commands(&t), 3);
	CHECK_EQ(reap_events(1, 1000), 1);

	/* Shadow doorbells: still rung in queue, through the shadow word. */
	setup(1, 0);
	loopback_ctrl_use_shadow(&pairs[0].lb, &pairs[0].ff.qp.sq, &pairs[0].ff.qp.cq);
	t.batch_of_one = true;
	t.first_io_done = true;
	fvn_thread_set_fast(&t);
	CHECK_EQ(t.queue_rings, FVN_RING_OUT_OF_LINE);
	CHECK_EQ(t.ring_in_line, false);
	CHECK_EQ(fvn_queue(&td, &io_us[2]), FIO_Q_QUEUED);
	CHECK_EQ(pairs[0].ff.qp.sq.last_db_tail, pairs[0].ff.qp.sq.tail);
	CHECK_EQ(*pairs[0].ff.qp.sq.tail_db.shadow, pairs[0].ff.qp.sq.tail);
	CHECK_EQ(t.nr_staged, 0);
	CHECK_EQ(fvn_commands(&t), 1);
	CHECK_EQ(submit_marked, 1);
	CHECK_EQ(issue_stamped, 1);
	CHECK_EQ(reap_events(1, 1000), 1);
	CHECK_EQ(fvn_event(&td, 0), &io_us[2]);
	CHECK_EQ(io_us[2].error, 0);
	CHECK_EQ(pairs[0].lb.errors, 0);
	CHECK_STR(pairs[0].lb.first_error, "");

	/* A larger batch leaves every doorbell to commit, after the first I/O too. */
	setup(1, 0);
	t.batch_of_one = false;
	t.first_io_done = true;
	fvn_thread_set_fast(&t);
	CHECK_EQ(t.queue_rings, FVN_RING_AT_COMMIT);
	CHECK_EQ(t.ring_in_line, false);
	CHECK_EQ(fvn_queue(&td, &io_us[0]), FIO_Q_QUEUED);
	CHECK_EQ(*sq_db, 0);
	CHECK_EQ(fvn_commit(&td), 0);
	CHECK_EQ(*sq_db, 1);
	CHECK_EQ(reap_events(1, 1000), 1);
}

static void run_tests(void)
{
	test_read_path_and_contracts();
	test_generations();
	test_wrong_queue_pair();
	test_busy_when_full();
	test_timeout_recreate();
	test_timeout_abort_taken();
	test_timeout_abort_ignored();
	test_timeout_reset();
	test_reset_fails();
	test_other_threads_reset();
	test_removal();
	test_errdetails();
	test_interrupt_wakes_the_sleeper();
	test_no_lost_wakeup();
	test_timeouts_while_asleep();
	test_hybrid_spins_first();
	test_completion_options();
	test_vectors();
	test_old_cqe_not_plain();
	test_prp_room();
}

int main(void)
{
	run_tests();
	/* Again with one completion per getevents, fio's default, and its own cases. */
	reap_max = 1;
	run_tests();
	test_one_at_a_time();
	test_submit_at_queue();
	for (int i = 0; i < 2; i++)
		loopback_ctrl_free(&pairs[i].lb);
	return check_done("test_fio_glue");
}

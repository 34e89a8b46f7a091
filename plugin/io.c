/* SPDX-License-Identifier: MIT */
/*
 * The hot path: queue builds one SQE in the SQ; commit rings each touched
 * SQ doorbell once per batch and stamps the batch's issue time, or queue
 * does both at once when fio's batch is one I/O (its default); getevents
 * polls the completion queues. No locks: each thread owns its queue pairs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fio.h"
#include "verify.h"

#include "env/clock.h"
#include "env/eal.h"
#include "env/log.h"
#include "nvme/io_cmd.h"
#include "nvme/status.h"
#include "plugin/completion.h"
#include "plugin/engine.h"
#include "plugin/options.h"
#include "plugin/zones.h"

/*
 * fvn_queue()'s plain command is in the SQ: everything its completion is
 * checked against, and no status or failure from an earlier use. Written
 * together, as the fields lie, so that the compiler makes a few wide
 * stores of it (fvn_issue() sets the same for every other case).
 */
static inline __attribute__((always_inline)) void start_issue(struct fvn_file *ff,
							      struct fvn_io *io, uint16_t cid)
{
	io->ff = ff;		/* requeued_ms is 0 already (see there) */
	io->cid = cid;
	io->nr_cmds = 1;
	io->pending = 1;
	io->status = 0;
	io->bad_cmd = 0;
	io->fail = FVN_FAIL_NONE;
	io->compare = false;
	io->inflight = true;
	io->timed_out = false;
	io->plain_cqe = cid | NVME_CQE_DW3_PHASE;
}

/*
 * A new generation on every use, as Linux's nvme_cid() does: a late
 * completion of this io_u's previous command (one that timed out and was
 * recovered) then names a command id no longer in use. Adding gen_step in
 * 16 bits counts the generation and keeps the io_u's index bits.
 */
static inline uint16_t next_cid(const struct fvn_thread *t, const struct fvn_io *io)
{
	return (uint16_t)(io->cid + t->gen_step);
}

/*
 * Any io_u on any file: every data direction, split transfers, metadata
 * and PI, moved buffers, and every reason to fail. fvn_issue() for stall.c,
 * which issues again after a recovery, and the general case of fvn_queue().
 */
int fvn_issue(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io, struct io_u *io_u)
{
	struct nvme_sqe *cmd;
	uint64_t slba, nlb;
	uint16_t cid;
	int ret;

	if (nvme_sq_full(&ff->qp.sq))
		return EBUSY;
	cid = next_cid(t, io);
	fvn_io_not_plain(io);	/* every completion of this issue goes through complete_cqe() */
	io->nr_cmds = 1;
	io->status = 0;		/* also when stall.c issues it again after a recovery */
	io->bad_cmd = 0;
	io->requeued_ms = 0;	/* stall.c sets it after, when it is that */
	/*
	 * Built in the SQ's tail slot itself, not copied there: the controller
	 * sees nothing of it until nvme_sq_advance() and the doorbell, so a
	 * command abandoned half-built below is simply overwritten later.
	 */
	cmd = nvme_sq_tail_sqe(&ff->qp.sq);

	switch (io_u->ddir) {
	case DDIR_READ:
	case DDIR_WRITE:
	case DDIR_TRIM:
		/* Whole blocks, and never past the namespace, whatever fio asks. */
		if (!fvn_to_blocks(ff, io_u->offset, io_u->xfer_buflen, &slba, &nlb)) {
			io->fail = FVN_FAIL_OUT_OF_RANGE;
			return EINVAL;
		}
		if (io_u->ddir == DDIR_TRIM) {
			io->dsm->cattr = 0;
			io->dsm->slba = slba;
			io->dsm->nlb = (uint32_t)nlb;
			nvme_io_dsm_deallocate_cmd(cmd, cid, ff->nsid, io->dsm_iova, 1);
			break;
		}
		/* Metadata, PI, or more than one command can carry: transfer.c. */
		if (!ff->plain || nlb > ff->max_cmd_blocks) {
			ret = fvn_issue_transfer(t, ff, io, io_u, cid, slba, (uint32_t)nlb);
			if (ret)
				return ret;
			goto issued;
		}
		nvme_io_rw_cmd(cmd, io_u->ddir == DDIR_READ ? NVME_NVM_READ : NVME_NVM_WRITE, cid,
			       ff->nsid, slba, (uint32_t)nlb);
		if (fvn_set_data_pointer(t, io, io_u, cmd)) {
			io->fail = FVN_FAIL_DATA_POINTER;
			return EINVAL;
		}
		break;
	case DDIR_SYNC:
	case DDIR_DATASYNC:
		nvme_io_flush_cmd(cmd, cid, ff->nsid);
		break;
	default:
		io->fail = FVN_FAIL_UNSUPPORTED;
		return EOPNOTSUPP;
	}

	nvme_sq_advance(&ff->qp.sq); /* not full: checked above */
issued:
	io->pending = io->nr_cmds;
	io->cid = cid;
	io->ff = ff;
	io->inflight = true;
	ff->inflight++;
	return 0;
}

/*
 * fvn_queue() for everything but the common case below. Takes only what
 * fio gave, so that the in-line path need not keep the rest for it.
 */
static __attribute__((noinline)) enum fio_q_status queue_general(struct thread_data *td,
								 struct io_u *io_u)
{
	struct fvn_thread *t = td->io_ops_data;
	struct fvn_file *ff = FILE_ENG_DATA(io_u->file);
	struct fvn_io *io = &t->ios[io_u->index];
	int err;

	io->fail = FVN_FAIL_NONE;
	io->timed_out = false;
	/*
	 * verify_mode=compare: a read of fio's verify phase becomes a Compare
	 * with the data fio expects, which the controller checks.
	 */
	io->compare = false;
	if (ff->verify_compare && io_u->ddir == DDIR_READ && (io_u->flags & IO_U_F_VER_LIST)) {
		populate_verify_io_u(td, io_u);
		io->compare = true;
	}
	if (ff->broken) {
		io->fail = FVN_FAIL_QUEUE_BROKEN;
		io_u->error = ff->broken;
		return FIO_Q_COMPLETED;
	}
	err = fvn_issue(t, ff, io, io_u);
	if (err == EBUSY) {
		t->busy++;
		return FIO_Q_BUSY;
	}
	if (err) {
		io_u->error = err;
		return FIO_Q_COMPLETED;
	}
	t->staged[t->nr_staged++] = io_u;
	return FIO_Q_QUEUED;
}

static inline void ring_sq(struct fvn_thread *t, struct fvn_file *ff)
{
	if (ff->qp_live && nvme_sq_ring_doorbell(&ff->qp.sq))
		t->doorbells++;
}

/*
 * Issue time is the doorbell, not the queue call: that is when the device
 * can see the command. The engine sets FIO_ASYNCIO_SETS_ISSUE_TIME, so fio
 * does not stamp it again later, as it does io_uring's. The command
 * timeout counts from it too (fvn_issued_ms()), so every io_u gets it,
 * whether fio's statistics want it or not. One io_u, read into it.
 */
static inline void stamp_one(struct thread_data *td, struct fvn_thread *t, struct io_u *io_u)
{
	fio_gettime(&io_u->issue_time, NULL);
	if (__builtin_expect(t->issue_stats == FVN_ISSUE_QUEUED, 1)) {
		io_u_queued(td, io_u);
	} else if (t->issue_stats == FVN_ISSUE_QUEUED_LOGGED) {
		io_u_queued(td, io_u);
		td->last_issue = io_u->issue_time;
	}
}

/*
 * The first I/O of the job goes through commit (enum fvn_queue_rings),
 * which notes it here, so the in-line path has no test for it.
 */
static __attribute__((noinline)) void note_first_io(struct thread_data *td, struct fvn_thread *t)
{
	t->first_io_done = true;
	fvn_thread_set_fast(t);
	env_info("job '%s' thread %d: first I/O %.1f ms after the engine's set-up began",
		 td->o.name, td->thread_number,
		 (env_clock_ns() - env_eal_init_began_ns()) / 1e6);
}

/* fio's submit statistics for n io_us just rung. */
static inline void count_submitted(struct thread_data *td, struct fvn_thread *t, unsigned n)
{
	io_u_mark_submit(td, n);
	t->submitted += n;
}

/*
 * The common case, and nothing else: a read or write on a plain namespace
 * (no metadata, no PI, no special command or flag) that one command
 * carries, whole blocks inside the namespace, from fio's own buffer, with
 * room in the SQ. ff->fast_mask says the file allows it (all ones when
 * it does not, so that the alignment test fails). Builds the command in
 * the SQ and returns the SQ, whose doorbell is the caller's. NULL, having
 * changed nothing, for anything else and anything that would fail:
 * queue_general()'s.
 */
static inline __attribute__((always_inline)) struct nvme_sq *issue_plain(struct fvn_thread *t,
									  struct io_u *io_u)
{
	struct fvn_file *ff = FILE_ENG_DATA(io_u->file);
	struct fvn_io *io = &t->ios[io_u->index];
	struct nvme_sq *sq = &ff->qp.sq;
	uint64_t len = io_u->xfer_buflen, offset = io_u->offset;
	uint16_t tail = sq->tail, next = nvme_sq_next_slot(sq, tail);
	struct nvme_sqe *cmd;
	uint16_t cid;

	/*
	 * Unsigned, so that DDIR_INVAL (-1) is not a read or write either.
	 * Up to two memory pages need no PRP list (io->prp_max, worked out
	 * at set-up; 0 without a buffer); longer transfers use the list
	 * built at set-up, which fvn_set_data_pointer() in queue_general()
	 * picks. An open file takes that much in one command and has that
	 * much (fvn_file_set_fast()), so fast_end - len cannot wrap; len - 1:
	 * a length of 0 fails too.
	 */
	if (__builtin_expect((unsigned)io_u->ddir > DDIR_WRITE || len - 1 >= io->prp_max ||
			     ((offset | len) & ff->fast_mask) || offset > ff->fast_end - len ||
			     io_u->xfer_buf != io_u->buf || next == sq->head,
			     0))
		return NULL;
	/*
	 * Each word as soon as its values are known (see
	 * nvme_io_rw_prp_dptr()); word 0, with the command id, between the
	 * others: at QD1 on the loopback that was a few percent faster than
	 * with it last, for one instruction more (BENCHMARKS.md).
	 */
	cmd = &sq->sqes[tail];
	sq->tail = next;
	nvme_io_rw_prp_dptr(cmd, io->buf_iova,
			    len > io->prp_room ? io->prp2 : 0);
	cid = next_cid(t, io);
	nvme_io_rw_prp_head(cmd, nvme_sqe_word0_cid(ff->fast_word0[io_u->ddir], cid));
	nvme_io_rw_prp_range(cmd, offset >> ff->lba_shift, (uint32_t)(len >> ff->lba_shift));
	start_issue(ff, io, cid);
	ff->inflight++;
	return sq;
}

/*
 * fvn_queue()'s in-line command is in sq, and queue rings for it, but not
 * in line (FVN_RING_OUT_OF_LINE): through the shadow doorbell where there
 * is one, stamped and counted as commit would. The tail has just moved and
 * the queue pair works (ff->fast_mask), so ring_sq()'s tests are known.
 */
static __attribute__((noinline)) enum fio_q_status queue_ring_other(struct thread_data *td,
								    struct fvn_thread *t,
								    struct io_u *io_u,
								    struct nvme_sq *sq)
{
	if (nvme_sq_ring_new_tail(sq))
		t->doorbells++;
	stamp_one(td, t, io_u);
	count_submitted(td, t, 1);
	return FIO_Q_QUEUED;
}

enum fio_q_status fvn_queue(struct thread_data *td, struct io_u *io_u)
{
	struct fvn_thread *t = td->io_ops_data;
	struct nvme_sq *sq = issue_plain(t, io_u);

	if (__builtin_expect(!sq, 0))
		return queue_general(td, io_u);
	if (__builtin_expect(!t->ring_in_line, 0)) {
		/* fio batches: its commit rings, and its batches gain from a short path here. */
		if (t->queue_rings == FVN_RING_AT_COMMIT) {
			t->staged[t->nr_staged++] = io_u;
			return FIO_Q_QUEUED;
		}
		return queue_ring_other(td, t, io_u, sq);
	}
	/*
	 * The doorbell register now, which is what commit would do next,
	 * stamped and counted, without staging the io_u for it: one command
	 * and one register write (t->rung_at_queue). stamp_one() for
	 * FVN_ISSUE_QUEUED, known here.
	 */
	nvme_sq_ring_register(sq);
	t->rung_at_queue++;
	fio_gettime(&io_u->issue_time, NULL);
	io_u_queued(td, io_u);
	io_u_mark_submit(td, 1);
	return FIO_Q_QUEUED;
}

/* Stamps and tallies the io_us queued since the last commit, after their doorbells. */
static __attribute__((noinline)) int commit_staged(struct thread_data *td, struct fvn_thread *t)
{
	struct timespec now;
	unsigned i, n = t->nr_staged;

	/*
	 * The doorbell first: at QD1 every instruction before it is latency.
	 * One file, the common case, without the loop.
	 */
	if (__builtin_expect(t->only_file != NULL, 1))
		ring_sq(t, t->only_file);
	else
		for (i = 0; i < t->nr_files; i++)
			ring_sq(t, t->files[i]);
	if (__builtin_expect(n == 1, 1)) {
		stamp_one(td, t, t->staged[0]);
	} else {
		/* One clock read for the batch (stamp_one() says why it is taken here). */
		fio_gettime(&now, NULL);
		for (i = 0; i < n; i++) {
			t->staged[i]->issue_time = now;
			if (t->issue_stats != FVN_ISSUE_TIME_ONLY)
				io_u_queued(td, t->staged[i]);
		}
		if (t->issue_stats == FVN_ISSUE_QUEUED_LOGGED)
			td->last_issue = now;
	}
	count_submitted(td, t, n);
	t->nr_staged = 0;
	if (__builtin_expect(!t->first_io_done, 0))
		note_first_io(td, t);
	return 0;
}

int fvn_commit(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;

	/* fio calls commit before each getevents too, mostly with nothing new: that costs a test. */
	if (!t->nr_staged)
		return 0;
	return commit_staged(td, t);
}

/*
 * The io_u's last command completed, and something about it is not plain
 * success: a timeout, a failed command, or a transfer with host-side work.
 */
static void finish_unusual(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
			   struct io_u *io_u)
{
	if (io->timed_out) {
		/* Completed after Abort: fio learns of the timeout, not of the abort. */
		io_u->error = ETIMEDOUT;
		io->fail = FVN_FAIL_TIMEOUT;
		io_u->resid = io_u->xfer_buflen;
	} else if (io->status) {
		/*
		 * A failed child fails the whole io_u, never counted as done;
		 * what transferred is the children before the first failed one.
		 */
		io_u->error = -nvme_status_to_errno(io->status);
		io_u->resid = io_u->xfer_buflen - (unsigned long long)io->bad_cmd * ff->cmd_bytes;
	} else {
		io_u->error = 0;
		io_u->resid = 0;
		fvn_transfer_done(t, ff, io, io_u);
	}
}

/*
 * Any completion taken off ff's CQ: the io_u it finishes, or NULL (a child
 * with siblings still out, or a completion for no command in flight here,
 * which is counted, said and dropped). ff->inflight counts it.
 */
static __attribute__((noinline)) struct io_u *complete_cqe(struct fvn_thread *t,
							   struct fvn_file *ff,
							   const struct nvme_cqe *cqe)
{
	uint16_t cid = cqe->cid, status = nvme_cqe_status(cqe);
	struct fvn_io *io = fvn_cid_io(t, cid);
	/*
	 * cid - io->cid: the same index bits, so 0 there; the child above them
	 * when the generation is this issue's, and at least 1 << cid_shift
	 * (past any child) when not.
	 */
	unsigned child = (uint16_t)(cid - io->cid) >> t->child_shift;

	/*
	 * Only a command this io_u has on this queue pair now: a completion
	 * for an older generation, for an io_u already failed, or from another
	 * queue pair is late, or the controller is broken. Either way fio must
	 * not see it. One compare for generation and child (above).
	 */
	if ((unsigned)(cid & t->index_mask) >= t->nr_ios || child >= io->nr_cmds || io->ff != ff ||
	    !io->inflight) {
		t->stale++;
		env_info("%s: queue %u: dropped a completion for command id %u that is "
			 "not in flight (late, after recovery)", ff->bdf, ff->qp.qid, cid);
		return NULL;
	}
	if (status && (!io->status || child < io->bad_cmd)) {
		io->status = status;
		io->bad_cmd = (uint16_t)child;
	}
	if (!ff->plain && fvn_zone_append_write(ff, io->io_u))
		io->alba = nvme_cqe_alba(cqe);
	fvn_io_not_plain(io);
	if (--io->pending)
		return NULL;
	io->inflight = false;
	io->requeued_ms = 0;
	ff->inflight--;
	if (io->timed_out || io->status || !ff->plain)
		finish_unusual(t, ff, io, io->io_u);
	else {
		io->io_u->error = 0;
		io->io_u->resid = 0;
	}
	return io->io_u;
}

/* Out of line: due once per CQ doorbell batch, and a call costs the caller less than its code. */
static __attribute__((noinline)) void ring_cq(struct fvn_thread *t, struct nvme_cq *cq)
{
	if (nvme_cq_ring_doorbell(cq))
		t->cq_doorbells++;
}

/* By CQEs taken, not io_us finished: children free CQ slots too. */
static inline void ack_cqes(struct fvn_thread *t, struct nvme_cq *cq)
{
	if (__builtin_expect(nvme_cq_doorbell_due(cq), 0))
		ring_cq(t, cq);
}

/* Any file: up to max finished io_us into out[], from the CQEs ff's CQ has. */
static unsigned reap_cqes(struct fvn_thread *t, struct fvn_file *ff, struct io_u **out,
			  unsigned max)
{
	struct nvme_cq *cq = &ff->qp.cq;
	unsigned n = 0, taken = 0;

	while (n < max) {
		/* Read before taking: still ours until the CQ doorbell below. */
		const struct nvme_cqe *cqe = nvme_cq_head_cqe(cq);
		struct io_u *io_u;
		uint16_t cid, status;

		if (!nvme_io_take_cqe(&ff->qp.sq, cq, &cid, &status))
			break;
		taken++;
		io_u = complete_cqe(t, ff, cqe);
		if (io_u)
			out[n++] = io_u;
	}
	if (taken)
		ack_cqes(t, cq);
	return n;
}

/*
 * Whether @cqe on ff's CQ is the common completion: the one command of an
 * io_u in flight on ff, successful, with no host-side work after it. Any
 * index names an fvn_io (t->ios covers the command id's index bits), so
 * the lookup needs no bounds check. *iop: that fvn_io.
 */
static inline __attribute__((always_inline)) bool plain_completion(const struct fvn_thread *t,
								   const struct fvn_file *ff,
								   const struct nvme_cqe *cqe,
								   struct fvn_io **iop)
{
	uint32_t dw3 = nvme_cqe_dw3(cqe) | NVME_CQE_DW3_PHASE;
	struct fvn_io *io = fvn_cid_io(t, dw3);

	*iop = io;
	/* The command id of its one command, status 0 (see fvn_io.plain_cqe); and on this file. */
	return __builtin_expect(dw3 == io->plain_cqe && io->ff == ff, 1);
}

/*
 * The io_u of a plain completion, taken off the CQ. fio set its error and
 * resid to 0 when it queued it (td_io_queue()), and nothing of the engine
 * changes them for an io_u that completes this way, so they are left alone.
 * io->pending stays 1: nothing reads it once the io_u is not in flight.
 */
static inline __attribute__((always_inline)) struct io_u *finish_plain(struct fvn_file *ff,
								       struct fvn_io *io)
{
	fvn_io_plain_done(io);
	io->inflight = false;
	ff->inflight--;
	return io->io_u;
}

/*
 * After CQEs were taken off ff's CQ through a cursor: the CQ's head back,
 * the SQ head the newest of them reports (how far the controller has read
 * the SQ), and the CQ doorbell when due.
 */
static inline __attribute__((always_inline)) void put_cursor(struct fvn_thread *t,
							     struct fvn_file *ff,
							     const struct nvme_cq_cursor *c,
							     const struct nvme_cqe *newest)
{
	nvme_cq_cursor_put(&ff->qp.cq, c);
	nvme_sq_update_head(&ff->qp.sq, newest->sq_head);
	ack_cqes(t, &ff->qp.cq);
}

/*
 * reap_cqes() for a plain file whose queue pair works (ff->fast_open), in
 * line and only for plain completions. It stops at any other, which it
 * leaves on the CQ for reap_cqes(), and says so (*other). An empty look is
 * a few loads.
 */
static inline __attribute__((always_inline)) unsigned reap_plain(struct fvn_thread *t,
								 struct fvn_file *ff,
								 struct io_u **out, unsigned max,
								 bool *other)
{
	struct nvme_cq_cursor c = nvme_cq_cursor(&ff->qp.cq);
	const struct nvme_cqe *cqe, *newest = NULL;
	unsigned n = 0;

	while (n < max && nvme_cq_cursor_new(&c)) {
		struct fvn_io *io;

		cqe = nvme_cq_cursor_cqe(&c);
		if (!plain_completion(t, ff, cqe, &io)) {
			*other = true;
			break;
		}
		nvme_cq_cursor_advance(&c);
		newest = cqe;
		out[n++] = finish_plain(ff, io);
	}
	if (!n)
		return 0;
	put_cursor(t, ff, &c, newest);
	return n;
}

/*
 * fio asks for one completion at a time (iodepth_batch_complete_max
 * defaults to 1), so getevents mostly takes exactly one CQE: this does
 * that and nothing else, for t->fast_file (the thread's only file, plain,
 * its queue pair working), with no loop and no call, so that its caller
 * need save few registers. False when the CQ has nothing new or its next
 * CQE is not plain; the caller then looks the general way. The CQ
 * doorbell is the caller's (take_one_due()).
 */
static inline __attribute__((always_inline)) bool take_one(struct fvn_thread *t,
							   struct fvn_file *ff,
							   struct io_u **io_u)
{
	struct nvme_cq *cq = &ff->qp.cq;
	const struct nvme_cqe *cqe = nvme_cq_head_cqe(cq);
	uint32_t dw3 = nvme_cq_dw3_new(cq, cqe);
	struct fvn_io *io = fvn_cid_io(t, dw3);

	/*
	 * New, the command id of its one command, status 0 (see
	 * fvn_io.plain_cqe). On this file too: plain_cqe matches only while
	 * the io_u is in flight, and the thread has no other file.
	 */
	if (__builtin_expect(dw3 != io->plain_cqe, 0))
		return false;
	nvme_rmb(); /* the rest of the CQE after the phase tag */
	nvme_sq_update_head(&ff->qp.sq, cqe->sq_head);
	*io_u = finish_plain(ff, io);
	/* After finish_plain()'s stores, so that the doorbell's test follows it (see nvme_cq_advance()). */
	nvme_cq_advance(cq);
	return true;
}

/* take_one() took a CQE and the CQ doorbell is due: ring it, and getevents returns 1. */
static __attribute__((noinline)) int take_one_due(struct fvn_thread *t, struct nvme_cq *cq)
{
	ring_cq(t, cq);
	return 1;
}

/* Any file, any completion: reap_plain() where it can, reap_cqes() for the rest. */
static inline __attribute__((always_inline)) unsigned reap_any(struct fvn_thread *t,
							       struct fvn_file *ff,
							       struct io_u **out, unsigned max)
{
	bool other = !ff->fast_open;
	unsigned n = other ? 0 : reap_plain(t, ff, out, max, &other);

	if (__builtin_expect(other, 0) && n < max)
		n += reap_cqes(t, ff, out + n, max - n);
	return n;
}

/* fio's getevents timeout, in microseconds; UINT64_MAX: none (wait for min). */
static uint64_t timeout_us(const struct timespec *timeout)
{
	return timeout ? (uint64_t)timeout->tv_sec * 1000000 + (uint64_t)timeout->tv_nsec / 1000 :
			 UINT64_MAX;
}

/*
 * The longest one sleep lasts: the stall checks (cmd_timeout_ms, resets by
 * other threads, a device being removed) then run at least this often, as
 * they do every 100 ms while polling.
 */
#define SLEEP_SLICE_MS 100

/*
 * completion=interrupt or hybrid, and the CQs had too little: hybrid spins
 * on for poll_us from the first empty look of this getevents; then the
 * stall checks, and a sleep on the interrupts of at most SLEEP_SLICE_MS or
 * what is left of fio's timeout. Returns true when getevents should return
 * now: its timeout passed, or the stall checks delivered enough.
 * Out of line: completion=poll never comes here.
 */
static __attribute__((noinline)) bool wait_for_more(struct thread_data *td, struct fvn_thread *t,
						    unsigned min, unsigned max,
						    const struct timespec *timeout,
						    const struct timespec *start,
						    uint64_t *spin_from)
{
	uint64_t limit = timeout_us(timeout), used = 0;
	unsigned ms = SLEEP_SLICE_MS;

	if (timeout) {
		used = utime_since_now(start);
		if (used >= limit)
			return true;
		if ((limit - used + 999) / 1000 < ms)
			ms = (unsigned)((limit - used + 999) / 1000);
	}
	if (t->completion == FVN_COMPLETION_HYBRID) {
		uint64_t now = env_clock_ns();

		if (!*spin_from)
			*spin_from = now;
		if (now - *spin_from < t->poll_ns)
			return false;
	}
	fvn_check_stalls(td, t, max - t->nr_events); /* adds to nr_events */
	if (t->nr_events >= min || t->nr_events >= max)
		return true;
	fvn_sleep(t, ms);
	return false;
}

/*
 * getevents when one look at the CQs did not give fio its minimum: look
 * again until they do, with the stall checks, fio's timeout, and sleeps in
 * the sleeping modes. Keeps the events already in t->events. Out of line,
 * so that the common case below saves no registers this loop needs.
 */
static __attribute__((noinline)) int getevents_wait(struct fvn_thread *t, unsigned min,
						     unsigned max, const struct timespec *timeout)
{
	struct thread_data *td = t->td;
	struct timespec start;
	uint64_t spin_from = 0;
	unsigned i;

	if (timeout)
		fio_gettime(&start, NULL);
	for (;;) {
		for (i = 0; i < t->nr_files; i++) {
			struct fvn_file *ff = t->files[i];

			if (ff->qp_live && ff->inflight)
				t->nr_events += reap_any(t, ff, t->events + t->nr_events,
							 max - t->nr_events);
		}
		if (t->nr_events >= min || t->nr_events >= max)
			break;
		if (__builtin_expect(t->completion != FVN_COMPLETION_POLL, 0)) {
			if (wait_for_more(td, t, min, max, timeout, &start, &spin_from))
				break;
			continue;
		}
		if (!(++t->empty_polls & 255)) {
			fvn_check_stalls(td, t, max - t->nr_events); /* adds to nr_events */
			if (t->nr_events >= min || t->nr_events >= max)
				break;
		}
		if (timeout && utime_since_now(&start) >= timeout_us(timeout))
			break;
	}
	return (int)t->nr_events;
}

/*
 * getevents for everything but one plain completion: more than one asked
 * for, several files, a file that is not plain, or nothing there yet.
 */
static __attribute__((noinline)) int getevents_general(struct fvn_thread *t, unsigned min,
						       unsigned max, const struct timespec *timeout)
{
	struct fvn_file *ff = t->only_file;

	/* One look first: what fio asks for may be there already. */
	if (ff && ff->fast_open) {
		unsigned n = reap_any(t, ff, t->events, max);

		t->nr_events = n;
		if (n >= min)
			return (int)n;
	} else {
		t->nr_events = 0;
	}
	return getevents_wait(t, min, max, timeout);
}

int fvn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
		  const struct timespec *timeout)
{
	struct fvn_thread *t = td->io_ops_data;
	struct fvn_file *ff = t->fast_file;
	struct io_u *io_u;

	/*
	 * The common case, with nothing else in this function, so that it
	 * saves no registers: a job on one plain namespace, fio asking for
	 * one completion (its default), and that completion there.
	 */
	if (__builtin_expect(ff && max == 1, 1)) {
		if (__builtin_expect(take_one(t, ff, &io_u), 1)) {
			/* t->nr_events counts only inside getevents_wait(): not kept here. */
			t->events[0] = io_u;
			if (__builtin_expect(nvme_cq_doorbell_due(&ff->qp.cq), 0))
				return take_one_due(t, &ff->qp.cq);
			return 1;
		}
		/*
		 * Nothing new (at QD1, mostly), or not plain: take_one() had
		 * the look getevents_general() would take first, so straight
		 * to the loop, which looks the general way.
		 */
		t->nr_events = 0;
		return getevents_wait(t, min, max, timeout);
	}
	return getevents_general(t, min, max, timeout);
}

struct io_u *fvn_event(struct thread_data *td, int ev)
{
	struct fvn_thread *t = td->io_ops_data;

	return t->events[ev];
}

/*
 * fio prints this after "fio: io_u error on file ...", and frees it. Text for
 * every io_u that failed: fio before 3.38 prints a NULL as "fio: (null)".
 */
char *fvn_errdetails(FVN_ERRDETAILS_PARAMS(io_u))
{
	struct fvn_file *ff = io_u->file ? FILE_ENG_DATA(io_u->file) : NULL;
	struct fvn_io *io;
	char *text;

	if (!ff || !ff->thread || io_u->index >= ff->thread->nr_ios)
		return strdup("fio-vfio-nvme: no details (the file was already closed)");
	io = &ff->thread->ios[io_u->index];
	text = malloc(256);
	if (!text)
		return NULL;
	switch (io->fail) {
	case FVN_FAIL_TIMEOUT:
		snprintf(text, 256, "%s: command id %u on queue %u did not complete within "
			 "cmd_timeout_ms=%u; the engine ended it with Abort, a new queue pair or a "
			 "controller reset (its log says which)", ff->bdf, io->cid, ff->qp.qid, ff->thread->cmd_timeout_ms);
		break;
	case FVN_FAIL_QUEUE_BROKEN:
		snprintf(text, 256, "%s: queue %u cannot be used: %s", ff->bdf, ff->qp.qid,
			 ff->broken_why ? ff->broken_why : "failed earlier");
		break;
	case FVN_FAIL_OUT_OF_RANGE:
		snprintf(text, 256, "%s ns %u: offset %llu + %llu bytes is not whole %u-byte blocks "
			 "inside the namespace's %llu blocks", ff->bdf, ff->nsid, io_u->offset,
			 io_u->xfer_buflen, ff->lba_size, (unsigned long long)ff->blocks);
		break;
	case FVN_FAIL_UNSUPPORTED:
		snprintf(text, 256, "the engine has no NVMe command for this data direction");
		break;
	case FVN_FAIL_DATA_POINTER:
		snprintf(text, 256, "%s: the buffer at %p (%llu bytes) cannot be described to the "
			 "controller (PRPs, SGL or metadata pointer): an address is not dword aligned, "
			 "or it is longer than the lists built at set-up", ff->bdf, io_u->xfer_buf,
			 io_u->xfer_buflen);
		break;
	case FVN_FAIL_HOST_PI: {
		char status[64], what[96];

		nvme_status_format(status, sizeof(status), io->status);
		nvme_pi_error_text(&io->pi_err, what, sizeof(what));
		snprintf(text, 256, "%.16s ns %u: %.64s, found by the host's PI check (pi_act=0): "
			 "%.96s", ff->bdf, ff->nsid, status, what);
		break;
	}
	default:
		if (io->status && io->nr_cmds > 1) {
			int used = snprintf(text, 256, "%s: command %u of the %u this io_u was split "
					    "into (at most %u bytes each): ", ff->bdf, io->bad_cmd + 1,
					    io->nr_cmds, ff->cmd_bytes);

			nvme_status_format(text + used, 256 - (size_t)used, io->status);
		} else if (io->status)
			nvme_status_format(text, 256, io->status);
		else
			snprintf(text, 256, "%s: error %d without an NVMe status", ff->bdf,
				 io_u->error);
	}
	return text;
}

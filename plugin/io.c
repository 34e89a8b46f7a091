/* SPDX-License-Identifier: MIT */
/*
 * The hot path: queue stages one SQE, commit rings each touched SQ doorbell
 * once per batch and stamps the batch's issue time, getevents polls the
 * completion queues. No locks: each thread owns its queue pairs.
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
 * Inlined into fvn_queue(), the hot caller; fvn_issue() below is the same
 * for stall.c, which issues again after a recovery.
 */
static inline __attribute__((always_inline)) int issue_io(struct fvn_thread *t,
							  struct fvn_file *ff, struct fvn_io *io,
							  struct io_u *io_u)
{
	struct nvme_sqe *cmd;
	uint64_t slba, nlb;
	uint16_t cid;
	int ret;

	if (nvme_sq_full(&ff->qp.sq))
		return EBUSY;
	/*
	 * A new generation on every use, as Linux's nvme_cid() does: a late
	 * completion of this io_u's previous command (one that timed out and
	 * was recovered) then names a command id no longer in use.
	 */
	io->gen++;
	cid = (uint16_t)((uint32_t)io->gen << t->cid_shift | (uint32_t)io_u->index << t->child_shift);
	io->nr_cmds = 1;
	io->status = 0;		/* also when stall.c issues it again after a recovery */
	io->bad_cmd = 0;
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
		if (__builtin_expect(!ff->plain || nlb > ff->max_cmd_blocks, 0)) {
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

int fvn_issue(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io, struct io_u *io_u)
{
	return issue_io(t, ff, io, io_u);
}

enum fio_q_status fvn_queue(struct thread_data *td, struct io_u *io_u)
{
	struct fvn_thread *t = td->io_ops_data;
	struct fvn_file *ff = FILE_ENG_DATA(io_u->file);
	struct fvn_io *io = &t->ios[io_u->index];
	int err;

	io->fail = FVN_FAIL_NONE;	/* the status too, in fvn_issue() */
	io->timed_out = false;
	/*
	 * verify_mode=compare: a read of fio's verify phase becomes a Compare
	 * with the data fio expects, which the controller checks.
	 */
	io->compare = false;
	if (__builtin_expect(ff->verify_compare, 0) && io_u->ddir == DDIR_READ &&
	    (io_u->flags & IO_U_F_VER_LIST)) {
		populate_verify_io_u(td, io_u);
		io->compare = true;
	}
	if (ff->broken) {
		io->fail = FVN_FAIL_QUEUE_BROKEN;
		io_u->error = ff->broken;
		return FIO_Q_COMPLETED;
	}
	err = issue_io(t, ff, io, io_u);
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

int fvn_commit(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;
	struct timespec now;
	uint64_t now_ms;
	unsigned i;

	if (!t->nr_staged)
		return 0;
	/* The doorbell first: at QD1 every instruction before it is latency. */
	for (i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];

		if (ff->qp_live && nvme_sq_ring_doorbell(&ff->qp.sq))
			t->doorbells++;
	}
	/*
	 * Issue time is the doorbell, not the queue call: that is when the
	 * device can see it. The engine sets FIO_ASYNCIO_SETS_ISSUE_TIME, so
	 * fio does not stamp it again later, as it does io_uring's.
	 */
	fio_gettime(&now, NULL);
	now_ms = fvn_ms_of(&now);
	if (fio_fill_issue_time(td)) {
		for (i = 0; i < t->nr_staged; i++) {
			struct io_u *io_u = t->staged[i];

			t->ios[io_u->index].submitted_ms = now_ms;
			io_u->issue_time = now;
			io_u_queued(td, io_u);
		}
		if (td->o.read_iolog_file)
			td->last_issue = now;
	} else {
		for (i = 0; i < t->nr_staged; i++)
			t->ios[t->staged[i]->index].submitted_ms = now_ms;
	}
	io_u_mark_submit(td, t->nr_staged);
	t->submitted += t->nr_staged;
	t->nr_staged = 0;
	if (__builtin_expect(!t->first_io_done, 0)) {
		t->first_io_done = true;
		env_info("job '%s' thread %d: first I/O %.1f ms after the engine's set-up began",
			 td->o.name, td->thread_number,
			 (env_clock_ns() - env_eal_init_began_ns()) / 1e6);
	}
	return 0;
}

/* The io_u's last command completed: its result for fio. */
static void finish_io(struct fvn_thread *t, struct fvn_file *ff, struct fvn_io *io,
		      struct io_u *io_u)
{
	io->inflight = false;
	ff->inflight--;
	if (__builtin_expect(io->timed_out, 0)) {
		/* Completed after Abort: fio learns of the timeout, not of the abort. */
		io_u->error = ETIMEDOUT;
		io->fail = FVN_FAIL_TIMEOUT;
		io_u->resid = io_u->xfer_buflen;
	} else if (__builtin_expect(io->status, 0)) {
		/*
		 * A failed child fails the whole io_u, never counted as done;
		 * what transferred is the children before the first failed one.
		 */
		io_u->error = -nvme_status_to_errno(io->status);
		io_u->resid = io_u->xfer_buflen - (unsigned long long)io->bad_cmd * ff->cmd_bytes;
	} else {
		io_u->error = 0;
		io_u->resid = 0;
		if (__builtin_expect(!ff->plain, 0))
			fvn_transfer_done(t, ff, io, io_u);
	}
}

/* Inlined into the polling loop of fvn_getevents(): an empty poll is a few loads. */
static inline __attribute__((always_inline)) unsigned reap_cqes(struct fvn_thread *t,
								struct fvn_file *ff, unsigned max)
{
	struct nvme_cq *cq = &ff->qp.cq;
	unsigned n = 0, taken = 0;
	uint16_t cid, status;

	while (n < max) {
		/* Read before taking: still ours until the CQ doorbell below. */
		const struct nvme_cqe *cqe = nvme_cq_head_cqe(cq);
		unsigned slot, child, idx;
		struct fvn_io *io;

		if (!nvme_io_take_cqe(&ff->qp.sq, cq, &cid, &status))
			break;
		slot = cid & t->cid_index_mask;
		child = slot & t->child_mask;
		idx = slot >> t->child_shift;
		io = &t->ios[idx];

		taken++;
		/*
		 * Only a command this io_u has on this queue pair now: a
		 * completion for an older generation, for an io_u already
		 * failed, or from another queue pair is late, or the
		 * controller is broken. Either way fio must not see it.
		 */
		/*
		 * One compare for generation, io_u and child: io->cid has child
		 * bits 0, so cid - io->cid is the child when the rest matches,
		 * and at least 1 << cid_shift (more than any nr_cmds) when not.
		 */
		if (__builtin_expect(idx >= t->nr_ios ||
				     (uint16_t)(cid - io->cid) >= io->nr_cmds || io->ff != ff ||
				     !io->inflight, 0)) {
			t->stale++;
			env_info("%s: queue %u: dropped a completion for command id %u that is "
				 "not in flight (late, after recovery)", ff->bdf, ff->qp.qid, cid);
			continue;
		}
		if (__builtin_expect(status != 0, 0) && (!io->status || child < io->bad_cmd)) {
			io->status = status;
			io->bad_cmd = (uint16_t)child;
		}
		if (__builtin_expect(!ff->plain, 0) && fvn_zone_append_write(ff, io->io_u))
			io->alba = nvme_cqe_alba(cqe);
		if (--io->pending)
			continue;
		finish_io(t, ff, io, io->io_u);
		t->events[t->nr_events + n++] = io->io_u;
	}
	/* By CQEs taken, not io_us finished: children free CQ slots too. */
	if (taken && nvme_cq_doorbell_due(cq) && nvme_cq_ring_doorbell(cq))
		t->cq_doorbells++;
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
static __attribute__((noinline)) int getevents_wait(struct thread_data *td, struct fvn_thread *t,
						     unsigned min, unsigned max,
						     const struct timespec *timeout)
{
	struct timespec start;
	uint64_t spin_from = 0;
	unsigned i;

	if (timeout)
		fio_gettime(&start, NULL);
	for (;;) {
		for (i = 0; i < t->nr_files; i++) {
			struct fvn_file *ff = t->files[i];

			if (ff->qp_live && ff->inflight)
				t->nr_events += reap_cqes(t, ff, max - t->nr_events);
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

int fvn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
		  const struct timespec *timeout)
{
	struct fvn_thread *t = td->io_ops_data;

	t->nr_events = 0;
	/*
	 * The common case in one look: a job on one namespace, and what fio
	 * asks for (by default one completion) already there.
	 */
	if (__builtin_expect(t->nr_files == 1, 1)) {
		struct fvn_file *ff = t->files[0];

		if (ff->qp_live && ff->inflight) {
			t->nr_events = reap_cqes(t, ff, max);
			if (t->nr_events >= min)
				return (int)t->nr_events;
		}
	}
	return getevents_wait(td, t, min, max, timeout);
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

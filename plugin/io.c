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

#include "env/clock.h"
#include "env/eal.h"
#include "env/log.h"
#include "nvme/io_cmd.h"
#include "nvme/status.h"
#include "plugin/engine.h"

/* Data pointer of a read or write: the prebuilt list when it fits. */
static int set_data_pointer(struct fvn_thread *t, struct fvn_io *io, struct io_u *io_u,
			    struct nvme_sqe *cmd)
{
	if (io_u->xfer_buf == io_u->buf && io->prp_built_len >= io_u->xfer_buflen)
		return nvme_prp_reuse(io->buf_iova, io_u->xfer_buflen, io->prp_built_len,
				      t->page_size, &io->prp, &cmd->prp1, &cmd->prp2);
	/* A buffer fio moved (partial transfers): build afresh, same list memory. */
	io->prp_built_len = 0;
	return nvme_prp_build(t->buf_iova + ((uint8_t *)io_u->xfer_buf - (uint8_t *)t->buf),
			      io_u->xfer_buflen, t->page_size, &io->prp, &cmd->prp1, &cmd->prp2);
}

enum fio_q_status fvn_queue(struct thread_data *td, struct io_u *io_u)
{
	struct fvn_thread *t = td->io_ops_data;
	struct fvn_file *ff = FILE_ENG_DATA(io_u->file);
	struct fvn_io *io = &t->ios[io_u->index];
	uint64_t mask = (UINT64_C(1) << ff->lba_shift) - 1;
	uint16_t cid = (uint16_t)io_u->index;
	struct nvme_sqe cmd;

	if (ff->broken) {
		io_u->error = ff->broken;
		return FIO_Q_COMPLETED;
	}
	if (nvme_sq_full(&ff->qp.sq)) {
		t->busy++;
		return FIO_Q_BUSY;
	}
	io->status = 0;

	switch (io_u->ddir) {
	case DDIR_READ:
	case DDIR_WRITE:
	case DDIR_TRIM:
		/* Whole blocks, and never past the namespace, whatever fio asks. */
		if ((io_u->offset | io_u->xfer_buflen) & mask || !io_u->xfer_buflen ||
		    (io_u->offset + io_u->xfer_buflen) >> ff->lba_shift > ff->blocks) {
			io_u->error = EINVAL;
			return FIO_Q_COMPLETED;
		}
		if (io_u->ddir == DDIR_TRIM) {
			io->dsm->cattr = 0;
			io->dsm->slba = io_u->offset >> ff->lba_shift;
			io->dsm->nlb = (uint32_t)(io_u->xfer_buflen >> ff->lba_shift);
			nvme_io_dsm_deallocate_cmd(&cmd, cid, ff->nsid, io->dsm_iova, 1);
			break;
		}
		nvme_io_rw_cmd(&cmd, io_u->ddir == DDIR_READ ? NVME_NVM_READ : NVME_NVM_WRITE, cid,
			       ff->nsid, io_u->offset >> ff->lba_shift,
			       (uint32_t)(io_u->xfer_buflen >> ff->lba_shift));
		if (set_data_pointer(t, io, io_u, &cmd)) {
			io_u->error = EINVAL;
			return FIO_Q_COMPLETED;
		}
		break;
	case DDIR_SYNC:
	case DDIR_DATASYNC:
		nvme_io_flush_cmd(&cmd, cid, ff->nsid);
		break;
	default:
		io_u->error = EOPNOTSUPP;
		return FIO_Q_COMPLETED;
	}

	(void)nvme_sq_copy_cmd(&ff->qp.sq, &cmd); /* not full: checked above */
	ff->inflight++;
	io->inflight = true;
	t->staged[t->nr_staged++] = io_u;
	return FIO_Q_QUEUED;
}

int fvn_commit(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;
	struct fio_file *f;
	struct timespec now;
	uint64_t now_ms;
	unsigned i;

	if (!t->nr_staged)
		return 0;
	/* The doorbell first: at QD1 every instruction before it is latency. */
	for_each_file(td, f, i) {
		struct fvn_file *ff = FILE_ENG_DATA(f);

		if (ff && ff->qp_live && nvme_sq_ring_doorbell(&ff->qp.sq))
			t->doorbells++;
	}
	now_ms = env_clock_coarse_ms();
	for (i = 0; i < t->nr_staged; i++)
		t->ios[t->staged[i]->index].submitted_ms = now_ms;
	/* Issue time is the doorbell, not the queue call: that is when the device can see it. */
	if (fio_fill_issue_time(td)) {
		fio_gettime(&now, NULL);
		for (i = 0; i < t->nr_staged; i++) {
			t->staged[i]->issue_time = now;
			io_u_queued(td, t->staged[i]);
		}
		if (td->o.read_iolog_file)
			td->last_issue = now;
	}
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

/* Reaps up to max completions of one queue pair into t->events. */
static unsigned reap(struct thread_data *td, struct fvn_thread *t, struct fvn_file *ff,
		     unsigned max)
{
	struct nvme_cq *cq = &ff->qp.cq;
	unsigned n = 0;
	uint16_t cid, status;

	while (n < max && nvme_io_take_cqe(&ff->qp.sq, cq, &cid, &status)) {
		struct io_u *io_u;
		struct fvn_io *io;

		if (cid >= td->io_u_all.nr) {
			/* Cannot be ours: the controller or its emulation is broken. */
			env_err("%s: completion with unknown command id %u on queue %u; ignored",
				ff->ctrl->nvme.name, cid, ff->qp.qid);
			continue;
		}
		io_u = td->io_u_all.io_us[cid];
		io = &t->ios[cid];
		if (!io->inflight)
			continue; /* completed after we failed it on timeout: fio has it back */
		io->inflight = false;
		io->status = status;
		io_u->error = status ? -nvme_status_to_errno(status) : 0;
		io_u->resid = status ? io_u->xfer_buflen : 0;
		ff->inflight--;
		t->events[t->nr_events + n++] = io_u;
	}
	if (n && nvme_cq_doorbell_due(cq) && nvme_cq_ring_doorbell(cq))
		t->cq_doorbells++;
	return n;
}

int fvn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
		  const struct timespec *timeout)
{
	struct fvn_thread *t = td->io_ops_data;
	struct timespec start;
	struct fio_file *f;
	unsigned i;

	t->nr_events = 0;
	if (timeout)
		fio_gettime(&start, NULL);
	for (;;) {
		for_each_file(td, f, i) {
			struct fvn_file *ff = FILE_ENG_DATA(f);

			if (ff && ff->qp_live && ff->inflight)
				t->nr_events += reap(td, t, ff, max - t->nr_events);
		}
		if (t->nr_events >= min || t->nr_events >= max)
			break;
		if (!(++t->empty_polls & 255)) {
			t->nr_events += fvn_check_stalls(td, t, max - t->nr_events);
			if (t->nr_events >= min || t->nr_events >= max)
				break;
		}
		if (timeout && utime_since_now(&start) >=
			       (uint64_t)timeout->tv_sec * 1000000 + timeout->tv_nsec / 1000)
			break;
	}
	return (int)t->nr_events;
}

struct io_u *fvn_event(struct thread_data *td, int ev)
{
	struct fvn_thread *t = td->io_ops_data;

	return t->events[ev];
}

char *fvn_errdetails(FVN_ERRDETAILS_PARAMS(io_u))
{
	struct fvn_file *ff = io_u->file ? FILE_ENG_DATA(io_u->file) : NULL;
	struct fvn_io *io;
	char *text;

	if (!ff || !ff->thread || io_u->index >= ff->thread->nr_ios)
		return NULL;
	io = &ff->thread->ios[io_u->index];
	if (!io->status)
		return NULL;
	text = malloc(192);
	if (text)
		nvme_status_format(text, 192, io->status);
	return text;
}

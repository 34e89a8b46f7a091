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

#include "env/log.h"
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
	struct nvme_sqe cmd = { .cid = (uint16_t)io_u->index, .nsid = ff->nsid };

	if (nvme_sq_full(&ff->qp.sq)) {
		t->busy++;
		return FIO_Q_BUSY;
	}
	io->status = 0;

	switch (io_u->ddir) {
	case DDIR_READ:
	case DDIR_WRITE:
	case DDIR_TRIM:
		if ((io_u->offset | io_u->xfer_buflen) & mask || !io_u->xfer_buflen) {
			io_u->error = EINVAL;
			return FIO_Q_COMPLETED;
		}
		if (io_u->ddir == DDIR_TRIM) {
			io->dsm->cattr = 0;
			io->dsm->slba = io_u->offset >> ff->lba_shift;
			io->dsm->nlb = (uint32_t)(io_u->xfer_buflen >> ff->lba_shift);
			cmd.opcode = NVME_NVM_DSM;
			cmd.prp1 = io->dsm_iova;
			cmd.cdw10 = nvme_dsm_cdw10(1);
			cmd.cdw11 = NVME_DSM_AD;
			break;
		}
		cmd.opcode = io_u->ddir == DDIR_READ ? NVME_NVM_READ : NVME_NVM_WRITE;
		cmd.cdw10 = nvme_rw_cdw10(io_u->offset >> ff->lba_shift);
		cmd.cdw11 = nvme_rw_cdw11(io_u->offset >> ff->lba_shift);
		cmd.cdw12 = nvme_rw_cdw12((uint32_t)(io_u->xfer_buflen >> ff->lba_shift), 0);
		if (set_data_pointer(t, io, io_u, &cmd)) {
			io_u->error = EINVAL;
			return FIO_Q_COMPLETED;
		}
		break;
	case DDIR_SYNC:
	case DDIR_DATASYNC:
		cmd.opcode = NVME_NVM_FLUSH;
		break;
	default:
		io_u->error = EOPNOTSUPP;
		return FIO_Q_COMPLETED;
	}

	(void)nvme_sq_copy_cmd(&ff->qp.sq, &cmd); /* not full: checked above */
	ff->inflight++;
	t->staged[t->nr_staged++] = io_u;
	return FIO_Q_QUEUED;
}

int fvn_commit(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;
	struct fio_file *f;
	struct timespec now;
	unsigned i;

	if (!t->nr_staged)
		return 0;
	for_each_file(td, f, i) {
		struct fvn_file *ff = FILE_ENG_DATA(f);

		if (ff && ff->qp_live && nvme_sq_ring_doorbell(&ff->qp.sq))
			t->doorbells++;
	}
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
	return 0;
}

/* Reaps up to max completions of one queue pair into t->events. */
static unsigned reap(struct thread_data *td, struct fvn_thread *t, struct fvn_file *ff,
		     unsigned max)
{
	struct nvme_cq *cq = &ff->qp.cq;
	unsigned n = 0;

	while (n < max && nvme_cqe_pending(cq)) {
		const struct nvme_cqe *cqe = nvme_cq_head_cqe(cq);
		struct io_u *io_u;
		struct fvn_io *io;
		uint16_t status;

		nvme_sq_update_head(&ff->qp.sq, cqe->sq_head);
		if (cqe->cid >= td->io_u_all.nr) {
			/* Cannot be ours: the controller or its emulation is broken. */
			env_err("%s: completion with unknown command id %u on queue %u; ignored",
				ff->ctrl->nvme.name, cqe->cid, ff->qp.qid);
			nvme_cq_advance(cq);
			continue;
		}
		io_u = td->io_u_all.io_us[cqe->cid];
		io = &t->ios[cqe->cid];
		status = nvme_cqe_status(cqe);
		io->status = status;
		io_u->error = status ? -nvme_status_to_errno(status) : 0;
		io_u->resid = status ? io_u->xfer_buflen : 0;
		nvme_cq_advance(cq);
		ff->inflight--;
		t->events[t->nr_events + n++] = io_u;
	}
	if (n)
		nvme_cq_ring_doorbell(cq);
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
		t->empty_polls++;
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

char *fvn_errdetails(struct io_u *io_u)
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

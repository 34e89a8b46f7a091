/* SPDX-License-Identifier: MIT */
/*
 * What keeps a job from hanging at 99.9%, and what keeps a soak run alive:
 * commands that do not complete, controllers that report fatal status or
 * were reset, and devices that are being removed. Runs from getevents only
 * after a run of empty polls, so a healthy job never pays for it.
 *
 * A command that outlives cmd_timeout_ms climbs a ladder, as in Linux's
 * nvme_timeout(): the CQ has just been looked at, so first an admin Abort;
 * if the command is still in flight after a short wait (or the controller
 * says it will not abort it), its queue pair is deleted and created again,
 * which ends every command of it; if the controller does not answer that,
 * it is reset (CC.EN=0) and every thread's queue pairs on it are created
 * again. Only then, when the device can no longer touch its buffer, does
 * fio get the io_u back, failed with ETIMEDOUT. The other commands that
 * were in flight on the queue pair are issued again, not failed: they did
 * not time out. If even the reset fails, bus mastering is turned off before
 * anything is handed back.
 */
#include <errno.h>
#include <inttypes.h>

#include "fio.h"

#include "env/log.h"
#include "nvme/regs.h"
#include "plugin/completion.h"
#include "plugin/engine.h"

#define STALL_CHECK_INTERVAL_MS 100
/* How long an Abort the controller accepted may take to complete the command. */
#define ABORT_WAIT_MS 1000

static const char *ddir_name(enum fio_ddir ddir)
{
	switch (ddir) {
	case DDIR_READ:
		return "read";
	case DDIR_WRITE:
		return "write";
	case DDIR_TRIM:
		return "deallocate";
	default:
		return "flush";
	}
}

/* Hands io_u back to fio now, or at the next look if events has no room. */
static unsigned deliver(struct fvn_thread *t, struct fvn_io *io, int err, unsigned *room)
{
	io->io_u->error = err;
	io->io_u->resid = io->io_u->xfer_buflen;
	if (!*room) {
		io->deliver_later = true;
		t->last_check_ms = 0;
		return 0;
	}
	t->events[t->nr_events++] = io->io_u;
	(*room)--;
	return 1;
}

/*
 * Marks a queue pair broken, once: every I/O on it fails from now on, with
 * the reason in fio's error details. Its commands in flight are failed by
 * the caller, once the device can no longer touch them.
 */
static void break_file(struct fvn_file *ff, int err, const char *why)
{
	uint32_t csts;

	if (ff->broken)
		return;
	ff->broken = err;
	ff->broken_why = why;
	fvn_file_set_fast(ff);
	csts = ff->ctrl ? nvme_reg_read32(ff->ctrl->nvme.regs, NVME_REG_CSTS) : UINT32_MAX;
	env_err("%s: queue %u fails its I/O from now on: %s (CSTS 0x%08x: RDY=%u CFS=%u SHST=%u)",
		ff->bdf, ff->qp.qid, why, csts, csts & NVME_CSTS_RDY ? 1 : 0,
		csts & NVME_CSTS_CFS ? 1 : 0, nvme_csts_shst(csts));
}

/*
 * The next command in flight on ff's queue pair from io index *i on, taken
 * off it (the caller issues it again or hands it back); NULL when none is
 * left. Only once the controller can no longer touch them.
 */
static struct fvn_io *take_inflight(struct fvn_thread *t, struct fvn_file *ff, unsigned *i)
{
	for (; *i < t->nr_ios; (*i)++) {
		struct fvn_io *io = &t->ios[*i];

		if (io->inflight && io->ff == ff) {
			(*i)++;
			fvn_io_not_plain(io);
			io->inflight = false;
			io->requeued_ms = 0; /* stall.c sets it again when it issues io again */
			ff->inflight--;
			return io;
		}
	}
	return NULL;
}

/*
 * After the controller dropped every command of ff's queue pair (queue
 * deleted or controller reset) and the pair exists again: the commands
 * that timed out go back to fio failed, the others are issued again.
 */
static unsigned settle_after_recovery(struct fvn_thread *t, struct fvn_file *ff, unsigned *room)
{
	uint64_t now = fvn_now_ms();
	struct fvn_io *io;
	unsigned n = 0;

	for (unsigned i = 0; (io = take_inflight(t, ff, &i));) {
		if (io->timed_out || fvn_issue(t, ff, io, io->io_u)) {
			io->fail = FVN_FAIL_TIMEOUT;
			n += deliver(t, io, ETIMEDOUT, room);
			continue;
		}
		io->requeued_ms = now;
		t->requeued++;
		env_info("%s: queue %u: %s at LBA %llu issued again as command id %u",
			 ff->bdf, ff->qp.qid, ddir_name(io->io_u->ddir),
			 io->io_u->offset / ff->block_bytes, io->cid);
	}
	if (nvme_sq_ring_doorbell(&ff->qp.sq))
		t->doorbells++;
	ff->abort_deadline_ms = 0;
	return n;
}

/* Fails every command in flight on ff: only once the device cannot touch them. */
static unsigned fail_inflight(struct fvn_thread *t, struct fvn_file *ff, unsigned *room)
{
	struct fvn_io *io;
	unsigned n = 0;

	for (unsigned i = 0; (io = take_inflight(t, ff, &i));) {
		io->fail = io->timed_out ? FVN_FAIL_TIMEOUT : FVN_FAIL_QUEUE_BROKEN;
		n += deliver(t, io, io->timed_out ? ETIMEDOUT : ff->broken, room);
	}
	return n;
}

/*
 * The device is going away or gone: stop its DMA, fail what was in flight
 * and give up this thread's hold on it at once, so that the kernel can
 * complete the removal as soon as every job using it has done the same.
 */
static unsigned give_up_device(struct fvn_thread *t, struct fvn_file *ff, const char *why,
			       unsigned *room)
{
	struct fvn_ctrl *c = ff->ctrl;
	unsigned n;

	env_pci_stop_dma(&c->pci);
	break_file(ff, ENODEV, why);
	n = fail_inflight(t, ff, room);
	nvme_qpair_release(&c->nvme, &ff->qp);
	ff->qp_live = false;
	fvn_file_set_fast(ff);
	fvn_irq_detach(ff);
	ff->released = true;
	ff->ctrl = NULL;
	fvn_ctrl_put(c);
	return n;
}

/*
 * Recovery failed: the controller may still be working on commands whose
 * buffers fio is about to get back, so it may not master the bus any more.
 * Every thread's queue pairs on it then fail (ctrl state FAILED).
 */
static unsigned give_up_controller(struct fvn_thread *t, struct fvn_file *ff, const char *why,
				   unsigned *room)
{
	env_pci_stop_dma(&ff->ctrl->pci);
	ff->ctrl->nvme.state = NVME_CTRL_FAILED;
	break_file(ff, EIO, why);
	return fail_inflight(t, ff, room);
}

/* A reset (ours or another thread's) dropped ff's queues: create them again. */
static unsigned revive(struct fvn_thread *t, struct fvn_file *ff, unsigned *room)
{
	int ret = nvme_qpair_revive(&ff->ctrl->nvme, &ff->qp);

	if (ret)
		return give_up_controller(t, ff, "its queue pair could not be created again after "
					  "a controller reset", room);
	env_warn("%s: queue %u created again after the controller reset", ff->bdf, ff->qp.qid);
	return settle_after_recovery(t, ff, room);
}

static unsigned reset_controller(struct fvn_thread *t, struct fvn_file *ff, uint32_t seen_epoch,
				 unsigned *room)
{
	t->resets++;
	if (nvme_ctrl_reset(&ff->ctrl->nvme, seen_epoch))
		return give_up_controller(t, ff, "the controller did not come back from a reset",
					  room);
	return revive(t, ff, room);
}

/* Step two: delete and create the queue pair again; step three if that fails. */
static unsigned recreate(struct fvn_thread *t, struct fvn_file *ff, unsigned *room)
{
	uint32_t epoch = ff->ctrl->nvme.epoch;

	env_warn("%s: queue %u: deleting and creating the queue pair again to end its timed-out "
		 "commands", ff->bdf, ff->qp.qid);
	t->recreates++;
	if (!nvme_qpair_recreate(&ff->ctrl->nvme, &ff->qp))
		return settle_after_recovery(t, ff, room);
	env_err("%s: queue %u: the controller did not delete and create the queue pair; "
		"resetting it", ff->bdf, ff->qp.qid);
	return reset_controller(t, ff, epoch, room);
}

/* Step one: Abort each newly timed-out command; recreate when one is refused. */
static unsigned abort_timed_out(struct fvn_thread *t, struct fvn_file *ff, uint64_t now,
				unsigned *room)
{
	bool all_accepted = true, any = false;

	for (unsigned i = 0; i < t->nr_ios; i++) {
		struct fvn_io *io = &t->ios[i];
		bool aborted = false;
		int ret;

		if (!io->inflight || io->ff != ff || io->timed_out ||
		    now - fvn_issued_ms(io) < t->cmd_timeout_ms)
			continue;
		io->timed_out = true;
		fvn_io_not_plain(io); /* its completion, if it comes, is complete_cqe()'s */
		t->timeouts++;
		any = true;
		env_err("%s: %s of %llu bytes at LBA %llu (command id %u, queue %u) did not "
			"complete within cmd_timeout_ms=%u", ff->bdf,
			ddir_name(io->io_u->ddir), io->io_u->xfer_buflen,
			io->io_u->offset / ff->block_bytes, io->cid, ff->qp.qid, t->cmd_timeout_ms);
		/* Once one is refused the queue pair goes anyway: no more Aborts. */
		if (!all_accepted)
			continue;
		/*
		 * A split io_u is several commands, some perhaps done: ending
		 * them all with the queue pair is one step, where Aborts would
		 * be one per child still out.
		 */
		if (io->nr_cmds > 1) {
			env_warn("%s: queue %u: the timed-out io_u is %u commands (split above the "
				 "controller's maximum transfer); the queue pair ends them",
				 ff->bdf, ff->qp.qid, io->nr_cmds);
			all_accepted = false;
			continue;
		}
		t->aborts++;
		env_warn("%s: queue %u: sending Abort for command id %u", ff->bdf, ff->qp.qid,
			 io->cid);
		ret = nvme_ctrl_abort(&ff->ctrl->nvme, ff->qp.qid, io->cid, &aborted);
		if (ret || !aborted) {
			env_warn("%s: queue %u: Abort of command id %u %s", ff->bdf, ff->qp.qid,
				 io->cid, ret ? "failed" : "was not taken by the controller");
			all_accepted = false;
		}
	}
	if (!any)
		return 0;
	if (!all_accepted)
		return recreate(t, ff, room);
	ff->abort_deadline_ms = now + (t->cmd_timeout_ms < ABORT_WAIT_MS ? t->cmd_timeout_ms :
				       ABORT_WAIT_MS);
	return 0;
}

static bool timed_out_still_inflight(struct fvn_thread *t, struct fvn_file *ff)
{
	for (unsigned i = 0; i < t->nr_ios; i++)
		if (t->ios[i].inflight && t->ios[i].ff == ff && t->ios[i].timed_out)
			return true;
	return false;
}

static unsigned check_file(struct fvn_thread *t, struct fvn_file *ff, uint64_t now,
			   unsigned *room)
{
	struct nvme_ctrl *c = &ff->ctrl->nvme;
	uint32_t csts;

	if (ff->broken)
		return fail_inflight(t, ff, room);
	if (env_pci_removal_requested(&ff->ctrl->pci))
		return give_up_device(t, ff, "the device is being removed (hot-unplug request)",
				      room);
	csts = nvme_reg_read32(c->regs, NVME_REG_CSTS);
	if (csts == UINT32_MAX)
		return give_up_device(t, ff, "the device no longer answers (registers read all "
				      "ones)", room);
	if (c->state == NVME_CTRL_FAILED)
		return give_up_controller(t, ff, "the controller failed and was stopped", room);
	if (ff->qp.epoch != c->epoch)
		return revive(t, ff, room);
	if (csts & NVME_CSTS_CFS) {
		env_err("%s: controller fatal status (CSTS.CFS, CSTS 0x%08x); resetting it", ff->bdf,
			csts);
		return reset_controller(t, ff, ff->qp.epoch, room);
	}
	if (!ff->inflight || !t->cmd_timeout_ms)
		return 0;
	if (ff->abort_deadline_ms && now >= ff->abort_deadline_ms) {
		if (timed_out_still_inflight(t, ff)) {
			env_warn("%s: queue %u: aborted commands still in flight after %u ms",
				 ff->bdf, ff->qp.qid, ABORT_WAIT_MS);
			return recreate(t, ff, room);
		}
		ff->abort_deadline_ms = 0;
	}
	return abort_timed_out(t, ff, now, room);
}

unsigned fvn_check_stalls(struct thread_data *td, struct fvn_thread *t, unsigned room)
{
	uint64_t now = fvn_now_ms();
	unsigned n = 0;

	(void)td;
	/* fio's clock starts near 0, so 0 cannot stand for "long ago". */
	if (t->last_check_ms && now - t->last_check_ms < STALL_CHECK_INTERVAL_MS)
		return 0;
	t->last_check_ms = now;
	for (unsigned i = 0; i < t->nr_ios && room; i++) {
		struct fvn_io *io = &t->ios[i];

		if (io->deliver_later) {
			io->deliver_later = false;
			t->events[t->nr_events++] = io->io_u;
			room--;
			n++;
		}
	}
	for (unsigned i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];

		if (ff->qp_live)
			n += check_file(t, ff, now, &room);
	}
	return n;
}

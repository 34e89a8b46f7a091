/* SPDX-License-Identifier: MIT */
/*
 * What keeps a job from hanging at 99.9%: commands that never complete,
 * controllers that report fatal status, and devices that are being removed.
 * Runs from getevents only after a run of empty polls, so a healthy job
 * never pays for it.
 */
#include <errno.h>
#include <inttypes.h>

#include "fio.h"

#include "env/clock.h"
#include "env/log.h"
#include "nvme/regs.h"
#include "plugin/engine.h"

#define STALL_CHECK_INTERVAL_MS 100

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

/* Marks a queue pair broken, once, saying why for the whole controller. */
static void break_file(struct fvn_file *ff, int err, const char *why, uint32_t csts)
{
	if (ff->broken)
		return;
	ff->broken = err;
	env_err("%s: queue %u fails its I/O from now on: %s (CSTS 0x%08x: RDY=%u CFS=%u SHST=%u)",
		ff->ctrl->nvme.name, ff->qp.qid, why, csts, csts & NVME_CSTS_RDY ? 1 : 0,
		csts & NVME_CSTS_CFS ? 1 : 0, nvme_csts_shst(csts));
}

/* Looks at each controller with commands in flight: failed, removed? */
static void check_controllers(struct thread_data *td)
{
	struct fio_file *f;
	unsigned i;

	for_each_file(td, f, i) {
		struct fvn_file *ff = FILE_ENG_DATA(f);
		uint32_t csts;

		if (!ff || !ff->qp_live || ff->broken || !ff->inflight)
			continue;
		csts = nvme_reg_read32(ff->ctrl->nvme.regs, NVME_REG_CSTS);
		if (env_pci_removal_requested(&ff->ctrl->pci))
			break_file(ff, ENODEV, "the device is being removed (hot-unplug request)", csts);
		else if (csts == UINT32_MAX)
			break_file(ff, ENODEV, "the device no longer answers (registers read all ones)",
				   csts);
		else if (csts & NVME_CSTS_CFS)
			break_file(ff, EIO, "controller fatal status (CSTS.CFS)", csts);
	}
}

unsigned fvn_check_stalls(struct thread_data *td, struct fvn_thread *t, unsigned room)
{
	uint64_t now = env_clock_coarse_ms();
	unsigned n = 0;

	if (now - t->last_check_ms < STALL_CHECK_INTERVAL_MS)
		return 0;
	t->last_check_ms = now;
	check_controllers(td);

	for (unsigned i = 0; i < t->nr_ios && n < room; i++) {
		struct fvn_io *io = &t->ios[i];
		struct io_u *io_u;
		struct fvn_file *ff;
		uint32_t csts;

		if (!io->inflight)
			continue;
		io_u = td->io_u_all.io_us[i];
		ff = FILE_ENG_DATA(io_u->file);
		if (!ff->broken) {
			if (!t->cmd_timeout_ms || now - io->submitted_ms < t->cmd_timeout_ms)
				continue;
			csts = nvme_reg_read32(ff->ctrl->nvme.regs, NVME_REG_CSTS);
			env_err("%s: %s of %llu bytes at LBA %llu (command id %u, queue %u) did not "
				"complete within cmd_timeout_ms=%u", ff->ctrl->nvme.name,
				ddir_name(io_u->ddir), io_u->xfer_buflen,
				io_u->offset >> ff->lba_shift, i, ff->qp.qid, t->cmd_timeout_ms);
			break_file(ff, ETIMEDOUT, "a command timed out", csts);
		}
		/*
		 * Fail it now. Should the device complete it later, reap() drops
		 * that completion; the queue pair stays broken until closed.
		 */
		io->inflight = false;
		ff->inflight--;
		io_u->error = ff->broken;
		io_u->resid = io_u->xfer_buflen;
		t->events[t->nr_events + n++] = io_u;
	}
	if (n)
		t->last_check_ms = 0; /* more may be waiting: look again at once */
	return n;
}

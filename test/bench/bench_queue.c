/* SPDX-License-Identifier: MIT */
/*
 * CPU cost of the driver path: 4 KiB reads through the engine's queue code
 * (nvme/io_cmd.h, nvme/queue.h, nvme/prp.c) against the loopback controller
 * (test/bench/loopback_ctrl.c: A TEST DOUBLE, NOT A DEVICE), in one thread,
 * with no device and no fio.
 *
 * The driver side is three non-inlined functions shaped like the engine's
 * hooks in plugin/io.c, minus fio's bookkeeping:
 *   driver_queue()  - fvn_queue: SQ-full check, alignment check, PRPs from
 *                     the list built at set-up (nvme_prp_reuse), SQE build
 *                     (nvme_io_rw_cmd), copy into the SQ (nvme_sq_copy_cmd);
 *   driver_commit() - fvn_commit: one SQ doorbell per batch;
 *   driver_reap()   - reap: completions by phase through a CQ cursor
 *                     (nvme_cq_cursor, as the engine's common path,
 *                     reap_plain() in plugin/io.c), status to errno, the SQ
 *                     head from the newest CQE, one CQ doorbell per batch.
 * run-queue-bench.sh counts instructions with callgrind toggled on these
 * three only (--toggle-collect), so neither the loopback nor the loop here
 * is counted. The ns per I/O figure times the whole loop, loopback included.
 *
 * Usage: bench_queue [--ios N] [--batch B] [--reps R]
 *   B commands are queued, committed with one doorbell, completed by one
 *   loopback poll and reaped with one CQ doorbell; the queue pair has B + 1
 *   entries (the engine's default: iodepth + 1). The timed loop runs R
 *   times; the median is reported. Output, one line:
 *   queue-bench batch=B ios=N reps=R ns_per_io=X ns_per_io_min=Y
 *   loopback_errors=E bad_completions=C
 * Exit status 1 when the loopback saw an invalid command or a completion
 * went astray.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvme/io_cmd.h"
#include "nvme/prp.h"
#include "nvme/queue.h"
#include "nvme/status.h"
#include "test/bench/loopback_ctrl.h"

#define PAGE_SIZE 4096u
#define LBA_SHIFT 12		/* 4 KiB logical blocks, as in the test bed */
#define IO_SIZE 4096u
#define NSID 1
#define NS_BLOCKS (UINT64_C(1) << 28)	/* 1 TiB namespace */
#define MAX_BATCH 1024
#define OFFSETS 4096		/* pseudo-random offsets, cycled */

/* Per command slot: what struct fvn_io holds for the hot path. */
struct drv_io {
	struct nvme_prp_list prp;
	uint64_t buf_iova;
	size_t prp_built_len;
	uint16_t status;
};

/* A queued request: the fields of a fio io_u the engine reads. */
struct drv_req {
	uint64_t offset;
	uint32_t len;
	uint16_t cid;
	int error;
};

/* One thread's queue pair on one namespace: fvn_thread and fvn_file together. */
struct drv {
	struct nvme_sq sq;
	struct nvme_cq cq;
	struct drv_io *ios;
	struct drv_req *reqs;	/* by cid, like td->io_u_all */
	unsigned nr_ios;
	uint32_t nsid;
	unsigned lba_shift;
	uint32_t page_size;
	unsigned inflight;
	uint64_t doorbells, busy, bad_cid;
	uint16_t done[MAX_BATCH];
};

/*
 * noipa: a real call, no cloning, no inlining into the loop, so callgrind's
 * --toggle-collect sees these names and the loop stays outside them.
 */
#define DRIVER_FN __attribute__((noipa))

static DRIVER_FN int driver_queue(struct drv *d, struct drv_req *req)
{
	struct drv_io *io = &d->ios[req->cid];
	uint64_t mask = (UINT64_C(1) << d->lba_shift) - 1;
	struct nvme_sqe cmd;

	if (nvme_sq_full(&d->sq)) {
		d->busy++;
		return -EBUSY;
	}
	io->status = 0;
	if ((req->offset | req->len) & mask || !req->len)
		return -EINVAL;
	nvme_io_rw_cmd(&cmd, NVME_NVM_READ, req->cid, d->nsid, req->offset >> d->lba_shift,
		       (uint32_t)(req->len >> d->lba_shift));
	if (nvme_prp_reuse(io->buf_iova, req->len, io->prp_built_len, d->page_size, &io->prp,
			   &cmd.prp1, &cmd.prp2))
		return -EINVAL;
	(void)nvme_sq_copy_cmd(&d->sq, &cmd); /* not full: checked above */
	d->inflight++;
	return 0;
}

static DRIVER_FN void driver_commit(struct drv *d)
{
	if (nvme_sq_ring_doorbell(&d->sq))
		d->doorbells++;
}

static DRIVER_FN unsigned driver_reap(struct drv *d, unsigned max)
{
	struct nvme_cq_cursor c = nvme_cq_cursor(&d->cq);
	const struct nvme_cqe *newest = NULL;
	unsigned n = 0;

	while (n < max && nvme_cq_cursor_new(&c)) {
		const struct nvme_cqe *cqe = nvme_cq_cursor_cqe(&c);
		uint16_t cid = cqe->cid, status = nvme_cqe_status(cqe);
		struct drv_req *req;

		nvme_cq_cursor_advance(&c);
		newest = cqe;
		if (cid >= d->nr_ios) {
			d->bad_cid++;
			continue;
		}
		req = &d->reqs[cid];
		d->ios[cid].status = status;
		req->error = status ? -nvme_status_to_errno(status) : 0;
		d->inflight--;
		d->done[n++] = cid;
	}
	if (newest) {
		nvme_cq_cursor_put(&d->cq, &c);
		nvme_sq_update_head(&d->sq, newest->sq_head);
		nvme_cq_ring_doorbell(&d->cq);
	}
	return n;
}

static void *zalloc_aligned(size_t align, size_t len)
{
	size_t rounded = (len + align - 1) / align * align;
	void *p = aligned_alloc(align, rounded);

	if (p)
		memset(p, 0, rounded);
	return p;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--ios N] [--batch 1..%d] [--reps R] [--shadow]\n", prog,
		MAX_BATCH);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ios", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "reps", required_argument, NULL, 'r' },
		{ "shadow", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	bool shadow = false;
	unsigned long long ios = 1000000;
	unsigned batch = 1, reps = 5, entries;
	struct loopback_ctrl lb;
	struct drv d;
	struct nvme_sqe *sqes;
	struct nvme_cqe *cqes;
	uint64_t offsets[OFFSETS], x = 0x9e3779b97f4a7c15u, rounds, bad = 0;
	uint8_t *bufs;
	double *ns;
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:b:r:s", opts, NULL)) != -1) {
		switch (c) {
		case 's': shadow = true; break;
		case 'n': ios = strtoull(optarg, NULL, 0); break;
		case 'b': batch = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': reps = (unsigned)strtoul(optarg, NULL, 0); break;
		default: usage(argv[0]); return 2;
		}
	}
	if (!ios || !batch || batch > MAX_BATCH || !reps) {
		usage(argv[0]);
		return 2;
	}
	rounds = (ios + batch - 1) / batch;
	ios = rounds * batch;
	entries = batch + 1;

	memset(&d, 0, sizeof(d));
	d.nr_ios = batch;
	d.nsid = NSID;
	d.lba_shift = LBA_SHIFT;
	d.page_size = PAGE_SIZE;
	d.ios = calloc(batch, sizeof(*d.ios));
	d.reqs = calloc(batch, sizeof(*d.reqs));
	bufs = zalloc_aligned(PAGE_SIZE, (size_t)batch * IO_SIZE);
	sqes = zalloc_aligned(4096, entries * sizeof(struct nvme_sqe));
	cqes = zalloc_aligned(4096, entries * sizeof(struct nvme_cqe));
	ns = calloc(reps, sizeof(*ns));
	if (!d.ios || !d.reqs || !bufs || !sqes || !cqes || !ns) {
		fprintf(stderr, "bench_queue: out of memory\n");
		return 2;
	}

	rc = loopback_ctrl_init(&lb, sqes, (uint16_t)entries, cqes, (uint16_t)entries,
				&(struct loopback_expect){
					.opcode = NVME_NVM_READ, .nsid = NSID,
					.nlb = IO_SIZE >> LBA_SHIFT, .lba_size = 1u << LBA_SHIFT,
					.ns_blocks = NS_BLOCKS, .page_size = PAGE_SIZE,
					.nr_cids = (uint16_t)batch,
				});
	if (rc) {
		fprintf(stderr, "bench_queue: loopback_ctrl_init: %s\n", strerror(-rc));
		return 2;
	}
	nvme_sq_init(&d.sq, sqes, nvme_doorbell(lb.regs, LOOPBACK_QID, false, LOOPBACK_DSTRD),
		     (uint16_t)entries);
	nvme_cq_init(&d.cq, cqes, nvme_doorbell(lb.regs, LOOPBACK_QID, true, LOOPBACK_DSTRD),
		     (uint16_t)entries);
	/*
	 * Shadow doorbells as on QEMU's controller. The loopback catches up at
	 * every poll, so each SQ doorbell still needs the register (the QD1
	 * case): this counts the shadow path's extra work, not savings.
	 */
	if (shadow)
		loopback_ctrl_use_shadow(&lb, &d.sq, &d.cq);

	/* As the engine's set-up does: one PRP build per buffer, DMA address = virtual address. */
	for (unsigned i = 0; i < batch; i++) {
		struct drv_io *io = &d.ios[i];
		uint64_t prp1, prp2;

		io->buf_iova = (uint64_t)(uintptr_t)(bufs + (size_t)i * IO_SIZE);
		if (nvme_prp_build(io->buf_iova, IO_SIZE, PAGE_SIZE, &io->prp, &prp1, &prp2)) {
			fprintf(stderr, "bench_queue: nvme_prp_build failed\n");
			return 2;
		}
		io->prp_built_len = IO_SIZE;
	}
	/* Offsets are fio's job: drawn here, outside the counted functions. */
	for (unsigned i = 0; i < OFFSETS; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		offsets[i] = (x % NS_BLOCKS) << LBA_SHIFT;
	}

	for (unsigned r = 0; r < reps; r++) {
		uint64_t k = 0;
		double t0 = now_ns();

		for (uint64_t round = 0; round < rounds; round++) {
			unsigned got;

			for (unsigned i = 0; i < batch; i++, k++) {
				struct drv_req *req = &d.reqs[i];

				req->offset = offsets[k % OFFSETS];
				req->len = IO_SIZE;
				req->cid = (uint16_t)i;
				if (driver_queue(&d, req))
					bad++;
			}
			driver_commit(&d);
			loopback_ctrl_poll(&lb);
			got = driver_reap(&d, batch);
			if (got != batch)
				bad++;
			for (unsigned i = 0; i < got; i++)
				if (d.reqs[d.done[i]].error)
					bad++;
		}
		ns[r] = (now_ns() - t0) / (double)ios;
	}

	qsort(ns, reps, sizeof(*ns), cmp_double);
	printf("queue-bench batch=%u shadow=%d ios=%llu reps=%u ns_per_io=%.1f ns_per_io_min=%.1f "
	       "loopback_errors=%llu bad_completions=%llu\n",
	       batch, shadow, ios, reps, ns[reps / 2], ns[0], (unsigned long long)lb.errors,
	       (unsigned long long)(bad + d.bad_cid + d.busy));
	if (lb.errors)
		fprintf(stderr, "bench_queue: the loopback saw %llu invalid commands; first: %s\n",
			(unsigned long long)lb.errors, lb.first_error);
	if (bad || d.bad_cid || d.busy)
		fprintf(stderr, "bench_queue: %llu completions missing, failed or astray\n",
			(unsigned long long)(bad + d.bad_cid + d.busy));
	if (d.doorbells != rounds * reps || lb.commands != ios * reps) {
		fprintf(stderr, "bench_queue: %llu doorbells for %llu batches, loopback took %llu of "
			"%llu commands\n", (unsigned long long)d.doorbells,
			(unsigned long long)(rounds * reps), (unsigned long long)lb.commands,
			(unsigned long long)(ios * reps));
		bad++;
	}
	loopback_ctrl_free(&lb);
	free(ns);
	free(cqes);
	free(sqes);
	free(bufs);
	free(d.reqs);
	free(d.ios);
	return lb.errors || bad || d.bad_cid || d.busy ? 1 : 0;
}

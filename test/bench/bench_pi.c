/* SPDX-License-Identifier: MIT */
/*
 * CPU cost of protection information on the host: what the engine spends per
 * 4 KiB block with pi_act=0, in nvme_pi_generate() before a write and in
 * nvme_pi_verify() (guard and reference tag checks, as the engine makes them
 * on type 1) after a read. No device, no fio: nvme/pi.c and nvme/crc.c as the
 * engine links them, over a buffer larger than the caches, so the data comes
 * from memory as it does after a DMA.
 *
 * Formats (PI type 1, separate metadata, PI in the last bytes):
 *   guard=16 ms=8   the 8-byte PI is the whole metadata
 *   guard=16 ms=16  8 bytes of other metadata before the PI, which the guard
 *                   covers too (the CRC chains on over them)
 *   guard=64 ms=16  the 16-byte PI, CRC-64 NVMe guard
 *
 * Usage: bench_pi [--mib N] [--passes P] [--runs R] [--blocks B]
 *   N MiB of data (default 64) and its metadata; each timed run goes P
 *   times over it (default 4), calling generate or verify on B blocks at a
 *   time (default 1: one call per 4 KiB I/O), after one untimed pass; the
 *   best of R runs (default 5) is reported, and their median. Output:
 *     pi-cost crc16=... crc64=...
 *     pi-cost guard=G ms=M blocks_per_call=B op=generate|verify ns_per_4k=X
 *       ns_per_4k_median=Y mib_per_s=Z
 * Exit status: 0; 1 when a block generated here failed its own check (the
 * benchmark, or nvme/pi.c, is wrong); 2 on bad usage or no memory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvme/crc.h"
#include "nvme/pi.h"

#define LBA_SIZE 4096u

/* A format as nvme_ns_format_from_id() gives it for PI type 1, separate metadata, PI last. */
static struct nvme_ns_format format(uint8_t guard_bits, uint16_t ms)
{
	return (struct nvme_ns_format){
		.lba_size = LBA_SIZE, .ms = ms, .extended = false, .pi_type = NVME_PI_TYPE1,
		.pi_size = guard_bits == 64 ? 16 : 8, .guard_bits = guard_bits, .pi_first = false,
		.pif = guard_bits == 64 ? NVME_PIF_64B_GUARD : 0,
	};
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum op { GENERATE, VERIFY };

/*
 * One pass over the buffer, B blocks per call. The reference tag of a call
 * is its first block's index, the LBA it would have on a namespace read
 * from block 0. Returns the number of calls that failed verification.
 */
static unsigned pass(const struct nvme_ns_format *f, enum op op, uint8_t *data, uint8_t *md,
		     uint32_t nblocks, uint32_t per_call)
{
	struct nvme_pi_tags t = { .app = 0x1234, .app_mask = 0xffff,
				  .checks = NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF };
	unsigned failed = 0;

	for (uint32_t b = 0; b < nblocks; b += per_call) {
		uint32_t n = nblocks - b < per_call ? nblocks - b : per_call;

		t.ref = b;
		if (op == GENERATE)
			nvme_pi_generate(f, data + (size_t)b * f->lba_size, md + (size_t)b * f->ms, n,
					 &t);
		else
			failed += nvme_pi_verify(f, data + (size_t)b * f->lba_size,
						 md + (size_t)b * f->ms, n, &t, NULL) != 0;
	}
	return failed;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: bench_pi [--mib N] [--passes P] [--runs R] [--blocks B]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "passes", required_argument, NULL, 'p' },
		{ "runs", required_argument, NULL, 'r' },
		{ "blocks", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct { uint8_t guard; uint16_t ms; } formats[] = {
		{ 16, 8 }, { 16, 16 }, { 64, 16 },
	};
	unsigned long mib = 64, passes = 4, runs = 5, per_call = 1;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "m:p:r:b:h", opts, NULL)) != -1) {
		char *end;
		unsigned long v;

		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?') {
			usage(stderr);
			return 2;
		}
		errno = 0;
		v = strtoul(optarg, &end, 10);
		if (errno || *end || !v || v > (1ul << 20)) {
			fprintf(stderr, "bench_pi: '%s' is not a count from 1\n", optarg);
			return 2;
		}
		if (c == 'm')
			mib = v;
		else if (c == 'p')
			passes = v;
		else if (c == 'r')
			runs = v;
		else
			per_call = v;
	}

	uint32_t nblocks = (uint32_t)(mib * 1048576 / LBA_SIZE);
	uint8_t *data = malloc((size_t)nblocks * LBA_SIZE);
	uint8_t *md = malloc((size_t)nblocks * 16);
	double *ns = calloc(runs, sizeof(*ns));

	if (!data || !md || !ns) {
		fprintf(stderr, "bench_pi: no memory for %lu MiB\n", mib);
		return 2;
	}
	/* Data that differs per byte and block; every page touched before timing. */
	for (size_t i = 0; i < (size_t)nblocks * LBA_SIZE; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	for (size_t i = 0; i < (size_t)nblocks * 16; i++)
		md[i] = (uint8_t)(i * 13);

	printf("pi-cost crc16=\"ISA-L crc16_t10dif\" crc64=\"%s\"\n", nvme_crc64_nvme_source());
	for (size_t fi = 0; fi < sizeof(formats) / sizeof(formats[0]); fi++) {
		struct nvme_ns_format f = format(formats[fi].guard, formats[fi].ms);

		for (enum op op = GENERATE; op <= VERIFY; op++) {
			unsigned failed = 0;

			/*
			 * Verify checks what the generate runs left: generate runs
			 * first. One pass untimed: the clock speed and the TLB settle.
			 */
			failed += pass(&f, op, data, md, nblocks, (uint32_t)per_call);
			for (unsigned long r = 0; r < runs; r++) {
				double t0 = now_ns();

				for (unsigned long p = 0; p < passes; p++)
					failed += pass(&f, op, data, md, nblocks, (uint32_t)per_call);
				ns[r] = (now_ns() - t0) / ((double)passes * nblocks);
			}
			qsort(ns, runs, sizeof(*ns), cmp_double);
			printf("pi-cost guard=%u ms=%u blocks_per_call=%lu op=%s ns_per_4k=%.1f "
			       "ns_per_4k_median=%.1f mib_per_s=%.0f\n", f.guard_bits, f.ms, per_call,
			       op == GENERATE ? "generate" : "verify", ns[0], ns[runs / 2],
			       LBA_SIZE / ns[0] * 1e9 / 1048576);
			if (failed) {
				fprintf(stderr, "bench_pi: guard=%u ms=%u: %u calls failed the check of PI "
					"generated here: nvme/pi.c or this benchmark is wrong\n",
					f.guard_bits, f.ms, failed);
				rc = 1;
			}
		}
	}
	fflush(stdout);
	free(data);
	free(md);
	free(ns);
	return rc;
}

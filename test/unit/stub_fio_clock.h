/* SPDX-License-Identifier: MIT */
/*
 * fio's clock and verify-fill functions, for unit tests that link the hot
 * path (plugin/io.c) without fio: real clocks, and a verify fill that
 * writes 0x77 and counts its calls (verify_mode=compare).
 */
#ifndef TEST_UNIT_STUB_FIO_CLOCK_H
#define TEST_UNIT_STUB_FIO_CLOCK_H

#include <string.h>
#include <time.h>

void fio_gettime(struct timespec *ts, void *unused)
{
	(void)unused;
	clock_gettime(CLOCK_MONOTONIC, ts);
}

uint64_t utime_since_now(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - ts->tv_sec) * 1000000 + (now.tv_nsec - ts->tv_nsec) / 1000;
}

static unsigned populated;

void populate_verify_io_u(struct thread_data *td, struct io_u *io_u)
{
	(void)td;
	memset(io_u->xfer_buf, 0x77, io_u->xfer_buflen);
	populated++;
}

#endif

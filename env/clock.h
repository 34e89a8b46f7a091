/* SPDX-License-Identifier: MIT */
/*
 * Monotonic time for deadlines, timeouts and start-up figures: one place,
 * so every layer measures the same way.
 */
#ifndef ENV_CLOCK_H
#define ENV_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t env_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC in milliseconds, for deadlines of a few ms or more. */
static inline uint64_t env_clock_ms(void)
{
	return env_clock_ns() / 1000000;
}

#endif

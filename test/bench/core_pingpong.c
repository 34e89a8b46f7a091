/* SPDX-License-Identifier: MIT */
/*
 * The floor under the ceiling bench's QD1 figure: how long one cache line
 * takes to go from one core to another and back on this machine.
 *
 * At QD1 the loopback controller (its own core, as a device works beside
 * the host) sees a command only once the host's SQE and doorbell lines
 * have come to its core, and the host sees the completion only once the
 * CQE's line has come back: every I/O waits at least one such round trip,
 * whatever the engine does. So fio with the engine cannot beat
 * 1e9 / round_trip_ns I/Os per second at QD1, and its ratio to the null
 * engine (which waits for nothing) is at most null_ns_per_io / round_trip_ns.
 *
 * Two threads, pinned to HOST_CPU and DEVICE_CPU, hand a counter back and
 * forth through two cache lines ROUNDS times per pass; PASSES passes.
 * Prints "core_round_trip_ns min=... median=..." (per round trip).
 *
 * Usage: core-pingpong HOST_CPU DEVICE_CPU [ROUNDS [PASSES]]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Each word on its own line, so that only the hand-over moves lines. */
struct line {
	volatile uint64_t v;
	char pad[64 - sizeof(uint64_t)];
} __attribute__((aligned(64)));

static struct line ping, pong;
static uint64_t rounds;
static unsigned passes;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *device(void *arg)
{
	if (pin(*(int *)arg))
		perror("core-pingpong: sched_setaffinity (device)");
	for (uint64_t i = 1; i <= rounds * passes; i++) {
		while (ping.v != i)
			;
		pong.v = i;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int host_cpu, device_cpu;
	double *ns;
	pthread_t t;
	uint64_t i = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s HOST_CPU DEVICE_CPU [ROUNDS [PASSES]]\n", argv[0]);
		return 2;
	}
	host_cpu = atoi(argv[1]);
	device_cpu = atoi(argv[2]);
	rounds = argc > 3 ? strtoull(argv[3], NULL, 0) : 200000;
	passes = argc > 4 ? (unsigned)atoi(argv[4]) : 7;
	if (!rounds || !passes || passes > 1000) {
		fprintf(stderr, "core-pingpong: ROUNDS must be > 0, PASSES 1 to 1000\n");
		return 2;
	}
	ns = calloc(passes, sizeof(*ns));
	if (!ns || pin(host_cpu)) {
		perror("core-pingpong: set-up");
		return 1;
	}
	if (pthread_create(&t, NULL, device, &device_cpu)) {
		perror("core-pingpong: pthread_create");
		return 1;
	}
	for (unsigned p = 0; p < passes; p++) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (uint64_t r = 0; r < rounds; r++) {
			ping.v = ++i;
			while (pong.v != i)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns[p] = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
			(double)rounds;
	}
	pthread_join(t, NULL);
	qsort(ns, passes, sizeof(*ns), cmp_double);
	printf("core_round_trip_ns min=%.1f median=%.1f\n", ns[0], ns[passes / 2]);
	free(ns);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * CPU placement: which core a polling thread should own, given the CPUs it
 * may use and the NUMA node of the device it drives.
 * Functions return 0 or a negative errno.
 */
#ifndef ENV_NUMA_H
#define ENV_NUMA_H

#include <sched.h>
#include <stddef.h>

/*
 * Chooses one CPU for the index-th thread (0-based) from allowed, preferring
 * the CPUs of node (-1: no preference), round-robin so that threads spread
 * over distinct cores. Sets *on_node to whether the CPU is on node.
 * Returns the CPU, or -ENOENT when allowed is empty.
 */
int env_numa_pick_cpu(const cpu_set_t *allowed, int node, unsigned index, int *on_node);

/* NUMA node of a CPU, -1 when unknown. */
int env_numa_node_of_cpu(int cpu);

/* CPUs of node as a cpus_allowed list ("4-7,12"); "" when unknown. */
void env_numa_cpus_text(int node, char *out, size_t len);

/* Pins the calling thread to cpu. */
int env_pin_self(int cpu);

#endif

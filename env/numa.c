/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <numa.h>
#include <pthread.h>
#include <stdio.h>

#include "env/numa.h"

int env_numa_node_of_cpu(int cpu)
{
	if (numa_available() < 0)
		return -1;
	return numa_node_of_cpu(cpu);
}

/* The index-th CPU (wrapping) of set. */
static int nth_cpu(const cpu_set_t *set, unsigned index)
{
	int count = CPU_COUNT(set), seen = 0;

	if (count == 0)
		return -ENOENT;
	index %= (unsigned)count;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && (unsigned)seen++ == index)
			return cpu;
	return -ENOENT;
}

int env_numa_pick_cpu(const cpu_set_t *allowed, int node, unsigned index, int *on_node)
{
	cpu_set_t local;

	CPU_ZERO(&local);
	if (node >= 0)
		for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, allowed) && env_numa_node_of_cpu(cpu) == node)
				CPU_SET(cpu, &local);
	*on_node = CPU_COUNT(&local) > 0;
	return nth_cpu(*on_node ? &local : allowed, index);
}

int env_pin_self(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return -pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

void env_numa_cpus_text(int node, char *out, size_t len)
{
	size_t used = 0;
	int cpu = 0;

	out[0] = '\0';
	while (cpu < CPU_SETSIZE && used < len) {
		int first;

		while (cpu < CPU_SETSIZE && env_numa_node_of_cpu(cpu) != node)
			cpu++;
		if (cpu >= CPU_SETSIZE || env_numa_node_of_cpu(cpu) < 0)
			break;
		first = cpu;
		while (cpu + 1 < CPU_SETSIZE && env_numa_node_of_cpu(cpu + 1) == node)
			cpu++;
		used += snprintf(out + used, len - used, first == cpu ? "%s%d" : "%s%d-%d",
				 used ? "," : "", first, cpu);
		cpu++;
	}
}

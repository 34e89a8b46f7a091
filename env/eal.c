/* SPDX-License-Identifier: MIT */
/*
 * EAL start-up. EAL can start only once per process and fio runs every job
 * thread in one process (thread=1), so the first caller starts it for all,
 * behind a mutex rather than pthread_once because the options come from the
 * first job and its result must reach every later caller.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "env/clock.h"
#include "env/eal.h"
#include "env/log.h"
#include "env/preflight.h"

static pthread_mutex_t eal_lock = PTHREAD_MUTEX_INITIALIZER;
static bool eal_started;
static int eal_result;
static struct env_eal_opts eal_opts_used;
static uint64_t eal_began_ns;

uint64_t env_eal_init_began_ns(void)
{
	return __atomic_load_n(&eal_began_ns, __ATOMIC_RELAXED);
}

static const char *iova_arg(enum env_iova_mode mode)
{
	switch (mode) {
	case ENV_IOVA_VA:
		return "--iova-mode=va";
	case ENV_IOVA_PA:
		return "--iova-mode=pa";
	default:
		return NULL;
	}
}

static int eal_start(const struct env_eal_opts *opts)
{
	char mem_arg[32], lcore_arg[16], log_arg[48];
	const char *argv[16];
	cpu_set_t saved;
	int argc = 0, cpu = 0, ret;

	/*
	 * The job's preflight ran these already; again here because EAL's own
	 * messages for them do not say what to do.
	 */
	ret = env_preflight_process(opts);
	if (ret)
		return ret;

	/* EAL pins the calling thread to its main lcore: keep fio's affinity. */
	if (sched_getaffinity(0, sizeof(saved), &saved))
		return -errno;
	while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &saved))
		cpu++;
	snprintf(lcore_arg, sizeof(lcore_arg), "%d", cpu);
	snprintf(log_arg, sizeof(log_arg), "--log-level=lib.eal:%s",
		 env_log_threshold >= ENV_LOG_DEBUG ? "debug" :
		 env_log_threshold >= ENV_LOG_INFO ? "notice" : "error");

	argv[argc++] = "fio-vfio-nvme";
	argv[argc++] = "--in-memory";
	argv[argc++] = "--no-pci";       /* the engine opens its devices itself */
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "-l";
	argv[argc++] = lcore_arg;
	argv[argc++] = log_arg;
	if (opts->mem_mb) {
		snprintf(mem_arg, sizeof(mem_arg), "%u", opts->mem_mb);
		argv[argc++] = "-m";
		argv[argc++] = mem_arg;
	}
	if (opts->huge_dir) {
		argv[argc++] = "--huge-dir";
		argv[argc++] = opts->huge_dir;
	}
	if (iova_arg(opts->iova_mode))
		argv[argc++] = iova_arg(opts->iova_mode);
	argv[argc] = NULL;

	/* EAL's own log goes to stderr too, and not to syslog. */
	rte_openlog_stream(stderr);
	ret = rte_eal_init(argc, (char **)argv);
	if (sched_setaffinity(0, sizeof(saved), &saved))
		env_warn("could not restore the CPU affinity after EAL start-up: %s",
			 strerror(errno));
	if (ret < 0) {
		ret = rte_errno ? -rte_errno : -EIO;
		env_err("DPDK EAL start-up failed: %s (EAL's lines above say why)",
			strerror(-ret));
		if (opts->iova_mode == ENV_IOVA_PA)
			env_err("iova_mode=pa needs physical addresses (root, no IOMMU restrictions): "
				"try iova_mode=va or leave it unset");
		return ret;
	}
	env_info("EAL started: IOVA mode %s, %s", env_eal_iova_mode_name(),
		 opts->mem_mb ? "memory reserved up front" : "memory grows on demand");
	return 0;
}

int env_eal_init(const struct env_eal_opts *opts)
{
	int ret;

	pthread_mutex_lock(&eal_lock);
	if (!eal_started) {
		uint64_t began = env_clock_ns();

		__atomic_store_n(&eal_began_ns, began, __ATOMIC_RELAXED);
		eal_opts_used = *opts;
		eal_result = eal_start(opts);
		eal_started = true;
		if (!eal_result)
			env_info("EAL start-up took %.1f ms", (env_clock_ns() - began) / 1e6);
	} else if (opts->mem_mb != eal_opts_used.mem_mb ||
		   opts->iova_mode != eal_opts_used.iova_mode) {
		env_warn("DPDK EAL runs once per process: this job's mem_size_mb/iova_mode are ignored, "
			 "the first job's apply");
	}
	ret = eal_result;
	pthread_mutex_unlock(&eal_lock);
	return ret;
}

bool env_eal_running(void)
{
	bool up;

	pthread_mutex_lock(&eal_lock);
	up = eal_started && !eal_result;
	pthread_mutex_unlock(&eal_lock);
	return up;
}

const char *env_eal_iova_mode_name(void)
{
	return rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA";
}

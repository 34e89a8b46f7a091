/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics for every layer: one line on stderr, prefixed with the engine's
 * name and, by convention, the device address and queue id.
 *
 * stderr, never fio's log: fio copies its log into --output, and an engine
 * line there breaks --output-format=json. The level comes from the engine's
 * log_level option or FIO_VFIO_NVME_LOG (error, warn, notice, info,
 * debug); the default, notice, says only where each thread runs. env_debug() compiles out of
 * builds without -DFVN_DEBUG so it costs nothing on the fast path.
 */
#ifndef ENV_LOG_H
#define ENV_LOG_H

enum env_log_level {
	ENV_LOG_ERROR = 0,
	ENV_LOG_WARN = 1,
	ENV_LOG_NOTICE = 2, /* one line per thread or device worth reading, e.g. CPU pinning */
	ENV_LOG_INFO = 3,
	ENV_LOG_DEBUG = 4,
};

/*
 * Process-wide because stderr is: set once from the first job's log_level
 * option or FIO_VFIO_NVME_LOG, read by every thread.
 */
extern enum env_log_level env_log_threshold;

/* Parses "error", "warn", "notice", "info", "debug" or 0-4; -EINVAL otherwise. */
int env_log_parse_level(const char *text, enum env_log_level *level);

/* Sets the threshold from FIO_VFIO_NVME_LOG when it is set and valid. */
void env_log_from_environment(void);

void env_log(enum env_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A second place for error lines, beside stderr (NULL: none). The fio glue
 * sets it under `fio --server`, whose stderr the user at `fio --client` never
 * sees. Set it before job threads start; only errors go there, so a job that
 * succeeds adds nothing to the client's (JSON) output.
 */
void env_log_set_error_sink(void (*sink)(const char *line));

#define env_err(...) env_log(ENV_LOG_ERROR, __VA_ARGS__)
#define env_warn(...) env_log(ENV_LOG_WARN, __VA_ARGS__)
#define env_notice(...) env_log(ENV_LOG_NOTICE, __VA_ARGS__)
#define env_info(...) env_log(ENV_LOG_INFO, __VA_ARGS__)
#ifdef FVN_DEBUG
#define env_debug(...) env_log(ENV_LOG_DEBUG, __VA_ARGS__)
#else
#define env_debug(...) do { } while (0)
#endif

#endif

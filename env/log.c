/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env/log.h"

enum env_log_level env_log_threshold = ENV_LOG_NOTICE;
static void (*error_sink)(const char *line);

static const char *const level_names[] = { "error", "warn", "notice", "info", "debug" };

int env_log_parse_level(const char *text, enum env_log_level *level)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcasecmp(text, level_names[i]) ||
		    (text[0] == (char)('0' + i) && text[1] == '\0')) {
			*level = (enum env_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void env_log_from_environment(void)
{
	const char *text = getenv("FIO_VFIO_NVME_LOG");
	enum env_log_level level;

	if (text && !env_log_parse_level(text, &level))
		env_log_threshold = level;
}

void env_log(enum env_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (level > env_log_threshold)
		return;
	n = snprintf(line, sizeof(line), "fio-vfio-nvme: %s%s", level == ENV_LOG_ERROR ? "error: " :
		     level == ENV_LOG_WARN ? "warning: " : "", "");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines from several job threads never interleave. */
	fprintf(stderr, "%s\n", line);
	if (level == ENV_LOG_ERROR && error_sink)
		error_sink(line);
}

void env_log_set_error_sink(void (*sink)(const char *line))
{
	error_sink = sink;
}

/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the text the engine parses itself from its options and
 * the environment (the other options are numbers or fixed choices, which fio
 * parses before the engine sees them):
 *  - iova_mode=      fvn_parse_iova_mode()   plugin/options.c
 *  - log_level=      env_log_parse_level()   env/log.c
 *  - FIO_VFIO_NVME_LOG  env_log_from_environment()
 *
 * Checks, beyond "no crash": each accepted text maps to the enum value its
 * header documents, everything else is -EINVAL, and a rejection leaves the
 * output (and the process-wide log threshold) as it was.
 * plugin/options.c holds fio's option table, so this target is built with
 * fio's headers (make fio-cppflags).
 */
#include "plugin/options.c"
#include "env/log.c"

#include "test/fuzz/fuzz.h"

/* The documented spellings, written out again, with their documented values. */
static bool ref_iova_mode(const char *text, enum env_iova_mode *mode)
{
	static const struct { const char *text; enum env_iova_mode mode; } ok[] = {
		{ "", ENV_IOVA_AUTO }, { "auto", ENV_IOVA_AUTO },
		{ "va", ENV_IOVA_VA }, { "pa", ENV_IOVA_PA },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(text, ok[i].text)) {
			*mode = ok[i].mode;
			return true;
		}
	return false;
}

/* Names in any letter case, as README's option table lists them, or the digit. */
static bool ref_log_level(const char *text, enum env_log_level *level)
{
	static const struct { const char *name, *digit; enum env_log_level level; } ok[] = {
		{ "error", "0", ENV_LOG_ERROR }, { "warn", "1", ENV_LOG_WARN },
		{ "notice", "2", ENV_LOG_NOTICE }, { "info", "3", ENV_LOG_INFO },
		{ "debug", "4", ENV_LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcasecmp(text, ok[i].name) || !strcmp(text, ok[i].digit)) {
			*level = ok[i].level;
			return true;
		}
	return false;
}

static void check_iova_mode(const char *text)
{
	enum env_iova_mode got = (enum env_iova_mode)77, want = got;
	bool ok = ref_iova_mode(text, &want);
	int r = fvn_parse_iova_mode(text, &got);

	FUZZ_ASSERT(r == (ok ? 0 : -EINVAL));
	FUZZ_ASSERT(got == want);
}

static void check_log_level(const char *text)
{
	static char env[sizeof("FIO_VFIO_NVME_LOG=") + FUZZ_MAX_LEN];
	enum env_log_level got = (enum env_log_level)77, want = got, before;
	bool ok = ref_log_level(text, &want);
	int r = env_log_parse_level(text, &got);

	FUZZ_ASSERT(r == (ok ? 0 : -EINVAL));
	FUZZ_ASSERT(got == want);

	/*
	 * The variable changes the threshold only when it holds a valid level.
	 * putenv() of one static buffer, not setenv(): glibc keeps every value
	 * setenv() was ever given, which grows by hundreds of MB in a long run.
	 * A longer input (replayed by hand) is cut, and stays invalid.
	 */
	snprintf(env, sizeof(env), "FIO_VFIO_NVME_LOG=%s", text);
	for (before = ENV_LOG_ERROR; before <= ENV_LOG_DEBUG; before += 4) {
		env_log_threshold = before;
		FUZZ_ASSERT(!putenv(env));
		env_log_from_environment();
		FUZZ_ASSERT(env_log_threshold == (ok ? want : before));
	}
	FUZZ_ASSERT(!unsetenv("FIO_VFIO_NVME_LOG"));
	env_log_threshold = ENV_LOG_NOTICE;
	env_log_from_environment();
	FUZZ_ASSERT(env_log_threshold == ENV_LOG_NOTICE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	enum env_iova_mode mode = (enum env_iova_mode)77;

	/* Unset, fio hands the engine NULL: the documented default. */
	FUZZ_ASSERT(fvn_parse_iova_mode(NULL, &mode) == 0 && mode == ENV_IOVA_AUTO);

	check_iova_mode(text);
	check_log_level(text);
	free(text);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets in test/fuzz/ (built and run by run-fuzz.sh).
 *
 * A target checks what the parser promises, not only that it does not crash:
 * FUZZ_ASSERT() prints the broken promise and aborts, and libFuzzer reports an
 * abort like any crash and saves the input that caused it.
 */
#ifndef TEST_FUZZ_FUZZ_H
#define TEST_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run-fuzz.sh's -max_len: no input is longer. */
#define FUZZ_MAX_LEN 1024

#define FUZZ_ASSERT(cond)                                                               \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, \
				#cond);                                                 \
			abort();                                                        \
		}                                                                       \
	} while (0)

/*
 * A heap copy of the input with a NUL after it: the parsers take C strings,
 * and on the heap AddressSanitizer sees a read one byte past the end.
 * The text ends at the first NUL byte of the input, as it would in fio.
 */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * A message buffer's promise: NUL-terminated inside @size bytes, and one line
 * of printable ASCII, since messages are printed as they are, user text in them.
 */
static inline bool fuzz_is_one_line(const char *buf, size_t size)
{
	const char *nul = memchr(buf, '\0', size);

	if (!nul)
		return false;
	for (const char *p = buf; p < nul; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

#define FUZZ_CANARY 'Z'

/*
 * A message written with room for only @small bytes must be the full message
 * cut to fit, NUL-terminated, and nothing may be written past @small
 * (the rest of @buf was filled with FUZZ_CANARY before the call).
 */
static inline bool fuzz_is_truncation(const char *full, const char *buf, size_t small,
				      size_t size)
{
	size_t want = strlen(full);

	if (small == 0)
		return buf[0] == FUZZ_CANARY;
	if (want > small - 1)
		want = small - 1;
	if (strnlen(buf, small) != want || memcmp(buf, full, want))
		return false;
	for (size_t i = small; i < size; i++)
		if (buf[i] != FUZZ_CANARY)
			return false;
	return true;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Tiny unit-test harness: CHECK() records one named check, check_done()
 * prints the tally. Each test program includes the .c file under test, so
 * static functions are reachable and the layer below can be stubbed.
 *
 * Output: one line per failed check ("not ok - file:line: what"), then
 * "# <program>: N passed, M failed". Exit status 1 when any check failed.
 */
#ifndef TEST_UNIT_CHECK_H
#define TEST_UNIT_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline int check_record(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		printf("not ok - %s:%d: %s\n", file, line, what);
	}
	return ok;
}

/* CHECK(cond): passes when cond is true. */
#define CHECK(cond) check_record(!!(cond), __FILE__, __LINE__, #cond)

/* CHECK_EQ(a, b): integers compared as unsigned long long, both printed on failure. */
#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		unsigned long long check_a_ = (unsigned long long)(a);                 \
		unsigned long long check_b_ = (unsigned long long)(b);                 \
		if (!check_record(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b)) \
			printf("#   left 0x%llx (%llu), right 0x%llx (%llu)\n", check_a_,  \
			       check_a_, check_b_, check_b_);                               \
	} while (0)

/* CHECK_STR(a, b): NUL-terminated strings equal. */
#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *check_a_ = (a), *check_b_ = (b);                            \
		if (!check_record(check_a_ && check_b_ && !strcmp(check_a_, check_b_),  \
				  __FILE__, __LINE__, #a " equals " #b))                \
			printf("#   left \"%s\", right \"%s\"\n", check_a_ ? check_a_ : "(null)", \
			       check_b_ ? check_b_ : "(null)");                           \
	} while (0)

/* CHECK_CONTAINS(haystack, needle): needle is a substring of haystack. */
#define CHECK_CONTAINS(h, n)                                                            \
	do {                                                                            \
		const char *check_h_ = (h), *check_n_ = (n);                            \
		if (!check_record(check_h_ && strstr(check_h_, check_n_), __FILE__,     \
				  __LINE__, #h " contains \"" #n "\""))                 \
			printf("#   in \"%s\"\n", check_h_ ? check_h_ : "(null)");        \
	} while (0)

static inline int check_done(const char *program)
{
	printf("# %s: %d passed, %d failed\n", program, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif

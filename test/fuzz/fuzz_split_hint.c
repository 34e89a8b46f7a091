/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: fvn_filename_split_hint() (plugin/filename.c) on a job's
 * list of filenames, made from the input the way fio makes it: split at each
 * ':'. A piece that is the single byte 0xff stands for a NULL entry, which
 * the function must treat as a break in the run.
 *
 * Checks, beyond "no crash":
 *  - 0 or -ENOENT; the hint is one printable line within its buffer, empty
 *    on -ENOENT; a short buffer gets the same hint cut to fit;
 *  - 0 exactly when some 2 or 3 consecutive names, joined with ':', form a
 *    filename fvn_filename_parse() accepts (found again here by brute force),
 *    and the hint quotes the first such run;
 *  - both spellings the hint offers parse to the same target as that run,
 *    the escaped one after fio removes its backslashes;
 *  - fvn_filename_is_fragment() holds for no piece fvn_filename_parse() accepts.
 */
#include "plugin/filename.c"

#include <errno.h>

#include "test/fuzz/fuzz.h"

#define MAX_NAMES 16
#define HINT_HEAD "fio split the filename '"

/* Joins names[i..i+run) with ':' into out; false on a NULL or when too long to parse. */
static bool ref_join(char *const *names, unsigned i, unsigned run, char *out, size_t size)
{
	size_t o = 0;

	for (unsigned k = i; k < i + run; k++) {
		if (!names[k])
			return false;
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", k > i ? ":" : "",
				      names[k]);
	}
	return o < size && o <= FVN_FILENAME_MAX;
}

/* What the hint quotes: the joined names, trimmed, each whitespace byte a space. */
static void ref_quote(const char *joined, char *out)
{
	const char *s = joined, *e = joined + strlen(joined);
	size_t o = 0;

	while (s < e && strchr(" \t\n\v\f\r", *s))
		s++;
	while (e > s && strchr(" \t\n\v\f\r", e[-1]))
		e--;
	for (; s < e; s++)
		out[o++] = strchr(" \t\n\v\f\r", *s) ? ' ' : *s;
	out[o] = '\0';
}

static void check_same_target(const char *name, const struct fvn_target *want)
{
	struct fvn_target t;
	char err[512];

	if (fvn_filename_parse(name, &t, err, sizeof(err))) {
		fprintf(stderr, "suggested '%s' rejected: %s\n", name, err);
		FUZZ_ASSERT(!"the hint's suggestion parses");
	}
	FUZZ_ASSERT(!strcmp(t.bdf, want->bdf) && t.nsid == want->nsid);
}

/* Takes "... write it as A or B in the job file" apart and parses A and B. */
static void check_suggestions(const char *hint, const struct fvn_target *want)
{
	static const char as[] = ": write it as ", tail[] = " in the job file";
	char buf[1024], *a, *b, *in, *out;
	const char *p = strstr(hint, as);
	size_t len;

	FUZZ_ASSERT(p != NULL);
	p += sizeof(as) - 1;
	len = strlen(p);
	FUZZ_ASSERT(len >= sizeof(tail) - 1 && len < sizeof(buf));
	FUZZ_ASSERT(!strcmp(p + len - (sizeof(tail) - 1), tail));
	memcpy(buf, p, len - (sizeof(tail) - 1));
	buf[len - (sizeof(tail) - 1)] = '\0';
	/* No accepted filename holds " or ": a bare word must be an address. */
	a = buf;
	b = strstr(buf, " or ");
	FUZZ_ASSERT(b != NULL);
	*b = '\0';
	b += 4;
	FUZZ_ASSERT(strstr(b, " or ") == NULL);

	/* fio turns "\:" back into ':' before the engine sees the name. */
	for (in = out = a; *in; in++)
		if (!(in[0] == '\\' && in[1] == ':'))
			*out++ = *in;
	*out = '\0';
	FUZZ_ASSERT(strchr(b, ':') == NULL);
	check_same_target(a, want);
	check_same_target(b, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *names[MAX_NAMES], *p;
	char hint[1024], cut[1024], joined[FVN_FILENAME_MAX + 2], want[2 * FVN_FILENAME_MAX];
	struct fvn_target t;
	unsigned n = 0, i, run;
	size_t small = size % 160;
	bool found = false;
	int r;

	for (p = text; n < MAX_NAMES;) {
		names[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], "\xff"))
			names[i] = NULL;
		else if (fvn_filename_is_fragment(names[i]))
			FUZZ_ASSERT(fvn_filename_parse(names[i], &t, NULL, 0) == -EINVAL);
	}

	memset(hint, FUZZ_CANARY, sizeof(hint));
	r = fvn_filename_split_hint((const char *const *)names, n, hint, sizeof(hint));
	FUZZ_ASSERT(r == 0 || r == -ENOENT);
	FUZZ_ASSERT(fuzz_is_one_line(hint, sizeof(hint)));

	/* The first run that joins into a filename, longest first at each start. */
	for (i = 0; i < n && !found; i++)
		for (run = 3; run >= 2 && !found; run--)
			found = run <= n - i &&
				ref_join(names, i, run, joined, sizeof(joined)) &&
				!fvn_filename_parse(joined, &t, NULL, 0);
	FUZZ_ASSERT(found == (r == 0));
	if (found) {
		ref_quote(joined, want);
		FUZZ_ASSERT(!strncmp(hint, HINT_HEAD, sizeof(HINT_HEAD) - 1));
		FUZZ_ASSERT(!strncmp(hint + sizeof(HINT_HEAD) - 1, want, strlen(want)));
		FUZZ_ASSERT(!strncmp(hint + sizeof(HINT_HEAD) - 1 + strlen(want), "' at its colons",
				     15));
		check_suggestions(hint, &t);
	} else {
		FUZZ_ASSERT(hint[0] == '\0');
	}

	memset(cut, FUZZ_CANARY, sizeof(cut));
	FUZZ_ASSERT(fvn_filename_split_hint((const char *const *)names, n, cut, small) == r);
	FUZZ_ASSERT(fuzz_is_truncation(hint, cut, small, sizeof(cut)));
	FUZZ_ASSERT(fvn_filename_split_hint((const char *const *)names, n, NULL, 0) == r);

	/* No list at all: no hint, and an empty one when there is room. */
	memset(cut, FUZZ_CANARY, sizeof(cut));
	FUZZ_ASSERT(fvn_filename_split_hint(NULL, n, cut, small) == -ENOENT);
	FUZZ_ASSERT(fuzz_is_truncation("", cut, small, sizeof(cut)));

	free(text);
	return 0;
}

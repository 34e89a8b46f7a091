/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: one fio filename through fvn_filename_parse(),
 * fvn_filename_is_fragment() and fvn_bdf_to_dotted() (plugin/filename.c).
 *
 * Beyond "no crash", each input checks what plugin/filename.h promises:
 *  - 0 or -EINVAL, the same with or without a message buffer;
 *  - the message is one printable line, NUL-terminated within its buffer,
 *    empty on success, and on failure shows a filename that parses;
 *  - a short buffer gets the same message cut to fit, and no byte past it;
 *  - a rejection leaves the target as it was;
 *  - an accepted address is canonical (dddd:bb:dd.f, lowercase, device up to
 *    1f, function up to 7), the nsid is 0 or 1..FVN_NSID_MAX, and the address
 *    written back in every accepted form parses to the same target;
 *  - a fragment (what fio leaves of an unescaped address) never parses, and
 *    is_fragment() agrees with the rule written out again here;
 *  - NULL is rejected, is no fragment, and converts to "".
 */
#include "plugin/filename.c"

#include <errno.h>

#include "test/fuzz/fuzz.h"

/* The rule of fvn_filename_is_fragment(), spelled differently on purpose. */
static bool ref_is_fragment(const char *s)
{
	size_t len = strlen(s);

	if (len >= 1 && len <= 4 && strspn(s, "0123456789abcdefABCDEF") == len)
		return true;
	return len == 4 && strspn(s, "0123456789abcdefABCDEF") == 2 && s[2] == '.' &&
	       s[3] >= '0' && s[3] <= '7';
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_canonical_bdf(const char *bdf)
{
	static const char shape[] = "hhhh:hh:hh.h";

	if (strnlen(bdf, 16) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'h' ? !is_lower_hex(bdf[i]) : bdf[i] != shape[i])
			return false;
	return bdf[8] <= '1' && bdf[11] <= '7';
}

/* Another spelling of an accepted target must parse to the same target. */
static void check_reparse(const char *name, const struct fvn_target *want)
{
	struct fvn_target t;
	char err[512];

	memset(&t, 0, sizeof(t));
	if (fvn_filename_parse(name, &t, err, sizeof(err))) {
		fprintf(stderr, "'%s' rejected: %s\n", name, err);
		FUZZ_ASSERT(!"a respelling of an accepted filename parses");
	}
	FUZZ_ASSERT(!strcmp(t.bdf, want->bdf));
	FUZZ_ASSERT(t.nsid == want->nsid);
}

static void check_accepted(const struct fvn_target *t, size_t small)
{
	char dotted[16], cut[16], name[64];

	FUZZ_ASSERT(is_canonical_bdf(t->bdf));
	FUZZ_ASSERT(t->nsid <= FVN_NSID_MAX);

	fvn_bdf_to_dotted(t->bdf, dotted, sizeof(dotted));
	FUZZ_ASSERT(strlen(dotted) == 12);
	for (size_t i = 0; i < 12; i++)
		FUZZ_ASSERT(dotted[i] == (t->bdf[i] == ':' ? '.' : t->bdf[i]));
	small %= sizeof(cut) + 1;
	memset(cut, FUZZ_CANARY, sizeof(cut));
	fvn_bdf_to_dotted(t->bdf, cut, small);
	FUZZ_ASSERT(fuzz_is_truncation(dotted, cut, small, sizeof(cut)));

	if (!t->nsid) {
		check_reparse(t->bdf, t);
		check_reparse(dotted, t);
		if (!strncmp(t->bdf, "0000:", 5))
			check_reparse(t->bdf + 5, t); /* domain 0 may be left out */
		return;
	}
	snprintf(name, sizeof(name), "%s ns=%u", t->bdf, t->nsid);
	check_reparse(name, t);
	snprintf(name, sizeof(name), "nsid=%u %s", t->nsid, dotted);
	check_reparse(name, t);
	snprintf(name, sizeof(name), "ns=%u trtype=PCIe traddr=%s", t->nsid, dotted);
	check_reparse(name, t);
}

/*
 * filename.h: "every rejection says what was wrong and shows a filename that
 * works". The fix follows the last "write " (the user's text, quoted earlier
 * in the message, may hold that word too), after a lead-in such as "a PCI
 * address such as", and ends at the first ", ", ")", " as " or " in ".
 * fio removes the backslashes of "\:" before the engine sees a name.
 */
static void check_suggestion(const char *err)
{
	static const char *const leadins[] = { "a PCI address such as ", "one, e.g. " };
	static const char *const ends[] = { ", ", ")", " as ", " in " };
	const char *p = NULL, *q, *end;
	char fix[256], *in, *out;
	struct fvn_target t;

	for (q = err; (q = strstr(q, "write ")); q++)
		p = q + 6;
	FUZZ_ASSERT(p != NULL);
	for (size_t i = 0; i < sizeof(leadins) / sizeof(leadins[0]); i++)
		if (!strncmp(p, leadins[i], strlen(leadins[i])))
			p += strlen(leadins[i]);
	end = p + strlen(p);
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		q = strstr(p, ends[i]);
		if (q && q < end)
			end = q;
	}
	FUZZ_ASSERT(end > p && (size_t)(end - p) < sizeof(fix));
	memcpy(fix, p, (size_t)(end - p));
	fix[end - p] = '\0';
	for (in = out = fix; *in; in++)
		if (!(in[0] == '\\' && in[1] == ':'))
			*out++ = *in;
	*out = '\0';
	if (fvn_filename_parse(fix, &t, NULL, 0)) {
		fprintf(stderr, "suggested '%s' in \"%s\" does not parse\n", fix, err);
		FUZZ_ASSERT(!"a rejection shows a filename that works");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_cstr(data, size);
	struct fvn_target t, before;
	char err[1024], cut[1024];
	size_t small = size % 97; /* any message size, chosen without taking input bytes */
	int r;

	memset(&t, 0xa5, sizeof(t));
	before = t;
	memset(err, FUZZ_CANARY, sizeof(err));
	r = fvn_filename_parse(name, &t, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT(fuzz_is_one_line(err, sizeof(err)));
	if (r == 0) {
		FUZZ_ASSERT(err[0] == '\0');
		check_accepted(&t, size);
	} else {
		FUZZ_ASSERT(!memcmp(&t, &before, sizeof(t)));
		check_suggestion(err);
	}

	memset(cut, FUZZ_CANARY, sizeof(cut));
	FUZZ_ASSERT(fvn_filename_parse(name, &t, cut, small) == r);
	FUZZ_ASSERT(fuzz_is_truncation(err, cut, small, sizeof(cut)));
	FUZZ_ASSERT(fvn_filename_parse(name, &t, NULL, 0) == r);
	FUZZ_ASSERT(fvn_filename_parse(name, &t, NULL, sizeof(err)) == r);

	FUZZ_ASSERT(fvn_filename_is_fragment(name) == ref_is_fragment(name));
	if (ref_is_fragment(name))
		FUZZ_ASSERT(r == -EINVAL);

	/* No filename at all is a rejection like any other, with the same promises. */
	memset(cut, FUZZ_CANARY, sizeof(cut));
	before = t;
	FUZZ_ASSERT(fvn_filename_parse(NULL, &t, cut, small) == -EINVAL);
	FUZZ_ASSERT(small == 0 || fuzz_is_one_line(cut, small));
	FUZZ_ASSERT(!memcmp(&t, &before, sizeof(t)));
	FUZZ_ASSERT(!fvn_filename_is_fragment(NULL));
	memset(cut, FUZZ_CANARY, sizeof(cut));
	fvn_bdf_to_dotted(NULL, cut, small);
	FUZZ_ASSERT(fuzz_is_truncation("", cut, small, sizeof(cut)));

	free(name);
	return 0;
}

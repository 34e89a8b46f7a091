/* SPDX-License-Identifier: MIT */
/*
 * plugin/filename.c - parse fio filenames into a PCI address and namespace.
 *
 * Pure string handling: no fio, no I/O, no allocation, so every accepted and
 * rejected spelling is covered by test/unit/test_filename.c. Functions return
 * 0 or a negative errno.
 *
 * Users complain that other engines want colons turned into dots, want ns=
 * last, and fail silently; so this file accepts every common spelling in any
 * order, and each rejection names the faulty piece and shows a working one.
 *
 * Address text is read in one place (fvn_bdf_split) and corrections are
 * spelt in one place (fvn_spell_fix), so the parser, the fragment check and
 * every hint agree on what an address is and how to write it.
 */
#include "filename.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Repeated in every message so each one teaches the same working forms. */
#define FVN_BDF_FORMS "0000.00.04.0, or 0000:00:04.0 escaped as 0000\\:00\\:04.0 in a job file"
#define FVN_ALL_FORMS \
	"0000.00.04.0 ns=1, 0000\\:00\\:04.0 ns=1 or trtype=PCIe traddr=0000.00.04.0 ns=1; ns= is optional"
#define FVN_SPDK_FORM "trtype=PCIe traddr=0000.00.04.0 ns=1"
#define FVN_NSID_RULE "ns= takes a decimal namespace ID from 1 to 4294967294"

/* Longest piece of user text echoed in a message, so the message stays one short line. */
#define FVN_SHOW_MAX 48

_Static_assert(sizeof(((struct fvn_target *)0)->bdf) >= sizeof("dddd:bb:dd.f"),
	       "bdf must hold the canonical address");
_Static_assert(FVN_NSID_MAX == 4294967294u, "FVN_NSID_RULE quotes this value");

/* SPDK splits on isspace(); this copy ignores the locale so results never vary. */
static bool fvn_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int fvn_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *fvn_skip_space(const char *p, const char *end)
{
	while (p < end && fvn_is_space(*p))
		p++;
	return p;
}

/* Narrows [*s, *e) to the text between its leading and trailing whitespace. */
static void fvn_trim(const char **s, const char **e)
{
	*s = fvn_skip_space(*s, *e);
	while (*e > *s && fvn_is_space((*e)[-1]))
		(*e)--;
}

/* Case-insensitive compare of a counted piece against a lowercase word. */
static bool fvn_word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	if (strlen(word) != len)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/*
 * Copies user text for a message. A filename can hold any byte, and the
 * message must stay on one line and printable, so whitespace becomes ' ',
 * other unprintables '?', and long text is cut with "...".
 */
static const char *fvn_show(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, n = len;
	bool cut = n > size - 1;

	if (cut)
		n = size - 4;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = fvn_is_space((char)c) ? ' ' : (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (cut)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = '\0';
	return buf;
}

/* Writes the reason only when the caller gave room, which callers may decline. */
__attribute__((format(printf, 3, 4)))
static int fvn_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Copies @s to @out with each ':' replaced by @colon ("." or "\\:") and each
 * run of whitespace by one space, so a suggestion is one clean line.
 */
static void fvn_respell(const char *s, size_t len, const char *colon, char *out, size_t outlen)
{
	size_t o = 0, i, clen = strlen(colon);

	if (!outlen)
		return;
	for (i = 0; i < len; i++) {
		const char *piece = &s[i];
		size_t plen = 1;

		if (s[i] == ':') {
			piece = colon;
			plen = clen;
		} else if (fvn_is_space(s[i])) {
			while (i + 1 < len && fvn_is_space(s[i + 1]))
				i++;
			piece = " ";
		}
		if (o + plen >= outlen)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
	}
	out[o] = '\0';
}

/*
 * How a corrected filename is offered after "write ". fio splits filenames at
 * ':', so a colon spelling works in a job file only escaped; dots need no escape.
 */
enum fvn_fix_form {
	FVN_FIX_DOTTED,  /* 0000.00.04.0 */
	FVN_FIX_COLON,   /* 0000:00:04.0, escaped in a job file as 0000\:00\:04.0 */
	FVN_FIX_EITHER,  /* 0000.00.04.0, or 0000:00:04.0 escaped as 0000\:00\:04.0 in a job file */
	FVN_FIX_UNSPLIT, /* as 0000\:00\:04.0 or 0000.00.04.0 in the job file */
};

/* The longest fix: a whole filename escaped (two bytes a colon) and dotted, and the words. */
#define FVN_FIX_MAX (3 * FVN_FILENAME_MAX + 64)

/* Writes @s, a filename spelt with colons, the way @form offers it. */
static void fvn_spell_fix(char *buf, size_t size, const char *s, size_t len,
			  enum fvn_fix_form form)
{
	char escaped[2 * FVN_FILENAME_MAX + 1], dotted[FVN_FILENAME_MAX + 1];

	fvn_respell(s, len, "\\:", escaped, sizeof(escaped));
	fvn_respell(s, len, ".", dotted, sizeof(dotted));
	if (form == FVN_FIX_DOTTED)
		snprintf(buf, size, "%s", dotted);
	else if (form == FVN_FIX_COLON)
		snprintf(buf, size, "%.*s, escaped in a job file as %s", (int)len, s, escaped);
	else if (form == FVN_FIX_EITHER)
		snprintf(buf, size, "%s, or %.*s escaped as %s in a job file", dotted, (int)len, s,
			 escaped);
	else
		snprintf(buf, size, "as %s or %s in the job file", escaped, dotted);
}

/* The fields of "dddd:bb:dd.f", in order; "bb:dd.f" has the last three. */
enum { FVN_DOMAIN, FVN_BUS, FVN_DEVICE, FVN_FUNCTION, FVN_NFIELDS };

/* How each field may be written; the text is quoted in errors. */
struct fvn_bdf_rule {
	const char *rule;
	unsigned int min_digits, max_digits;
	unsigned long max;
};

static const struct fvn_bdf_rule fvn_bdf_rules[FVN_NFIELDS] = {
	[FVN_DOMAIN] = { "domain must be one to four hex digits", 1, 4, 0xffff },
	[FVN_BUS] = { "bus must be two hex digits", 2, 2, 0xff },
	[FVN_DEVICE] = { "device must be two hex digits from 00 to 1f", 2, 2, 0x1f },
	[FVN_FUNCTION] = { "function must be one digit from 0 to 7", 1, 1, 0x7 },
};

/* One field of address text as the user wrote it, not yet judged. */
struct fvn_bdf_field {
	const char *s;
	size_t len;
	char sep;            /* the ':' or '.' after it, 0 after the last field */
	bool hex;            /* one or more hex digits and nothing else */
	unsigned long value; /* saturates above any rule's max */
};

/*
 * The one reader of address text: cuts @s at every ':' and '.' and keeps the
 * first fields, but counts them all, so "0000:00:04.0.1" is seen to be too long.
 */
static size_t fvn_bdf_split(const char *s, size_t len, struct fvn_bdf_field f[FVN_NFIELDS])
{
	size_t nf = 0, start = 0, i, k;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ':' && s[i] != '.')
			continue;
		if (nf < FVN_NFIELDS) {
			struct fvn_bdf_field *fl = &f[nf];
			int v = 0;

			*fl = (struct fvn_bdf_field){ .s = s + start, .len = i - start,
						      .sep = i < len ? s[i] : '\0' };
			for (k = start; k < i && (v = fvn_hex_value(s[k])) >= 0; k++)
				if (fl->value <= 0xffff)
					fl->value = fl->value * 16 + (unsigned long)v;
			fl->hex = k == i && i > start;
		}
		nf++;
		start = i + 1;
	}
	return nf;
}

/* Whether @f is written as @r asks; @padded forgives the leading zeros a fix may add. */
static bool fvn_bdf_fits(const struct fvn_bdf_field *f, const struct fvn_bdf_rule *r, bool padded)
{
	return f->hex && (padded || f->len >= r->min_digits) && f->len <= r->max_digits &&
	       f->value <= r->max;
}

/*
 * What fio leaves of an address it split at ':': "0000", "00" or "04.0". Only
 * the shape counts, not the device's range: any such piece is worth a hint.
 */
static bool fvn_bdf_is_fragment(const struct fvn_bdf_field *f, size_t nf)
{
	if (nf == 1)
		return fvn_bdf_fits(&f[0], &fvn_bdf_rules[FVN_DOMAIN], false);
	return nf == 2 && f[0].sep == '.' && f[0].hex && f[0].len == 2 &&
	       fvn_bdf_fits(&f[1], &fvn_bdf_rules[FVN_FUNCTION], false);
}

/*
 * Parses "dddd:bb:dd.f", "bb:dd.f" and their dotted twins into canonical
 * lowercase "dddd:bb:dd.f". Colons and dots are not mixed within one
 * address: that is usually a typo, and the fix is then offered.
 */
static int fvn_bdf_parse(const char *s, size_t len, char bdf[16], char *err, size_t errlen)
{
	struct fvn_bdf_field f[FVN_NFIELDS];
	const struct fvn_bdf_rule *rules;
	char style, canon[16], fix[FVN_FIX_MAX], q[FVN_SHOW_MAX + 1], fq[FVN_SHOW_MAX + 1];
	size_t nf = fvn_bdf_split(s, len, f), i, bad;
	enum fvn_fix_form form;
	bool layout_ok;

	fvn_show(q, sizeof(q), s, len);
	if (fvn_bdf_is_fragment(f, nf))
		return fvn_fail(err, errlen, "'%s' is only part of a PCI address: fio splits "
				"filenames at ':', so write 0000:00:04.0 as 0000\\:00\\:04.0 or "
				"0000.00.04.0 in the job file", q);

	/* io_uring users arrive with a device node; point them at its address. */
	if (len && s[0] == '/')
		return fvn_fail(err, errlen, "'%s' is a path, but this engine opens the controller by "
				"its PCI address, shown by lspci -D or /sys/class/nvme/nvme0/address "
				"(write " FVN_BDF_FORMS ")", q);

	if (nf != 3 && nf != 4)
		return fvn_fail(err, errlen, "'%s' is not a PCI address (write " FVN_BDF_FORMS ")",
				q);

	/* Without a domain the fields line up with the last three rules. */
	rules = fvn_bdf_rules + FVN_NFIELDS - nf;
	layout_ok = f[nf - 2].sep == '.';
	/* The separators before dd.f must agree; style is theirs, or 0 when mixed. */
	style = f[0].sep;
	for (i = 1; i + 2 < nf; i++)
		if (f[i].sep != style)
			style = 0;
	for (bad = 0; bad < nf && fvn_bdf_fits(&f[bad], &rules[bad], false); bad++)
		;
	/* Masked so that even fields which broke their rules fit the 16 bytes. */
	snprintf(canon, sizeof(canon), "%04x:%02x:%02x.%x",
		 nf == 4 ? (unsigned int)(f[0].value & 0xffff) : 0u,
		 (unsigned int)(f[nf - 3].value & 0xff), (unsigned int)(f[nf - 2].value & 0x1f),
		 (unsigned int)(f[nf - 1].value & 0x7));
	if (layout_ok && style && bad == nf) {
		memcpy(bdf, canon, sizeof(canon));
		return 0;
	}

	/*
	 * The corrected address is offered only when the fix is certain: the
	 * layout was right and short fields just need zero padding. Anything else
	 * gets the generic example, as guessing which field a stray digit belongs
	 * to would mislead. The fields before @bad fit already. The fix keeps
	 * the user's separator, and offers both when they were mixed.
	 */
	for (i = bad; i < nf && fvn_bdf_fits(&f[i], &rules[i], true); i++)
		;
	form = style == '.' ? FVN_FIX_DOTTED : style == ':' ? FVN_FIX_COLON : FVN_FIX_EITHER;
	if (layout_ok && i == nf)
		fvn_spell_fix(fix, sizeof(fix), canon, strlen(canon), form);
	else
		snprintf(fix, sizeof(fix), "a PCI address such as " FVN_BDF_FORMS);

	if (!layout_ok)
		return fvn_fail(err, errlen, "'%s': the function must follow a '.', as in dd.f "
				"(write %s)", q, fix);
	if (!style)
		return fvn_fail(err, errlen, "'%s': mixes ':' and '.' between fields (write %s)", q,
				fix);
	if (!f[bad].len)
		return fvn_fail(err, errlen, "'%s': %s, but it is missing (write %s)", q,
				rules[bad].rule, fix);
	return fvn_fail(err, errlen, "'%s': %s, not '%s' (write %s)", q, rules[bad].rule,
			fvn_show(fq, sizeof(fq), f[bad].s, f[bad].len), fix);
}

static int fvn_nsid_parse(const char *s, size_t len, uint32_t *nsid, char *err, size_t errlen)
{
	char q[FVN_SHOW_MAX + 1];
	unsigned long long v = 0;
	size_t i;

	fvn_show(q, sizeof(q), s, len);
	if (!len)
		return fvn_fail(err, errlen, "ns= has no value: " FVN_NSID_RULE
				" (write 0000.00.04.0 ns=1)");
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fvn_fail(err, errlen, "'%s' is not a namespace ID: " FVN_NSID_RULE
					" (write 0000.00.04.0 ns=1)", q);
		/* Saturate so a 30-digit number reads as too big, not as a wrapped value. */
		if (v <= FVN_NSID_MAX)
			v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v == 0)
		return fvn_fail(err, errlen, "ns=%s is not a namespace ID: " FVN_NSID_RULE
				" (write 0000.00.04.0 ns=1, or leave ns= out for the first "
				"active namespace)", q);
	if (v > FVN_NSID_MAX)
		return fvn_fail(err, errlen, "ns=%s is out of range: " FVN_NSID_RULE
				" (write 0000.00.04.0 ns=1)", q);
	*nsid = (uint32_t)v;
	return 0;
}

enum fvn_key { FVN_KEY_NONE, FVN_KEY_TRTYPE, FVN_KEY_TRADDR, FVN_KEY_NS };

static enum fvn_key fvn_key_lookup(const char *s, size_t len)
{
	if (fvn_word_is(s, len, "trtype"))
		return FVN_KEY_TRTYPE;
	if (fvn_word_is(s, len, "traddr"))
		return FVN_KEY_TRADDR;
	/* xNVMe users know the namespace as "nsid". */
	if (fvn_word_is(s, len, "ns") || fvn_word_is(s, len, "nsid"))
		return FVN_KEY_NS;
	return FVN_KEY_NONE;
}

/* One whitespace-separated word: either "key=value" or a bare address. */
struct fvn_token {
	const char *start;
	size_t len; /* whole token, for messages */
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
	bool has_eq;
};

/*
 * Returns the next token, or false at the end. Whitespace around '=' is
 * forgiven ("ns = 1"), but a value is never taken from a following word
 * that is itself key=value, so "ns= traddr=..." reads as an empty ns.
 */
static bool fvn_next_token(const char **pp, const char *end, struct fvn_token *tk)
{
	const char *p = fvn_skip_space(*pp, end), *q, *w;

	if (p == end)
		return false;
	tk->start = tk->key = p;
	while (p < end && !fvn_is_space(*p) && *p != '=')
		p++;
	tk->klen = (size_t)(p - tk->key);
	q = fvn_skip_space(p, end);
	tk->has_eq = q < end && *q == '=';
	tk->val = NULL;
	tk->vlen = 0;
	if (tk->has_eq) {
		p = q + 1;
		q = fvn_skip_space(p, end);
		for (w = q; w < end && !fvn_is_space(*w) && *w != '='; w++)
			;
		if (q == p || w == end || *w != '=') {
			while (w < end && !fvn_is_space(*w))
				w++;
			tk->val = q;
			tk->vlen = (size_t)(w - q);
			p = w;
		} else {
			tk->val = p;
		}
	}
	tk->len = (size_t)(p - tk->start);
	*pp = p;
	return true;
}

int fvn_filename_parse(const char *name, struct fvn_target *t, char *err, size_t errlen)
{
	char q[FVN_SHOW_MAX + 1], kq[FVN_SHOW_MAX + 1], bdf[sizeof(t->bdf)];
	const char *start, *end, *p;
	struct fvn_token tk;
	bool seen_trtype = false, seen_addr = false, seen_ns = false;
	uint32_t nsid = 0;
	size_t len;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!name)
		return fvn_fail(err, errlen, "no filename given (write " FVN_ALL_FORMS ")");
	len = strnlen(name, FVN_FILENAME_MAX + 1);
	if (len > FVN_FILENAME_MAX)
		return fvn_fail(err, errlen, "filename '%s' is longer than %d characters (write "
				FVN_ALL_FORMS ")", fvn_show(q, sizeof(q), name, len),
				FVN_FILENAME_MAX);
	start = name;
	end = name + len;
	fvn_trim(&start, &end);
	if (start == end)
		return fvn_fail(err, errlen, "empty filename (write " FVN_ALL_FORMS ")");
	fvn_show(q, sizeof(q), start, (size_t)(end - start));

	/*
	 * trtype first, wherever it stands: "traddr=10.0.0.1 trtype=TCP" is best
	 * answered with "only PCIe", not with a complaint about the address.
	 */
	for (p = start; fvn_next_token(&p, end, &tk);)
		if (tk.has_eq && fvn_key_lookup(tk.key, tk.klen) == FVN_KEY_TRTYPE &&
		    !fvn_word_is(tk.val, tk.vlen, "pcie"))
			return fvn_fail(err, errlen, "trtype '%s': only trtype=PCIe is supported; "
					"this engine drives local NVMe devices through VFIO (write "
					FVN_SPDK_FORM ")",
					fvn_show(kq, sizeof(kq), tk.val, tk.vlen));

	for (p = start; fvn_next_token(&p, end, &tk);) {
		enum fvn_key key = fvn_key_lookup(tk.key, tk.klen);

		fvn_show(kq, sizeof(kq), tk.start, tk.len);
		if (!tk.has_eq) {
			if (key != FVN_KEY_NONE)
				return fvn_fail(err, errlen, "'%s': key without '=value' (write "
						FVN_SPDK_FORM ")", kq);
			/* A bare word is the address, as if written traddr=word. */
			key = FVN_KEY_TRADDR;
			tk.val = tk.key;
			tk.vlen = tk.klen;
		}
		switch (key) {
		case FVN_KEY_TRTYPE:
			if (seen_trtype)
				return fvn_fail(err, errlen, "'%s': key 'trtype' given twice (write "
						FVN_SPDK_FORM ")", q);
			seen_trtype = true;
			break;
		case FVN_KEY_TRADDR:
			/* After the address, traddr= or a second address repeats it. */
			if (seen_addr &&
			    (tk.has_eq || !fvn_bdf_parse(tk.val, tk.vlen, bdf, NULL, 0)))
				return fvn_fail(err, errlen, "'%s': PCI address given twice "
						"(write one, e.g. " FVN_SPDK_FORM ")", q);
			if (seen_addr)
				return fvn_fail(err, errlen, "'%s': unexpected '%s' after the PCI "
						"address (write " FVN_ALL_FORMS ")", q, kq);
			if (!tk.vlen)
				return fvn_fail(err, errlen, "'%s': traddr= has no value (write "
						FVN_SPDK_FORM ")", q);
			ret = fvn_bdf_parse(tk.val, tk.vlen, bdf, err, errlen);
			if (ret)
				return ret;
			seen_addr = true;
			break;
		case FVN_KEY_NS:
			if (seen_ns)
				return fvn_fail(err, errlen, "'%s': key 'ns' given twice (write "
						FVN_SPDK_FORM ")", q);
			ret = fvn_nsid_parse(tk.val, tk.vlen, &nsid, err, errlen);
			if (ret)
				return ret;
			seen_ns = true;
			break;
		case FVN_KEY_NONE:
			if (!tk.klen)
				return fvn_fail(err, errlen, "'%s': '=' without a key before it "
						"(write " FVN_SPDK_FORM ")", kq);
			return fvn_fail(err, errlen, "'%s': unknown key '%s', the keys are trtype, "
					"traddr and ns (write " FVN_SPDK_FORM ")", q,
					fvn_show(kq, sizeof(kq), tk.key, tk.klen));
		}
	}

	if (!seen_addr && seen_trtype)
		return fvn_fail(err, errlen, "'%s': trtype=PCIe needs traddr= with the PCI "
				"address (write " FVN_SPDK_FORM ")", q);
	if (!seen_addr)
		return fvn_fail(err, errlen, "'%s': no PCI address (write " FVN_ALL_FORMS ")", q);

	memcpy(t->bdf, bdf, sizeof(t->bdf));
	t->nsid = nsid;
	return 0;
}

bool fvn_filename_is_fragment(const char *name)
{
	struct fvn_bdf_field f[FVN_NFIELDS];

	return name && fvn_bdf_is_fragment(f, fvn_bdf_split(name, strlen(name), f));
}

void fvn_bdf_to_dotted(const char *bdf, char *out, size_t outlen)
{
	if (!bdf)
		bdf = "";
	fvn_respell(bdf, strlen(bdf), ".", out, outlen);
}

/* Joins @n names with ':' as they were before fio split them; false when they do not fit. */
static bool fvn_join(const char *const *names, unsigned int n, char *out, size_t size)
{
	size_t o = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!names[i] || o + (i > 0) + strlen(names[i]) >= size)
			return false;
		o += (size_t)snprintf(out + o, size - o, "%s%s", i > 0 ? ":" : "", names[i]);
	}
	return true;
}

int fvn_filename_split_hint(const char *const *names, unsigned n, char *hint, size_t hintlen)
{
	char joined[FVN_FILENAME_MAX + 1], q[FVN_FILENAME_MAX + 1], fix[FVN_FIX_MAX];
	struct fvn_target t;
	const char *s, *e;
	unsigned int i, run;

	if (hint && hintlen)
		hint[0] = '\0';
	if (!names)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		/* An address has at most two colons, so fio makes at most three pieces. */
		for (run = 3; run >= 2; run--) {
			if (run > n - i || !fvn_join(names + i, run, joined, sizeof(joined)) ||
			    fvn_filename_parse(joined, &t, NULL, 0))
				continue;
			s = joined;
			e = joined + strlen(joined);
			fvn_trim(&s, &e);
			fvn_show(q, sizeof(q), s, (size_t)(e - s));
			fvn_spell_fix(fix, sizeof(fix), s, (size_t)(e - s), FVN_FIX_UNSPLIT);
			if (hint && hintlen)
				snprintf(hint, hintlen, "fio split the filename '%s' at its colons: "
					 "write it %s", q, fix);
			return 0;
		}
	}
	return -ENOENT;
}

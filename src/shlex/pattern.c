/*
 * BuildKit turns a ${} pattern into a Go regexp and lets the regexp engine
 * pick the match; this backtracks over the pattern in the order Go's
 * leftmost-first semantics prefer, so the same match comes out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/unicode.h"
#include "pattern.h"

enum atom_kind {
	ATOM_CHAR,
	ATOM_ANY,
	ATOM_STAR,
};

struct atom {
	enum atom_kind kind;
	const char *s;		/* ATOM_CHAR: the character's bytes */
	size_t n;
};

struct glob {
	struct atom *a;
	size_t n, cap;
};

struct matcher {
	const struct glob *g;
	const char *v;
	size_t vn;
	bool greedy;
	unsigned char *bound;	/* bound[i]: a character starts at v + i */
	unsigned char *failed;	/* bit per (star atom, offset): no match */
};

/* decode one character of the NUL-terminated s into *cp and return its
 * length; a byte that does not start valid UTF-8 is one RUNE_ERROR */
static size_t
utf8_next(const char *s, uint32_t *cp)
{
	size_t n;

	*cp = utf8_decode(s, strnlen(s, 4), &n);
	return n;
}

/* Go's unicode.IsLetter || unicode.IsDigit || '_', approximated above
 * Latin-1 exactly as words.c does for variable names */
/* the lexer escape does not apply here: the pattern escape is always '\' */
static int
glob_compile(const char *pat, struct glob *g, struct err **errp)
{
	const char *p = pat;
	struct atom at;
	uint32_t c;
	size_t n;

	while (*p) {
		n = utf8_next(p, &c);
		at.kind = ATOM_CHAR;
		at.s = p;
		at.n = n;
		if (c == '*') {
			at.kind = ATOM_STAR;
		} else if (c == '?') {
			at.kind = ATOM_ANY;
		} else if (c == '\\') {
			/* "\}" and "\/" escape the ${} syntax, not the pattern */
			if (p[1] == '}' || p[1] == '/') {
				p++;
				continue;
			}
			p++;
			if (*p != '*' && *p != '?' && *p != '\\') {
				n = *p ? utf8_next(p, &c) : 0;
				return err_make(errp, 0, "invalid pattern (%s) in substitution: invalid escape '\\%.*s'",
						pat, (int)n, p);
			}
			at.s = p;
			at.n = n = 1;
		}
		xgrow(&g->a, &g->cap, g->n + 1, sizeof(*g->a));
		g->a[g->n++] = at;
		p += n;
	}
	return 0;
}

static void
matcher_init(struct matcher *m, const struct glob *g, const char *v,
	     bool greedy)
{
	size_t i = 0, bits;
	uint32_t c;

	m->g = g;
	m->v = v;
	m->vn = strlen(v);
	m->greedy = greedy;
	m->bound = xcalloc(m->vn + 1, 1);
	while (i < m->vn) {
		m->bound[i] = 1;
		i += utf8_next(v + i, &c);
	}
	m->bound[m->vn] = 1;
	bits = (g->n + 1) * (m->vn + 1);
	m->failed = xcalloc(bits / 8 + 1, 1);
}

static void
matcher_fini(struct matcher *m)
{
	free(m->bound);
	free(m->failed);
}

static long match_star(struct matcher *m, size_t ai, size_t si);

/*
 * the end of the match of atoms ai.. starting at si that Go's regexp
 * picks (leftmost-first: the order a backtracking matcher tries), or -1;
 * the pattern compiles to a regexp in which '.' does not match '\n'
 */
static long
match_from(struct matcher *m, size_t ai, size_t si)
{
	const struct atom *a;
	uint32_t c;

	for (; ai < m->g->n; ai++) {
		a = &m->g->a[ai];
		switch (a->kind) {
		case ATOM_CHAR:
			if (m->vn - si < a->n || memcmp(m->v + si, a->s, a->n) ||
			    utf8_next(m->v + si, &c) != a->n)
				return -1;
			si += a->n;
			break;
		case ATOM_ANY:
			if (si == m->vn || m->v[si] == '\n')
				return -1;
			si += utf8_next(m->v + si, &c);
			break;
		case ATOM_STAR:
			return match_star(m, ai, si);
		}
	}
	return (long)si;
}

/* a state that failed once fails again, and a success ends the search,
 * so remembering failures keeps stars from going exponential */
static long
match_star(struct matcher *m, size_t ai, size_t si)
{
	size_t bit = ai * (m->vn + 1) + si, lim = si, i;
	long r;

	if (m->failed[bit / 8] & (1u << (bit % 8)))
		return -1;
	while (lim < m->vn && m->v[lim] != '\n')
		lim++;
	if (m->greedy) {
		for (i = lim + 1; i-- > si;)
			if (m->bound[i] && (r = match_from(m, ai + 1, i)) >= 0)
				return r;
	} else {
		for (i = si; i <= lim; i++)
			if (m->bound[i] && (r = match_from(m, ai + 1, i)) >= 0)
				return r;
	}
	m->failed[bit / 8] |= (unsigned char)(1u << (bit % 8));
	return -1;
}

/* the leftmost match starting at or after from */
static bool
match_find(struct matcher *m, size_t from, size_t *start, size_t *end)
{
	long r;

	for (; from <= m->vn; from++) {
		if (!m->bound[from])
			continue;
		r = match_from(m, 0, from);
		if (r >= 0) {
			*start = from;
			*end = (size_t)r;
			return true;
		}
	}
	return false;
}

int
pattern_trim_prefix(const char *value, const char *pat, bool longest,
		    struct buf *out, struct err **errp)
{
	struct glob g = { NULL, 0, 0 };
	struct matcher m;
	long r;

	if (glob_compile(pat, &g, errp) < 0) {
		free(g.a);
		return -1;
	}
	matcher_init(&m, &g, value, longest);
	r = match_from(&m, 0, 0);
	buf_puts(out, value + (r > 0 ? r : 0));
	matcher_fini(&m);
	free(g.a);
	return 0;
}

/* s reversed character by character; with keep_escapes, a '\' stays in
 * front of the character it escapes */
static char *
reverse(const char *s, bool keep_escapes)
{
	size_t len = strlen(s), i = 0, n;
	char *r = xmalloc(len + 1);
	uint32_t c;

	while (i < len) {
		if (keep_escapes && s[i] == '\\' && i + 1 < len)
			n = 1 + utf8_next(s + i + 1, &c);
		else
			n = utf8_next(s + i, &c);
		memcpy(r + len - i - n, s + i, n);
		i += n;
	}
	r[len] = '\0';
	return r;
}

/* BuildKit reverses pattern and value and trims a prefix, which is how
 * the shortest suffix is found */
int
pattern_trim_suffix(const char *value, const char *pat, bool longest,
		    struct buf *out, struct err **errp)
{
	char *rpat = reverse(pat, true), *rval = reverse(value, false), *r;
	struct buf tmp = BUF_INIT;
	int ret;

	ret = pattern_trim_prefix(rval, rpat, longest, &tmp, errp);
	if (ret == 0) {
		r = reverse(buf_str(&tmp), false);
		buf_puts(out, r);
		free(r);
	}
	buf_fini(&tmp);
	free(rpat);
	free(rval);
	return ret;
}

/*
 * Go's Regexp.Expand as ReplaceAllString applies it to the replacement:
 * "$$" is '$', "$0" and "${0}" the match, any other "$name" or "${name}"
 * a group that does not exist (empty), and a '$' starting neither is kept;
 * stops once out is longer than stop, as many "$0" multiply the match
 */
static void
expand_repl(struct buf *out, const char *t, const char *m, size_t mn,
	    size_t stop)
{
	const char *d, *q, *e;
	bool brace;
	uint32_t c;
	size_t n;

	while ((d = strchr(t, '$')) && out->len <= stop) {
		buf_putn(out, t, (size_t)(d - t));
		t = d + 1;
		if (*t == '$') {
			buf_putc(out, '$');
			t++;
			continue;
		}
		brace = *t == '{';
		q = e = t + brace;
		while (*e) {
			n = utf8_next(e, &c);
			if (!uni_is_name_char(c))
				break;
			e += n;
		}
		if (e == q || (brace && *e != '}')) {
			buf_putc(out, '$');
			continue;
		}
		if (e - q == 1 && *q == '0')
			buf_putn(out, m, mn);
		t = e + brace;
	}
	buf_puts(out, t);
}

int
pattern_replace(const char *value, const char *pat, const char *repl,
		bool all, size_t max, struct buf *out, struct err **errp)
{
	struct glob g = { NULL, 0, 0 };
	size_t search = 0, last = 0, a0, a1, w, start = out->len, stop;
	struct matcher m;
	uint32_t c;

	if (glob_compile(pat, &g, errp) < 0) {
		free(g.a);
		return -1;
	}
	matcher_init(&m, &g, value, true);
	stop = max > SIZE_MAX - start ? SIZE_MAX : start + max;
	if (!all) {
		/* no bigger than value and repl together: no check before */
		if (match_find(&m, 0, &a0, &a1)) {
			buf_putn(out, value, a0);
			buf_puts(out, repl);
			buf_puts(out, value + a1);
		} else {
			buf_puts(out, value);
		}
		goto out;
	}
	/* Regexp.ReplaceAllString: no replacement for an empty match right
	 * after a match, and the search always moves on by a character */
	while (search <= m.vn && match_find(&m, search, &a0, &a1)) {
		buf_putn(out, value + last, a0 - last);
		if (a1 > last || a0 == 0)
			expand_repl(out, repl, value + a0, a1 - a0, stop);
		if (out->len > stop)
			goto out;
		last = a1;
		w = search < m.vn ? utf8_next(value + search, &c) : 0;
		if (search + w > a1)
			search += w;
		else if (search + 1 > a1)
			search++;
		else
			search = a1;
	}
	buf_puts(out, value + last);
out:
	matcher_fini(&m);
	free(g.a);
	return out->len > stop ? 1 : 0;
}

/*
 * shell-word expansion as BuildKit's Dockerfile frontend does it
 * (frontend/dockerfile/shell/lex.go). A Dockerfile has to expand here
 * exactly as it does under `docker build`, so the odd corners are kept on
 * purpose; the comments below point them out.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/err.h"
#include "../util/vars.h"
#include "words.h"

/* what Go's decoder yields for a byte that does not start valid UTF-8 */
#define RUNE_ERROR 0xfffd
/* no more input where an operator character was expected */
#define END (-1)

struct lexer {
	const struct shlex *sh;
	const char *p;		/* next unread byte */
	char esc;
	bool raw;		/* keep escape characters: pattern operands */
	struct err *err;
};

/* field splitting for shlex_words: only the outermost scan splits */
struct fields {
	struct strv words;
	struct buf cur;
	bool in_word;
};

/* a compiled ${v#pat} / ${v/pat/r} pattern */
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

static int scan(struct lexer *lx, char stop, bool raw, struct buf *out,
		struct fields *f);

static int
fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct lexer *lx, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	err_make(&lx->err, 0, "%s", buf_str(&b));
	buf_fini(&b);
	return -1;
}

/*
 * decode one character of the NUL-terminated s into *cp and return its
 * length; a byte that does not start valid UTF-8 is one RUNE_ERROR, as in
 * Go, though its byte is copied through unchanged
 */
static size_t
utf8_next(const char *s, int32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;
	int32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		c = u[0] & 0x0f;
		if (u[0] == 0xe0)
			lo = 0xa0;
		else if (u[0] == 0xed)
			hi = 0x9f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		c = u[0] & 0x07;
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;
	} else {
		goto bad;
	}
	for (i = 1; i < n; i++) {
		if (u[i] < lo || u[i] > hi)
			goto bad;
		c = c << 6 | (u[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return n;
bad:
	*cp = RUNE_ERROR;
	return 1;
}

/* Go's unicode.IsSpace: what splits fields */
static bool
is_space(int32_t c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return true;
	}
	return c >= 0x2000 && c <= 0x200a;
}

static bool
is_digit(int32_t c)
{
	return c >= '0' && c <= '9';
}

/*
 * Go's unicode.IsLetter, exact for ASCII and Latin-1; above that, every
 * character outside the punctuation, symbol and private-use blocks counts
 * as a letter, which covers the scripts people write names in
 */
static bool
is_letter(int32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c < 0x100)
		return c == 0xaa || c == 0xb5 || c == 0xba ||
		       (c >= 0xc0 && c != 0xd7 && c != 0xf7);
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfe30 && c <= 0xfe6f) ||
	    (c >= 0xff00 && c <= 0xff20) || (c >= 0xfff0 && c <= 0xffff) ||
	    (c >= 0x1f000 && c <= 0x1faff) || c >= 0xf0000)
		return false;
	return true;
}

static bool
is_name_char(int32_t c)
{
	return is_letter(c) || is_digit(c) || c == '_';
}

static bool
lookup(struct lexer *lx, const char *name, const char **value)
{
	const char *v = NULL;

	*value = "";
	if (!lx->sh->lookup || !lx->sh->lookup(lx->sh->ctx, name, &v))
		return false;
	if (v)
		*value = v;
	return true;
}

static void
fields_char(struct fields *f, const char *s, size_t n, int32_t c)
{
	if (!is_space(c)) {
		buf_putn(&f->cur, s, n);
		f->in_word = true;
	} else if (f->in_word && f->cur.len) {
		strv_push(&f->words, buf_steal(&f->cur));
		f->in_word = false;
	}
}

/* quoted or escaped text: never split, and it starts a word even when
 * empty (though an empty word is dropped at the end, as BuildKit does) */
static void
fields_raw(struct fields *f, const char *s, size_t n)
{
	buf_putn(&f->cur, s, n);
	f->in_word = true;
}

static void
fields_split(struct fields *f, const char *s, size_t len)
{
	const char *end = s + len;
	int32_t c;
	size_t n;

	while (s < end) {
		n = utf8_next(s, &c);
		fields_char(f, s, n, c);
		s += n;
	}
}

/* the name after '$' or "${": a run of digits, one special parameter
 * character, or letters, digits and '_' (empty when none) */
static void
read_name(struct lexer *lx, struct buf *name)
{
	int32_t c;
	size_t n;

	buf_putn(name, "", 0);
	if (is_digit(*lx->p)) {
		while (is_digit(*lx->p))
			buf_putc(name, *lx->p++);
		return;
	}
	if (*lx->p && strchr("@*#?-$!", *lx->p)) {
		buf_putc(name, *lx->p++);
		return;
	}
	while (*lx->p) {
		n = utf8_next(lx->p, &c);
		if (!is_name_char(c))
			break;
		buf_putn(name, lx->p, n);
		lx->p += n;
	}
}

static int
single_quote(struct lexer *lx, struct buf *out)
{
	const char *end = strchr(lx->p + 1, '\'');

	if (!end) {
		lx->p += strlen(lx->p);
		return fail(lx, "unexpected end of statement while looking for matching single-quote");
	}
	buf_putn(out, lx->p + 1, (size_t)(end - lx->p - 1));
	lx->p = end + 1;
	return 0;
}

static int dollar(struct lexer *lx, struct buf *out);

/* inside "...", the escape character only escapes '"', '$' and itself;
 * in a pattern operand it is kept, and doubled before anything else */
static int
double_quote(struct lexer *lx, struct buf *out)
{
	lx->p++;
	for (;;) {
		switch (*lx->p) {
		case '\0':
			return fail(lx, "unexpected end of statement while looking for matching double-quote");
		case '"':
			lx->p++;
			return 0;
		case '$':
			if (dollar(lx, out) < 0)
				return -1;
			continue;
		}
		if (*lx->p != lx->esc) {
			buf_putc(out, *lx->p++);
			continue;
		}
		lx->p++;
		if (lx->raw)
			buf_putc(out, lx->esc);
		if (!*lx->p)
			continue;
		if (*lx->p == '"' || *lx->p == '$' || *lx->p == lx->esc)
			buf_putc(out, *lx->p++);
		else
			buf_putc(out, lx->esc);
	}
}

/*
 * the glob of BuildKit's convertShellPatternToRegex: '*' any run, '?' one
 * character, '\' makes '*', '?' or '\' literal and is an error before
 * anything else; no bracket expressions. The lexer escape does not apply.
 */
static int
glob_compile(struct lexer *lx, const char *pat, struct glob *g)
{
	const char *p = pat;
	struct atom at;
	int32_t c;
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
				return fail(lx, "invalid pattern (%s) in substitution: invalid escape '\\%.*s'",
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
	int32_t c;

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
	int32_t c;

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

/* ${v#pat} ${v##pat} */
static int
trim_prefix(struct lexer *lx, const char *pat, const char *value, bool greedy,
	    struct buf *out)
{
	struct glob g = { NULL, 0, 0 };
	struct matcher m;
	long r;

	if (glob_compile(lx, pat, &g) < 0) {
		free(g.a);
		return -1;
	}
	matcher_init(&m, &g, value, greedy);
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
	int32_t c;

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

/* ${v%pat} ${v%%pat}: BuildKit reverses pattern and value and trims a
 * prefix, which is how the shortest suffix is found */
static int
trim_suffix(struct lexer *lx, const char *pat, const char *value, bool greedy,
	    struct buf *out)
{
	char *rpat = reverse(pat, true), *rval = reverse(value, false), *r;
	struct buf tmp = BUF_INIT;
	int ret;

	ret = trim_prefix(lx, rpat, rval, greedy, &tmp);
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
 * a group that does not exist (empty), and a '$' starting neither is kept
 */
static void
expand_repl(struct buf *out, const char *t, const char *m, size_t mn)
{
	const char *d, *q, *e;
	bool brace;
	int32_t c;
	size_t n;

	while ((d = strchr(t, '$'))) {
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
			if (!is_name_char(c))
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

/* ${v/pat/repl} ${v//pat/repl}: '*' is greedy here */
static int
replace(struct lexer *lx, const char *value, const char *pat,
	const char *repl, bool all, struct buf *out)
{
	struct glob g = { NULL, 0, 0 };
	size_t search = 0, last = 0, a0, a1, w;
	struct matcher m;
	int32_t c;

	if (glob_compile(lx, pat, &g) < 0) {
		free(g.a);
		return -1;
	}
	matcher_init(&m, &g, value, true);
	if (!all) {
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
			expand_repl(out, repl, value + a0, a1 - a0);
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
	return 0;
}

/* scan an operand up to stop; running out of input reports eof_msg */
static int
operand(struct lexer *lx, char stop, bool raw, struct buf *out,
	const char *eof_msg)
{
	if (scan(lx, stop, raw, out, NULL) == 0)
		return 0;
	if (!*lx->p)
		fail(lx, "%s", eof_msg);
	return -1;
}

/* apply ${name<op>word} once word is expanded; op_s..op_n is the
 * operator as written, for messages */
static int
modifier(struct lexer *lx, int32_t op, bool colon, const char *name,
	 const char *word, const char *op_s, int op_n, struct buf *out)
{
	const char *value;
	bool set = lookup(lx, name, &value);
	bool null = !set || (colon && !*value);
	bool greedy;

	switch (op) {
	case '-':
		buf_puts(out, null ? word : value);
		return 0;
	case '+':
		if (!null)
			buf_puts(out, word);
		return 0;
	case '?':
		if (!set)
			return fail(lx, "%s: %s", name,
				    *word ? word : "is not allowed to be unset");
		if (null)
			return fail(lx, "%s: %s", name,
				    *word ? word : "is not allowed to be empty");
		buf_puts(out, value);
		return 0;
	case '#':
	case '%':
		/* the doubled operator is seen after expansion, like BuildKit */
		greedy = word[0] == op;
		if (op == '%')
			return trim_suffix(lx, word + greedy, value, greedy, out);
		return trim_prefix(lx, word + greedy, value, greedy, out);
	}
	return fail(lx, "unsupported modifier (%.*s) in substitution", op_n, op_s);
}

/* $name, ${name} and ${name<op>...}; the expansion is appended to out */
static int
dollar(struct lexer *lx, struct buf *out)
{
	struct buf name = BUF_INIT, word = BUF_INIT, repl = BUF_INIT;
	const char *value, *op_s;
	bool colon = false, all;
	int32_t op;
	int r = -1;

	lx->p++;
	if (*lx->p != '{') {
		read_name(lx, &name);
		if (!name.len)
			buf_putc(out, '$');
		else if (lookup(lx, name.s, &value))
			buf_puts(out, value);
		buf_fini(&name);
		return 0;
	}
	lx->p++;
	switch (*lx->p) {
	case '\0':
		return fail(lx, "syntax error: missing '}'");
	case '{':
	case '}':
	case ':':
		return fail(lx, "syntax error: bad substitution");
	}
	read_name(lx, &name);
	op_s = lx->p;
	if (!*lx->p) {
		fail(lx, "syntax error: missing '}'");
		goto out;
	}
	lx->p += utf8_next(lx->p, &op);
	switch (op) {
	case '}':
		if (lookup(lx, name.s, &value))
			buf_puts(out, value);
		r = 0;
		break;
	case ':':
		colon = true;
		op = END;
		if (*lx->p)
			lx->p += utf8_next(lx->p, &op);
		/* newer BuildKit rejects these before reading the operand */
		if (op == '#' || op == '%') {
			fail(lx, "unsupported modifier (:%c) in substitution", (char)op);
			goto out;
		}
		/* fallthrough */
	case '+':
	case '-':
	case '?':
	case '#':
	case '%': {
		int op_n = (int)(lx->p - op_s);

		/* pattern operands keep their escapes for the glob */
		if (operand(lx, '}', op == '#' || op == '%', &word,
			    "syntax error: missing '}'") < 0)
			goto out;
		r = modifier(lx, op, colon, name.s, buf_str(&word), op_s, op_n,
			     out);
		break;
	}
	case '/':
		all = *lx->p == '/';
		if (all)
			lx->p++;
		if (operand(lx, '/', true, &word,
			    "syntax error: missing '/' in ${}") < 0 ||
		    operand(lx, '}', true, &repl, "syntax error: missing '}'") < 0)
			goto out;
		lookup(lx, name.s, &value);
		r = replace(lx, value, buf_str(&word), buf_str(&repl), all, out);
		break;
	default:
		fail(lx, "unsupported modifier (%.*s) in substitution",
		     (int)(lx->p - op_s), op_s);
		break;
	}
out:
	buf_fini(&name);
	buf_fini(&word);
	buf_fini(&repl);
	return r;
}

/*
 * expand up to stop ('\0': the end of input) into out; f, when not NULL,
 * collects the fields: expansions split on whitespace, quoted and escaped
 * text does not
 */
static int
scan(struct lexer *lx, char stop, bool raw, struct buf *out, struct fields *f)
{
	bool saved = lx->raw;
	struct buf tmp = BUF_INIT;
	int r = 0;
	int32_t c;
	size_t n;
	char ch;

	lx->raw = raw;
	while ((ch = *lx->p)) {
		if (stop && ch == stop) {
			lx->p++;
			goto out;
		}
		if (ch == '$' || ch == '\'' || ch == '"') {
			buf_reset(&tmp);
			if (ch == '$')
				r = dollar(lx, &tmp);
			else if (ch == '\'')
				r = single_quote(lx, &tmp);
			else
				r = double_quote(lx, &tmp);
			if (r < 0)
				goto out;
			buf_putn(out, buf_str(&tmp), tmp.len);
			if (f && ch == '$')
				fields_split(f, buf_str(&tmp), tmp.len);
			else if (f)
				fields_raw(f, buf_str(&tmp), tmp.len);
			continue;
		}
		if (ch == lx->esc) {
			lx->p++;
			if (lx->raw) {
				buf_putc(out, ch);
				if (f)
					fields_raw(f, &ch, 1);
			}
			/* a trailing escape character is dropped */
			if (!*lx->p)
				break;
			n = utf8_next(lx->p, &c);
			buf_putn(out, lx->p, n);
			if (f)
				fields_raw(f, lx->p, n);
			lx->p += n;
			continue;
		}
		n = utf8_next(lx->p, &c);
		buf_putn(out, lx->p, n);
		if (f)
			fields_char(f, lx->p, n, c);
		lx->p += n;
	}
	if (stop)
		r = fail(lx, "unexpected end of statement while looking for matching %c", stop);
out:
	buf_fini(&tmp);
	lx->raw = saved;
	return r;
}

static void
lexer_init(struct lexer *lx, const struct shlex *sh, const char *word)
{
	lx->sh = sh;
	lx->p = word;
	lx->esc = sh->escape ? sh->escape : '\\';
	lx->raw = false;
	lx->err = NULL;
}

static int
lexer_fail(struct lexer *lx, const char *word, struct err **errp)
{
	err_wrap(&lx->err, "failed to process '%s'", word);
	if (errp) {
		err_free(*errp);
		*errp = lx->err;
	} else {
		err_free(lx->err);
	}
	return -1;
}

int
shlex_word(const struct shlex *sh, const char *word, char **out,
	   struct err **errp)
{
	struct buf res = BUF_INIT;
	struct lexer lx;

	lexer_init(&lx, sh, word);
	if (scan(&lx, '\0', false, &res, NULL) < 0) {
		buf_fini(&res);
		return lexer_fail(&lx, word, errp);
	}
	*out = buf_steal(&res);
	return 0;
}

int
shlex_words(const struct shlex *sh, const char *text, struct strv *out,
	    struct err **errp)
{
	struct fields f = { STRV_INIT, BUF_INIT, false };
	struct buf res = BUF_INIT;
	struct lexer lx;
	size_t i;
	int r;

	lexer_init(&lx, sh, text);
	r = scan(&lx, '\0', false, &res, &f);
	buf_fini(&res);
	if (r < 0) {
		buf_fini(&f.cur);
		strv_fini(&f.words);
		return lexer_fail(&lx, text, errp);
	}
	if (f.cur.len)
		strv_push(&f.words, buf_steal(&f.cur));
	buf_fini(&f.cur);
	for (i = 0; i < f.words.n; i++)
		strv_push(out, f.words.v[i]);
	free(f.words.v);
	return 0;
}

bool
shlex_vars_lookup(void *ctx, const char *name, const char **value)
{
	const struct var *v = vars_find(ctx, name);

	if (!v || !v->value)
		return false;
	*value = v->value;
	return true;
}

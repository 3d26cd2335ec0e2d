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

#include "util/buf.h"
#include "util/err.h"
#include "util/unicode.h"
#include "util/vars.h"
#include "pattern.h"
#include "words.h"

/* no more input where an operator character was expected */
#define END (-1)

struct lexer {
	const struct shlex *sh;
	const char *p;		/* next unread byte */
	char esc;
	bool raw;		/* keep escape characters: pattern operands */
	size_t budget;		/* what expansions may still produce */
	struct err *err;
};

/* field splitting for shlex_words: only the outermost scan splits */
struct fields {
	struct strv words;
	struct buf cur;
	bool in_word;
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

/* a character of a variable name, as BuildKit's lexer takes it */
static bool
is_name_char(int32_t c)
{
	return c >= 0 && uni_is_name_char((uint32_t)c);
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
			return pattern_trim_suffix(value, word + greedy, greedy,
						   out, &lx->err);
		return pattern_trim_prefix(value, word + greedy, greedy, out,
					   &lx->err);
	}
	return fail(lx, "unsupported modifier (%.*s) in substitution", op_n, op_s);
}

/* $name, ${name} and ${name<op>...}; the expansion is appended to out.
 * returns 1 when a "//" was left unfinished past the budget */
static int
expand_dollar(struct lexer *lx, struct buf *out)
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
		r = pattern_replace(value, buf_str(&word), buf_str(&repl), all,
				    lx->budget, out, &lx->err);
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

/* the text from start to lx->p, for a message: at most about 40 bytes */
static int
too_big(struct lexer *lx, const char *start)
{
	size_t n = (size_t)(lx->p - start), shown = n;

	if (n > 40) {
		/* cut before a character, not inside one */
		for (shown = 40; shown > 0; shown--)
			if (((unsigned char)start[shown] & 0xc0) != 0x80)
				break;
	}
	return fail(lx, "expansion of '%.*s%s' exceeds %zu bytes", (int)shown,
		    start, shown < n ? "..." : "", SHLEX_EXPANSION_MAX);
}

/*
 * expand_dollar charged to the word's budget; what a nested expansion
 * produced is charged again as its text is copied out, which bounds the
 * work for a word as well as its size
 */
static int
dollar(struct lexer *lx, struct buf *out)
{
	const char *start = lx->p;
	size_t before = out->len, n;
	int r;

	r = expand_dollar(lx, out);
	if (r < 0)
		return -1;
	n = out->len - before;
	if (r > 0 || n > lx->budget)
		return too_big(lx, start);
	lx->budget -= n;
	return 0;
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
	lx->budget = SHLEX_EXPANSION_MAX;
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

char *
shlex_heredoc_text(const char *content)
{
	struct buf b = BUF_INIT;
	const char *p;

	for (p = content; *p; p++) {
		if (*p == '\\' && p[1]) {
			buf_putc(&b, *p++);
			buf_putc(&b, *p);
			continue;
		}
		if (*p == '"' || *p == '\'')
			buf_putc(&b, '\\');
		buf_putc(&b, *p);
	}
	return buf_steal(&b);
}

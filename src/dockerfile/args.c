#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/unicode.h"
#include "args.h"
#include "jsonarr.h"

/* words with their lengths, since a word may hold a NUL */
struct words {
	struct buf *v;
	size_t n, cap;
};

static void
words_fini(struct words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		buf_fini(&ws->v[i]);
	free(ws->v);
}

static void
push_str(struct instr *in, const char *s)
{
	instr_push_arg(in, s, strlen(s));
}

/* the [\t\v\f\r ] class of BuildKit's reWhitespace */
static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* reWhitespace.Split(s, -1), which keeps empty leading and trailing fields */
static void
push_split(struct instr *in, const char *s, size_t n)
{
	size_t beg = 0, i = 0, start;

	while (i < n) {
		if (!is_ws(s[i])) {
			i++;
			continue;
		}
		for (start = i; i < n && is_ws(s[i]); i++)
			;
		instr_push_arg(in, s + beg, start - beg);
		beg = i;
	}
	instr_push_arg(in, s + beg, n - beg);
}

enum phase {
	IN_SPACES,
	IN_WORD,
	IN_QUOTE,
};

static struct buf *
words_add(struct words *ws)
{
	xgrow(&ws->v, &ws->cap, ws->n + 1, sizeof(*ws->v));
	buf_init(&ws->v[ws->n]);
	return &ws->v[ws->n++];
}

/*
 * parseWords: split on blanks, keeping quotes and escapes in the words;
 * runes are decoded, so an invalid byte comes out as U+FFFD.
 */
static void
parse_words(const char *s, size_t n, char escape, struct words *ws)
{
	struct buf word = BUF_INIT;
	enum phase phase = IN_SPACES;
	bool blank_ok = false;
	uint32_t ch = 0, quote = 0;
	size_t pos, w = 1;

	for (pos = 0; pos <= n; pos += w) {
		if (pos != n)
			ch = utf8_decode(s + pos, n - pos, &w);
		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (uni_is_space(ch))
				continue;
			phase = IN_WORD;
		}
		if (pos == n) {
			if (blank_ok || word.len > 0)
				buf_putn(words_add(ws), buf_str(&word), word.len);
			break;
		}
		if (phase == IN_WORD) {
			if (uni_is_space(ch)) {
				phase = IN_SPACES;
				if (blank_ok || word.len > 0)
					buf_putn(words_add(ws), buf_str(&word), word.len);
				buf_reset(&word);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = IN_QUOTE;
			}
			if (ch == (unsigned char)escape) {
				if (pos + w == n)
					continue;
				utf8_put(&word, ch);
				pos += w;
				ch = utf8_decode(s + pos, n - pos, &w);
			}
			utf8_put(&word, ch);
			continue;
		}
		/* IN_QUOTE */
		if (ch == quote)
			phase = IN_WORD;
		if (ch == (unsigned char)escape && quote != '\'') {
			if (pos + w == n) {
				phase = IN_WORD;
				continue;
			}
			pos += w;
			utf8_put(&word, ch);
			ch = utf8_decode(s + pos, n - pos, &w);
		}
		utf8_put(&word, ch);
	}
	buf_fini(&word);
}

/* parseNameVal for ENV and LABEL: key, value, separator triples */
static int
name_val(struct instr *in, const char *s, size_t n, char escape,
	 const char *what, struct err **errp)
{
	struct words ws = { NULL, 0, 0 };
	size_t i, m;
	char *eq;
	int r = 0;

	parse_words(s, n, escape, &ws);
	if (ws.n == 0)
		goto out;
	if (!memchr(ws.v[0].s, '=', ws.v[0].len)) {
		/* the legacy "KEY name value": split once at the first blanks */
		for (i = 0; i < n && !is_ws(s[i]); i++)
			;
		if (i == n) {
			r = err_make(errp, 0, "%s must have two arguments", what);
			goto out;
		}
		for (m = i; m < n && is_ws(s[m]); m++)
			;
		instr_push_arg(in, s, i);
		instr_push_arg(in, s + m, n - m);
		push_str(in, "");
		goto out;
	}
	for (i = 0; i < ws.n; i++) {
		struct buf *w = &ws.v[i];

		eq = memchr(w->s, '=', w->len);
		if (!eq) {
			struct buf q = BUF_INIT;

			quote_go(&q, w->s, w->len);
			r = err_make(errp, 0, "Syntax error - can't find = in %s. "
				     "Must be of the form: name=value", buf_str(&q));
			buf_fini(&q);
			goto out;
		}
		instr_push_arg(in, w->s, (size_t)(eq - w->s));
		instr_push_arg(in, eq + 1, w->len - (size_t)(eq - w->s) - 1);
		push_str(in, "=");
	}
out:
	words_fini(&ws);
	return r;
}

/* parseMaybeJSON: exec form, or the whole text as one argument */
static int
maybe_json(struct instr *in, const char *s, size_t n, struct err **errp)
{
	if (n == 0)
		return 0;
	switch (jsonarr_parse(in, s, n)) {
	case JSONARR_STRINGS:
		in->is_json = true;
		return 0;
	case JSONARR_NOT_STRINGS:
		return err_make(errp, 0, "when using JSON array syntax, arrays "
				"must be comprised of strings only");
	case JSONARR_INVALID:
		break;
	}
	instr_push_arg(in, s, n);
	return 0;
}

/* parseMaybeJSONToList: exec form, or blank-separated words */
static int
maybe_json_list(struct instr *in, const char *s, size_t n, struct err **errp)
{
	switch (jsonarr_parse(in, s, n)) {
	case JSONARR_STRINGS:
		in->is_json = true;
		return 0;
	case JSONARR_NOT_STRINGS:
		return err_make(errp, 0, "when using JSON array syntax, arrays "
				"must be comprised of strings only");
	case JSONARR_INVALID:
		break;
	}
	if (n > 0)
		push_split(in, s, n);
	return 0;
}

/* parseHealthConfig: the type word, then the maybe-JSON command; like
 * BuildKit this looks at bytes, so 0x85 and 0xa0 count as blanks */
static int
health(struct instr *in, const char *s, size_t n, struct err **errp)
{
	size_t sep, next;

	for (sep = 0; sep < n && !uni_is_space((unsigned char)s[sep]); sep++)
		;
	for (next = sep; next < n && uni_is_space((unsigned char)s[next]); next++)
		;
	if (sep == 0)
		return 0;
	instr_push_arg(in, s, sep);
	return maybe_json(in, s + next, n - next, errp);
}

int
args_parse(struct instr *in, const char *rest, size_t n, char escape,
	   struct err **errp)
{
	struct words ws = { NULL, 0, 0 };

	switch (in->kind) {
	case INSTR_ADD:
	case INSTR_COPY:
	case INSTR_VOLUME:
		return maybe_json_list(in, rest, n, errp);
	case INSTR_CMD:
	case INSTR_ENTRYPOINT:
	case INSTR_RUN:
	case INSTR_SHELL:
		return maybe_json(in, rest, n, errp);
	case INSTR_ENV:
		return name_val(in, rest, n, escape, "ENV", errp);
	case INSTR_LABEL:
		return name_val(in, rest, n, escape, "LABEL", errp);
	case INSTR_ARG:
		parse_words(rest, n, escape, &ws);
		for (size_t i = 0; i < ws.n; i++)
			instr_push_arg(in, buf_str(&ws.v[i]), ws.v[i].len);
		words_fini(&ws);
		return 0;
	case INSTR_EXPOSE:
	case INSTR_FROM:
		if (n > 0)
			push_split(in, rest, n);
		return 0;
	case INSTR_HEALTHCHECK:
		return health(in, rest, n, errp);
	case INSTR_MAINTAINER:
	case INSTR_STOPSIGNAL:
	case INSTR_USER:
	case INSTR_WORKDIR:
		if (n > 0)
			instr_push_arg(in, rest, n);
		return 0;
	case INSTR_ONBUILD:
	case INSTR_UNKNOWN:
		break;
	}
	/* parseIgnore: one empty argument, whatever the text */
	push_str(in, "");
	return 0;
}

#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/unicode.h"
#include "heredoc.h"

/*
 * one word of BuildKit's shell lexer (escape '\\', unset variables left
 * alone). raw keeps quotes and escapes as written; otherwise they are
 * removed. *quoted says whether a quote opened a quoted section. Returns 1
 * with the word in *w, 0 at the end, -1 on an unterminated quote.
 */
static int
next_word(const char **pp, const char *end, bool raw, struct buf *w,
	  bool *quoted)
{
	const char *p = *pp, *q;
	size_t width = 1;

	for (;;) {
		buf_reset(w);
		*quoted = false;
		while (p < end && uni_is_space(utf8_decode(p, (size_t)(end - p), &width)))
			p += width;
		if (p == end)
			break;
		while (p < end) {
			if (uni_is_space(utf8_decode(p, (size_t)(end - p), &width)))
				break;
			if (*p == '\'' || *p == '"') {
				char quote = *p;

				for (q = p + 1; q < end && *q != quote; q++)
					if (quote == '"' && *q == '\\' && q + 1 < end)
						q++;
				if (q >= end)
					return -1;
				*quoted = true;
				if (raw) {
					buf_putn(w, p, (size_t)(q + 1 - p));
					p = q + 1;
					continue;
				}
				for (p++; p < q; p++) {
					if (quote == '"' && *p == '\\' &&
					    (p[1] == '"' || p[1] == '$' || p[1] == '\\'))
						p++;
					buf_putc(w, *p);
				}
				p = q + 1;
				continue;
			}
			if (*p == '\\') {
				if (raw)
					buf_putc(w, *p);
				if (++p == end)
					break;
				utf8_decode(p, (size_t)(end - p), &width);
			}
			buf_putn(w, p, width);
			p += width;
		}
		/* like the lexer, a word empty after quote removal is no word */
		if (w->len > 0)
			break;
	}
	*pp = p;
	return w->len > 0;
}

/* split text into words; -1 when a quote is not closed */
static int
split_words(const char *s, size_t n, bool raw, struct strv *out,
	    bool *any_quoted)
{
	struct buf w = BUF_INIT;
	const char *p = s;
	bool quoted;
	int r;

	*any_quoted = false;
	while ((r = next_word(&p, s + n, raw, &w, &quoted)) > 0) {
		strv_add(out, buf_str(&w));
		*any_quoted |= quoted;
	}
	buf_fini(&w);
	return r;
}

/* BuildKit's ParseHeredoc for one raw word: 1 and *doc filled, or 0 */
static int
parse_word(const char *word, struct heredoc *doc, struct err **errp)
{
	struct strv words = STRV_INIT;
	const char *p = word, *rest;
	bool chomp, quoted;

	while (*p >= '0' && *p <= '9')
		p++;
	if (strncmp(p, "<<", 2) != 0)
		return 0;
	p += 2;
	chomp = *p == '-';
	if (chomp)
		p++;
	rest = p;
	if (!*rest || strchr(rest, '<'))
		return 0;
	if (split_words(rest, strlen(rest), false, &words, &quoted) < 0) {
		strv_fini(&words);
		return err_make(errp, 0, "failed to process \"%s\": "
				"unterminated quote", rest);
	}
	if (words.n != 1) {
		strv_fini(&words);
		return 0;
	}
	doc->name = steal_pointer(&words.v[0]);
	doc->content = NULL;
	doc->expand = !quoted;
	doc->chomp = chomp;
	strv_fini(&words);
	return 1;
}

int
heredoc_find(const char *line, size_t len, struct heredoc **docs,
	     size_t *ndocs, struct err **errp)
{
	struct strv words = STRV_INIT;
	struct heredoc doc;
	size_t i, cap = *ndocs;
	bool quoted;
	int r, found = 0;

	/* BuildKit ignores a line the shell lexer cannot split */
	if (split_words(line, len, true, &words, &quoted) < 0) {
		strv_fini(&words);
		return 0;
	}
	for (i = 0; i < words.n; i++) {
		r = parse_word(words.v[i], &doc, errp);
		if (r < 0) {
			strv_fini(&words);
			return -1;
		}
		if (r == 0)
			continue;
		xgrow(docs, &cap, *ndocs + 1, sizeof(**docs));
		(*docs)[(*ndocs)++] = doc;
		found++;
	}
	strv_fini(&words);
	return found;
}

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/unicode.h"
#include "lex.h"

enum {
	SEEN_SYNTAX = 1,
	SEEN_ESCAPE = 2,
	SEEN_CHECK = 4,
};

void
lex_init(struct lexer *lx, const char *name, const char *text, size_t len,
	 struct strv *warnings)
{
	memset(lx, 0, sizeof(*lx));
	lx->name = name;
	lx->p = text;
	lx->end = text + len;
	lx->escape = '\\';
	lx->warnings = warnings;
}

void
lex_fini(struct lexer *lx)
{
	free(lx->syntax);
	free(lx->check);
	lx->syntax = lx->check = NULL;
}

/*
 * the next physical line as [*s, *s + *n), without its '\n'; *raw also
 * counts the '\n'. Like bufio.Scanner, a final line without '\n' counts
 * and an empty text has no lines.
 */
static int
next_line(struct lexer *lx, const char **s, size_t *n, size_t *raw,
	  struct err **errp)
{
	const char *nl;
	size_t len;

	if (lx->p >= lx->end)
		return 0;
	nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	len = nl ? (size_t)(nl - lx->p) : (size_t)(lx->end - lx->p);
	lx->line++;
	if (len > LEX_MAX_LINE)
		return err_at(errp, lx->name, lx->line, 0,
			      "dockerfile line greater than max allowed size of %d",
			      LEX_MAX_LINE);
	*s = lx->p;
	*n = len;
	*raw = nl ? len + 1 : len;
	lx->p += *raw;
	if (lx->line == 1 && len >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*n -= 3;
		*raw -= 3;
	}
	return 1;
}

/* bytes.TrimRight(line, "\r\n") */
static size_t
trim_newline(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return n;
}

/* \s of Go's regexp syntax */
static bool
is_re_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static int
set_directive(struct lexer *lx, const char *key, const char *v, size_t vlen,
	      int col, struct err **errp)
{
	unsigned bit;
	char **slot = NULL;

	if (strcmp(key, "syntax") == 0) {
		bit = SEEN_SYNTAX;
		slot = &lx->syntax;
		lx->syntax_line = lx->line;
	} else if (strcmp(key, "check") == 0) {
		bit = SEEN_CHECK;
		slot = &lx->check;
		lx->check_line = lx->line;
	} else if (strcmp(key, "escape") == 0) {
		bit = SEEN_ESCAPE;
	} else {
		/* an unknown key ends the directives like any other line */
		lx->directives_done = true;
		return 0;
	}
	if (lx->seen & bit)
		return err_at(errp, lx->name, lx->line, col,
			      "only one %s parser directive can be used", key);
	lx->seen |= bit;
	if (slot) {
		*slot = xstrndup(v, vlen);
		return 0;
	}
	if (vlen != 1 || (v[0] != '\\' && v[0] != '`'))
		return err_at(errp, lx->name, lx->line, col,
			      "invalid escape token '%.*s' does not match ` or \\",
			      (int)vlen, v);
	lx->escape = v[0];
	return 0;
}

/*
 * a line of the leading comment run matching
 * ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ is a directive; the first line
 * that does not ends the run.
 */
static int
directive(struct lexer *lx, const char *s, size_t n, int col,
	  struct err **errp)
{
	char key[32];
	size_t i = 1, k, vs, ve;

	if (lx->directives_done)
		return 0;
	if (n == 0 || s[0] != '#')
		goto done;
	while (i < n && is_re_space(s[i]))
		i++;
	if (i == n || !is_alpha(s[i]))
		goto done;
	for (k = 0; i < n && is_alnum(s[i]); i++)
		if (k < sizeof(key) - 1)
			key[k++] = (char)(s[i] | 0x20);
	key[k] = '\0';
	while (i < n && is_re_space(s[i]))
		i++;
	if (i == n || s[i] != '=')
		goto done;
	i++;
	if (i == n)
		goto done;
	for (vs = i; vs < n && is_re_space(s[vs]); vs++)
		;
	for (ve = n; ve > vs && is_re_space(s[ve - 1]); ve--)
		;
	if (vs == ve) {
		/* only blanks: the lazy (.+?) still takes the last one */
		vs = n - 1;
		ve = n;
	}
	return set_directive(lx, key, s + vs, ve - vs, col, errp);
done:
	lx->directives_done = true;
	return 0;
}

/*
 * BuildKit's lineContinuationRegex ([^E])E[ \t]*$|^E[ \t]*$ for escape E:
 * true when s[0, n) continues on the next line, with *keep the bytes that
 * stay. An escape right after another escape is not a continuation.
 */
static bool
continues(char esc, const char *s, size_t n, size_t *keep)
{
	size_t j = n;

	while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t'))
		j--;
	if (j == 0 || s[j - 1] != esc)
		return false;
	if (j >= 2 && s[j - 2] == esc)
		return false;
	*keep = j - 1;
	return true;
}

int
lex_next(struct lexer *lx, struct logical *ll, struct err **errp)
{
	const char *s;
	size_t n, raw, lead, keep = 0;
	bool cont, has_empty = false;
	int r;

	buf_reset(&ll->text);
	for (;;) {
		r = next_line(lx, &s, &n, &raw, errp);
		if (r <= 0)
			return r;
		n = trim_newline(s, n);
		lead = uni_space_prefix(s, n);
		s += lead;
		n -= lead;
		if (directive(lx, s, n, (int)lead + 1, errp) < 0)
			return -1;
		if (n > 0 && s[0] == '#')
			n = 0;
		cont = continues(lx->escape, s, n, &keep);
		if (cont || n > 0)
			break;
	}
	ll->line = lx->line;
	ll->col = (int)lead + 1;
	buf_putn(&ll->text, s, cont ? keep : n);
	ll->first_len = ll->text.len;
	while (cont) {
		r = next_line(lx, &s, &n, &raw, errp);
		if (r < 0)
			return -1;
		if (r == 0)
			break;	/* a continuation at the end of the text is fine */
		n = trim_newline(s, n);
		lead = uni_space_prefix(s, n);
		if (lead < n && s[lead] == '#')
			continue;
		if (lead == n) {
			has_empty = true;
			continue;
		}
		/* only the first line loses its leading blanks */
		cont = continues(lx->escape, s, n, &keep);
		buf_putn(&ll->text, s, cont ? keep : n);
	}
	ll->end_line = lx->line;
	if (has_empty)
		strv_push(lx->warnings,
			  xasprintf("%s:%d: empty continuation line found in: %s",
				    lx->name, ll->end_line, buf_str(&ll->text)));
	return 1;
}

int
lex_heredoc(struct lexer *lx, const char *delim, bool chomp, struct buf *body,
	    struct err **errp)
{
	size_t dlen = strlen(delim), n, raw, tabs;
	const char *s;
	int r;

	for (;;) {
		r = next_line(lx, &s, &n, &raw, errp);
		if (r <= 0)
			return r;
		n = trim_newline(s, n);
		tabs = 0;
		if (chomp)
			while (tabs < n && s[tabs] == '\t')
				tabs++;
		if (n - tabs == dlen && memcmp(s + tabs, delim, dlen) == 0)
			return 1;
		/* the body keeps each line's ending as written */
		buf_putn(body, s + tabs, raw - tabs);
	}
}

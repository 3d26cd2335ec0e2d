#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/path.h"
#include "filepath.h"
#include "ignore.h"

/*
 * moby/patternmatcher turns each pattern into a Go regexp unless it is a
 * plain string (exact), ends in a double star after plain text (prefix) or
 * starts with a double star (suffix); those fast paths do not always agree
 * with the regexp (a double star then "foo" matches "xfoo"),
 * so both are reproduced here as Docker runs them. The regexp is kept as a
 * token list and run as an NFA (match_toks).
 */

enum tok_kind {
	TOK_LIT, /* one byte */
	TOK_CARET, /* a stray '^': the regexp anchor, true at offset 0 only */
	TOK_ONE, /* '?': [^/] */
	TOK_STAR, /* '*': [^/]* */
	TOK_DSTAR, /* inner double star: empty or up to a slash */
	TOK_ANY, /* a trailing double star after a wildcard: ".*" */
	TOK_CLASS, /* [...] */
};

struct range {
	long lo, hi;
};

struct tok {
	enum tok_kind kind;
	char c;
	bool negated;
	struct range *ranges;
	size_t nranges;
};

enum match_type {
	MATCH_EXACT,
	MATCH_PREFIX,
	MATCH_SUFFIX,
	MATCH_REGEXP,
};

struct pattern {
	char *text;		/* cleaned, without the '!' */
	bool exclusion;		/* a '!' line: re-includes */
	enum match_type type;
	struct tok *toks;
	size_t ntoks, cap;
};

struct ignore {
	struct pattern *pats;
	size_t n, cap;
	bool exclusions;		/* any '!' pattern */
	bool only_prefix_exceptions;	/* no '!' pattern has wildcards */
};

static size_t
rune_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static long
rune_at(const char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;

	*n = rune_len(s);
	switch (*n) {
	case 2:
		return ((long)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
	case 3:
		return ((long)(u[0] & 0x0f) << 12) |
			((long)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
	case 4:
		return ((long)(u[0] & 0x07) << 18) |
			((long)(u[1] & 0x3f) << 12) |
			((long)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
	default:
		return u[0];
	}
}

static struct tok *
push_tok(struct pattern *p, enum tok_kind kind)
{
	struct tok *t;

	xgrow(&p->toks, &p->cap, p->ntoks + 1, sizeof(*p->toks));
	t = &p->toks[p->ntoks++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	return t;
}

static void
push_lit(struct pattern *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		push_tok(p, TOK_LIT)->c = s[i];
}

/* a class as filepath.Match reads it; the pattern was validated already */
static const char *
parse_class(struct pattern *p, const char *s)
{
	struct tok *t = push_tok(p, TOK_CLASS);
	size_t cap = 0, n;

	if (*s == '^') {
		t->negated = true;
		s++;
	}
	while (*s && !(*s == ']' && t->nranges > 0)) {
		struct range r;

		if (*s == '\\' && s[1])
			s++;
		r.lo = rune_at(s, &n);
		s += n;
		r.hi = r.lo;
		if (*s == '-' && s[1] && s[1] != ']') {
			s++;
			if (*s == '\\' && s[1])
				s++;
			r.hi = rune_at(s, &n);
			s += n;
		}
		xgrow(&t->ranges, &cap, t->nranges + 1, sizeof(*t->ranges));
		t->ranges[t->nranges++] = r;
	}
	return *s ? s + 1 : s;
}

/* patternmatcher's compile(): detect the match type and build the tokens */
static void
compile(struct pattern *p)
{
	const char *s = p->text;
	enum match_type type = MATCH_EXACT;

	for (int i = 0; *s; i++) {
		char ch = *s++;

		if (ch == '*' && *s == '*') {
			s++;
			if (*s == '/')
				s++;
			if (!*s) {
				if (type == MATCH_EXACT) {
					type = MATCH_PREFIX;
				} else {
					push_tok(p, TOK_ANY);
					type = MATCH_REGEXP;
				}
			} else {
				push_tok(p, TOK_DSTAR);
				type = MATCH_REGEXP;
			}
			if (i == 0)
				type = MATCH_SUFFIX;
		} else if (ch == '*') {
			push_tok(p, TOK_STAR);
			type = MATCH_REGEXP;
		} else if (ch == '?') {
			push_tok(p, TOK_ONE);
			type = MATCH_REGEXP;
		} else if (ch == '\\' && *s) {
			size_t n = rune_len(s);

			push_lit(p, s, n);
			s += n;
			type = MATCH_REGEXP;
		} else if (ch == '[') {
			s = parse_class(p, s);
			type = MATCH_REGEXP;
		} else if (ch == ']') {
			push_lit(p, "]", 1);
			type = MATCH_REGEXP;
		} else if (ch == '^') {
			push_tok(p, TOK_CARET);
		} else {
			push_lit(p, &ch, 1);
		}
	}
	p->type = type;
}

static bool
class_match(const struct tok *t, long r)
{
	bool in = false;

	for (size_t i = 0; i < t->nranges && !in; i++)
		in = t->ranges[i].lo <= r && r <= t->ranges[i].hi;
	return in != t->negated;
}

/*
 * the token list is run as an NFA over byte offsets rather than by
 * backtracking, which took exponential time on lines like "a*a*a*...b".
 * a state is a token index with AT (token j may start here) or, for a
 * double star, IN (inside its ".*", waiting for a '/'). a token consumes
 * at most one 4-byte rune, so a ring of ROWS rows holds every offset a
 * state can be waiting at: O(len * ntoks) time, O(ntoks) memory.
 */
enum nfa_flag {
	AT = 1,
	IN = 2,
};

#define ROWS 5

struct nfa {
	const struct tok *t;
	size_t nt;		/* tokens; state nt is the accepting one */
	const char *s;
	unsigned char *rows;	/* ROWS rows of nt + 1 states */
	size_t last;		/* the furthest offset with a state set */
};

static void
nfa_set(struct nfa *m, size_t off, size_t j, enum nfa_flag flag)
{
	m->rows[(off % ROWS) * (m->nt + 1) + j] |= flag;
	if (off > m->last)
		m->last = off;
}

/* the moves that consume nothing; they only go from j to j + 1 (or AT to
 * IN on the same token), so one pass in order reaches them all */
static void
nfa_close(const struct nfa *m, unsigned char *row, size_t off)
{
	for (size_t j = 0; j < m->nt; j++) {
		if (!(row[j] & AT))
			continue;
		switch (m->t[j].kind) {
		case TOK_CARET:
			if (off == 0)
				row[j + 1] |= AT;
			break;
		case TOK_DSTAR:
			row[j] |= IN;
			/* fallthrough */
		case TOK_STAR:
		case TOK_ANY:
			row[j + 1] |= AT;
			break;
		case TOK_LIT:
		case TOK_ONE:
		case TOK_CLASS:
			break;
		}
	}
}

/* the moves that consume the rune at off ('\0' is never consumed) */
static void
nfa_step(struct nfa *m, const unsigned char *row, size_t off)
{
	const char *s = m->s + off;
	size_t n;
	long r = rune_at(s, &n);

	for (size_t j = 0; j < m->nt; j++) {
		const struct tok *t = &m->t[j];

		/* a double star's ".*" stops at a newline, as in Go's
		 * regexp; its '/' may be any '/' it reaches */
		if ((row[j] & IN) && *s != '\n')
			nfa_set(m, off + 1, j, IN);
		if ((row[j] & IN) && *s == '/')
			nfa_set(m, off + 1, j + 1, AT);
		if (!(row[j] & AT))
			continue;
		switch (t->kind) {
		case TOK_LIT:
			if (*s == t->c)
				nfa_set(m, off + 1, j + 1, AT);
			break;
		case TOK_ONE:
			if (*s != '/')
				nfa_set(m, off + n, j + 1, AT);
			break;
		case TOK_CLASS:
			if (class_match(t, r))
				nfa_set(m, off + n, j + 1, AT);
			break;
		case TOK_STAR:
			if (*s != '/')
				nfa_set(m, off + n, j, AT);
			break;
		case TOK_ANY:
			if (*s != '\n')
				nfa_set(m, off + 1, j, AT);
			break;
		case TOK_CARET:
		case TOK_DSTAR:
			break;
		}
	}
}

/* true when the whole of s matches the tokens */
static bool
match_toks(const struct tok *t, size_t nt, const char *s)
{
	unsigned char small[ROWS * 32];
	struct nfa m = { t, nt, s, small, 0 };
	size_t len = strlen(s), w = nt + 1;
	bool matched = false;

	if (ROWS * w > sizeof(small))
		m.rows = xcalloc(ROWS, w);
	memset(m.rows, 0, ROWS * w);
	m.rows[0] = AT;
	for (size_t off = 0; off <= m.last; off++) {
		unsigned char *row = m.rows + (off % ROWS) * w;

		nfa_close(&m, row, off);
		if (off == len) {
			matched = row[nt] & AT;
			break;
		}
		nfa_step(&m, row, off);
		memset(row, 0, w);
	}
	if (m.rows != small)
		free(m.rows);
	return matched;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

static bool
pattern_match(const struct pattern *p, const char *path)
{
	const char *suffix;

	switch (p->type) {
	case MATCH_EXACT:
		return strcmp(path, p->text) == 0;
	case MATCH_PREFIX:
		return strncmp(path, p->text, strlen(p->text) - 2) == 0;
	case MATCH_SUFFIX:
		suffix = p->text + 2;
		if (has_suffix(path, suffix))
			return true;
		return suffix[0] == '/' && strcmp(path, suffix + 1) == 0;
	case MATCH_REGEXP:
		return match_toks(p->toks, p->ntoks, path);
	}
	return false;
}

/* fsutil's patternWithoutTrailingGlob, into a new string */
static char *
without_trailing_glob(const char *text)
{
	size_t n = strlen(text);

	if (n >= 3 && strcmp(text + n - 3, "/**") == 0)
		n -= 3;
	if (n >= 2 && strncmp(text + n - 2, "/*", 2) == 0)
		n -= 2;
	return xstrndup(text, n);
}

static char *
trim_space(const char *s, size_t len)
{
	while (len > 0 && strchr(" \t\n\v\f\r", s[0]))
		s++, len--;
	while (len > 0 && strchr(" \t\n\v\f\r", s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* patternmatcher.New() for one pattern; takes ownership of text. returns
 * -1 with msg set on a bad pattern */
static int
add_pattern(struct ignore *ig, char *text, const char **msg)
{
	struct pattern *p;
	char *clean, *t;

	t = trim_space(text, strlen(text));
	free(text);
	if (!*t) {
		free(t);
		return 0;
	}
	clean = path_clean(t, 0);
	free(t);
	xgrow(&ig->pats, &ig->cap, ig->n + 1, sizeof(*ig->pats));
	p = &ig->pats[ig->n];
	memset(p, 0, sizeof(*p));
	if (clean[0] == '!') {
		if (!clean[1]) {
			free(clean);
			*msg = "illegal exclusion pattern: \"!\"";
			return -1;
		}
		p->exclusion = true;
		memmove(clean, clean + 1, strlen(clean));
	}
	if (!filepath_valid(clean)) {
		free(clean);
		*msg = "syntax error in pattern";
		return -1;
	}
	p->text = clean;
	compile(p);
	ig->n++;
	if (p->exclusion) {
		char *w = without_trailing_glob(p->text);

		ig->exclusions = true;
		if (strpbrk(w, "*[]?^\\"))
			ig->only_prefix_exceptions = false;
		free(w);
	}
	return 0;
}

static struct ignore *
ignore_alloc(void)
{
	struct ignore *ig = xcalloc(1, sizeof(*ig));

	ig->only_prefix_exceptions = true;
	return ig;
}

int
ignore_parse(const char *text, size_t len, const char *name,
	     struct ignore **out, struct err **errp)
{
	struct ignore *ig = ignore_alloc();
	const char *end = text + len, *line = text;
	int lineno = 0;

	/* ignorefile.ReadAll: a BOM, '#' in column 1, trimming, Clean, and a
	 * leading '/' dropped (the '!' is kept outside the cleaning) */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end, *msg = NULL;
		char *pat, *clean;
		bool invert;

		lineno++;
		if (eol > line && eol[-1] == '\r')
			eol--;
		if (line < eol && *line == '#')
			goto next;
		pat = trim_space(line, (size_t)(eol - line));
		if (!*pat) {
			free(pat);
			goto next;
		}
		invert = pat[0] == '!';
		if (invert) {
			char *t = trim_space(pat + 1, strlen(pat + 1));

			free(pat);
			pat = t;
		}
		if (*pat) {
			clean = path_clean(pat, 0);
			free(pat);
			pat = clean;
			if (strlen(pat) > 1 && pat[0] == '/')
				memmove(pat, pat + 1, strlen(pat));
		}
		if (invert) {
			clean = xasprintf("!%s", pat);
			free(pat);
			pat = clean;
		}
		if (add_pattern(ig, pat, &msg) < 0) {
			ignore_free(ig);
			return err_at(errp, name, lineno, 0, "%s", msg);
		}
next:
		line = nl ? nl + 1 : end;
	}
	*out = ig;
	return 0;
}

int
ignore_load(const char *path, struct ignore **out, struct err **errp)
{
	char *data;
	size_t len;
	int r;

	if (!path) {
		*out = ignore_alloc();
		return 0;
	}
	if (fs_read_file(path, &data, &len, errp) < 0) {
		if ((*errp)->errnum != ENOENT)
			return -1;
		err_free(*errp);
		*errp = NULL;
		*out = ignore_alloc();
		return 0;
	}
	r = ignore_parse(data, len, path, out, errp);
	free(data);
	return r;
}

int
ignore_load_at(int dirfd, const char *name, struct ignore **out,
	       struct err **errp)
{
	struct buf b = BUF_INIT;
	char chunk[16384];
	ssize_t n;
	autoclose int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0 && errno == ENOENT) {
		*out = ignore_alloc();
		return 0;
	}
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", name);
	while ((n = TEMP_FAILURE_RETRY_INT(read(fd, chunk, sizeof(chunk)))) > 0)
		buf_putn(&b, chunk, (size_t)n);
	if (n < 0) {
		int e = errno;

		buf_fini(&b);
		return err_make(errp, e, "cannot read '%s'", name);
	}
	r = ignore_parse(buf_str(&b), b.len, name, out, errp);
	buf_fini(&b);
	return r;
}

int
ignore_new(const char *const *patterns, size_t n, struct ignore **out,
	   struct err **errp)
{
	struct ignore *ig = ignore_alloc();

	for (size_t i = 0; i < n; i++) {
		const char *msg = NULL;

		if (add_pattern(ig, xstrdup(patterns[i]), &msg) < 0) {
			ignore_free(ig);
			return err_make(errp, 0,
					"invalid exclude pattern '%s': %s",
					patterns[i], msg);
		}
	}
	*out = ig;
	return 0;
}

bool
ignore_match(const struct ignore *ig, const char *relpath)
{
	bool small[2][64], *parent, *cur, *heap = NULL, have_parent = false;
	bool matched = false;
	char *path;
	size_t len;

	if (!ig || ig->n == 0)
		return false;
	/*
	 * the fsutil walker asks MatchesUsingParentResults for every path
	 * from the top down, each pattern inheriting "matched" from the
	 * parent directory; asking for each prefix in turn gives the same
	 * answer for a path on its own (MatchesOrParentMatches differs for
	 * a '!' pattern skipped at the parent)
	 */
	if (ig->n <= 64) {
		parent = small[0];
		cur = small[1];
	} else {
		heap = xcalloc(2 * ig->n, sizeof(bool));
		parent = heap;
		cur = heap + ig->n;
	}
	path = xstrdup(relpath);
	len = strlen(path);
	for (size_t end = 0; end <= len; end++) {
		bool *t;

		if (path[end] != '/' && path[end] != '\0')
			continue;
		path[end] = '\0';
		matched = false;
		for (size_t i = 0; i < ig->n; i++) {
			const struct pattern *p = &ig->pats[i];
			bool m = have_parent && parent[i];

			cur[i] = false;
			if (!m) {
				if (p->exclusion != matched)
					continue;
				m = pattern_match(p, path);
			}
			cur[i] = m;
			if (m)
				matched = !p->exclusion;
		}
		if (end < len)
			path[end] = '/';
		t = parent;
		parent = cur;
		cur = t;
		have_parent = true;
	}
	free(path);
	free(heap);
	return matched;
}

bool
ignore_may_include_below(const struct ignore *ig, const char *dir_relpath)
{
	char *dir;
	bool found = false;

	if (!ig || !ig->exclusions)
		return false;
	if (!ig->only_prefix_exceptions)
		return true;
	dir = xasprintf("%s/", dir_relpath);
	for (size_t i = 0; i < ig->n && !found; i++) {
		char *w, *ws;

		if (!ig->pats[i].exclusion)
			continue;
		w = without_trailing_glob(ig->pats[i].text);
		ws = xasprintf("%s/", w);
		found = strncmp(ws, dir, strlen(dir)) == 0;
		free(ws);
		free(w);
	}
	free(dir);
	return found;
}

bool
ignore_exception_under(const struct ignore *ig, const char *dir_relpath)
{
	size_t n = strlen(dir_relpath);

	if (!ig || !ig->exclusions)
		return false;
	for (size_t i = 0; i < ig->n; i++) {
		const char *t = ig->pats[i].text;

		if (ig->pats[i].exclusion && strncmp(t, dir_relpath, n) == 0 &&
		    (t[n] == '/' || t[n] == '\0'))
			return true;
	}
	return false;
}

bool
ignore_is_empty(const struct ignore *ig)
{
	return !ig || ig->n == 0;
}

void
ignore_free(struct ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++) {
		for (size_t j = 0; j < ig->pats[i].ntoks; j++)
			free(ig->pats[i].toks[j].ranges);
		free(ig->pats[i].toks);
		free(ig->pats[i].text);
	}
	free(ig->pats);
	free(ig);
}

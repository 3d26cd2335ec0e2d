#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/unicode.h"
#include "filepath.h"

/*
 * a port of Go's filepath.Match (go/src/path/filepath/match.go), kept close to
 * the original so its odd corners (a class may match '/', a failed match still
 * checks the rest of the pattern for syntax) stay the same.
 */

/* utf8.DecodeRuneInString: util/unicode.h's decoder, and RUNE_ERROR of
 * length 1 at the end of the string */
static long
decode_rune(const char *s, size_t len, size_t *n)
{
	*n = 1;
	return len ? (long)utf8_decode(s, len, n) : (long)RUNE_ERROR;
}

/* one class bound: an optionally escaped character */
static int
get_esc(const char **chunk, const char *end, long *r)
{
	const char *c = *chunk;
	size_t n;

	if (c >= end || *c == '-' || *c == ']')
		return -1;
	if (*c == '\\') {
		c++;
		if (c >= end)
			return -1;
	}
	*r = decode_rune(c, (size_t)(end - c), &n);
	if (*r == RUNE_ERROR && n == 1)
		return -1;
	c += n;
	if (c >= end)
		return -1;
	*chunk = c;
	return 0;
}

/* split off the next chunk: leading stars, then up to the next star outside
 * a class */
static void
scan_chunk(const char **pat, bool *star, const char **chunk,
	   const char **chunk_end)
{
	const char *p = *pat;
	bool inrange = false;

	*star = false;
	while (*p == '*') {
		p++;
		*star = true;
	}
	*chunk = p;
	for (; *p; p++) {
		if (*p == '\\') {
			if (p[1])
				p++;
		} else if (*p == '[') {
			inrange = true;
		} else if (*p == ']') {
			inrange = false;
		} else if (*p == '*' && !inrange) {
			break;
		}
	}
	*chunk_end = p;
	*pat = p;
}

/* match chunk against a prefix of s; *rest gets what is left. returns 1 on
 * match, 0 on no match, -1 on a malformed chunk */
static int
match_chunk(const char *c, const char *cend, const char *s, const char **rest)
{
	const char *send = s + strlen(s);
	bool failed = false;

	while (c < cend) {
		if (!failed && s >= send)
			failed = true;
		switch (*c) {
		case '[': {
			long r = 0, lo, hi;
			bool negated = false, match = false;
			int nrange = 0;
			size_t n;

			if (!failed) {
				r = decode_rune(s, (size_t)(send - s), &n);
				s += n;
			}
			c++;
			if (c < cend && *c == '^') {
				negated = true;
				c++;
			}
			for (;;) {
				if (c < cend && *c == ']' && nrange > 0) {
					c++;
					break;
				}
				if (get_esc(&c, cend, &lo) < 0)
					return -1;
				hi = lo;
				if (*c == '-') {
					c++;
					if (get_esc(&c, cend, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated)
				failed = true;
			break;
		}
		case '?':
			if (!failed) {
				size_t n;

				if (*s == '/')
					failed = true;
				decode_rune(s, (size_t)(send - s), &n);
				s += n;
			}
			c++;
			break;
		case '\\':
			c++;
			if (c >= cend)
				return -1;
			/* fallthrough */
		default:
			if (!failed) {
				if (*c != *s)
					failed = true;
				s++;
			}
			c++;
			break;
		}
	}
	if (failed)
		return 0;
	*rest = s;
	return 1;
}

int
filepath_match(const char *pattern, const char *name)
{
	const char *pat = pattern, *chunk, *cend, *t;
	bool star;
	int r;

	while (*pat) {
		scan_chunk(&pat, &star, &chunk, &cend);
		if (star && chunk == cend)
			return strchr(name, '/') ? 0 : 1;
		r = match_chunk(chunk, cend, name, &t);
		if (r == 1 && (*t == '\0' || *pat)) {
			name = t;
			continue;
		}
		if (r < 0)
			return -1;
		if (star) {
			bool found = false;

			for (size_t i = 0; name[i] && name[i] != '/'; i++) {
				r = match_chunk(chunk, cend, name + i + 1, &t);
				if (r == 1) {
					if (!*pat && *t)
						continue;
					name = t;
					found = true;
					break;
				}
				if (r < 0)
					return -1;
			}
			if (found)
				continue;
		}
		/* no match, but the rest must still be well formed */
		while (*pat) {
			scan_chunk(&pat, &star, &chunk, &cend);
			if (match_chunk(chunk, cend, "", &t) < 0)
				return -1;
		}
		return 0;
	}
	return *name == '\0';
}

bool
filepath_has_magic(const char *pattern)
{
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				break;
			p++;
		} else if (*p == '*' || *p == '?' || *p == '[') {
			return true;
		}
	}
	return false;
}

bool
filepath_valid(const char *pattern)
{
	return filepath_match(pattern, ".") >= 0;
}

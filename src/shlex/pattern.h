#ifndef DF2NINJA_PATTERN_H
#define DF2NINJA_PATTERN_H

#include <stdbool.h>

#include "util/buf.h"

struct err;

/*
 * the glob of BuildKit's ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}
 * (convertShellPatternToRegex, then Go's regexp): '*' any run of characters
 * but '\n', '?' one character but '\n', '\' makes '*', '?' or '\' literal
 * and is an error before anything else, except that "\}" and "\/" are '}'
 * and '/'; no bracket expressions. All functions return 0 on success, or -1
 * with *errp set and out untouched when pat does not compile.
 */

/* append value less the shortest (longest: the longest) prefix matching pat */
int pattern_trim_prefix(const char *value, const char *pat, bool longest,
			struct buf *out, struct err **errp);
/* append value less the shortest (longest: the longest) suffix matching pat */
int pattern_trim_suffix(const char *value, const char *pat, bool longest,
			struct buf *out, struct err **errp);
/* append value with its leftmost match of pat (all: every match) replaced by
 * repl; '*' is greedy, and with all, repl is expanded like Go's
 * Regexp.ReplaceAllString ("$$" is '$', "$0" and "${0}" the match). returns
 * 1, with part of the result appended, when the result would pass max bytes
 * (an empty pattern puts repl at every character) */
int pattern_replace(const char *value, const char *pat, const char *repl,
		    bool all, size_t max, struct buf *out, struct err **errp);

#endif

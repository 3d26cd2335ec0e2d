#ifndef DF2NINJA_FILEPATH_H
#define DF2NINJA_FILEPATH_H

#include <stdbool.h>

/*
 * the parts of Go's path/filepath (Linux flavour) that the Dockerfile
 * reference defines COPY/ADD sources and .dockerignore lines by.
 *
 * Match: '*' is any run of non-'/' bytes, '?' one non-'/' character,
 * '[...]' a class ('^' negates, ranges, '\' escapes), '\' escapes the next
 * character.
 */

/* 1 when name matches pattern, 0 when not, -1 when the pattern is malformed
 * (Go's ErrBadPattern: unclosed '[', bad range, trailing '\') */
int filepath_match(const char *pattern, const char *name);
/* true when pattern has an unescaped '*', '?' or '[' (BuildKit's
 * containsWildcards) */
bool filepath_has_magic(const char *pattern);
/* true when pattern is well formed */
bool filepath_valid(const char *pattern);

#endif

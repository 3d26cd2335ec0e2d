#ifndef DF2NINJA_IGNORE_H
#define DF2NINJA_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/*
 * .dockerignore patterns with the semantics of Docker/BuildKit
 * (moby/patternmatcher + the fsutil context walker): '#' in column 1 starts
 * a comment, lines are trimmed and cleaned like Go's filepath.Clean, a
 * leading '/' is dropped, '!' makes an exception, the last matching line
 * wins, "**" matches any number of directories, and a pattern that matches
 * a directory matches everything below it. The same matcher serves
 * COPY --exclude.
 */
struct ignore;

/* parse the text of a .dockerignore (len bytes, need not be NUL-terminated);
 * name is used in messages ("FILE:LINE: error: ..."); *out owned by caller */
int ignore_parse(const char *text, size_t len, const char *name,
		 struct ignore **out, struct err **errp);
/* read and parse the file at path; NULL or a missing file gives a matcher
 * that excludes nothing */
int ignore_load(const char *path, struct ignore **out, struct err **errp);
/* read and parse name relative to directory fd dirfd (missing: empty) */
int ignore_load_at(int dirfd, const char *name, struct ignore **out,
		   struct err **errp);
/* a matcher for a list of patterns, one per string (COPY --exclude), as
 * patternmatcher.New takes them: trimmed and cleaned, '!' an exception,
 * but no comments and a leading '/' kept */
int ignore_new(const char *const *patterns, size_t n, struct ignore **out,
	       struct err **errp);
/* true when relpath (relative to the context, '/'-separated, cleaned, not
 * "." nor empty) is excluded; a NULL matcher excludes nothing */
bool ignore_match(const struct ignore *ig, const char *relpath);
/* true when dir_relpath is excluded but an exception might re-include
 * something beneath it, so a walker must still descend into it (the
 * fsutil rule: any exception with wildcards, or one naming a path below) */
bool ignore_may_include_below(const struct ignore *ig, const char *dir_relpath);
/* true when some exception names dir_relpath or a path below it (a plain
 * prefix test on the pattern text): the rule by which fsutil's copier
 * still copies a directory that COPY --exclude matched */
bool ignore_exception_under(const struct ignore *ig, const char *dir_relpath);
/* true when the matcher has no patterns */
bool ignore_is_empty(const struct ignore *ig);
/* free ig; accepts NULL */
void ignore_free(struct ignore *ig);

#endif

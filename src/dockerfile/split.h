#ifndef DF2NINJA_SPLIT_H
#define DF2NINJA_SPLIT_H

#include <stddef.h>

#include "util/strv.h"

/*
 * BuildKit's splitCommand: the keyword of the logical line line[0, len)
 * (lower-cased like strings.ToLower, owned by the caller), its leading
 * "--" flags appended to *flags (quotes and backslashes removed, a bare
 * "--" ends them), and the trimmed rest as [*rest, *rest + *restlen),
 * which points into line.
 */
char *split_command(const char *line, size_t len, struct strv *flags,
		    const char **rest, size_t *restlen);

#endif

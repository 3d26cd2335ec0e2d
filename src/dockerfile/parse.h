#ifndef DF2NINJA_PARSE_H
#define DF2NINJA_PARSE_H

#include <stddef.h>

#include "util/buf.h"
#include "ast.h"

struct err;

/*
 * parse the Dockerfile text (len bytes, may hold NULs) the way BuildKit's
 * parser does: directives, escape character, continuations, comments,
 * JSON and shell forms, flags, heredocs for RUN/COPY/ADD, ONBUILD.
 * name is used in messages ("Dockerfile:3:1: error: ...").
 * Unknown instructions are kept (INSTR_UNKNOWN); rejecting them is the
 * resolver's job, as in BuildKit. *out is owned by the caller.
 */
int dockerfile_parse(const char *name, const char *text, size_t len,
		     struct dockerfile **out, struct err **errp);
/* read path and parse it; messages say name (path when NULL) */
int dockerfile_load(const char *path, const char *name,
		    struct dockerfile **out, struct err **errp);
/* free df and everything it holds; accepts NULL */
void dockerfile_free(struct dockerfile *df);
/* append BuildKit's Node.Dump() of df, plus the final "\n", to out */
void dockerfile_dump(const struct dockerfile *df, struct buf *out);

#endif

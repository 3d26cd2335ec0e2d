#ifndef DF2NINJA_ARGS_H
#define DF2NINJA_ARGS_H

#include <stddef.h>

#include "ast.h"

struct err;

/*
 * BuildKit's line parsers (line_parsers.go): fill in->args and in->is_json
 * from rest[0, n), the text after the keyword and flags, by the rule for
 * in->kind (ONBUILD excepted); escape is the file's escape character.
 * The error message carries no location.
 */
int args_parse(struct instr *in, const char *rest, size_t n, char escape,
	       struct err **errp);

#endif

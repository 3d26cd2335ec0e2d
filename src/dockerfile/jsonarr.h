#ifndef DF2NINJA_JSONARR_H
#define DF2NINJA_JSONARR_H

#include <stddef.h>

#include "ast.h"

enum jsonarr_result {
	JSONARR_INVALID,	/* not a JSON array: the shell form */
	JSONARR_STRINGS,	/* a JSON array of strings: the exec form */
	JSONARR_NOT_STRINGS,	/* valid JSON, but not all strings: an error */
};

/*
 * BuildKit's parseJSON on s[0, n): after leading blanks a '[' must start
 * one JSON value (text after it is ignored, as json.Decoder does); invalid
 * UTF-8 and lone surrogates become U+FFFD as in Go. On JSONARR_STRINGS the
 * strings are appended to in's args; otherwise in is left alone.
 */
enum jsonarr_result jsonarr_parse(struct instr *in, const char *s, size_t n);

#endif

#ifndef DF2NINJA_ASCII_H
#define DF2NINJA_ASCII_H

#include <stdbool.h>

/* the ASCII letters of s made lower-case, in place; returns s. For names
 * the Dockerfile treats without regard to case (stage names, mount keys,
 * build args), which are ASCII: other bytes are left alone */
char *ascii_lower(char *s);
/* a lower-cased copy of s (ascii_lower), owned by the caller */
char *ascii_lower_dup(const char *s);
/* Go's strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False
 * into *b; -1 for anything else */
int ascii_parse_bool(const char *s, bool *b);

#endif

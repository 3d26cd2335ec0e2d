#ifndef DF2NINJA_ASCII_H
#define DF2NINJA_ASCII_H

/* the ASCII letters of s made lower-case, in place; returns s. For names
 * the Dockerfile treats without regard to case (stage names, mount keys,
 * build args), which are ASCII: other bytes are left alone */
char *ascii_lower(char *s);
/* a lower-cased copy of s (ascii_lower), owned by the caller */
char *ascii_lower_dup(const char *s);

#endif

#ifndef DF2NINJA_EMIT_ESCAPE_H
#define DF2NINJA_EMIT_ESCAPE_H

#include <stdbool.h>

struct buf;
struct err;

/*
 * append path to b as a ninja path ("$$", "$ ", "$:"); refuses a path
 * holding a newline, a carriage return or '|' (ninja has no escape for
 * it); what names the path in the error message ("Dockerfile")
 */
int escape_ninja_path(struct buf *b, const char *path, const char *what,
		      struct err **errp);
/* append s to b as a ninja variable value ("$$", a leading space kept);
 * refuses a newline */
int escape_ninja_value(struct buf *b, const char *s, const char *what,
		       struct err **errp);
/*
 * append path to b as a GNU make target or prerequisite ('$' as "$$");
 * refuses what make cannot hold there: white space, '#', '%', ':', ';',
 * '=', '\\', wildcards, parentheses, quotes
 */
int escape_make_path(struct buf *b, const char *path, const char *what,
		     struct err **errp);
/* true when s can stand unquoted as one word in a shell command */
bool escape_sh_plain(const char *s);
/* fail unless escape_sh_plain(s): the generated commands use s unquoted */
int escape_check_sh_plain(const char *s, const char *what, struct err **errp);
/*
 * append text to b for a one-line comment of at most max bytes: line
 * continuations joined, white space runs made one space, control bytes
 * made '?', a trailing backslash dropped (make would continue the
 * comment), cut with "..." at a UTF-8 boundary when longer
 */
void escape_comment(struct buf *b, const char *text, size_t max);

#endif

#ifndef DF2NINJA_EXEC_DEPFILE_H
#define DF2NINJA_EXEC_DEPFILE_H

#include <stdbool.h>

struct buf;
struct err;
struct strv;

/*
 * append path to b spelled so that every ninja since 1.8 reads it back
 * from a depfile as path: ' ' and '#' after a '\', '$' doubled. False,
 * with b unchanged, when no spelling reads the same in all of them: a
 * byte outside [A-Za-z0-9+,/_.~(){}@=!:-], 0x80-0xff and those three; a
 * '\' that is last or not followed by one of that set (but ':'); a
 * trailing ':' (the parsers take the path for a target)
 */
bool depfile_escape(struct buf *b, const char *path);

/*
 * make path (a depfile) say that target depends on deps, paths relative
 * to the directory ctx ("." is ctx itself); rewritten only when it
 * changed. A path with no depfile spelling is named by a symlink to it
 * in the directory links (made when needed; the name is a hash of the
 * path), as ninja stats an input through symlinks; when links itself
 * has no spelling, by its nearest parent directory that has one.
 */
int depfile_write(const char *path, const char *target, const char *ctx,
		  const struct strv *deps, const char *links,
		  struct err **errp);

#endif

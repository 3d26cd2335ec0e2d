#ifndef DF2NINJA_DIRKEEP_H
#define DF2NINJA_DIRKEEP_H

#include <stdbool.h>
#include <time.h>

#include "util/strv.h"

/*
 * A directory's mtime, kept across a write of df2ninja's own entry in it.
 *
 * A step that copies a directory of the context lists that directory in
 * its depfile, so that a name added or removed reruns it. An output whose
 * dest lies in that directory (`--output type=docker,dest=img.tar` beside
 * the Dockerfile) replaces its entry by a rename, which moves the mtime,
 * and the next `ninja` would copy the context again, for nothing. Taken
 * before the write and restored after it, the mtime goes back unless some
 * other name came or went in between.
 */
struct dirkeep {
	char *dir;		/* NULL: nothing to restore */
	struct timespec mtime;
	struct strv names;	/* sorted, without "." and ".." */
};

/* note dir's mtime and names; a dir that cannot be read is left alone */
void dirkeep_take(struct dirkeep *k, const char *dir);
/*
 * put the mtime back when the names are those taken, plus own (the entry
 * written, which may have been there before); then free what k holds.
 * Nothing here fails a build: at worst a step reruns.
 */
void dirkeep_restore(struct dirkeep *k, const char *own);

#endif

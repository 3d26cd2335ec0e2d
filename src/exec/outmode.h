#ifndef DF2NINJA_OUTMODE_H
#define DF2NINJA_OUTMODE_H

#include <stdbool.h>

struct err;

/* what a step prints besides its log */
enum outmode {
	OUTMODE_AUTO,	/* a RUN's last lines, a live status line */
	OUTMODE_PLAIN,	/* all of a RUN's output, when it ends */
	OUTMODE_QUIET,	/* nothing but errors; the export only the image ID */
};

/* DF2NINJA_PROGRESS in the environment, else the generator's --progress
 * (<builddir>/progress, emit/buildflags.h), else auto */
int outmode_get(const char *builddir, enum outmode *m, struct err **errp);
/* outmode_get says quiet (a bad mode is not quiet) */
bool outmode_is_quiet(const char *builddir);
/* from now on, what notify() tells as NOTIFY_INFO (where an image went,
 * a pull's progress) is left out; the rest still goes to stderr */
void outmode_quiet_notify(void);

#endif

#ifndef DF2NINJA_EXEC_STEPSTAT_H
#define DF2NINJA_EXEC_STEPSTAT_H

#include "exec/copy.h"

struct buf;

/*
 * the status line (livestat.h) of a long step that runs no command: a
 * FROM's pull shows the last progress line the library told (notify.h),
 * a COPY or ADD the files and bytes it copied so far.
 */
struct stepstat;

/* nothing seen yet; no status line */
struct stepstat *stepstat_new(void);
/* every notify() line is seen from now on; the status line of the step
 * described by what is drawn from 2 s on when there is a terminal */
void stepstat_start(struct stepstat *ss, const char *what);
/* the counter for copy_opts.count; NULL for ss NULL */
struct copy_count *stepstat_count(struct stepstat *ss);
/* what the line shows after the step and its time: the last notify()
 * line seen, else "N files, SIZE copied" once a file was, else nothing */
void stepstat_text(struct stepstat *ss, struct buf *out);
/* erase the line, stop seeing notify() and free ss; accepts NULL */
void stepstat_free(struct stepstat *ss);

#endif

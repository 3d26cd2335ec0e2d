#ifndef DF2NINJA_EXEC_LIVESTAT_H
#define DF2NINJA_EXEC_LIVESTAT_H

/*
 * a status line on the terminal while a long step runs: from 2 s on,
 * once a second, "what (12s) the log's last line", redrawn in place on
 * stdout when it is a terminal, else on /dev/tty (ninja and make capture
 * the step's stdout). The line is erased when the step ends.
 */

struct buf;
struct livestat;

/* the text after "what (12s) " of a step with no log: called from the
 * status line's thread */
typedef void livestat_text_fn(void *ctx, struct buf *out);

/* what the status line calls the step, made only when there is a
 * terminal to draw on (it may read files); caller frees */
typedef char *livestat_what_fn(void *ctx);

/* start it for the step described by what(what_ctx), whose log is open
 * at logfd (read by offset); NULL when there is no terminal or no thread */
struct livestat *livestat_start(livestat_what_fn *what, void *what_ctx, int logfd);
/* the same for a step whose text comes from fn(ctx) */
struct livestat *livestat_start_fn(const char *what, livestat_text_fn *fn, void *ctx);
/* draw on fd (or on nothing: -1) instead of /dev/tty: a step server's
 * worker has no terminal of its own, its client's is passed */
void livestat_use_tty(int fd);
/* erase the line and free ls; accepts NULL */
void livestat_stop(struct livestat *ls);

#endif

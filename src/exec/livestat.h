#ifndef DF2NINJA_EXEC_LIVESTAT_H
#define DF2NINJA_EXEC_LIVESTAT_H

/*
 * a status line on the terminal while a long step runs: from 2 s on,
 * once a second, "what (12s) the log's last line", redrawn in place on
 * stdout when it is a terminal, else on /dev/tty (ninja and make capture
 * the step's stdout). The line is erased when the step ends.
 */

struct livestat;

/* start it for the step described by what, whose log is open at logfd
 * (read by offset); NULL when there is no terminal or no thread */
struct livestat *livestat_start(const char *what, int logfd);
/* erase the line and free ls; accepts NULL */
void livestat_stop(struct livestat *ls);

#endif

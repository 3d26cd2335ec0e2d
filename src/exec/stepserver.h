#ifndef DF2NINJA_EXEC_STEPSERVER_H
#define DF2NINJA_EXEC_STEPSERVER_H

/*
 * A build's step server: `df2ninja exec serve --dir DIR --build KEY`, which
 * df2ninja-run (src/run/run.c) starts when it finds none. KEY is the build,
 * "pid.start-time" of the ninja or make that runs the steps; the server
 * listens on DIR/KEY and ends with that process, after a minute with no
 * step, or on SIGTERM.
 *
 * It keeps two workers forked ahead, each waiting in accept(). A worker
 * takes one request, checks it (the same user and group, the same
 * environment as the server's, `PROGRAM exec step ...` with PROGRAM this
 * very binary), takes the client's stdin, stdout, stderr, working dir,
 * umask, terminal, nice value and rlimits, and runs entry(argc, argv) on
 * the request's argv after PROGRAM, as `df2ninja exec step ...` would,
 * then exits with its status, which the client exits with. A request it
 * declines (or whose rlimits it cannot take) the client runs itself. The
 * protocol: src/run/proto.h.
 */

#include <stdbool.h>

#include "util/err.h"

typedef int stepserver_entry_fn(int argc, char **argv);

/* serve until the build ends: 0, or -1 with *errp set when the server
 * cannot start (another one serving KEY is no error); a worker never
 * returns, it exits with the step's status */
int stepserver_serve(const char *dir, const char *key, stepserver_entry_fn *entry,
		     struct err **errp);

/*
 * in a worker, a step that succeeded: tell the client now, with stdin,
 * stdout and stderr on /dev/null from here on (ninja waits for their
 * end too), so that the build goes on while this process waits for what
 * is left (the sandbox's overlay going away); true when it did, false
 * when this is no worker
 */
bool stepserver_done_early(void);

#endif

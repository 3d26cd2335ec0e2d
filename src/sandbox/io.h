#ifndef DF2NINJA_SANDBOX_IO_H
#define DF2NINJA_SANDBOX_IO_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/report.h"

/* the parent's side of a run: output copying, signal forwarding, waiting */

/* where the command's output goes, and what the container reported */
struct io_out {
	int fd[2];	/* out_fd and log_fd; -1 for none */
	int errnum[2];	/* the first write error on each, or 0 */
	int rep_r;	/* the report pipe, non-blocking, or -1: see io_wait */
	struct sb_report err, status;	/* as report_collect gives them */
	bool is_settled;	/* io_wait stopped at a settled status */
};

/*
 * until the init pid exits (pidfd readable, or without a pidfd (-1),
 * SIGCHLD read from sigfd): copy out_r (-1 for none) to o's fds, pass the
 * signals read from signalfd sigfd that are in fwd on to the init, and
 * SIGKILL it grace_ms after the first; then copy what is left in out_r.
 * *wstatus is the init's wait status. With o->rep_r, reports are read as
 * they come, and a status the init sent once every other process was gone
 * (is_settled) ends the wait before the init has exited: o->is_settled,
 * *wstatus untouched. Returns 0, or -1 with errno when it could not wait.
 */
int io_wait(pid_t pid, int pidfd, int sigfd, int out_r, const sigset_t *fwd,
	    unsigned grace_ms, struct io_out *o, int *wstatus);

#endif

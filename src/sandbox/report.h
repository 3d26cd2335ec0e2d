#ifndef DF2NINJA_SANDBOX_REPORT_H
#define DF2NINJA_SANDBOX_REPORT_H

/*
 * what the container's processes tell the parent over the report pipe:
 * the step that failed before exec, with its errno, or the command's wait
 * status. One report is one write of less than PIPE_BUF, so it is atomic.
 */

struct err;
struct sb_plan;

enum sb_step {
	STEP_INIT,		/* prctl, fds */
	STEP_HOSTNAME,
	STEP_LOOPBACK,
	STEP_PRIVATE,		/* making / private */
	STEP_STAGING,		/* the staging tmpfs */
	STEP_SCAFFOLD,		/* arg: target */
	STEP_OVERLAY,		/* detail: the kernel's message */
	STEP_OVERLAY_LOWER,	/* arg: lower, -1 for the scaffold */
	STEP_OVERLAY_UPPER,
	STEP_OVERLAY_WORK,
	STEP_OVERLAY_TOO_LONG,
	STEP_PROBE,		/* arg: target */
	STEP_MOUNTPOINT,	/* arg: target */
	STEP_MOUNT,		/* arg: mount */
	STEP_DEV,		/* arg: what, see sandbox/devsteps.h */
	STEP_PIVOT,
	STEP_CWD,
	STEP_CONFINE,		/* arg: enum confine_step */
	STEP_RLIMIT,		/* arg: the index in rlimits */
	STEP_FORK,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_CHDIR,
	STEP_STDIO,
	STEP_EXEC,		/* arg: exec path */
	STEP_EXEC_INTERP,	/* arg: exec path */
};

enum sb_report_kind {
	REPORT_ERROR = 1,
	REPORT_STATUS,
};

struct sb_report {
	int kind;
	int step;
	int arg;
	int errnum;
	int wstatus;		/* REPORT_STATUS: the command's wait status */
	int is_settled;		/* REPORT_STATUS: every other process of the
				 * container was gone when it was sent */
	char detail[240];	/* the kernel's words, when it gave any */
};

/* fill r with an error at step (arg, errnum); returns -1. async-signal-safe */
int report_fail(struct sb_report *r, int step, int arg, int errnum);
/* copy the NUL-terminated s into r->detail. async-signal-safe */
void report_detail(struct sb_report *r, const char *s);
/* write r to fd. async-signal-safe */
void report_send(int fd, const struct sb_report *r);
/* read reports from fd until EOF: the first error into *err and the last
 * status into *status; each kind left zeroed when none came */
void report_collect(int fd, struct sb_report *err, struct sb_report *status);
/* read one report from fd (readable, or non-blocking) into *err or
 * *status as report_collect does, without zeroing them first; returns
 * the kind read, 0 when there was none (EOF, or nothing yet) */
int report_take(int fd, struct sb_report *err, struct sb_report *status);
/* set *errp from error report r for plan p (the exit status it maps to in
 * (*errp)->status); returns -1 */
int report_to_err(const struct sb_report *r, const struct sb_plan *p,
		  struct err **errp);

#endif

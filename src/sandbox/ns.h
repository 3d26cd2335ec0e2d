#ifndef DF2NINJA_SANDBOX_NS_H
#define DF2NINJA_SANDBOX_NS_H

#include <sys/types.h>

/*
 * the container's processes: an init in new namespaces that sets up the
 * root, starts the command and reaps until it exits.
 */

struct sb_plan;

/* signals the init passes on to the command */
#define NS_FORWARDED SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2

/*
 * start the container's init for p, in new mount, pid, uts and ipc (and
 * net) namespaces; the child never returns. The caller must have blocked
 * SIGCHLD and the NS_FORWARDED signals, and must keep p alive until the
 * init has been started. Returns the init's pid and a pidfd for it in
 * *pidfd (O_CLOEXEC; -1 when the kernel, or a seccomp filter, refuses
 * pidfds), or -1 with errno.
 */
pid_t ns_spawn(struct sb_plan *p, int *pidfd);

/* default handlers and an empty mask, for a child about to exec;
 * async-signal-safe */
void ns_reset_signals(void);

#endif

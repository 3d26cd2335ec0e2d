/*
 * The probe's checks, one file per area. Each check prints its rows
 * through probe_row; main.c runs them in a fixed order, so the output is
 * stable from run to run.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stdbool.h>
#include <sys/types.h>

/* print "NAME: VERDICT" and, when fmt is not NULL, " (DETAIL)" */
void probe_row(const char *name, const char *verdict, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* is errno e a refusal: EPERM, EACCES (a capability, a filter, a mount
 * flag) or ENOSYS (a filter, or a kernel without the call)? */
bool probe_is_refusal(int e);

/* the row of a raw syscall that returned ret, with errno e when ret < 0:
 * success and errnos other than refusals are "allowed" */
void probe_reach_row(const char *name, long ret, int e);

/* run fn(arg) in a child process, so that what it changes (namespaces,
 * tracees) ends with the child; returns fn's result, an errno or 0 */
int probe_in_child(int (*fn)(long), long arg);

/* net.c: a link made over rtnetlink, raw and packet sockets */
void probe_net(void);

/* paths.c: writes under /proc, read-only and masked paths */
void probe_paths(void);

/* devices.c: device nodes made by the step, opened and read */
void probe_devices(void);

/* mounts.c: new mounts, /sys made writable, a mask unmounted (last:
 * where it works it changes what the other checks see) */
void probe_mounts(void);
void probe_umount_mask(void);

/* handles.c: name_to_handle_at, open_by_handle_at, "shocker" */
void probe_handles(void);

/* procs.c: other processes: the host's (host_pid, the environment entry
 * host_mark and host_init_start, each NULL or 0 when not known), pid 1 */
void probe_procs(pid_t host_pid, const char *host_mark, const char *host_init_start);

/* syscalls.c: privileged syscalls with harmless arguments */
void probe_syscalls(void);

#endif

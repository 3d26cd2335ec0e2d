#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"
#include "run/procinfo.h"

/* PTRACE_SEIZE does not stop the tracee; the child's exit detaches it */
static int
do_seize(long pid)
{
	return ptrace(PTRACE_SEIZE, (pid_t)pid, NULL, NULL) < 0 ? errno : 0;
}

static void
comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(buf, size, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void
check_ptrace(const char *name, pid_t pid)
{
	char comm[64];
	int e;

	if (pid <= 0) {
		probe_row(name, "skipped", "no --host-pid");
		return;
	}
	comm_of(pid, comm, sizeof(comm));
	e = probe_in_child(do_seize, pid);
	if (e == 0)
		probe_row(name, "allowed", "attached to pid %d (%s)", (int)pid, comm);
	else if (e == ESRCH)
		probe_row(name, "refused", "pid %d: %s", (int)pid, strerror(e));
	else if (probe_is_refusal(e))
		probe_row(name, "refused", "pid %d (%s): %s", (int)pid, comm, strerror(e));
	else
		probe_row(name, "allowed", "pid %d (%s): syscall reached the kernel: %s",
			  (int)pid, comm, strerror(e));
}

/* steal the fds of pid 1 */
static void
check_pidfd_getfd(void)
{
	char detail[512] = "", path[64], link[256];
	size_t off = 0;
	int pfd, fd, got = 0, first = 0;
	ssize_t n;

	pfd = (int)syscall(SYS_pidfd_open, 1, 0);
	if (pfd < 0) {
		probe_reach_row("pidfd_getfd_init", -1, errno);
		return;
	}
	for (int i = 0; i < 64; i++) {
		fd = (int)syscall(SYS_pidfd_getfd, pfd, i, 0);
		if (fd < 0) {
			if (!first && errno != EBADF)
				first = errno;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		link[n < 0 ? 0 : n] = '\0';
		if (off < sizeof(detail))
			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%s%d -> %s",
						got ? ", " : "", i, link);
		got++;
		close(fd);
	}
	close(pfd);
	if (got)
		probe_row("pidfd_getfd_init", "allowed", "took fds of pid 1: %s", detail);
	else if (first)
		probe_reach_row("pidfd_getfd_init", -1, first);
	else
		probe_row("pidfd_getfd_init", "allowed", "permitted, but pid 1 has no fd below 64");
}

static void
check_host_init(const char *start)
{
	char comm[64], buf[4096];
	/* field 22: the start time in clock ticks */
	unsigned long long t = proc_stat_field(1, 22);
	ssize_t n;
	int fd;

	if (!start) {
		probe_row("host_init", "skipped", "no --host-init-start");
		return;
	}
	comm_of(1, comm, sizeof(comm));
	if (t != strtoull(start, NULL, 10)) {
		probe_row("host_init", "refused", "pid 1 is not the host's init but %s", comm);
		return;
	}
	fd = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	if (n < 0)
		probe_row("host_init", "allowed", "pid 1 is the host's init (%s); its environ: %s",
			  comm, strerror(errno));
	else
		probe_row("host_init", "allowed", "pid 1 is the host's init (%s); read %zd bytes of its environ",
			  comm, n);
}

/* does any process the step sees have the entry mark in its environment? */
static void
check_host_environ(const char *mark)
{
	char path[300], buf[65536];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int fd;

	if (!mark) {
		probe_row("host_environ", "skipped", "no --host-mark");
		return;
	}
	d = opendir("/proc");
	if (!d) {
		probe_row("host_environ", "refused", "/proc: %s", strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/environ", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(buf + i) + 1) {
			buf[n] = '\0';
			if (strcmp(buf + i, mark) == 0) {
				probe_row("host_environ", "allowed", "read the marked environment of pid %s",
					  de->d_name);
				closedir(d);
				return;
			}
		}
	}
	closedir(d);
	probe_row("host_environ", "refused", "no process in sight has the marked environment");
}

void
probe_procs(pid_t host_pid, const char *host_mark, const char *host_init_start)
{
	check_ptrace("ptrace_host", host_pid);
	check_ptrace("ptrace_init", 1);
	check_pidfd_getfd();
	check_host_init(host_init_start);
	check_host_environ(host_mark);
}

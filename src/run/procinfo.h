#ifndef DF2NINJA_RUN_PROCINFO_H
#define DF2NINJA_RUN_PROCINFO_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * What df2ninja-run and the executor read of a process in /proc, to name
 * the build a step belongs to: "pid.start-time" of ninja or make. In a
 * header, as static functions: df2ninja-run is linked on its own (musl),
 * without df2ninja's library.
 */

/* /proc/PID/NAME, its first size - 1 bytes, NUL-terminated in buf: their
 * count, or 0 */
static inline size_t
proc_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (size_t)n;
}

/* field (2 up to 52) of /proc/PID/stat, or 0 */
static inline unsigned long long
proc_stat_field(pid_t pid, int field)
{
	char buf[1024], *p;

	if (proc_read(pid, "stat", buf, sizeof(buf)) == 0)
		return 0;
	/* "pid (comm) state ...": comm may hold blanks and parentheses,
	 * so fields are counted after its closing one */
	p = strrchr(buf, ')');
	for (int f = 2; p && f < field; f++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* PID runs `sh -c COMMAND` (dash, bash): ninja's and make's way to run one */
static inline int
proc_is_shell_c(pid_t pid)
{
	char cmd[256], *base;
	size_t n = proc_read(pid, "cmdline", cmd, sizeof(cmd)), len;

	if (n == 0)
		return 0;
	len = strlen(cmd);
	base = strrchr(cmd, '/');
	base = base ? base + 1 : cmd;
	return n > len + 3 && strcmp(cmd + len + 1, "-c") == 0 &&
	       (strcmp(base, "sh") == 0 || strcmp(base, "dash") == 0 ||
		strcmp(base, "bash") == 0);
}

/* the build a step whose parent is PARENT belongs to: PARENT, or the
 * parent of the `sh -c` (dash does not always exec the command) */
static inline pid_t
proc_build_pid(pid_t parent)
{
	pid_t pid = parent;

	for (int i = 0; i < 4 && pid > 1 && proc_is_shell_c(pid); i++)
		pid = (pid_t)proc_stat_field(pid, 4);
	return pid;
}

#endif

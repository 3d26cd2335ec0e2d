/*
 * probe: what a build step can do to the machine it is built on.
 *
 *   probe [--host-pid PID] [--host-mark VAR=VALUE] [--host-init-start TICKS]
 *
 * Run inside a step (statically linked, so it needs nothing from the
 * image). Each check is an attempt that a step confined as Docker confines
 * a container must be refused; it prints one line:
 *
 *   NAME: allowed [(DETAIL)]
 *   NAME: refused (REASON)
 *   NAME: skipped (REASON)
 *
 * and a few lines of facts (caps, seccomp, no_new_privs, uid_map). The
 * first word after the colon is the verdict; what follows in parentheses
 * is for people. Rows of raw syscalls with bogus arguments say "allowed
 * (syscall reached the kernel: ERRNO)" when the kernel answered with
 * anything but EPERM, EACCES or ENOSYS: neither a seccomp filter nor a
 * capability check stopped it. Every attempt is harmless and undoes what
 * it managed to do; nothing is written on the host.
 *
 * --host-pid names a process outside the step (ptrace_host), --host-mark
 * an environment entry only that process has (host_environ), and
 * --host-init-start the start time (field 22 of /proc/1/stat) of the
 * host's pid 1 (host_init). The exit status is 0: the caller judges.
 *
 *   probe --ids
 *
 * prints "uid=N euid=N": installed setuid, it shows that setuid files
 * still work in a step.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

/* fds open when the probe started, beyond 0-2 */
static int inherited[64];
static int ninherited;

void
probe_row(const char *name, const char *verdict, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s", name, verdict);
	if (fmt) {
		fputs(" (", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar(')');
	}
	putchar('\n');
	fflush(stdout);
}

bool
probe_is_refusal(int e)
{
	return e == EPERM || e == EACCES || e == ENOSYS;
}

void
probe_reach_row(const char *name, long ret, int e)
{
	if (ret >= 0)
		probe_row(name, "allowed", "succeeded");
	else if (probe_is_refusal(e))
		probe_row(name, "refused", "%s", strerror(e));
	else
		probe_row(name, "allowed", "syscall reached the kernel: %s", strerror(e));
}

/* the value of "Key:" in /proc/self/status, in buf */
static const char *
status_field(const char *key, char *buf, size_t size)
{
	char line[512];
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	snprintf(buf, size, "?");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			char *v = line + n + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, size, "%s", v);
			break;
		}
	}
	fclose(f);
	return buf;
}

static void
facts(void)
{
	char eff[64], bnd[64], prm[64], inh[64], amb[64], sec[64], nnp[64];
	char map[256] = "?";
	FILE *f;

	status_field("CapEff", eff, sizeof(eff));
	status_field("CapBnd", bnd, sizeof(bnd));
	status_field("CapPrm", prm, sizeof(prm));
	status_field("CapInh", inh, sizeof(inh));
	status_field("CapAmb", amb, sizeof(amb));
	printf("caps: CapEff=0x%s CapBnd=0x%s CapPrm=0x%s\n", eff, bnd, prm);
	printf("caps_other: CapInh=0x%s CapAmb=0x%s\n", inh, amb);
	printf("seccomp: %s\n", status_field("Seccomp", sec, sizeof(sec)));
	printf("no_new_privs: %s\n", status_field("NoNewPrivs", nnp, sizeof(nnp)));
	f = fopen("/proc/self/uid_map", "re");
	if (f) {
		unsigned long a, b, c;

		if (fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3)
			snprintf(map, sizeof(map), "%lu %lu %lu", a, b, c);
		fclose(f);
	}
	printf("uid_map: %s\n", map);
	fflush(stdout);
}

/* before the probe opens anything: what did the step inherit? */
static void
scan_fds(void)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0 && ninherited < 64)
			inherited[ninherited++] = fd;
}

static void
check_fds(void)
{
	char detail[1024] = "", link[PATH_MAX], path[64];
	size_t off = 0;
	bool is_writable = false;
	ssize_t n;
	int fd;

	if (!ninherited) {
		probe_row("inherited_fds", "refused", "none open beyond 0-2");
		probe_row("proc_self_fd_write", "refused", "no inherited fd to reopen");
		return;
	}
	for (int i = 0; i < ninherited; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", inherited[i]);
		n = readlink(path, link, sizeof(link) - 1);
		link[n < 0 ? 0 : n] = '\0';
		if (off < sizeof(detail))
			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%s%d -> %s",
						i ? ", " : "", inherited[i], link);
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			is_writable = true;
			close(fd);
		}
	}
	probe_row("inherited_fds", "allowed", "%s", detail);
	if (is_writable)
		probe_row("proc_self_fd_write", "allowed", "an inherited fd reopened for writing");
	else
		probe_row("proc_self_fd_write", "refused", "no inherited fd reopens for writing");
}

int
probe_in_child(int (*fn)(long), long arg)
{
	int p[2], e = EIO, st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		e = fn(arg);
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof(e)) != sizeof(e))
		e = EIO;
	close(p[0]);
	waitpid(pid, &st, 0);
	return e;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host-pid", required_argument, NULL, 'p' },
		{ "host-mark", required_argument, NULL, 'm' },
		{ "host-init-start", required_argument, NULL, 'i' },
		{ "ids", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host_mark = NULL, *host_init = NULL;
	pid_t host_pid = 0;
	int c;

	scan_fds();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			host_pid = (pid_t)atoi(optarg);
			break;
		case 'm':
			host_mark = optarg;
			break;
		case 'i':
			host_init = optarg;
			break;
		case 'u':
			printf("uid=%d euid=%d\n", (int)getuid(), (int)geteuid());
			return 0;
		default:
			fprintf(stderr, "usage: probe [--host-pid PID] [--host-mark VAR=VALUE] "
				"[--host-init-start TICKS]\n       probe --ids\n");
			return 0;
		}
	}
	/* a check that hangs must not hang the build */
	alarm(120);

	facts();
	check_fds();
	probe_net();
	probe_paths();
	probe_devices();
	probe_mounts();
	probe_handles();
	probe_procs(host_pid, host_mark, host_init);
	probe_syscalls();
	probe_umount_mask();
	return 0;
}

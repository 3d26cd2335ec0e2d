#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

static int
do_unshare(long flags)
{
	return unshare((int)flags) < 0 ? errno : 0;
}

static void
check_sethostname(void)
{
	char name[HOST_NAME_MAX + 1] = "";

	gethostname(name, sizeof(name));
	/* the name it has: nothing changes even where it is allowed */
	probe_reach_row("sethostname", sethostname(name, strlen(name)), errno);
}

static void
check_syslog(void)
{
	char buf[4096];
	long n = syscall(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, buf, (int)sizeof(buf));

	if (n > 0)
		probe_row("syslog", "allowed", "read %ld bytes of the kernel log", n);
	else
		probe_reach_row("syslog", n, errno);
}

static void
check_iopl(void)
{
#if defined(__x86_64__) || defined(__i386__)
	long r = syscall(SYS_iopl, 3);

	if (r == 0) {
		syscall(SYS_iopl, 0);
		probe_row("iopl", "allowed", "raised to 3, lowered again");
	} else {
		probe_reach_row("iopl", r, errno);
	}
#else
	probe_row("iopl", "skipped", "not x86");
#endif
}

void
probe_syscalls(void)
{
	struct timespec ts = { 0 };
	long r;
	int e;

	e = probe_in_child(do_unshare, CLONE_NEWUSER);
	probe_reach_row("unshare_user", e ? -1 : 0, e);
	e = probe_in_child(do_unshare, CLONE_NEWNS);
	probe_reach_row("unshare_mount", e ? -1 : 0, e);

	/* an unknown operation: EOPNOTSUPP once past the filter */
	r = syscall(SYS_keyctl, 0x7fffffffL, 0L, 0L, 0L, 0L);
	probe_reach_row("keyctl", r, errno);
	r = syscall(SYS_add_key, "probe-no-such-type", "probe", NULL, 0, -1);
	probe_reach_row("add_key", r, errno);
	r = syscall(SYS_bpf, 0x7fffffffL, NULL, 0);
	probe_reach_row("bpf", r, errno);
	/* no attr: EFAULT once past the filter */
	r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	probe_reach_row("perf_event_open", r, errno);
	r = syscall(SYS_init_module, NULL, 0UL, "");
	probe_reach_row("init_module", r, errno);
	r = syscall(SYS_finit_module, -1, "", 0);
	probe_reach_row("finit_module", r, errno);
	r = syscall(SYS_delete_module, "probe_no_such_module", O_NONBLOCK);
	probe_reach_row("delete_module", r, errno);
#ifdef SYS_kexec_load
	/* flags the kernel rejects right after its capability check */
	r = syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xffffUL);
	probe_reach_row("kexec_load", r, errno);
#endif
	/* a bad magic: EINVAL right after the CAP_SYS_BOOT check */
	r = syscall(SYS_reboot, 0xbadbad, 0xbadbad, 0, NULL);
	probe_reach_row("reboot", r, errno);
	r = syscall(SYS_swapon, "/probe-no-such-swap", 0);
	probe_reach_row("swapon", r, errno);
	r = syscall(SYS_setns, -1, 0);
	probe_reach_row("setns", r, errno);
	/* not UFFD_USER_MODE_ONLY, which anyone may have; an unknown flag */
	r = syscall(SYS_userfaultfd, 0x40000000);
	probe_reach_row("userfaultfd", r, errno);
	/* no such clock: EINVAL once past the filter, nothing set */
	r = syscall(SYS_clock_settime, (clockid_t)0x7fff, &ts);
	probe_reach_row("clock_settime", r, errno);
	r = syscall(SYS_acct, "/probe-no-such-dir/acct");
	probe_reach_row("acct", r, errno);
	check_iopl();
	check_syslog();
	check_sethostname();
}

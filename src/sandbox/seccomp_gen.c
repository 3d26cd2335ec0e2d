/*
 * seccomp_gen: writes the BPF program of the steps' seccomp filter as C,
 * at build time, so that a step loads it with one prctl and no library.
 *
 *   seccomp_gen > seccomp_bpf.c
 *
 * The filter has the semantics of Docker's default profile for a
 * container with Docker's default capabilities: the system calls below
 * are allowed; clone only without namespace flags; clone3 fails with
 * ENOSYS (so that libc falls back to clone, whose flags can be checked);
 * socket for every family but AF_ALG and AF_VSOCK; personality only for
 * the harmless personas; chroot (CAP_SYS_CHROOT is a default
 * capability); ptrace and process_vm_* (since Linux 4.8 they cannot
 * escape the pid namespace). Everything else fails with EPERM: mount,
 * unshare, setns, bpf, keyctl, open_by_handle_at, module loading, reboot,
 * swap, clock setting, io_uring and the rest. A system call newer than
 * every one this table knows fails with ENOSYS, as runc makes it, so a
 * libc probing a new call falls back instead of failing.
 *
 * The list is Docker's documented allowlist (moby/profiles,
 * seccomp/default.json), written out here by name.
 */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const allowed[] = {
	"_llseek", "_newselect", "accept", "accept4", "access", "adjtimex",
	"alarm", "bind", "brk", "cachestat", "capget", "capset", "chdir",
	"chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
	"clock_getres", "clock_getres_time64", "clock_gettime",
	"clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
	"close", "close_range", "connect", "copy_file_range", "creat", "dup",
	"dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
	"epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
	"exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod",
	"fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl",
	"fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
	"fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
	"fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
	"futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
	"futex_wake", "futimesat", "get_robust_list", "get_thread_area",
	"getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
	"geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
	"getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp",
	"getpid", "getppid", "getpriority", "getrandom", "getresgid",
	"getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage",
	"getsid", "getsockname", "getsockopt", "gettid", "gettimeofday",
	"getuid", "getuid32", "getxattr", "getxattrat", "inotify_add_watch",
	"inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
	"io_destroy", "io_getevents", "io_pgetevents",
	"io_pgetevents_time64", "io_setup", "io_submit", "ioctl",
	"ioprio_get", "ioprio_set", "ipc", "kill", "landlock_add_rule",
	"landlock_create_ruleset", "landlock_restrict_self", "lchown",
	"lchown32", "lgetxattr", "link", "linkat", "listen", "listmount",
	"listxattr", "listxattrat", "llistxattr", "lremovexattr", "lseek",
	"lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
	"membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
	"mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap",
	"mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
	"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
	"mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl",
	"msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall",
	"munmap", "name_to_handle_at", "nanosleep", "newfstatat", "open",
	"openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal",
	"pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
	"ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
	"prlimit64", "process_mrelease", "pselect6", "pselect6_time64",
	"pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
	"recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
	"removexattrat", "rename", "renameat", "renameat2",
	"restart_syscall", "riscv_hwprobe", "rmdir", "rseq", "rt_sigaction",
	"rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getaffinity", "sched_getattr",
	"sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
	"select", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
	"sendmsg", "sendto", "set_robust_list", "set_thread_area",
	"set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
	"setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
	"setitimer", "setpgid", "setpriority", "setregid", "setregid32",
	"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
	"setreuid32", "setrlimit", "setsid", "setsockopt", "setuid",
	"setuid32", "setxattr", "setxattrat", "shmat", "shmctl", "shmdt",
	"shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
	"sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
	"stat", "stat64", "statfs", "statfs64", "statmount", "statx",
	"symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
	"sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
	"timer_getoverrun", "timer_gettime", "timer_gettime64",
	"timer_settime", "timer_settime64", "timerfd_create",
	"timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
	"timerfd_settime64", "times", "tkill", "truncate", "truncate64",
	"ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe",
	"utime", "utimensat", "utimensat_time64", "utimes", "vfork",
	"vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
	/* Linux 4.8 and later keep ptrace inside the pid namespace */
	"ptrace", "process_vm_readv", "process_vm_writev",
	/* CAP_SYS_CHROOT is one of the default capabilities */
	"chroot",
	/* per architecture */
	"arch_prctl", "modify_ldt",
	"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
	"breakpoint", "cacheflush", "set_tls", "swapcontext",
	"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr",
	"riscv_flush_icache",
};

/* known to the profile and refused: they count for the ENOSYS cut-off */
static const char *const refused[] = {
	"clone3", "io_uring_setup", "io_uring_enter", "io_uring_register",
	"open_tree_attr", "lsm_get_self_attr", "lsm_set_self_attr",
	"lsm_list_modules", "quotactl_fd", "mount_setattr", "pidfd_getfd",
	"process_madvise", "set_mempolicy_home_node",
};

/*
 * system calls from Linux 5.1 on have one number on every architecture
 * but alpha (x32 adds its bit); for those a libseccomp older than the
 * kernel does not know yet
 */
static const struct {
	const char *name;
	int nr;
} unified[] = {
	{ "pidfd_send_signal", 424 }, { "io_uring_setup", 425 },
	{ "io_uring_enter", 426 }, { "io_uring_register", 427 },
	{ "open_tree", 428 }, { "move_mount", 429 }, { "fsopen", 430 },
	{ "fsconfig", 431 }, { "fsmount", 432 }, { "fspick", 433 },
	{ "pidfd_open", 434 }, { "clone3", 435 }, { "close_range", 436 },
	{ "openat2", 437 }, { "pidfd_getfd", 438 }, { "faccessat2", 439 },
	{ "process_madvise", 440 }, { "epoll_pwait2", 441 },
	{ "mount_setattr", 442 }, { "quotactl_fd", 443 },
	{ "landlock_create_ruleset", 444 }, { "landlock_add_rule", 445 },
	{ "landlock_restrict_self", 446 }, { "memfd_secret", 447 },
	{ "process_mrelease", 448 }, { "futex_waitv", 449 },
	{ "set_mempolicy_home_node", 450 }, { "cachestat", 451 },
	{ "fchmodat2", 452 }, { "map_shadow_stack", 453 },
	{ "futex_wake", 454 }, { "futex_wait", 455 },
	{ "futex_requeue", 456 }, { "statmount", 457 }, { "listmount", 458 },
	{ "lsm_get_self_attr", 459 }, { "lsm_set_self_attr", 460 },
	{ "lsm_list_modules", 461 }, { "mseal", 462 }, { "setxattrat", 463 },
	{ "getxattrat", 464 }, { "listxattrat", 465 },
	{ "removexattrat", 466 }, { "open_tree_attr", 467 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* the native number of name, or -1 when this architecture lacks it */
static int
nr_of(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr >= 0)
		return nr;
	for (size_t i = 0; i < N(unified); i++)
		if (strcmp(unified[i].name, name) == 0)
			return unified[i].nr;
	return -1;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "seccomp_gen: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

static void
allow(scmp_filter_ctx c, const char *name, unsigned n,
      const struct scmp_arg_cmp *cmp)
{
	int nr = nr_of(name), rc;

	if (nr < 0)
		return;
	rc = seccomp_rule_add_array(c, SCMP_ACT_ALLOW, nr, n, cmp);
	/* a call another of the filter's architectures lacks */
	if (rc < 0 && rc != -EDOM && rc != -EFAULT)
		die(name, rc);
}

/* the rules with argument checks */
static void
add_conditional(scmp_filter_ctx c)
{
	/* CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET */
	const scmp_datum_t ns_flags = 0x7e020000;
	const scmp_datum_t personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
	struct scmp_arg_cmp cmp;
	int rc;

#if defined(__s390__) || defined(__s390x__)
	cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, ns_flags, 0);
#else
	cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags, 0);
#endif
	allow(c, "clone", 1, &cmp);
	rc = seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), nr_of("clone3"), 0);
	if (rc < 0)
		die("clone3", rc);
	/* every family but AF_ALG (38) and AF_VSOCK (40) */
	cmp = SCMP_A0(SCMP_CMP_LT, 38);
	allow(c, "socket", 1, &cmp);
	cmp = SCMP_A0(SCMP_CMP_EQ, 39);
	allow(c, "socket", 1, &cmp);
	cmp = SCMP_A0(SCMP_CMP_GT, 40);
	allow(c, "socket", 1, &cmp);
	for (size_t i = 0; i < N(personas); i++) {
		cmp = SCMP_A0(SCMP_CMP_EQ, personas[i]);
		allow(c, "personality", 1, &cmp);
	}
}

/* the exported program of c */
static struct sock_filter *
export(scmp_filter_ctx c, size_t *n)
{
	int fd = memfd_create("bpf", 0), rc;
	struct sock_filter *prog;
	off_t len;

	if (fd < 0)
		die("memfd_create", errno);
	rc = seccomp_export_bpf(c, fd);
	if (rc < 0)
		die("exporting the filter", rc);
	len = lseek(fd, 0, SEEK_END);
	if (len <= 0 || len % (off_t)sizeof(*prog))
		die("exporting the filter", EINVAL);
	prog = malloc((size_t)len);
	if (!prog || pread(fd, prog, (size_t)len, 0) != len)
		die("reading the filter", errno);
	close(fd);
	*n = (size_t)len / sizeof(*prog);
	return prog;
}

static void
put(const struct sock_filter *f)
{
	printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", f->code, f->jt, f->jf, f->k);
}

int
main(void)
{
	uint32_t native = seccomp_arch_native();
	struct sock_filter *prog;
	scmp_filter_ctx c;
	int maxnr = 0, nr;
	size_t n;

	c = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!c)
		die("seccomp_init", ENOMEM);
	/* 32-bit programs, as Docker allows them */
	if (native == SCMP_ARCH_X86_64) {
		seccomp_arch_add(c, SCMP_ARCH_X86);
		seccomp_arch_add(c, SCMP_ARCH_X32);
	} else if (native == SCMP_ARCH_AARCH64) {
		seccomp_arch_add(c, SCMP_ARCH_ARM);
	}
	seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	/* a binary tree of the calls, not a list (libseccomp 2.5) */
	seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; i < N(allowed); i++) {
		allow(c, allowed[i], 0, NULL);
		if ((nr = nr_of(allowed[i])) > maxnr)
			maxnr = nr;
	}
	for (size_t i = 0; i < N(refused); i++)
		if ((nr = nr_of(refused[i])) > maxnr)
			maxnr = nr;
	add_conditional(c);
	prog = export(c, &n);

	printf("/* generated by seccomp_gen at build time: do not edit */\n");
	printf("#include \"sandbox/seccomp.h\"\n\n");
	printf("const struct sock_filter seccomp_prog[] = {\n");
	/*
	 * in front of libseccomp's program: a native call past the newest
	 * one known (x32's numbers aside) fails with ENOSYS
	 */
	printf("\t{ 0x%04x, 0, 0, 4 },\n", BPF_LD | BPF_W | BPF_ABS);
	printf("\t{ 0x%04x, 0, 4, 0x%08x },\n", BPF_JMP | BPF_JEQ | BPF_K, native);
	printf("\t{ 0x%04x, 0, 0, 0 },\n", BPF_LD | BPF_W | BPF_ABS);
	printf("\t{ 0x%04x, 2, 0, 0x40000000 },\n", BPF_JMP | BPF_JGE | BPF_K);
	printf("\t{ 0x%04x, 0, 1, %d },\n", BPF_JMP | BPF_JGT | BPF_K, maxnr);
	printf("\t{ 0x%04x, 0, 0, 0x%08x },\n", BPF_RET | BPF_K,
	       0x00050000U | ENOSYS);	/* SECCOMP_RET_ERRNO */
	for (size_t i = 0; i < n; i++)
		put(&prog[i]);
	printf("};\n\nconst unsigned short seccomp_prog_len = %zu;\n", n + 6);
	free(prog);
	seccomp_release(c);
	return 0;
}

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
 * seccomp/default.json), written out here by name. libseccomp only turns
 * names into numbers: the program is built here, as a binary search over
 * ranges of system call numbers that share a verdict (x86_64 has about
 * 30 ranges of allowed calls), because the kernel checks and JIT-compiles
 * the filter at every step and libseccomp's tree of single calls is
 * three times as long.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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


/* the verdict of a system call number */
enum verdict {
	V_EPERM,
	V_ALLOW,
	V_ENOSYS,
	V_CLONE,	/* allowed without namespace flags */
	V_SOCKET,	/* allowed but for AF_ALG and AF_VSOCK */
	V_PERSONALITY,	/* allowed for the harmless personas */
	V_NSPECIAL,
};

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define MAXPROG 4096

static struct sock_filter prog[MAXPROG];
static size_t len;

static void
die(const char *what)
{
	fprintf(stderr, "seccomp_gen: %s\n", what);
	exit(1);
}

static size_t
emit(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (len >= MAXPROG)
		die("the program is too long");
	prog[len] = (struct sock_filter){ code, jt, jf, k };
	return len++;
}

/* the number of name on arch, or -1 when arch lacks it */
static int
nr_of(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	if (nr >= 0)
		return nr;
	for (size_t i = 0; i < N(unified); i++)
		if (strcmp(unified[i].name, name) == 0)
			return unified[i].nr;
	return -1;
}

/* ranges [start[i], start[i + 1]) of one verdict; the last ends at 2^32 */
struct ranges {
	uint32_t start[2048];
	enum verdict v[2048];
	size_t n;
};

static void
ranges_of(uint32_t arch, struct ranges *r)
{
	static const struct {
		const char *name;
		enum verdict v;
	} special[] = {
		{ "clone", V_CLONE }, { "socket", V_SOCKET },
		{ "personality", V_PERSONALITY }, { "clone3", V_ENOSYS },
	};
	enum verdict by_nr[1024];
	int maxnr = 0, nr;

	for (int i = 0; i < 1024; i++)
		by_nr[i] = V_EPERM;
	for (size_t i = 0; i < N(allowed); i++)
		if ((nr = nr_of(arch, allowed[i])) >= 0 && nr < 1024)
			by_nr[nr] = V_ALLOW;
	for (size_t i = 0; i < N(special); i++)
		if ((nr = nr_of(arch, special[i].name)) >= 0 && nr < 1024)
			by_nr[nr] = special[i].v;
	/* the newest call known: past it, ENOSYS */
	for (size_t i = 0; i < N(allowed); i++)
		if ((nr = nr_of(arch, allowed[i])) > maxnr && nr < 1024)
			maxnr = nr;
	for (size_t i = 0; i < N(refused); i++)
		if ((nr = nr_of(arch, refused[i])) > maxnr && nr < 1024)
			maxnr = nr;
	r->n = 0;
	for (int i = 0; i <= maxnr; i++) {
		if (r->n && r->v[r->n - 1] == by_nr[i] && by_nr[i] < V_CLONE)
			continue;
		r->start[r->n] = (uint32_t)i;
		r->v[r->n++] = by_nr[i];
	}
	/* and every number beyond, x32's (bit 30) and -1 included */
	r->start[r->n] = (uint32_t)maxnr + 1;
	r->v[r->n++] = V_ENOSYS;
}

/* a jump to patch: field jt, jf or k of instruction at, to the label of
 * verdict v that follows the tree */
struct fixup {
	size_t at;
	enum verdict v;
	char field;
};

static struct fixup fixups[2048];
static size_t nfixups;

static void
fixup(size_t at, char field, enum verdict v)
{
	if (nfixups == N(fixups))
		die("too many jumps");
	fixups[nfixups++] = (struct fixup){ at, v, field };
}

/*
 * a search over ranges lo..hi (the accumulator holds the number). A
 * range is not an instruction of its own: the comparison above it jumps
 * straight to the return or the argument check of its verdict, which
 * the part of each architecture has once, after its tree. That keeps
 * the program at about one instruction a range, so that the kernel's
 * copy of it fits in one page and JIT-compiles in half the time.
 */
static void
tree(const struct ranges *r, size_t lo, size_t hi)
{
	size_t mid, at, left;

	if (lo == hi) {
		fixup(emit(BPF_JMP | BPF_JA, 0, 0, 0), 'k', r->v[lo]);
		return;
	}
	mid = (lo + hi + 1) / 2;
	/* A >= start[mid]: the upper ranges, after the lower ones */
	at = emit(BPF_JMP | BPF_JGE | BPF_K, 0, 0, r->start[mid]);
	left = len;
	if (lo == mid - 1)
		fixup(at, 'f', r->v[lo]);
	else
		tree(r, lo, mid - 1);
	if (mid == hi) {
		fixup(at, 't', r->v[mid]);
		return;
	}
	if (len - left > 255)
		die("a jump is too long");
	prog[at].jt = (uint8_t)(len - left);
	tree(r, mid, hi);
}

/* the low 32 bits of argument i */
static uint32_t
arg_lo(int i)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint32_t)(offsetof(struct seccomp_data, args) + 8 * i + 4);
#else
	return (uint32_t)(offsetof(struct seccomp_data, args) + 8 * i);
#endif
}

/* the returns and argument checks the tree's jumps lead to */
static void
blocks(void)
{
	size_t start[V_NSPECIAL], off;
	/* CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET */
	const uint32_t ns_flags = 0x7e020000;

	/* the clone flags are argument 1 on s390, 0 elsewhere */
	start[V_CLONE] = len;
#if defined(__s390__) || defined(__s390x__)
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, arg_lo(1));
#else
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, arg_lo(0));
#endif
	emit(BPF_JMP | BPF_JSET | BPF_K, 0, 0, ns_flags);
	fixup(len - 1, 't', V_EPERM);
	fixup(len - 1, 'f', V_ALLOW);

	/* every family but AF_ALG (38) and AF_VSOCK (40) */
	start[V_SOCKET] = len;
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, arg_lo(0));
	emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 38);
	fixup(len - 1, 't', V_EPERM);
	emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 40);
	fixup(len - 1, 't', V_EPERM);
	fixup(len - 1, 'f', V_ALLOW);

	/* PER_LINUX, UNAME26, PER_LINUX32, their mix, and the query */
	start[V_PERSONALITY] = len;
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, arg_lo(0));
	for (size_t i = 0; i < 5; i++) {
		static const uint32_t harmless[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

		emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, harmless[i]);
		fixup(len - 1, 't', V_ALLOW);
	}
	fixup(len - 1, 'f', V_EPERM);

	/* last, as jumps go forward only */
	start[V_ALLOW] = emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	start[V_EPERM] = emit(BPF_RET | BPF_K, 0, 0, RET_ERRNO(EPERM));
	start[V_ENOSYS] = emit(BPF_RET | BPF_K, 0, 0, RET_ERRNO(ENOSYS));

	for (size_t i = 0; i < nfixups; i++) {
		struct sock_filter *f = &prog[fixups[i].at];

		off = start[fixups[i].v] - fixups[i].at - 1;
		if (fixups[i].field == 'k')
			f->k = (uint32_t)off;
		else if (off > 255)
			die("a jump is too long");
		else if (fixups[i].field == 't')
			f->jt = (uint8_t)off;
		else
			f->jf = (uint8_t)off;
	}
	nfixups = 0;
}

/* the part of the program for arch; returns the index of its JA to the
 * next arch's part, to patch */
static size_t
arch_part(uint32_t arch)
{
	static struct ranges r;
	size_t next;

	ranges_of(arch, &r);
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, arch);
	next = emit(BPF_JMP | BPF_JA, 0, 0, 0);
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	tree(&r, 0, r.n - 1);
	blocks();
	return next;
}

int
main(void)
{
	uint32_t arches[3];
	size_t narch = 0, next;

	arches[narch++] = seccomp_arch_native();
	/*
	 * 32-bit programs, as Docker allows them. Not x32, which Docker
	 * allows too: Debian's kernels leave it off (syscall.x32=n); an x32
	 * call fails with ENOSYS.
	 */
	if (arches[0] == SCMP_ARCH_X86_64)
		arches[narch++] = SCMP_ARCH_X86;
	else if (arches[0] == SCMP_ARCH_AARCH64)
		arches[narch++] = SCMP_ARCH_ARM;
	for (size_t i = 0; i < narch; i++) {
		next = arch_part(arches[i]);
		prog[next].k = (uint32_t)(len - next - 1);
	}
	/* another architecture */
	emit(BPF_RET | BPF_K, 0, 0, RET_ERRNO(ENOSYS));

	printf("/* generated by seccomp_gen at build time: do not edit */\n");
	printf("#include \"sandbox/seccomp.h\"\n\n");
	printf("const struct sock_filter seccomp_prog[] = {\n");
	for (size_t i = 0; i < len; i++)
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", prog[i].code, prog[i].jt,
		       prog[i].jf, prog[i].k);
	printf("};\n\nconst unsigned short seccomp_prog_len = %zu;\n", len);
	return 0;
}

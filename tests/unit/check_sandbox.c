#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/overlay.h"
#include "sandbox/seccomp.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/err.h"
#include "unit.h"

/*
 * Needs root and overlayfs. The rootfs is busybox-static: /bin/busybox
 * and its applets, /proc /dev /sys /tmp, and no /etc, so that binding
 * /etc files exercises the scaffold.
 */

static char base[] = "/tmp/check_sandbox.XXXXXX";
static char lower[PATH_MAX];	/* the busybox rootfs */
static char tdir[256];		/* per test */
static char upper[512], work[512];

static const char *const applets[] = {
	"sh", "echo", "cat", "ls", "sleep", "id", "hostname", "mount", "ifconfig",
	"stat", "pwd", "test", "touch", "dd", "tr", "wc", "head", "kill", "true",
	"env", "mkdir", "grep", "printf", "rm", "readlink",
};

/* for helpers that main uses too: ck_assert marks progress, which only
 * works inside a test */
#define must(expr, ...) do { if (!(expr)) ck_abort_msg(__VA_ARGS__); } while (0)

static char *
path(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

static void
put_file(const char *dir, const char *rel, const char *data, mode_t mode)
{
	char *p = path(dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_msg(fd >= 0, "open %s: %s", p, strerror(errno));
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
	chmod(p, mode);
	free(p);
}

static void
put_dir(const char *dir, const char *rel, mode_t mode)
{
	char *p = path(dir, rel);

	must(mkdir(p, mode) == 0 || errno == EEXIST, "mkdir %s: %s", p, strerror(errno));
	chmod(p, mode);
	free(p);
}

/* the contents of dir/rel, or NULL when it cannot be read */
static char *
get_file(const char *dir, const char *rel)
{
	char *p = path(dir, rel), buf[4096];
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	free(p);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static bool
exists(const char *dir, const char *rel)
{
	char *p = path(dir, rel);
	struct stat st;
	bool r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static size_t
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
make_rootfs(const char *dir)
{
	char *cmd;

	put_dir(dir, "bin", 0755);
	cmd = xasprintf("cp /bin/busybox '%s/bin/busybox'", dir);
	must(system(cmd) == 0, "%s failed", cmd);
	free(cmd);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		char *link = xasprintf("%s/bin/%s", dir, applets[i]);

		must(symlink("busybox", link) == 0, "symlink %s: %s", link, strerror(errno));
		free(link);
	}
	put_dir(dir, "proc", 0555);
	put_dir(dir, "dev", 0755);
	put_dir(dir, "sys", 0555);
	put_dir(dir, "tmp", 01777);
}

static void
setup(void)
{
	char *p;

	p = path(base, "t.XXXXXX");
	strcpy(tdir, p);
	free(p);
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	snprintf(upper, sizeof(upper), "%s/upper", tdir);
	snprintf(work, sizeof(work), "%s/work", tdir);
	put_dir(tdir, "upper", 0755);
	put_dir(tdir, "work", 0755);
	ovl_force_legacy = false;
}

static void
teardown(void)
{
	unit_rm_rf(tdir);
}

/* a spec over lowers (the rootfs when NULL) with this test's upper */
static struct sandbox_spec
spec(const char **lowers, size_t nlower)
{
	static const char *just_rootfs[1];
	static char *env[] = { "PATH=/bin", "HOME=/", NULL };

	just_rootfs[0] = lower;
	return (struct sandbox_spec){
		.lowerdirs = lowers ? lowers : just_rootfs,
		.nlower = lowers ? nlower : 1,
		.upperdir = upper,
		.workdir = work,
		.envp = env,
		.out_fd = -1,
		.log_fd = -1,
	};
}

struct result {
	int rc, status;
	char *out, *log, *err;
};

static char *
slurp(int fd)
{
	char *buf;
	off_t n = lseek(fd, 0, SEEK_END);

	buf = xmalloc((size_t)n + 1);
	ck_assert_int_eq(pread(fd, buf, (size_t)n, 0), n);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* run argv in s, output and log into memfds */
static struct result
run_argv(struct sandbox_spec s, char *const *argv)
{
	struct result r = { 0 };
	struct err *e = NULL;
	int out = memfd_create("out", MFD_CLOEXEC), log = memfd_create("log", MFD_CLOEXEC);

	ck_assert_int_ge(out, 0);
	ck_assert_int_ge(log, 0);
	s.argv = argv;
	s.out_fd = out;
	s.log_fd = log;
	r.rc = sandbox_run(&s, &r.status, &e);
	r.err = e ? xstrdup(e->msg) : NULL;
	err_free(e);
	r.out = slurp(out);
	r.log = slurp(log);
	return r;
}

/* run_argv with sandbox_run_settled: the init maybe still exiting (*ex) */
static struct result
run_settled(struct sandbox_spec s, const char *script, struct sandbox_exit *ex)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct result r = { 0 };
	struct err *e = NULL;
	int out = memfd_create("out", MFD_CLOEXEC), log = memfd_create("log", MFD_CLOEXEC);

	ck_assert_int_ge(out, 0);
	ck_assert_int_ge(log, 0);
	s.argv = argv;
	s.out_fd = out;
	s.log_fd = log;
	r.rc = sandbox_run_settled(&s, &r.status, ex, &e);
	r.err = e ? xstrdup(e->msg) : NULL;
	err_free(e);
	r.out = slurp(out);
	r.log = slurp(log);
	return r;
}

static struct result
run_sh(struct sandbox_spec s, const char *script)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };

	return run_argv(s, argv);
}

/* run script and expect it to succeed with output want */
static void
expect(struct sandbox_spec s, const char *script, const char *want)
{
	struct result r = run_sh(s, script);

	ck_assert_msg(r.rc == 0, "'%s' failed: %s", script, r.err);
	ck_assert_msg(r.status == 0, "'%s' exited %d: %s", script, r.status, r.out);
	ck_assert_str_eq(r.out, want);
}

START_TEST(test_output)
{
	struct result r = run_sh(spec(NULL, 0), "echo hello; echo oops >&2; echo bye");

	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "hello\noops\nbye\n");
	ck_assert_str_eq(r.log, "hello\noops\nbye\n");

	/* a MiB, several pipe buffers: whole in both */
	r = run_sh(spec(NULL, 0), "dd if=/dev/zero bs=1024 count=1024 2>/dev/null | tr '\\0' x");
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(strlen(r.out), 1048576);
	ck_assert_uint_eq(strlen(r.log), 1048576);
	ck_assert_uint_eq(strspn(r.log, "x"), 1048576);
}
END_TEST

START_TEST(test_status)
{
	struct result r;

	r = run_sh(spec(NULL, 0), "exit 3");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.status, 3);
	r = run_sh(spec(NULL, 0), "kill -9 $$");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.status, 137);
	r = run_sh(spec(NULL, 0), "kill -TERM $$");
	ck_assert_int_eq(r.status, 143);
}
END_TEST

/*
 * sandbox_run_settled returns at the command's status, its init maybe
 * still tearing the namespaces down, but with every other process of the
 * container gone: what the command left running writes nothing into the
 * upper dir afterwards, and sandbox_exit_wait reaps the init
 */
START_TEST(test_settled)
{
	struct sandbox_spec s = spec(NULL, 0);
	struct sandbox_exit ex;
	struct stat a, b;
	struct result r;
	char *loop = path(upper, "loop");

	/* ten writers: one of them would write while they die */
	r = run_settled(s, "(sleep 0.3; echo late > /late) & "
			"for i in 0 1 2 3 4 5 6 7 8 9; do "
			"(while :; do echo x >> /loop; done) & done; "
			"while ! test -s /loop; do :; done; echo now > /now; exit 4", &ex);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_int_eq(r.status, 4);
	ck_assert_str_eq(get_file(upper, "now"), "now\n");
	ck_assert_int_eq(stat(loop, &a), 0);
	usleep(500 * 1000);
	ck_assert_int_eq(stat(loop, &b), 0);
	ck_assert_int_eq(a.st_size, b.st_size);
	ck_assert(!exists(upper, "late"));
	sandbox_exit_wait(&ex);
	ck_assert_int_eq(ex.pid, 0);
	/* and its init is waited for: no child is left */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	free(loop);
}
END_TEST

START_TEST(test_upper)
{
	expect(spec(NULL, 0), "echo data > /f; rm /bin/echo; mkdir -p /d/e; cat /f", "data\n");
	ck_assert_str_eq(get_file(upper, "f"), "data\n");
	ck_assert(exists(upper, "d/e"));
	ck_assert(!exists(lower, "f"));
	/* the deleted applet is a whiteout in the upper, still in the lower */
	ck_assert(exists(lower, "bin/echo"));
	{
		char *p = path(upper, "bin/echo");
		struct stat st;

		ck_assert_int_eq(lstat(p, &st), 0);
		ck_assert(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
		free(p);
	}
	/* nothing but what the command made: no mount point stubs */
	ck_assert_uint_eq(count_entries(upper), 3);
}
END_TEST

START_TEST(test_layers)
{
	char *top = path(tdir, "top"), *mid = path(tdir, "mid"), *bottom = path(tdir, "bottom"), *wh;
	const char *lowers[] = { top, mid, bottom, lower };

	put_dir(tdir, "top", 0755);
	put_dir(tdir, "mid", 0755);
	put_dir(tdir, "bottom", 0755);
	put_file(top, "f", "top\n", 0644);
	put_file(mid, "f", "mid\n", 0644);
	put_file(mid, "g", "g\n", 0644);
	put_file(bottom, "h", "h\n", 0644);
	put_file(bottom, "i", "i\n", 0644);
	/* a whiteout in the top layer hides the bottom layer's h */
	wh = path(top, "h");
	ck_assert_int_eq(mknod(wh, S_IFCHR | 0000, makedev(0, 0)), 0);
	free(wh);
	expect(spec(lowers, 4), "cat /f /g /i; test -e /h || echo no h", "top\ng\ni\nno h\n");
	ck_assert_uint_eq(count_entries(upper), 0);
	free(top);
	free(mid);
	free(bottom);
}
END_TEST

START_TEST(test_cwd_env)
{
	struct sandbox_spec s = spec(NULL, 0);
	char *env[] = { "PATH=/bin", "FOO=bar baz", NULL };

	s.cwd = "/a/./b//c/";
	s.envp = env;
	expect(s, "pwd; echo \"$FOO\"; env | grep -c ^HOME=; true", "/a/b/c\nbar baz\n0\n");
	ck_assert(exists(upper, "a/b/c"));
	s.cwd = "/tmp";
	expect(s, "pwd", "/tmp\n");
}
END_TEST

START_TEST(test_user)
{
	struct sandbox_spec s = spec(NULL, 0);
	const gid_t groups[] = { 1002, 1003 };
	char *p;
	struct stat st;

	s.uid = 1000;
	s.gid = 1001;
	s.groups = groups;
	s.ngroups = 2;
	expect(s, "id -u; id -g; id -G; touch /tmp/mine; touch /root 2>/dev/null || echo denied",
	       "1000\n1001\n1001 1002 1003\ndenied\n");
	p = path(upper, "tmp/mine");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 1001);
	/* umask 022 */
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	free(p);
}
END_TEST

START_TEST(test_hostname_etc)
{
	struct sandbox_spec s = spec(NULL, 0);
	char *hosts = path(tdir, "hosts"), *resolv = path(tdir, "resolv");
	char *etc = path(tdir, "etc");
	const char *lowers[] = { etc, lower };
	char *stubs;

	put_file(tdir, "hosts", "127.0.0.1 localhost\n", 0644);
	put_file(tdir, "resolv", "nameserver 192.0.2.1\n", 0644);
	s.hostname = "box";
	s.hosts = hosts;
	s.resolv_conf = resolv;
	/* no /etc/hostname, as in BuildKit: a RUN may write its own */
	expect(s, "hostname; cat /etc/hosts /etc/resolv.conf; "
	       "(echo x >> /etc/hosts) 2>/dev/null || echo ro; "
	       "test -e /etc/hostname || echo no hostname",
	       "box\n127.0.0.1 localhost\nnameserver 192.0.2.1\nro\nno hostname\n");
	/* the rootfs has no /etc: the mount points came from the scaffold */
	ck_assert_uint_eq(count_entries(upper), 0);

	/* an /etc of the image keeps its owner, mode and time, and a file
	 * the command makes there copies it up with them */
	put_dir(tdir, "etc", 0755);
	put_dir(etc, "etc", 0710);
	stubs = path(etc, "etc");
	ck_assert_int_eq(chown(stubs, 7, 8), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, stubs, (struct timespec[2]){ { 1000, 0 }, { 2000, 0 } }, 0), 0);
	free(stubs);
	s.lowerdirs = lowers;
	s.nlower = 2;
	expect(s, "stat -c '%a %u %g %Y' /etc; ls /etc", "710 7 8 2000\nhosts\nresolv.conf\n");
	expect(s, "echo new > /etc/new; stat -c '%a %u %g' /etc", "710 7 8\n");
	{
		struct stat st;
		char *up = path(upper, "etc");

		ck_assert_int_eq(stat(up, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0710);
		ck_assert_uint_eq(st.st_uid, 7);
		free(up);
	}
	ck_assert(!exists(upper, "etc/hosts"));
	free(hosts);
	free(resolv);
	free(etc);
}
END_TEST

START_TEST(test_scaffold)
{
	char *bare = path(tdir, "bare"), *cmd, *path_tmp;
	const char *lowers[] = { bare };
	struct sandbox_spec s;

	/* only /bin: /proc, /dev and /sys are made in the upper dir, root's
	 * and 0755 whatever the umask, as runc makes them for BuildKit */
	put_dir(tdir, "bare", 0755);
	cmd = xasprintf("cp -a '%s/bin' '%s/'", lower, bare);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	s = spec(lowers, 1);
	expect(s, "cat /proc/1/comm; test -c /dev/null && echo dev; ls /", "df2ninja-init\ndev\nbin\ndev\nproc\nsys\n");
	ck_assert_uint_eq(count_entries(upper), 3);
	for (size_t i = 0; i < 3; i++) {
		char *p = path(upper, (const char *[]){ "dev", "proc", "sys" }[i]);
		struct stat st;

		ck_assert_int_eq(lstat(p, &st), 0);
		ck_assert_uint_eq(st.st_mode, S_IFDIR | 0755);
		ck_assert(st.st_uid == 0 && st.st_gid == 0);
		free(p);
	}
	/* ... and on the next run over them, not again */
	cmd = xasprintf("rm -rf '%s'/* && mkdir '%s/dev' '%s/proc' '%s/sys'", upper, bare, bare, bare);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	expect(s, "test -c /dev/null && echo dev", "dev\n");
	ck_assert_uint_eq(count_entries(upper), 0);
	cmd = xasprintf("rmdir '%s/dev' '%s/proc' '%s/sys'", bare, bare, bare);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);

	/* an empty rootfs: the scaffold is the only lower */
	s = spec(NULL, 0);
	s.nlower = 0;
	{
		struct result r = run_argv(s, (char *[]){ "/bin/sh", NULL });

		ck_assert_int_eq(r.rc, -1);
		ck_assert_int_eq(r.status, 127);
		ck_assert_str_eq(r.err, "exec '/bin/sh': No such file or directory");
	}
	ck_assert_uint_eq(count_entries(upper), 3);
	cmd = xasprintf("rm -rf '%s'/*", upper);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);

	/* the scaffold is made from a read-only view of the lowers: an upper
	 * dir that already holds a mount point they lack keeps it, and the
	 * mount goes over it */
	put_dir(upper, "etc", 0755);
	{
		char *uetc = path(upper, "etc"), *hosts = path(tdir, "hosts");

		put_file(uetc, "hosts", "in the upper dir\n", 0644);
		put_file(tdir, "hosts", "127.0.0.1 given\n", 0644);
		s = spec(lowers, 1);
		s.hosts = hosts;
		expect(s, "cat /etc/hosts; ls /etc", "127.0.0.1 given\nhosts\n");
		cmd = xasprintf("grep -qx 'in the upper dir' '%s/hosts'", uetc);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		free(uetc);
		free(hosts);
	}
	/* a mount point the lower dirs cannot tell about (a symlink there):
	 * the read-only overlay of the lowers is probed instead, and the
	 * scaffold's file goes over the symlink */
	cmd = xasprintf("rm -rf '%s'/* && mkdir '%s/etc' && ln -s /nowhere '%s/etc/hosts'",
			upper, bare, bare);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	{
		char *hosts = path(tdir, "hosts"), *link = path(bare, "etc/hosts");
		struct stat st;

		s = spec(lowers, 1);
		s.hosts = hosts;
		expect(s, "cat /etc/hosts; test -L /etc/hosts || echo file",
		       "127.0.0.1 given\nfile\n");
		ck_assert_int_eq(lstat(link, &st), 0);
		ck_assert(S_ISLNK(st.st_mode));
		ck_assert(!exists(upper, "etc/hosts"));
		free(hosts);
		free(link);
	}
	cmd = xasprintf("rm -rf '%s'/* '%s/etc'", upper, bare);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	/* an upper dir whose whiteout hides a mount point the lowers have:
	 * the view of the lowers cannot tell, the overlay's probe does. For
	 * /proc, it is made again, over the whiteout; for another, the run
	 * fails */
	cmd = xasprintf("rm -rf '%s'/*", upper);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	put_dir(bare, "proc", 0555);
	ck_assert_int_eq(mknod(path_tmp = path(upper, "proc"), S_IFCHR, makedev(0, 0)), 0);
	expect(spec(lowers, 1), "test -f /proc/1/comm && echo proc", "proc\n");
	ck_assert(exists(upper, "proc/."));
	ck_assert_int_eq(rmdir(path_tmp), 0);
	free(path_tmp);
	put_dir(bare, "mnt", 0755);
	ck_assert_int_eq(mknod(path_tmp = path(upper, "mnt"), S_IFCHR, makedev(0, 0)), 0);
	free(path_tmp);
	{
		struct sandbox_mount m = { .kind = SANDBOX_MOUNT_TMPFS, .dst = "/mnt" };
		struct result r;

		s = spec(lowers, 1);
		s.mounts = &m;
		s.nmounts = 1;
		r = run_argv(s, (char *[]){ "/bin/true", NULL });
		ck_assert_int_eq(r.rc, -1);
		ck_assert_msg(strstr(r.err, "mount point '/mnt'") != NULL, "%s", r.err);
	}
	cmd = xasprintf("rm -rf '%s'/* '%s/proc' '%s/mnt'", upper, bare, bare);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(bare);
}
END_TEST

START_TEST(test_proc_dev)
{
	/* pids count from 1 in the container: init, sh, cat, sh */
	expect(spec(NULL, 0), "cat /proc/1/comm; echo $$; sh -c 'echo $$'; true",
	       "df2ninja-init\n2\n4\n");
	expect(spec(NULL, 0),
	       "echo x > /dev/null && head -c 5 /dev/zero | wc -c; test -c /dev/urandom && echo u; "
	       "readlink /dev/fd; readlink /dev/ptmx; test -c /dev/pts/ptmx && echo pts; "
	       "echo s > /dev/shm/s && cat /dev/shm/s; touch /sys/x 2>/dev/null || echo sys ro",
	       "5\nu\n/proc/self/fd\npts/ptmx\npts\ns\nsys ro\n");
}
END_TEST

START_TEST(test_network)
{
	struct sandbox_spec s = spec(NULL, 0);

	s.is_network_none = true;
	expect(s, "grep -c : /proc/net/dev; grep -o ' lo:' /proc/net/dev; "
	       "ifconfig lo | grep -o 'UP LOOPBACK RUNNING'",
	       "1\n lo:\nUP LOOPBACK RUNNING\n");
}
END_TEST

/* the mount table of pid, 0 for this process */
static char *
mountinfo(pid_t pid)
{
	char *name = pid ? xasprintf("/proc/%d/mountinfo", (int)pid) : xstrdup("/proc/self/mountinfo");
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	struct buf {
		char s[65536];
	} *b = xcalloc(1, sizeof(*b));
	size_t n = 0;
	ssize_t r;

	ck_assert_int_ge(fd, 0);
	while ((r = read(fd, b->s + n, sizeof(b->s) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	free(name);
	return (char *)b;
}

/*
 * the lines of mountinfo m a leaked container mount would show in: mount
 * points "/", /proc, /dev, /sys, /etc, or our temp dir anywhere. Other
 * mounts on the machine may come and go meanwhile.
 */
static char *
watched(char *m)
{
	struct buf {
		char s[65536];
	} *b = xcalloc(1, sizeof(*b));
	size_t n = 0;

	for (char *line = strtok(m, "\n"); line; line = strtok(NULL, "\n")) {
		char mnt[PATH_MAX];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (strcmp(mnt, "/") && strncmp(mnt, "/proc", 5) && strncmp(mnt, "/dev", 4) &&
		    strncmp(mnt, "/sys", 4) && strncmp(mnt, "/etc", 4) && !strstr(line, base))
			continue;
		n += (size_t)snprintf(b->s + n, sizeof(b->s) - n, "%s\n", line);
	}
	free(m);
	return (char *)b;
}

START_TEST(test_no_leak)
{
	char *before = watched(mountinfo(0)), *after;
	struct sandbox_spec s = spec(NULL, 0);
	char *hosts = path(tdir, "hosts");

	put_file(tdir, "hosts", "h\n", 0644);
	s.hosts = hosts;
	expect(s, "cat /etc/hosts", "h\n");
	run_sh(s, "kill -9 $$");
	after = watched(mountinfo(0));
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	free(hosts);
}
END_TEST

START_TEST(test_exec_errors)
{
	char *extra = path(tdir, "extra");
	const char *lowers[] = { extra, lower };
	struct result r;

	put_dir(tdir, "extra", 0755);
	r = run_argv(spec(NULL, 0), (char *[]){ "nope", NULL });
	ck_assert_int_eq(r.rc, -1);
	ck_assert_int_eq(r.status, 127);
	ck_assert_str_eq(r.err, "exec 'nope': No such file or directory");

	put_file(extra, "script", "#!/bin/bash\necho hi\n", 0755);
	r = run_argv(spec(lowers, 2), (char *[]){ "/script", NULL });
	ck_assert_int_eq(r.status, 127);
	ck_assert_str_eq(r.err, "exec '/script': bad interpreter: No such file or directory");

	put_file(extra, "script", "echo hi\n", 0644);
	r = run_argv(spec(lowers, 2), (char *[]){ "/script", NULL });
	ck_assert_int_eq(r.status, 126);
	ck_assert_str_eq(r.err, "exec '/script': Permission denied");

	/* PATH is the command's, looked up inside the rootfs */
	put_file(extra, "script", "#!/bin/sh\necho found\n", 0755);
	{
		struct sandbox_spec s = spec(lowers, 2);
		char *env[] = { "PATH=/nowhere:/", NULL };

		s.envp = env;
		r = run_argv(s, (char *[]){ "script", NULL });
		ck_assert_int_eq(r.rc, 0);
		ck_assert_str_eq(r.out, "found\n");
	}
	free(extra);
}
END_TEST

/* pid of the child of parent whose comm is comm, or 0 */
static pid_t
find_child(pid_t parent, const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && (e = readdir(d)) && !found) {
		char *p, buf[512], *rp;
		int fd, ppid;
		ssize_t n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		p = xasprintf("/proc/%s/stat", e->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		free(p);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 2, "%*c %d", &ppid) != 1 || ppid != parent)
			continue;
		if (strncmp(strchr(buf, '(') + 1, comm, strlen(comm)) == 0 &&
		    strchr(buf, '(')[1 + strlen(comm)] == ')')
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* wait until target's container runs sleep; give its init and sleep */
static void
find_container(pid_t target, pid_t *init, pid_t *sleeper)
{
	for (int i = 0; i < 400; i++) {
		*init = find_child(target, "df2ninja-init");
		*sleeper = *init ? find_child(*init, "sleep") : 0;
		if (*sleeper)
			return;
		usleep(5000);
	}
	ck_abort_msg("the container did not start");
}

static bool
is_gone(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		usleep(10000);
	}
	return false;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* a helper process that finds the container of the test and signals it */
static pid_t
signaller(int sig, int fds[2], bool to_init)
{
	pid_t me = getpid(), h;

	ck_assert_int_eq(pipe(fds), 0);
	h = fork();
	ck_assert_int_ge(h, 0);
	if (h == 0) {
		pid_t pids[2];

		find_container(me, &pids[0], &pids[1]);
		ck_assert_int_eq(write(fds[1], pids, sizeof(pids)), sizeof(pids));
		usleep(50000);
		kill(to_init ? pids[0] : me, sig);
		_exit(0);
	}
	close(fds[1]);
	return h;
}

START_TEST(test_sigint)
{
	struct sandbox_spec s = spec(NULL, 0);
	pid_t pids[2], h;
	int fds[2], ws;
	struct result r;
	double t0;

	h = signaller(SIGINT, fds, false);
	t0 = now();
	r = run_argv(s, (char *[]){ "sleep", "100", NULL });
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.status, 130);
	ck_assert_msg(now() - t0 < 3, "took %.1fs", now() - t0);
	ck_assert_int_eq(read(fds[0], pids, sizeof(pids)), sizeof(pids));
	ck_assert_int_eq(waitpid(h, &ws, 0), h);
	ck_assert_int_eq(ws, 0);
	ck_assert(is_gone(pids[0]));
	ck_assert(is_gone(pids[1]));
	close(fds[0]);
}
END_TEST

START_TEST(test_grace)
{
	struct sandbox_spec s = spec(NULL, 0);
	pid_t pids[2], h;
	int fds[2], ws;
	struct result r;
	double t0;

	/* the command ignores SIGTERM: after the grace the container is killed */
	s.grace_ms = 200;
	h = signaller(SIGTERM, fds, false);
	t0 = now();
	r = run_sh(s, "trap '' TERM; exec sleep 100");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.status, 137);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(now() - t0 < 3, "took %.1fs", now() - t0);
	ck_assert_int_eq(read(fds[0], pids, sizeof(pids)), sizeof(pids));
	ck_assert_int_eq(waitpid(h, &ws, 0), h);
	ck_assert(is_gone(pids[0]));
	ck_assert(is_gone(pids[1]));
	close(fds[0]);
}
END_TEST

START_TEST(test_parent_killed)
{
	pid_t runner, init, sleeper;
	int ws;

	runner = fork();
	ck_assert_int_ge(runner, 0);
	if (runner == 0) {
		struct result r = run_argv(spec(NULL, 0), (char *[]){ "sleep", "100", NULL });

		_exit(r.status);
	}
	find_container(runner, &init, &sleeper);
	kill(runner, SIGKILL);
	ck_assert_int_eq(waitpid(runner, &ws, 0), runner);
	/* PR_SET_PDEATHSIG: the init dies, and the namespace with it */
	ck_assert(is_gone(init));
	ck_assert(is_gone(sleeper));
}
END_TEST

START_TEST(test_readonly)
{
	struct sandbox_spec s = spec(NULL, 0);
	struct result r;

	s.upperdir = NULL;
	s.workdir = NULL;
	s.cwd = "/no/such/dir";
	r = run_sh(s, "pwd; touch /x");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_ne(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "/no/such/dir\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Read-only file system"));
	ck_assert(!exists(lower, "x"));
	ck_assert(!exists(lower, "no"));
}
END_TEST

START_TEST(test_mounts)
{
	struct sandbox_spec s = spec(NULL, 0);
	char *src = path(tdir, "src"), *secret = path(tdir, "secret");
	struct sandbox_mount m[] = {
		{ SANDBOX_MOUNT_BIND, src, "/mnt/src", true, 0 },
		{ SANDBOX_MOUNT_TMPFS, NULL, "/cache", false, 0 },
		{ SANDBOX_MOUNT_BIND, src, "/cache/sub", false, 0 },
		{ SANDBOX_MOUNT_BIND, secret, "/run/secrets/id", true, 0 },
	};

	put_dir(tdir, "src", 0755);
	put_file(src, "file", "from host\n", 0644);
	put_file(tdir, "secret", "s3cret\n", 0600);
	s.mounts = m;
	s.nmounts = 4;
	expect(s, "cat /mnt/src/file; touch /mnt/src/no 2>/dev/null || echo ro; "
	       "echo c > /cache/c && cat /cache/c; cat /cache/sub/file; "
	       "echo w > /cache/sub/w; cat /run/secrets/id",
	       "from host\nro\nc\nfrom host\ns3cret\n");
	ck_assert_str_eq(get_file(src, "w"), "w\n");
	/* neither the mount points nor what was written in mounts */
	ck_assert_uint_eq(count_entries(upper), 0);
	free(src);
	free(secret);
}
END_TEST

START_TEST(test_legacy)
{
	char *top = path(tdir, "top"), *odd = path(tdir, "a,b:c\\d"), *hosts = path(tdir, "hosts");
	const char *lowers[] = { odd, top, lower };
	const char **many;
	struct sandbox_spec s;
	size_t n = 40;

	put_dir(tdir, "top", 0755);
	put_dir(tdir, "a,b:c\\d", 0755);
	put_file(top, "f", "top\n", 0644);
	put_file(odd, "g", "odd\n", 0644);
	put_file(tdir, "hosts", "h\n", 0644);
	for (int legacy = 0; legacy < 2; legacy++) {
		ovl_force_legacy = legacy;
		s = spec(lowers, 3);
		expect(s, "cat /f /g; echo new > /n", "top\nodd\n");
		ck_assert_str_eq(get_file(upper, "n"), "new\n");
		/* with the scaffold */
		s.hosts = hosts;
		expect(s, "cat /f /g /etc/hosts", "top\nodd\nh\n");
	}

	/* layers whose paths exceed a page of mount options */
	many = xcalloc(n + 1, sizeof(*many));
	for (size_t i = 0; i < n; i++) {
		char *name = xasprintf("layer-%02zu-%s", i,
				       "padding-padding-padding-padding-padding-padding-padding-padding-padding");

		put_dir(tdir, name, 0755);
		many[i] = path(tdir, name);
		put_file(many[i], name, "x", 0644);
		free(name);
	}
	many[n] = lower;
	ovl_force_legacy = true;
	s = spec(many, n + 1);
	expect(s, "ls / | grep -c layer-", "40\n");
	s.hosts = hosts;
	expect(s, "ls / | grep -c layer-", "40\n");
	ovl_force_legacy = false;
	expect(s, "ls / | grep -c layer-", "40\n");

	/* in the executor's own mount namespace too */
	for (int legacy = 0; legacy < 2; legacy++) {
		char *target = path(tdir, "merged"), *cwd = getcwd(NULL, 0);
		struct err *e = NULL;

		ovl_force_legacy = legacy;
		put_dir(tdir, "merged", 0755);
		ck_assert_int_eq(sandbox_enter_private_mountns(&e), 0);
		ck_assert_int_eq(sandbox_mount_overlay(target, many, n + 1, NULL, NULL, &e), 0);
		ck_assert(exists(target, "layer-39-padding-padding-padding-padding-padding-padding-padding-padding-padding"));
		ck_assert(exists(target, "bin/busybox"));
		ck_assert_int_eq(umount2(target, 0), 0);
		/* the staging dir is gone and the cwd is back */
		free(target);
		target = getcwd(NULL, 0);
		ck_assert_str_eq(target, cwd);
		free(target);
		free(cwd);
	}
	ovl_force_legacy = false;
	free(top);
	free(odd);
	free(hosts);
}
END_TEST

/* fsconfig takes strings of at most 255 bytes: longer paths go by fd */
START_TEST(test_long_paths)
{
	char name[151];
	char *deep, *up, *wk, *cmd;
	const char *lowers[2];
	struct sandbox_spec s;

	memset(name, 'x', 150);
	name[150] = '\0';
	put_dir(tdir, name, 0755);
	deep = xasprintf("%s/%s/%s", tdir, name, name);
	ck_assert_int_eq(mkdir(deep, 0755), 0);
	ck_assert_uint_gt(strlen(deep), 300);
	cmd = xasprintf("mkdir '%s/l' '%s/u' '%s/w' && echo deep > '%s/l/deep'", deep, deep, deep, deep);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	lowers[0] = path(deep, "l");
	lowers[1] = lower;
	up = path(deep, "u");
	wk = path(deep, "w");
	s = spec(lowers, 2);
	s.upperdir = up;
	s.workdir = wk;
	expect(s, "cat /deep; echo w > /w", "deep\n");
	ck_assert_str_eq(get_file(up, "w"), "w\n");
	free(deep);
	free(up);
	free(wk);
	free((char *)lowers[0]);
}
END_TEST

START_TEST(test_write_error)
{
	struct sandbox_spec s = spec(NULL, 0);
	struct err *e = NULL;
	int fds[2], log = memfd_create("log", MFD_CLOEXEC), status;
	char *text;

	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	s.argv = (char *[]){ "sh", "-c", "echo one; echo two", NULL };
	s.out_fd = fds[1];
	s.log_fd = log;
	ck_assert_int_eq(sandbox_run(&s, &status, &e), -1);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(e->msg, "copying the command's output: Broken pipe");
	err_free(e);
	text = slurp(log);
	ck_assert_str_eq(text, "one\ntwo\n");
	free(text);
	close(fds[1]);
}
END_TEST

START_TEST(test_interactive)
{
	struct sandbox_spec s = spec(NULL, 0);
	int saved = dup(1), fd = memfd_create("tty", MFD_CLOEXEC), status;
	struct err *e = NULL;
	char *text;

	fflush(stdout);
	dup2(fd, 1);
	s.is_interactive = true;
	s.argv = (char *[]){ "sh", "-c", "echo direct; test -t 0 || echo same stdin", NULL };
	ck_assert_int_eq(sandbox_run(&s, &status, &e), 0);
	dup2(saved, 1);
	close(saved);
	ck_assert_int_eq(status, 0);
	text = slurp(fd);
	ck_assert_ptr_nonnull(strstr(text, "direct\n"));
	free(text);
}
END_TEST

/*
 * a pinned subpath of a cache stays the directory that was checked: one
 * swapped for a symlink to / afterwards changes nothing of the pin, and a
 * symlink is never pinned
 */
START_TEST(test_pin)
{
	autofree char *cache = path(tdir, "cache"), *sub = path(tdir, "cache/sub");
	autofree char *old = path(tdir, "cache/old"), *stage = path(tdir, "stage");
	autofree char *x = path(tdir, "stage/x"), *etc = path(tdir, "stage/etc");
	struct err *e = NULL;

	put_dir(tdir, "cache", 0755);
	put_dir(tdir, "cache/sub", 0755);
	put_dir(tdir, "stage", 0755);
	put_file(tdir, "cache/sub/x", "x", 0644);
	if (sandbox_pin_beneath(cache, "sub", stage, &e) < 0)
		ck_abort_msg("pin: %s", e->msg);
	/* the race a parallel step would run: sub becomes a link to / */
	ck_assert_int_eq(rename(sub, old), 0);
	ck_assert_int_eq(symlink("/", sub), 0);
	ck_assert_int_eq(access(x, F_OK), 0);
	ck_assert_int_ne(access(etc, F_OK), 0);
	sandbox_unpin(stage);
	ck_assert_int_ne(access(x, F_OK), 0);
	/* a symlink is refused, not followed */
	ck_assert_int_eq(sandbox_pin_beneath(cache, "sub", stage, &e), -1);
	ck_assert_int_eq(e->errnum, ELOOP);
	err_free(e);
	ck_assert_int_ne(access(etc, F_OK), 0);
}
END_TEST

START_TEST(test_mount_overlay)
{
	char *top = path(tdir, "top"), *target = path(tdir, "merged"), *f;
	const char *lowers[] = { top, lower };
	char *parent_mounts;
	struct err *e = NULL;
	int fd;

	put_dir(tdir, "top", 0755);
	put_dir(tdir, "merged", 0755);
	put_file(top, "f", "top\n", 0644);
	ck_assert_int_eq(sandbox_enter_private_mountns(&e), 0);
	ck_assert_int_eq(sandbox_mount_overlay(target, lowers, 2, upper, work, &e), 0);
	ck_assert_str_eq(get_file(target, "f"), "top\n");
	ck_assert(exists(target, "bin/busybox"));
	put_file(target, "new", "n\n", 0644);
	ck_assert_str_eq(get_file(upper, "new"), "n\n");
	/* not in the mount namespace of the test runner */
	parent_mounts = mountinfo(getppid());
	ck_assert_ptr_null(strstr(parent_mounts, target));
	free(parent_mounts);
	ck_assert_int_eq(umount2(target, 0), 0);

	/* one lower, no upper: a read-only view */
	ck_assert_int_eq(sandbox_mount_overlay(target, lowers, 1, NULL, NULL, &e), 0);
	ck_assert_str_eq(get_file(target, "f"), "top\n");
	f = path(target, "x");
	fd = open(f, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, EROFS);
	free(f);
	ck_assert_int_eq(umount2(target, 0), 0);

	/* no layers at all: an empty directory */
	ck_assert_int_eq(sandbox_mount_overlay(target, NULL, 0, NULL, NULL, &e), 0);
	ck_assert_uint_eq(count_entries(target), 0);
	ck_assert_int_eq(mkdir(f = path(target, "d"), 0755), -1);
	ck_assert_int_eq(errno, EROFS);
	free(f);
	ck_assert_int_eq(umount2(target, 0), 0);

	/* no lowers: the upper itself */
	ck_assert_int_eq(sandbox_mount_overlay(target, NULL, 0, upper, work, &e), 0);
	ck_assert_str_eq(get_file(target, "new"), "n\n");
	ck_assert_int_eq(umount2(target, 0), 0);

	ck_assert_int_eq(sandbox_mount_overlay(target, (const char *[]){ "/nonexistent" }, 1,
					       upper, work, &e), -1);
	ck_assert_msg(strstr(e->msg, "lower dir '/nonexistent'") &&
		      strstr(e->msg, "No such file or directory"), "%s", e->msg);
	err_free(e);
	free(top);
	free(target);
}
END_TEST

START_TEST(test_errors)
{
	struct sandbox_spec s = spec(NULL, 0);
	struct result r;

	s.upperdir = "/nonexistent/upper";
	r = run_sh(s, "true");
	ck_assert_int_eq(r.rc, -1);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "mounting overlay: upper dir '/nonexistent/upper'") &&
		      strstr(r.err, "No such file or directory"), "%s", r.err);

	s = spec(NULL, 0);
	s.cwd = "relative";
	r = run_sh(s, "true");
	ck_assert_str_eq(r.err, "working directory 'relative' is not absolute");

	s = spec(NULL, 0);
	s.mounts = (struct sandbox_mount[]){ { SANDBOX_MOUNT_TMPFS, NULL, "/proc/x", false, 0 } };
	s.nmounts = 1;
	r = run_sh(s, "true");
	ck_assert_str_eq(r.err, "cannot mount on '/proc/x' in the container");
}
END_TEST

/* not an assertion: what one run costs */
START_TEST(test_overhead)
{
	struct sandbox_spec s = spec(NULL, 0);
	const int n = 30;
	struct err *e = NULL;
	double t0, t1, t2;
	int status;

	s.argv = (char *[]){ "/bin/true", NULL };
	ck_assert_int_eq(sandbox_run(&s, &status, &e), 0);
	t0 = now();
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(sandbox_run(&s, &status, &e), 0);
	t1 = now();
	for (int i = 0; i < n; i++) {
		char *bin = path(lower, "bin/true");
		pid_t pid = fork();

		if (pid == 0) {
			execl(bin, "true", (char *)NULL);
			_exit(127);
		}
		free(bin);
		waitpid(pid, NULL, 0);
	}
	t2 = now();
	printf("# sandbox_run of /bin/true: %.2f ms mean over %d runs "
	       "(fork+exec alone: %.2f ms)\n", (t1 - t0) * 1e3 / n, n, (t2 - t1) * 1e3 / n);
	fflush(stdout);
}
END_TEST

/*
 * the filter's verdicts, loaded in a child with no_new_privs (so any user
 * can): allowed calls work, refused ones fail with EPERM, clone3 and
 * calls past the newest known with ENOSYS, argument checks hold
 */
START_TEST(test_seccomp_verdicts)
{
	struct sock_fprog fp = {
		.len = seccomp_prog_len,
		.filter = (struct sock_filter *)seccomp_prog,
	};
	static const struct {
		const char *what;
		long nr, a0, a1, a2;
		int err;	/* 0: allowed */
	} cases[] = {
		{ "getpid", SYS_getpid, 0, 0, 0, 0 },
		{ "a number past the newest", 1000, 0, 0, 0, ENOSYS },
		{ "an x32 number", 0x40000000 | SYS_getpid, 0, 0, 0, ENOSYS },
		{ "io_uring_setup", 425, 1, 0, 0, EPERM },
		{ "clone3", 435, 0, 0, 0, ENOSYS },
		{ "unshare", SYS_unshare, 0, 0, 0, EPERM },
		{ "mount", SYS_mount, 0, 0, 0, EPERM },
		{ "open_by_handle_at", SYS_open_by_handle_at, -1, 0, 0, EPERM },
		{ "keyctl", SYS_keyctl, 0, 0, 0, EPERM },
		{ "bpf", SYS_bpf, 0, 0, 0, EPERM },
		{ "socket AF_VSOCK", SYS_socket, 40, 1, 0, EPERM },
		{ "socket AF_ALG", SYS_socket, 38, 5, 0, EPERM },
		{ "socket AF_UNIX", SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0 },
		{ "personality query", SYS_personality, 0xffffffff, 0, 0, 0 },
		{ "personality 1", SYS_personality, 1, 0, 0, EPERM },
		{ "clone with CLONE_NEWUSER", SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, EPERM },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ws, pfd[2];
		char got[16] = "";
		pid_t pid;

		ck_assert_int_eq(pipe(pfd), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			long r;
			int e;

			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
				_exit(2);
			r = syscall(cases[i].nr, cases[i].a0, cases[i].a1, cases[i].a2, 0, 0, 0);
			e = r < 0 ? errno : 0;
			if (r == 0 && cases[i].nr == SYS_clone)
				_exit(0);
			dprintf(pfd[1], "%d", e);
			_exit(0);
		}
		close(pfd[1]);
		ck_assert_int_ge(read(pfd[0], got, sizeof(got) - 1), 0);
		close(pfd[0]);
		ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
		ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "%s: the filter did not load",
			      cases[i].what);
		ck_assert_msg(atoi(got) == cases[i].err, "%s: errno %s, expected %d",
			      cases[i].what, got, cases[i].err);
	}
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	struct {
		const char *name;
		const TTest *fn;
	} tests[] = {
		{ "seccomp_verdicts", test_seccomp_verdicts },
		{ "output", test_output },
		{ "status", test_status },
		{ "upper", test_upper },
		{ "settled", test_settled },
		{ "layers", test_layers },
		{ "cwd_env", test_cwd_env },
		{ "user", test_user },
		{ "hostname_etc", test_hostname_etc },
		{ "scaffold", test_scaffold },
		{ "proc_dev", test_proc_dev },
		{ "network", test_network },
		{ "no_leak", test_no_leak },
		{ "exec_errors", test_exec_errors },
		{ "sigint", test_sigint },
		{ "grace", test_grace },
		{ "parent_killed", test_parent_killed },
		{ "readonly", test_readonly },
		{ "mounts", test_mounts },
		{ "legacy", test_legacy },
		{ "long_paths", test_long_paths },
		{ "write_error", test_write_error },
		{ "interactive", test_interactive },
		{ "mount_overlay", test_mount_overlay },
		{ "pin", test_pin },
		{ "errors", test_errors },
		{ "overhead", test_overhead },
	};

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 30);
		tcase_add_test(tc, tests[i].fn);
		suite_add_tcase(s, tc);
	}
	return s;
}

/* can this process mount an overlay in a mount namespace of its own? */
static bool
has_overlay(void)
{
	pid_t pid = fork();
	int ws;

	if (pid == 0) {
		char *l = path(base, "probe-l"), *u = path(base, "probe-u");
		char *w = path(base, "probe-w"), *m = path(base, "probe-m");
		char *opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", l, u, w);

		if (mkdir(l, 0755) || mkdir(u, 0755) || mkdir(w, 0755) || mkdir(m, 0755) ||
		    unshare(CLONE_NEWNS | CLONE_NEWPID) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("overlay", m, "overlay", 0, opts))
			_exit(1);
		_exit(0);
	}
	return waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

int
main(void)
{
	char *cmd;
	int r;

	if (geteuid() != 0) {
		printf("1..0 # SKIP the sandbox needs root\n");
		return 0;
	}
	if (access("/bin/busybox", X_OK) < 0) {
		printf("Bail out! /bin/busybox is missing (apt-get install busybox-static)\n");
		return 1;
	}
	if (!mkdtemp(base)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (!has_overlay()) {
		printf("1..0 # SKIP overlayfs or namespaces are not available\n");
		r = 0;
	} else {
		snprintf(lower, sizeof(lower), "%s/rootfs", base);
		put_dir(base, "rootfs", 0755);
		make_rootfs(lower);
		r = unit_run(sandbox_suite());
	}
	cmd = xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		r = 1;
	free(cmd);
	return r;
}

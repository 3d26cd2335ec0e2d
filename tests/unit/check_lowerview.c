#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sandbox/lowerview.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

/* three layers, "top" over "mid" over "base", as overlayfs stacks them */
static char tmpdir[] = "/tmp/check_lowerview.XXXXXX";
static char *lowers[3];

static char *
at(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static void
mkdir_in(const char *rel, mode_t mode)
{
	autofree char *path = at(rel);
	struct err *e = NULL;

	ck_assert_int_eq(fs_mkdir_p(path, &e), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
put(const char *rel)
{
	autofree char *path = at(rel), *dir = fs_dirname(path);
	struct err *e = NULL;
	int fd;

	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_lowerview.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	lowers[0] = at("top");
	lowers[1] = at("mid");
	lowers[2] = at("base");
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(mkdir(lowers[i], 0755), 0);
	put("base/etc/hosts");
	mkdir_in("base/proc", 0555);
}

static void
teardown(void)
{
	unit_rm_rf(tmpdir);
	for (size_t i = 0; i < 3; i++)
		free(lowers[i]);
}

/* lowerview_lookup of rel in the three layers; *st as it found */
static int
lookup(const char *rel, struct stat *st)
{
	struct lowerview v;
	int fd;

	ck_assert_int_eq(lowerview_open(&v, lowers, 3), 0);
	fd = lowerview_lookup(&v, rel, st);
	if (fd >= 0)
		close(fd);
	lowerview_close(&v);
	return fd;
}

static void
assert_found(const char *rel, mode_t mode)
{
	struct stat st;

	ck_assert_int_ge(lookup(rel, &st), 0);
	ck_assert_uint_eq(st.st_mode, mode);
}

static void
assert_absent(const char *rel)
{
	struct stat st;

	errno = 0;
	ck_assert_int_eq(lookup(rel, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}

static void
assert_unsure(const char *rel)
{
	struct stat st;

	ck_assert_int_eq(lookup(rel, &st), LOWERVIEW_UNSURE);
}

START_TEST(test_merged_dirs)
{
	/* dirs on the way in the upper layers merge; the top-most one's
	 * status is the merged dir's */
	mkdir_in("top/etc", 0750);
	mkdir_in("mid/etc", 0700);
	assert_found("etc/hosts", S_IFREG | 0644);
	assert_found("etc", S_IFDIR | 0750);
	assert_found("proc", S_IFDIR | 0555);
	/* a layer without the dir does not cut the ones below it off */
	mkdir_in("top/a", 0755);
	put("base/a/b");
	assert_found("a/b", S_IFREG | 0644);
}
END_TEST

START_TEST(test_top_most_wins)
{
	mkdir_in("mid/proc", 0711);
	assert_found("proc", S_IFDIR | 0711);
	/* a file over a dir: the file */
	put("top/sys");
	mkdir_in("base/sys", 0755);
	assert_found("sys", S_IFREG | 0644);
}
END_TEST

START_TEST(test_absent)
{
	assert_absent("dev");
	assert_absent("etc/resolv.conf");
	assert_absent("no/such/dir");
}
END_TEST

START_TEST(test_root)
{
	struct stat st;
	autofree char *top = at("top");

	ck_assert_int_eq(chmod(top, 0751), 0);
	ck_assert_int_ge(lookup("", &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 0751);
}
END_TEST

START_TEST(test_whiteout)
{
	autofree char *p = at("mid/etc/hosts");

	mkdir_in("mid/etc", 0755);
	if (mknod(p, S_IFCHR | 0, makedev(0, 0)) < 0)
		ck_abort_msg("mknod: %s (run as root)", strerror(errno));
	assert_unsure("etc/hosts");
	/* ... and on the way */
	mkdir_in("base/x/y", 0755);
	p = at("top/x");
	ck_assert_int_eq(mknod(p, S_IFCHR | 0, makedev(0, 0)), 0);
	assert_unsure("x/y");
}
END_TEST

START_TEST(test_symlinks)
{
	autofree char *etc = at("top/etc"), *dev = at("top/dev");

	ck_assert_int_eq(symlink("/base/etc", etc), 0);
	assert_unsure("etc/hosts");
	ck_assert_int_eq(symlink("proc", dev), 0);
	assert_unsure("dev");
}
END_TEST

START_TEST(test_dir_over_non_dir)
{
	/* a dir on the way with a non-dir below it: left to a mount */
	mkdir_in("top/etc", 0755);
	put("mid/etc");
	assert_unsure("etc/hosts");
}
END_TEST

START_TEST(test_overlay_xattrs)
{
	autofree char *mid_etc = at("mid/etc"), *hosts = at("base/etc/hosts");
	autofree char *base = at("base");

	/* harmless marks: still sure */
	mkdir_in("mid/etc", 0755);
	ck_assert_int_eq(setxattr(mid_etc, "user.overlay.origin", "x", 1, 0), 0);
	ck_assert_int_eq(setxattr(base, "user.overlay.uuid", "x", 1, 0), 0);
	assert_found("etc/hosts", S_IFREG | 0644);
	/* opaque, metacopy: unsure */
	ck_assert_int_eq(setxattr(hosts, "user.overlay.metacopy", "", 0, 0), 0);
	assert_unsure("etc/hosts");
	ck_assert_int_eq(removexattr(hosts, "user.overlay.metacopy"), 0);
	ck_assert_int_eq(setxattr(mid_etc, "trusted.overlay.opaque", "y", 1, 0), 0);
	assert_unsure("etc/hosts");
}
END_TEST

START_TEST(test_layer_root_xattr)
{
	struct lowerview v;
	autofree char *mid = at("mid");

	ck_assert_int_eq(setxattr(mid, "trusted.overlay.opaque", "y", 1, 0), 0);
	ck_assert_int_eq(lowerview_open(&v, lowers, 3), LOWERVIEW_UNSURE);
	ck_assert_uint_eq(v.n, 0);
}
END_TEST

/* fds open in this process */
static int
count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* rel looked up in the open view v, as lookup() finds it in a new one */
static void
assert_same(struct lowerview *v, const char *rel)
{
	struct stat st, fresh;
	int fd, e, want;

	errno = 0;
	fd = lowerview_lookup(v, rel, &st);
	e = errno;
	want = lookup(rel, &fresh);
	if (want >= 0) {
		ck_assert_msg(fd >= 0, "'%s': %d, fresh %d", rel, fd, want);
		ck_assert_uint_eq(st.st_mode, fresh.st_mode);
		ck_assert_uint_eq(st.st_ino, fresh.st_ino);
		close(fd);
	} else {
		ck_assert_msg(fd == want, "'%s': %d, fresh %d", rel, fd, want);
		if (fd == -1)
			ck_assert_int_eq(e, ENOENT);
	}
}

START_TEST(test_one_view)
{
	static const char *const rels[] = {
		"etc/hosts", "etc/resolv.conf", "etc", "proc", "etc/hosts", "etc",
		"a/b", "a/b/c", "a/b", "a", "etc/x/y", "etc/hosts", "etc/", "etc/..",
		"dev", "a/b/c", "etc/hosts", "", "a/b/c/d", "etc",
	};
	struct lowerview v;
	int before = count_fds();

	/* the same answers from one view as from a new view each */
	mkdir_in("top/etc", 0750);
	mkdir_in("mid/etc", 0700);
	mkdir_in("mid/a/b/c", 0711);
	mkdir_in("base/a/b", 0705);
	put("top/a/b/f");
	ck_assert_int_eq(lowerview_open(&v, lowers, 3), 0);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < countof(rels); i++)
			assert_same(&v, rels[i]);
	lowerview_close(&v);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(test_one_view_unsure)
{
	struct lowerview v;
	struct stat st;
	int fd;

	/* a dir on the way that is not plain is not remembered */
	mkdir_in("top/etc", 0755);
	put("mid/etc");
	ck_assert_int_eq(lowerview_open(&v, lowers, 3), 0);
	ck_assert_int_eq(lowerview_lookup(&v, "etc/hosts", &st), LOWERVIEW_UNSURE);
	ck_assert_int_eq(lowerview_lookup(&v, "etc/resolv.conf", &st), LOWERVIEW_UNSURE);
	fd = lowerview_lookup(&v, "etc", &st);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 0755);
	close(fd);
	lowerview_close(&v);
}
END_TEST

static Suite *
lowerview_suite(void)
{
	Suite *s = suite_create("lowerview");
	TCase *tc = tcase_create("lowerview_lookup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_merged_dirs);
	tcase_add_test(tc, test_top_most_wins);
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_whiteout);
	tcase_add_test(tc, test_symlinks);
	tcase_add_test(tc, test_dir_over_non_dir);
	tcase_add_test(tc, test_overlay_xattrs);
	tcase_add_test(tc, test_layer_root_xattr);
	tcase_add_test(tc, test_one_view);
	tcase_add_test(tc, test_one_view_unsure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(lowerview_suite());
}

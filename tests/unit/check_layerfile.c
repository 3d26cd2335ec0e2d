#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "exec/layerfile.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

/* three layers, "top" over "mid" over "base", as overlayfs stacks them */
static char tmpdir[] = "/tmp/check_layerfile.XXXXXX";
static char *lowers[3];

static char *
at(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static void
put(const char *rel, const char *data)
{
	autofree char *path = at(rel), *dir = fs_dirname(path);
	struct err *e = NULL;
	FILE *f;

	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

static void
mkdir_in(const char *rel)
{
	autofree char *path = at(rel);
	struct err *e = NULL;

	ck_assert_int_eq(fs_mkdir_p(path, &e), 0);
}

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_layerfile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	lowers[0] = at("top");
	lowers[1] = at("mid");
	lowers[2] = at("base");
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(mkdir(lowers[i], 0755), 0);
	put("base/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	put("base/etc/group", "root:x:0:\n");
}

static void
teardown(void)
{
	unit_rm_rf(tmpdir);
	for (size_t i = 0; i < 3; i++)
		free(lowers[i]);
}

/* layerfile_read of one file on the three layers: its return, and *data */
static int
lookup(const char *path, char **data)
{
	autofree char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *name = slash + 1;

	*slash = '\0';
	return layerfile_read((const char *const *)lowers, 3, dir, &name, 1, data);
}

/* layerfile_read of etc/passwd and etc/group in one walk */
static int
lookup_both(char *data[2])
{
	static const char *const names[] = { "passwd", "group" };

	return layerfile_read((const char *const *)lowers, 3, "etc", names, 2, data);
}

START_TEST(test_bottom_layer)
{
	autofree char *data = NULL;

	/* dirs on the way in the upper layers are merged, not hiding */
	mkdir_in("top/etc");
	mkdir_in("mid/etc");
	ck_assert_int_eq(lookup("/etc/passwd", &data), 1);
	ck_assert_str_eq(data, "root:x:0:0:root:/root:/bin/sh\n");
}
END_TEST

START_TEST(test_top_most_wins)
{
	autofree char *data = NULL;

	put("mid/etc/passwd", "mid\n");
	put("top/etc/group", "top\n");
	ck_assert_int_eq(lookup("etc/passwd", &data), 1);
	ck_assert_str_eq(data, "mid\n");
}
END_TEST

START_TEST(test_absent)
{
	char *data = (char *)"unchanged";

	ck_assert_int_eq(lookup("etc/shadow", &data), 1);
	ck_assert_ptr_null(data);
	ck_assert_int_eq(lookup("no/such/dir/file", &data), 1);
	ck_assert_ptr_null(data);
}
END_TEST

START_TEST(test_empty_file)
{
	autofree char *data = NULL;

	put("top/etc/passwd", "");
	ck_assert_int_eq(lookup("etc/passwd", &data), 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_str_eq(data, "");
}
END_TEST

/* what overlayfs would read differently, or that needs resolving, is
 * left to a mount: 0 and nothing allocated */
static void
assert_unsure(const char *path)
{
	char *data = NULL;

	ck_assert_int_eq(lookup(path, &data), 0);
	ck_assert_ptr_null(data);
}

START_TEST(test_whiteout_file)
{
	autofree char *p = at("mid/etc/passwd");

	mkdir_in("mid/etc");
	/* a whiteout: the character device 0/0 */
	ck_assert_int_eq(mknod(p, S_IFCHR | 0, makedev(0, 0)), 0);
	assert_unsure("etc/passwd");
}
END_TEST

START_TEST(test_symlink)
{
	autofree char *p = at("top/etc/passwd");

	mkdir_in("top/etc");
	ck_assert_int_eq(symlink("/etc/group", p), 0);
	assert_unsure("etc/passwd");
}
END_TEST

START_TEST(test_dir_not_dir)
{
	put("mid/etc", "a file where a dir was\n");
	assert_unsure("etc/passwd");
}
END_TEST

START_TEST(test_opaque_dir)
{
	autofree char *p = at("mid/etc");

	mkdir_in("mid/etc");
	ck_assert_int_eq(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	assert_unsure("etc/passwd");
}
END_TEST

START_TEST(test_user_xattr_redirect)
{
	autofree char *p = at("top/etc");

	mkdir_in("top/etc");
	ck_assert_int_eq(setxattr(p, "user.overlay.redirect", "/x", 2, 0), 0);
	assert_unsure("etc/passwd");
}
END_TEST

START_TEST(test_harmless_xattrs)
{
	autofree char *root = at("top"), *file = NULL, *data = NULL;

	/* an upper dir's root gets a uuid, a copied-up file its origin */
	ck_assert_int_eq(setxattr(root, "trusted.overlay.uuid", "0123456789abcdef", 16, 0), 0);
	put("top/etc/passwd", "copied up\n");
	file = at("top/etc/passwd");
	ck_assert_int_eq(setxattr(file, "trusted.overlay.origin", "x", 1, 0), 0);
	ck_assert_int_eq(lookup("etc/passwd", &data), 1);
	ck_assert_str_eq(data, "copied up\n");
}
END_TEST

START_TEST(test_metacopy_file)
{
	autofree char *file = NULL;

	put("top/etc/passwd", "");
	file = at("top/etc/passwd");
	ck_assert_int_eq(setxattr(file, "trusted.overlay.metacopy", "", 0, 0), 0);
	assert_unsure("etc/passwd");
}
END_TEST

/* one walk finds each file in its own top-most layer */
START_TEST(test_both)
{
	char *data[2];

	put("mid/etc/passwd", "mid\n");
	put("top/etc/group", "top\n");
	ck_assert_int_eq(lookup_both(data), 1);
	ck_assert_str_eq(data[0], "mid\n");
	ck_assert_str_eq(data[1], "top\n");
	free(data[0]);
	free(data[1]);
}
END_TEST

/* one file found, the other not the plain case further down: 0, and
 * what was read is freed */
START_TEST(test_both_unsure)
{
	autofree char *p = at("mid/etc/group");
	char *data[2] = { (char *)"x", (char *)"y" };

	put("top/etc/passwd", "top\n");
	mkdir_in("mid/etc");
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	ck_assert_int_eq(lookup_both(data), 0);
	ck_assert_ptr_null(data[0]);
	ck_assert_ptr_null(data[1]);
}
END_TEST

/* a layer below where both were found is not looked at, as each alone
 * would not look at it */
START_TEST(test_both_above_unsure)
{
	autofree char *p = at("base/etc");
	char *data[2];

	put("top/etc/passwd", "top\n");
	put("mid/etc/group", "mid\n");
	ck_assert_int_eq(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	ck_assert_int_eq(lookup_both(data), 1);
	ck_assert_str_eq(data[0], "top\n");
	ck_assert_str_eq(data[1], "mid\n");
	free(data[0]);
	free(data[1]);
	/* each alone as well */
	ck_assert_int_eq(lookup("etc/passwd", &data[0]), 1);
	free(data[0]);
	ck_assert_int_eq(lookup("etc/shadow", &data[0]), 0);
}
END_TEST

static Suite *
layerfile_suite(void)
{
	Suite *s = suite_create("layerfile");
	TCase *tc = tcase_create("layerfile_read");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bottom_layer);
	tcase_add_test(tc, test_top_most_wins);
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_whiteout_file);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_dir_not_dir);
	tcase_add_test(tc, test_opaque_dir);
	tcase_add_test(tc, test_user_xattr_redirect);
	tcase_add_test(tc, test_harmless_xattrs);
	tcase_add_test(tc, test_metacopy_file);
	tcase_add_test(tc, test_both);
	tcase_add_test(tc, test_both_unsure);
	tcase_add_test(tc, test_both_above_unsure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(layerfile_suite());
}

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/user.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

static char tmpdir[] = "/tmp/check_user.XXXXXX";
static int rootfd = -1;

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"\n"
	"  bob:x:1000:1000:Bob:/home/bob:/bin/sh  \n"
	"alice:x:1001:100::/home/alice:/bin/sh\n"
	"nohome:x:1002:1002:::/bin/sh\n"
	"bob:x:2000:2000:second bob:/nowhere:/bin/sh\n";

static const char group[] =
	"root:x:0:\n"
	"users:x:100:bob\n"
	"bob:x:1000:\n"
	"docker:x:999:alice,bob\n"
	"wheel:x:10:alice\n";

static void
put(const char *rel, const char *data)
{
	char *path = xasprintf("%s/%s", tmpdir, rel), *dir = fs_dirname(path);
	struct err *e = NULL;
	FILE *f;

	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
	free(dir);
	free(path);
}

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_user.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	rootfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
}

static void
setup_files(void)
{
	setup();
	put("etc/passwd", passwd);
	put("etc/group", group);
}

static void
teardown(void)
{
	close(rootfd);
	unit_rm_rf(tmpdir);
}

/* a USER spec and what a RUN step runs as */
static const struct user_case {
	const char *spec;
	unsigned uid, gid;
	const char *home;
	size_t ngroups;
	unsigned groups[3];
} user_cases[] = {
	{ "", 0, 0, "/root", 0, { 0 } },
	{ "root", 0, 0, "/root", 0, { 0 } },
	{ "bob", 1000, 1000, "/home/bob", 2, { 100, 999 } },
	{ "1000", 1000, 1000, "/home/bob", 2, { 100, 999 } },
	{ "alice", 1001, 100, "/home/alice", 2, { 999, 10 } },
	{ "bob:docker", 1000, 999, "/home/bob", 0, { 0 } },
	{ "bob:42", 1000, 42, "/home/bob", 0, { 0 } },
	{ "bob:", 1000, 1000, "/home/bob", 2, { 100, 999 } },
	{ "1000:1000", 1000, 1000, "/home/bob", 0, { 0 } },
	{ "5000", 5000, 0, "/", 0, { 0 } },
	{ "5000:5001", 5000, 5001, "/", 0, { 0 } },
	{ "5000:wheel", 5000, 10, "/", 0, { 0 } },
	{ ":docker", 0, 999, "/root", 0, { 0 } },
	{ "nohome", 1002, 1002, "/", 0, { 0 } },
	{ "daemon", 1, 1, "/usr/sbin", 0, { 0 } },
};

START_TEST(test_user_resolve)
{
	const struct user_case *c = &user_cases[_i];
	struct user_info u = { 0 };
	struct err *e = NULL;

	ck_assert_msg(user_resolve(rootfd, c->spec, &u, &e) == 0, "'%s': %s",
		      c->spec, e ? e->msg : "?");
	ck_assert_msg(u.uid == c->uid && u.gid == c->gid,
		      "'%s': got %u:%u, want %u:%u", c->spec, (unsigned)u.uid,
		      (unsigned)u.gid, c->uid, c->gid);
	ck_assert_str_eq(u.home, c->home);
	ck_assert_msg(u.ngroups == c->ngroups, "'%s': %zu groups, want %zu",
		      c->spec, u.ngroups, c->ngroups);
	for (size_t i = 0; i < u.ngroups; i++)
		ck_assert_uint_eq(u.groups[i], c->groups[i]);
	user_info_fini(&u);
}
END_TEST

START_TEST(test_user_errors)
{
	struct user_info u = { 0 };
	struct err *e = NULL;

	ck_assert_int_lt(user_resolve(rootfd, "carol", &u, &e), 0);
	ck_assert_str_eq(e->msg,
			 "unknown user 'carol' (no such entry in /etc/passwd)");
	err_free(e);
	e = NULL;
	ck_assert_int_lt(user_resolve(rootfd, "bob:nogroup", &u, &e), 0);
	ck_assert_str_eq(
		e->msg,
		"unknown group 'nogroup' (no such entry in /etc/group)");
	err_free(e);
	e = NULL;
	ck_assert_int_lt(user_resolve(rootfd, "99999999999", &u, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "out of range"));
	err_free(e);
}
END_TEST

START_TEST(test_user_no_files)
{
	struct user_info u = { 0 };
	struct err *e = NULL;
	uid_t uid;
	gid_t gid;

	/* no /etc/passwd: numbers work, names do not */
	ck_assert_int_eq(user_resolve(rootfd, "1000", &u, &e), 0);
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.home, "/");
	user_info_fini(&u);
	ck_assert_int_eq(user_resolve(rootfd, "", &u, &e), 0);
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_str_eq(u.home, "/");
	user_info_fini(&u);
	ck_assert_int_eq(user_resolve(rootfd, "7:8", &u, &e), 0);
	ck_assert_uint_eq(u.gid, 8);
	user_info_fini(&u);
	ck_assert_int_lt(user_resolve(rootfd, "bob", &u, &e), 0);
	ck_assert_str_eq(e->msg,
			 "unknown user 'bob' (no such entry in /etc/passwd)");
	err_free(e);
	e = NULL;
	ck_assert_int_eq(user_resolve_chown(rootfd, "12", &uid, &gid, &e), 0);
	ck_assert_uint_eq(uid, 12);
	ck_assert_uint_eq(gid, 12);
	ck_assert_int_lt(user_resolve_chown(rootfd, "12:staff", &uid, &gid, &e),
			 0);
	ck_assert_str_eq(e->msg,
			 "unknown group 'staff' (no such entry in /etc/group)");
	err_free(e);
}
END_TEST

START_TEST(test_user_in_root)
{
	struct user_info u = { 0 };
	struct err *e = NULL;
	char *link = xasprintf("%s/etc/passwd", tmpdir);

	/* a passwd symlinked out of the rootfs resolves inside it */
	put("real/passwd", "ghost:x:4242:4242::/g:/bin/sh\n");
	put("etc/group", "");
	ck_assert_int_eq(symlink("../../../../../real/passwd", link), 0);
	ck_assert_int_eq(user_resolve(rootfd, "ghost", &u, &e), 0);
	ck_assert_uint_eq(u.uid, 4242);
	user_info_fini(&u);
	/* "/etc/passwd" is the rootfs's own: a loop, never the host's file */
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	ck_assert_int_lt(user_resolve(rootfd, "root", &u, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "/etc/passwd"));
	err_free(e);
	free(link);
}
END_TEST

static const struct chown_case {
	const char *spec;
	unsigned uid, gid;
} chown_cases[] = {
	{ "bob", 1000, 1000 },
	{ "alice", 1001, 100 },
	{ "1234", 1234, 1234 },
	{ "bob:docker", 1000, 999 },
	{ "55:docker", 55, 999 },
	{ "10:11", 10, 11 },
	{ "alice:0", 1001, 0 },
	{ "0", 0, 0 },
};

START_TEST(test_chown)
{
	const struct chown_case *c = &chown_cases[_i];
	struct err *e = NULL;
	uid_t uid;
	gid_t gid;

	ck_assert_msg(user_resolve_chown(rootfd, c->spec, &uid, &gid, &e) == 0,
		      "'%s': %s", c->spec, e ? e->msg : "?");
	ck_assert_msg(uid == c->uid && gid == c->gid,
		      "'%s': got %u:%u, want %u:%u", c->spec, (unsigned)uid,
		      (unsigned)gid, c->uid, c->gid);
}
END_TEST

START_TEST(test_chown_errors)
{
	struct err *e = NULL;
	uid_t uid;
	gid_t gid;

	ck_assert_int_lt(user_resolve_chown(rootfd, "carol", &uid, &gid, &e),
			 0);
	ck_assert_str_eq(e->msg,
			 "unknown user 'carol' (no such entry in /etc/passwd)");
	err_free(e);
	e = NULL;
	ck_assert_int_lt(user_resolve_chown(rootfd, "bob:nope", &uid, &gid, &e),
			 0);
	ck_assert_str_eq(e->msg,
			 "unknown group 'nope' (no such entry in /etc/group)");
	err_free(e);
}
END_TEST

static Suite *
user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc;

	tc = tcase_create("user_resolve");
	tcase_add_checked_fixture(tc, setup_files, teardown);
	tcase_add_loop_test(tc, test_user_resolve, 0,
			    (int)(sizeof(user_cases) / sizeof(user_cases[0])));
	tcase_add_test(tc, test_user_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("user_resolve without files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_user_no_files);
	tcase_add_test(tc, test_user_in_root);
	suite_add_tcase(s, tc);
	tc = tcase_create("user_resolve_chown");
	tcase_add_checked_fixture(tc, setup_files, teardown);
	tcase_add_loop_test(
		tc, test_chown, 0,
		(int)(sizeof(chown_cases) / sizeof(chown_cases[0])));
	tcase_add_test(tc, test_chown_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(user_suite());
}

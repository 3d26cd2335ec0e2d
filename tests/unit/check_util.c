#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/ascii.h"
#include "util/dirkeep.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/epoch.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/giturl.h"
#include "util/jsonfile.h"
#include "util/path.h"
#include "util/strv.h"
#include "util/units.h"
#include "util/vars.h"
#include "unit.h"

UNIT_TMPDIR_FIXTURE("check_util")

START_TEST(test_buf)
{
	struct buf b = BUF_INIT;
	char *s;

	ck_assert_str_eq(buf_str(&b), "");
	buf_puts(&b, "abc");
	buf_putc(&b, '-');
	buf_printf(&b, "%d/%s", 42, "x");
	ck_assert_str_eq(buf_str(&b), "abc-42/x");
	ck_assert_uint_eq(b.len, 8);
	for (int i = 0; i < 1000; i++)
		buf_putc(&b, 'z');
	ck_assert_uint_eq(b.len, 1008);
	buf_reset(&b);
	ck_assert_str_eq(buf_str(&b), "");
	buf_puts(&b, "q");
	s = buf_steal(&b);
	ck_assert_str_eq(s, "q");
	ck_assert_ptr_null(b.s);
	free(s);
}
END_TEST

START_TEST(test_strv)
{
	struct strv sv = STRV_INIT;

	strv_add(&sv, "b");
	strv_add(&sv, "c");
	strv_push(&sv, xstrdup("a"));
	ck_assert_uint_eq(sv.n, 3);
	ck_assert_ptr_null(sv.v[3]);
	ck_assert_int_eq(strv_find(&sv, "c"), 1);
	ck_assert_int_eq(strv_find(&sv, "zz"), -1);
	strv_sort(&sv);
	ck_assert_str_eq(sv.v[0], "a");
	ck_assert_str_eq(sv.v[2], "c");
	strv_fini(&sv);
	ck_assert_uint_eq(sv.n, 0);
}
END_TEST

START_TEST(test_vars)
{
	struct vars vs = VARS_INIT, copy = VARS_INIT;

	vars_set(&vs, "A", "1");
	vars_set(&vs, "B", NULL);
	vars_set(&vs, "C", "");
	vars_set(&vs, "A", "2");
	ck_assert_uint_eq(vs.n, 3);
	ck_assert_str_eq(vs.v[0].name, "A");
	ck_assert_str_eq(vars_get(&vs, "A"), "2");
	ck_assert_ptr_null(vars_get(&vs, "B"));
	ck_assert_ptr_nonnull(vars_find(&vs, "B"));
	ck_assert_str_eq(vars_get(&vs, "C"), "");
	ck_assert_ptr_null(vars_find(&vs, "D"));
	vars_copy(&copy, &vs);
	vars_unset(&vs, "A");
	ck_assert_uint_eq(vs.n, 2);
	ck_assert_str_eq(vs.v[0].name, "B");
	ck_assert_str_eq(vars_get(&copy, "A"), "2");
	vars_fini(&vs);
	vars_fini(&copy);
}
END_TEST

START_TEST(test_err)
{
	struct err *e = NULL;

	ck_assert_int_eq(err_make(&e, 2, "open '%s'", "x"), -1);
	ck_assert_str_eq(e->msg, "open 'x': No such file or directory");
	err_wrap(&e, "reading %s", "layer");
	ck_assert_str_eq(e->msg, "reading layer: open 'x': No such file or directory");
	ck_assert_int_eq(e->status, 1);
	ck_assert(!e->is_located);
	ck_assert_int_eq(err_set_status(&e, 127), -1);
	ck_assert_int_eq(e->status, 127);
	err_at(&e, "Dockerfile", 12, 5, "unknown instruction '%s'", "RUNN");
	ck_assert_str_eq(e->msg, "Dockerfile:12:5: error: unknown instruction 'RUNN'");
	ck_assert_int_eq(e->status, 1);
	ck_assert(e->is_located);
	err_wrap(&e, "in '%s'", "a.df");
	ck_assert(e->is_located);
	err_free(e);
	err_free(NULL);
}
END_TEST

START_TEST(test_paths)
{
	char *p;

	p = fs_relpath("/a/b/c", "/a/b");
	ck_assert_str_eq(p, "c");
	free(p);
	p = fs_relpath("/a/b", "/a/b");
	ck_assert_str_eq(p, ".");
	free(p);
	p = fs_relpath("/a/x/y", "/a/b/c");
	ck_assert_str_eq(p, "../../x/y");
	free(p);
	p = fs_relpath("/a/bc", "/a/b");
	ck_assert_str_eq(p, "../bc");
	free(p);
	p = fs_relpath("/a", "/a/b/c");
	ck_assert_str_eq(p, "../..");
	free(p);
	p = fs_relpath("/x/y", "/");
	ck_assert_str_eq(p, "x/y");
	free(p);
	p = fs_join("a", "b");
	ck_assert_str_eq(p, "a/b");
	free(p);
	p = fs_join("a/", "/abs");
	ck_assert_str_eq(p, "/abs");
	free(p);
	p = fs_join(".", "b");
	ck_assert_str_eq(p, "b");
	free(p);
	p = fs_dirname("a/b/c");
	ck_assert_str_eq(p, "a/b");
	free(p);
	p = fs_dirname("c");
	ck_assert_str_eq(p, ".");
	free(p);
	p = fs_dirname("/c");
	ck_assert_str_eq(p, "/");
	free(p);
}
END_TEST

START_TEST(test_epoch)
{
	static const struct {
		const char *value;	/* NULL: unset */
		long long want;		/* -1: refused */
	} cases[] = {
		{ NULL, 0 }, { "", 0 }, { "0", 0 }, { "1700000000", 1700000000 },
		{ "007", 7 }, { "253402300799", 253402300799LL },
		{ "253402300800", -1 }, { "99999999999999999999999", -1 },
		{ "-1", -1 }, { "+5", -1 }, { " 5", -1 }, { "5 ", -1 },
		{ "yesterday", -1 }, { "1e9", -1 },
	};
	struct err *e = NULL;
	time_t t;
	bool set;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].want < 0) {
			ck_assert_msg(epoch_parse(cases[i].value, &t, &set, &e) == -1,
				      "'%s' taken", cases[i].value);
			ck_assert_ptr_nonnull(strstr(e->msg, "SOURCE_DATE_EPOCH"));
			ck_assert_ptr_nonnull(strstr(e->msg, cases[i].value));
			err_free(e);
			e = NULL;
		} else {
			ck_assert_msg(epoch_parse(cases[i].value, &t, &set, &e) == 0,
				      "'%s' refused", cases[i].value ? cases[i].value : "(unset)");
			ck_assert_int_eq((long long)t, cases[i].want);
			/* unset or empty: no time, which 0 is not */
			ck_assert(set == (cases[i].value && *cases[i].value));
		}
	}
}
END_TEST

/* Go's path.Clean tests, then the variants */
static const struct {
	const char *in;
	unsigned flags;
	const char *want;	/* NULL: refused */
} clean_cases[] = {
	{ "", 0, "." }, { "abc", 0, "abc" }, { "abc/def", 0, "abc/def" },
	{ ".", 0, "." }, { "..", 0, ".." }, { "../..", 0, "../.." },
	{ "../../abc", 0, "../../abc" }, { "/abc", 0, "/abc" }, { "/", 0, "/" },
	{ "abc/", 0, "abc" }, { "abc/def/", 0, "abc/def" }, { "/abc/", 0, "/abc" },
	{ "//abc", 0, "/abc" }, { "abc//def//ghi", 0, "abc/def/ghi" },
	{ "abc/./def", 0, "abc/def" }, { "/./abc/def", 0, "/abc/def" },
	{ "abc/.", 0, "abc" }, { "abc/def/ghi/../jkl", 0, "abc/def/jkl" },
	{ "abc/def/../ghi/../jkl", 0, "abc/jkl" }, { "abc/def/..", 0, "abc" },
	{ "abc/def/../..", 0, "." }, { "/abc/def/../..", 0, "/" },
	{ "abc/def/../../..", 0, ".." }, { "/abc/def/../../..", 0, "/" },
	{ "abc/def/../../../ghi/jkl/../../../mno", 0, "../../mno" },
	{ "abc/./../def", 0, "def" }, { "abc//./../def", 0, "def" },
	{ "abc/../../././../def", 0, "../../def" }, { "/../x", 0, "/x" },
	{ "...", 0, "..." }, { "a/.../b", 0, "a/.../b" },
	/* relative to a root: ".." stops at it, the root is "" */
	{ "/a/./b/../c/", PATH_RELATIVE, "a/c" }, { "/", PATH_RELATIVE, "" },
	{ "", PATH_RELATIVE, "" }, { ".", PATH_RELATIVE, "" },
	{ "a/b", PATH_RELATIVE, "a/b" }, { "../a", PATH_RELATIVE, "a" },
	{ "/../../etc", PATH_RELATIVE, "etc" }, { "a/../..", PATH_RELATIVE, "" },
	/* ... or is refused there */
	{ "a/../b", PATH_RELATIVE | PATH_NO_ESCAPE, "b" },
	{ "/a/b/..", PATH_RELATIVE | PATH_NO_ESCAPE, "a" },
	{ "a/../..", PATH_RELATIVE | PATH_NO_ESCAPE, NULL },
	{ "../x", PATH_RELATIVE | PATH_NO_ESCAPE, NULL },
	{ "/../x", PATH_RELATIVE | PATH_NO_ESCAPE, NULL },
	{ "./x/", PATH_RELATIVE | PATH_NO_ESCAPE, "x" },
	/* no ".." at all */
	{ "/usr//bin/./sh", PATH_RELATIVE | PATH_NO_DOTDOT, "usr/bin/sh" },
	{ "./", PATH_RELATIVE | PATH_NO_DOTDOT, "" },
	{ "a/../b", PATH_RELATIVE | PATH_NO_DOTDOT, NULL },
	{ "..", PATH_RELATIVE | PATH_NO_DOTDOT, NULL },
	{ "a/..b", PATH_RELATIVE | PATH_NO_DOTDOT, "a/..b" },
	{ "a/b/..", PATH_NO_DOTDOT, NULL },
};

START_TEST(test_path_clean)
{
	char *got = path_clean(clean_cases[_i].in, clean_cases[_i].flags);

	if (!clean_cases[_i].want)
		ck_assert_msg(!got, "clean(%s, %u): got %s, want NULL",
			      clean_cases[_i].in, clean_cases[_i].flags, got);
	else
		ck_assert_msg(got && strcmp(got, clean_cases[_i].want) == 0,
			      "clean(%s, %u): got %s, want %s", clean_cases[_i].in,
			      clean_cases[_i].flags, got ? got : "NULL",
			      clean_cases[_i].want);
	free(got);
}
END_TEST

START_TEST(test_write_if_changed)
{
	char *path = xasprintf("%s/d/e/f.txt", tmpdir), *dir = fs_dirname(path);
	struct err *e = NULL;
	struct stat st1, st2;
	bool changed;
	char *data;
	size_t len;

	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	ck_assert_int_eq(fs_write_if_changed(path, "hello\n", 6, &changed, &e), 0);
	ck_assert(changed);
	ck_assert_int_eq(stat(path, &st1), 0);
	/* an unchanged write must not touch the file */
	usleep(20000);
	ck_assert_int_eq(fs_write_if_changed(path, "hello\n", 6, &changed, &e), 0);
	ck_assert(!changed);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_int_eq(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
	ck_assert_int_eq(st1.st_ino, st2.st_ino);
	ck_assert_int_eq(fs_write_if_changed(path, "hello!\n", 7, &changed, &e), 0);
	ck_assert(changed);
	ck_assert_int_eq(fs_read_file(path, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 7);
	ck_assert_str_eq(data, "hello!\n");
	free(data);
	ck_assert_int_lt(fs_read_file("/nonexistent/x", &data, &len, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "cannot open '/nonexistent/x'"));
	err_free(e);
	free(dir);
	free(path);
}
END_TEST

START_TEST(test_write_at)
{
	char *dpath = xasprintf("%s/p", tmpdir), *data;
	struct err *e = NULL;
	struct stat st1, st2;
	bool created, changed;
	size_t len;
	int dfd;

	ck_assert_int_eq(fs_mkdirat_p(AT_FDCWD, NULL, dpath, &created, &e), 0);
	ck_assert(created);
	ck_assert_int_eq(fs_mkdirat_p(AT_FDCWD, NULL, dpath, &created, &e), 0);
	ck_assert(!created);
	dfd = open(dpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	/* missing parents are made; created speaks of the last one */
	ck_assert_int_eq(fs_mkdirat_p(dfd, dpath, "a/b/c", &created, &e), 0);
	ck_assert(created);
	ck_assert_int_eq(fs_mkdirat_p(dfd, dpath, "a/b", &created, &e), 0);
	ck_assert(!created);

	/* a new directory: written in place, no temporary left */
	ck_assert_int_eq(fs_write_if_changed_at(dfd, dpath, "x.json", "1\n", 2,
						true, &changed, &e), 0);
	ck_assert(changed);
	ck_assert_int_eq(fstatat(dfd, "x.json.tmp", &st1, 0), -1);
	ck_assert_int_eq(fstatat(dfd, "x.json", &st1, 0), 0);
	/* is_new on an existing file falls back to compare and replace */
	ck_assert_int_eq(fs_write_if_changed_at(dfd, dpath, "x.json", "1\n", 2,
						true, &changed, &e), 0);
	ck_assert(!changed);
	ck_assert_int_eq(fs_write_if_changed_at(dfd, dpath, "x.json", "2\n", 2,
						true, &changed, &e), 0);
	ck_assert(changed);
	ck_assert_int_eq(fstatat(dfd, "x.json", &st2, 0), 0);
	ck_assert_int_ne(st1.st_ino, st2.st_ino);
	free(dpath);
	dpath = xasprintf("%s/p/x.json", tmpdir);
	ck_assert_int_eq(fs_read_file(dpath, &data, &len, &e), 0);
	ck_assert_str_eq(data, "2\n");
	free(data);
	/* same size, other bytes: rewritten */
	ck_assert_int_eq(fs_write_if_changed_at(dfd, NULL, "x.json", "3\n", 2,
						false, &changed, &e), 0);
	ck_assert(changed);
	ck_assert_int_eq(fs_read_file(dpath, &data, &len, &e), 0);
	ck_assert_str_eq(data, "3\n");
	free(data);
	/* messages name the whole path */
	ck_assert_int_lt(fs_write_if_changed_at(dfd, "/the/dir", "no/such/f", "",
						0, true, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "cannot create '/the/dir/no/such/f'"));
	ck_assert_int_lt(fs_mkdirat_p(dfd, "/the/dir", "x.json/sub", NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "cannot create directory "
				     "'/the/dir/x.json/sub'"));
	err_free(e);
	close(dfd);
	free(dpath);
}
END_TEST

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	ck_assert_int_eq(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

START_TEST(test_write_atomic)
{
	char *path = xasprintf("%s/f", tmpdir), *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	struct err *e = NULL;
	struct stat st1, st2;
	char *data;
	size_t len;

	umask(077);
	ck_assert_int_eq(fs_write_atomic(path, "a\n", 2, 0, &e), 0);
	ck_assert_uint_eq(mode_of(path), 0600);
	ck_assert_int_eq(stat(path, &st1), 0);
	/* always replaced, unless asked to compare */
	ck_assert_int_eq(fs_write_atomic(path, "a\n", 2, 0, &e), 0);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_int_ne(st1.st_ino, st2.st_ino);
	ck_assert_int_eq(fs_write_atomic(path, "a\n", 2, FS_WRITE_IF_CHANGED, &e), 0);
	ck_assert_int_eq(stat(path, &st1), 0);
	ck_assert_int_eq(st1.st_ino, st2.st_ino);
	/* 0644 whatever the umask */
	ck_assert_int_eq(fs_write_atomic(path, "b\n", 2, FS_WRITE_IF_CHANGED | FS_WRITE_0644,
					 &e), 0);
	ck_assert_uint_eq(mode_of(path), 0644);
	ck_assert_int_eq(fs_read_file(path, &data, &len, &e), 0);
	ck_assert_str_eq(data, "b\n");
	free(data);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	umask(022);
	/* the temporary is named when it cannot be made */
	free(path);
	path = xasprintf("%s/no/such/f", tmpdir);
	ck_assert_int_lt(fs_write_atomic(path, "", 0, 0, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "cannot create"));
	ck_assert_ptr_nonnull(strstr(e->msg, "/no/such/f.tmp."));
	err_free(e);
	free(tmp);
	free(path);
}
END_TEST

START_TEST(test_private_dir)
{
	char *dir = xasprintf("%s/a/b/store", tmpdir);
	char *parent = xasprintf("%s/a/b", tmpdir);
	char *file = xasprintf("%s/file", tmpdir);
	static const mode_t fixes[][2] = {
		{ 0755, 0700 }, { 0604, 0600 }, { 0710, 0700 }, { 02751, 02700 },
	};
	struct err *e = NULL;

	umask(022);
	/* made 0700, its missing parents as mkdir -p makes them */
	ck_assert_int_eq(fs_private_dir(dir, &e), 0);
	ck_assert_uint_eq(mode_of(dir), 0700);
	ck_assert_uint_eq(mode_of(parent), 0755);
	ck_assert_int_eq(fs_private_dir(dir, &e), 0);
	ck_assert_uint_eq(mode_of(dir), 0700);
	/* open ones are closed, whatever lets others in; the owner's bits
	 * and its setgid bit are left alone */
	for (size_t i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++) {
		ck_assert_int_eq(chmod(dir, fixes[i][0]), 0);
		ck_assert_int_eq(fs_private_dir(dir, &e), 0);
		ck_assert_uint_eq(mode_of(dir), fixes[i][1]);
	}
	/* but not one shared by all users, as /tmp is */
	ck_assert_int_eq(chmod(dir, 01777), 0);
	ck_assert_int_lt(fs_private_dir(dir, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "shared by all users"));
	ck_assert_uint_eq(mode_of(dir), 01777);
	err_free(e);
	e = NULL;
	/* not a directory */
	ck_assert_int_eq(close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	ck_assert_int_lt(fs_private_dir(file, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, file));
	err_free(e);
	e = NULL;
	/* someone else's: refused when open, naming it; used when private */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(dir, 1, 1), 0);
		ck_assert_int_eq(chmod(dir, 0755), 0);
		ck_assert_int_lt(fs_private_dir(dir, &e), 0);
		ck_assert_ptr_nonnull(strstr(e->msg, dir));
		ck_assert_ptr_nonnull(strstr(e->msg, "open to other users"));
		ck_assert_uint_eq(mode_of(dir), 0755);
		err_free(e);
		e = NULL;
		ck_assert_int_eq(chmod(dir, 0700), 0);
		ck_assert_int_eq(fs_private_dir(dir, &e), 0);
	}
	free(file);
	free(parent);
	free(dir);
}
END_TEST

START_TEST(test_small_helpers)
{
	static const int three[] = { 1, 2, 3 };
	char s[] = "Stage-ÄB_9";
	autofree char *dup = ascii_lower_dup("FROM Build");
	char *owned = xstrdup("x"), *taken;

	ck_assert_uint_eq(countof(three), 3);
	/* ASCII letters only: the UTF-8 bytes stay */
	ck_assert_str_eq(ascii_lower(s), "stage-Äb_9");
	ck_assert_str_eq(dup, "from build");
	/* steal_pointer keeps the type and empties the local */
	taken = steal_pointer(&owned);
	ck_assert_ptr_null(owned);
	ck_assert_str_eq(taken, "x");
	free(taken);

	/* autoclose closes at the end of the scope; steal_fd hands it out */
	int seen, kept;
	{
		autoclose int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		ck_assert_int_ge(fd, 0);
		seen = fd;
	}
	ck_assert_int_eq(fcntl(seen, F_GETFD), -1);
	{
		autoclose int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		kept = steal_fd(&fd);
		ck_assert_int_eq(fd, -1);
	}
	ck_assert_int_ge(fcntl(kept, F_GETFD), 0);
	close(kept);
}
END_TEST

START_TEST(test_dirkeep)
{
	autofree char *dir = xasprintf("%s/d", tmpdir), *own = xasprintf("%s/d/own", tmpdir);
	autofree char *other = xasprintf("%s/d/other", tmpdir);
	struct timespec old = { 1000000000, 0 }, ts[2] = { { 0, UTIME_OMIT }, old };
	struct dirkeep k;
	struct stat st;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, dir, ts, 0), 0);
	/* our own entry appears: the mtime goes back */
	dirkeep_take(&k, dir);
	ck_assert_int_eq(fs_write_atomic(own, "x", 1, 0, NULL), 0);
	dirkeep_restore(&k, "own");
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, old.tv_sec);
	/* replaced: likewise */
	dirkeep_take(&k, dir);
	ck_assert_int_eq(fs_write_atomic(own, "y", 1, 0, NULL), 0);
	dirkeep_restore(&k, "own");
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, old.tv_sec);
	/* another name came meanwhile: the new mtime stays */
	dirkeep_take(&k, dir);
	ck_assert_int_eq(fs_write_atomic(own, "z", 1, 0, NULL), 0);
	ck_assert_int_eq(fs_write_atomic(other, "o", 1, 0, NULL), 0);
	dirkeep_restore(&k, "own");
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_ne(st.st_mtim.tv_sec, old.tv_sec);
	/* a missing dir is left alone */
	dirkeep_take(&k, "/nonexistent/dir");
	dirkeep_restore(&k, "own");
}
END_TEST

/* BuildKit's ParseGitRef on these (dfgitutil/git_ref_test.go) */
static const struct {
	const char *s;
	bool is;
	const char *remote, *ref, *subdir;	/* remote NULL: refused */
} giturls[] = {
	{ "https://github.com/moby/buildkit.git", true,
	  "https://github.com/moby/buildkit.git", "", "" },
	{ "https://github.com/moby/buildkit.git#main:docs/../frontend/", true,
	  "https://github.com/moby/buildkit.git", "main", "frontend" },
	{ "https://h/r.git#:/", true, "https://h/r.git", "", "" },
	{ "https://h/r.git#v1:../../x", true, "https://h/r.git", "v1", "x" },
	{ "HTTPS://h/r.git", true, "https://h/r.git", "", "" },
	{ "https://h/r.git?ref=main", true, NULL, NULL, NULL },
	{ "git://h/r#refs/tags/v1", true, "git://h/r", "refs/tags/v1", "" },
	{ "ssh://git@h:22/r", true, "ssh://git@h:22/r", "", "" },
	{ "git@github.com:moby/buildkit.git#v1:docs", true,
	  "git@github.com:moby/buildkit.git", "v1", "docs" },
	{ "deploy-1_x@git.example.com:team/r", true,
	  "deploy-1_x@git.example.com:team/r", "", "" },
	{ "https://h/r", false, NULL, NULL, NULL },
	{ "https://h/r.gitx", false, NULL, NULL, NULL },
	{ "https://h.git", false, NULL, NULL, NULL },
	{ "ftp://h/r.git", false, NULL, NULL, NULL },
	{ "./git@h:r", false, NULL, NULL, NULL },
	{ "git@:r", false, NULL, NULL, NULL },
	{ "dir/file.git", false, NULL, NULL, NULL },
};

START_TEST(test_giturl)
{
	struct giturl g;
	struct err *e = NULL;
	int r;

	ck_assert_msg(giturl_is(giturls[_i].s) == giturls[_i].is, "%s", giturls[_i].s);
	if (!giturls[_i].is)
		return;
	r = giturl_parse(giturls[_i].s, &g, &e);
	if (!giturls[_i].remote) {
		ck_assert_int_eq(r, -1);
		ck_assert_ptr_nonnull(strstr(e->msg, "query parameters are not supported"));
		err_free(e);
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(g.remote, giturls[_i].remote);
	ck_assert_str_eq(g.ref, giturls[_i].ref);
	ck_assert_str_eq(g.subdir, giturls[_i].subdir);
	giturl_fini(&g);
}
END_TEST

START_TEST(test_giturl_commit)
{
	ck_assert(giturl_is_commit("0123456789abcdef0123456789abcdef01234567"));
	ck_assert(!giturl_is_commit("0123456789abcdef0123456789abcdef0123456"));
	ck_assert(!giturl_is_commit("0123456789ABCDEF0123456789abcdef01234567"));
	ck_assert(!giturl_is_commit("main"));
}
END_TEST

/* csv_split: the fields joined by '|', or NULL for an error */
static const struct {
	const char *in, *want, *why;
} csv_cases[] = {
	{ "a", "a", NULL },
	{ "", "", NULL },
	{ "a,b,,c", "a|b||c", NULL },
	{ "a,", "a|", NULL },
	{ "\"src=/a,b\",id=x", "src=/a,b|id=x", NULL },
	{ "id=x,\"src=/a,b\"", "id=x|src=/a,b", NULL },
	{ "\"say \"\"hi\"\"\"", "say \"hi\"", NULL },
	{ "\"\",x", "|x", NULL },
	{ "a\"b", NULL, "bare \" in non-quoted-field" },
	{ "\"ab", NULL, "extraneous or missing \" in quoted-field" },
	{ "\"a\"b,c", NULL, "extraneous or missing \" in quoted-field" },
};

START_TEST(test_csv)
{
	struct strv v = STRV_INIT;
	const char *why = NULL;
	int r = csv_split(csv_cases[_i].in, &v, &why);

	if (!csv_cases[_i].want) {
		ck_assert_int_lt(r, 0);
		ck_assert_str_eq(why, csv_cases[_i].why);
	} else {
		autofree char *got = NULL;
		struct buf b = BUF_INIT;

		ck_assert_int_eq(r, 0);
		for (size_t k = 0; k < v.n; k++)
			buf_printf(&b, "%s%s", k ? "|" : "", v.v[k]);
		got = buf_steal(&b);
		ck_assert_msg(!strcmp(got, csv_cases[_i].want), "csv(%s): got %s, want %s",
			      csv_cases[_i].in, got, csv_cases[_i].want);
	}
	strv_fini(&v);
}
END_TEST

/* csv_field quotes what csv_split would split or refuse, and only that */
START_TEST(test_csv_field)
{
	static const char *const fields[] = { "src=/a", "src=/a,b", "say \"x\"", "" };

	for (size_t i = 0; i < 4; i++) {
		autofree char *q = csv_field(fields[i]);
		struct strv v = STRV_INIT;
		const char *why;

		ck_assert_int_eq(csv_split(q, &v, &why), 0);
		ck_assert_uint_eq(v.n, 1);
		ck_assert_str_eq(v.v[0], fields[i]);
		strv_fini(&v);
	}
	{
		autofree char *plain = csv_field("id=x");
		autofree char *comma = csv_field("src=/a,b");

		ck_assert_str_eq(plain, "id=x");
		ck_assert_str_eq(comma, "\"src=/a,b\"");
	}
}
END_TEST

/* units_parse_size and units_parse_duration: -1 is an error */
static const struct {
	const char *spec;
	long long want;
} sizes[] = {
	{ "512", 512 }, { "64m", 64LL << 20 }, { "1g", 1LL << 30 },
	{ "1.5GiB", 3LL << 29 }, { "10 KB", 10240 }, { "2T", 2LL << 40 },
	{ "0", -1 }, { "", -1 }, { "m", -1 }, { "-1", -1 }, { "1q", -1 },
	{ "0x10", -1 }, { "1mbb", -1 },
}, durations[] = {
	{ "0", 0 }, { "90s", 90 }, { "24h", 86400 }, { "7d", 604800 },
	{ "1h30m", 5400 }, { "1.5h", 5400 }, { "1500ms", 1 }, { "2m3s", 123 },
	{ "", -1 }, { "h", -1 }, { "24", -1 }, { "1x", -1 }, { "-1h", -1 },
	{ "1h ", -1 }, { ".h", -1 },
};

START_TEST(test_units_size)
{
	long long got = -1;

	if (units_parse_size(sizes[_i].spec, &got) < 0)
		got = -1;
	ck_assert_msg(got == sizes[_i].want, "'%s': %lld", sizes[_i].spec, got);
}
END_TEST

START_TEST(test_units_duration)
{
	long long got = -1;

	if (units_parse_duration(durations[_i].spec, &got) < 0)
		got = -1;
	ck_assert_msg(got == durations[_i].want, "'%s': %lld", durations[_i].spec, got);
}
END_TEST

/* fs_read_file reads a file that says size 0 (a pipe) past its first guess */
START_TEST(test_read_file)
{
	char *data, *path, chunk[1000];
	size_t len;
	struct err *e = NULL;
	int fds[2];

	memset(chunk, 'p', sizeof(chunk));
	ck_assert_int_eq(pipe(fds), 0);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(write(fds[1], chunk, sizeof(chunk)), (int)sizeof(chunk));
	close(fds[1]);
	path = xasprintf("/proc/self/fd/%d", fds[0]);
	ck_assert_int_eq(fs_read_file(path, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 10000);
	ck_assert_uint_eq(strspn(data, "p"), 10000);
	ck_assert_int_eq(data[len], '\0');
	free(data);
	free(path);
	close(fds[0]);
	path = xasprintf("%s/f", tmpdir);
	ck_assert_int_eq(fs_write_atomic(path, chunk, 100, 0, &e), 0);
	ck_assert_int_eq(fs_read_file(path, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 100);
	ck_assert_uint_eq(strlen(data), 100);
	free(data);
	free(path);
}
END_TEST

/* jsonfile_load's error, as json_load_file reports it, but with source
 * naming the path where json_load_file says "<stream>" */
static void
same_error(const char *path)
{
	json_error_t want, got;

	ck_assert_ptr_null(json_load_file(path, 0, &want));
	errno = 0;
	ck_assert_ptr_null(jsonfile_load(path, 0, &got));
	ck_assert_str_eq(got.text, want.text);
	ck_assert_int_eq(json_error_code(&got), json_error_code(&want));
	ck_assert_int_eq(got.line, want.line);
	ck_assert_int_eq(got.column, want.column);
	ck_assert_int_eq(got.position, want.position);
	if (strcmp(want.source, "<stream>") != 0)
		ck_assert_str_eq(got.source, want.source);
}

static char *
write_tmp(const char *name, const char *data)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	struct err *e = NULL;

	ck_assert_int_eq(fs_write_atomic(path, data, strlen(data), 0, &e), 0);
	return path;
}

START_TEST(test_jsonfile_load)
{
	autofree char *good = write_tmp("good.json", "{\"a\": [1, \"x\"]}\n");
	autofree char *bad = write_tmp("bad.json", "{\n \"a\": 1,\n x\n}\n");
	autofree char *empty = write_tmp("empty.json", "");
	autofree char *missing = xasprintf("%s/missing.json", tmpdir);
	autofree char *nowhere = xasprintf("%s/%0200d/x.json", tmpdir, 0);
	autofree char *msg = xasprintf("unable to open %s: No such file or directory", missing);
	struct buf big = BUF_INIT;
	autofree char *bigpath = NULL;
	json_error_t jerr;
	json_t *j;

	j = jsonfile_load(good, 0, &jerr);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "a"), 1)), "x");
	json_decref(j);
	/* bigger than the first read of a file of unknown size */
	buf_puts(&big, "[");
	for (int i = 0; i < 20000; i++)
		buf_printf(&big, "%s%d", i ? "," : "", i);
	buf_puts(&big, "]");
	bigpath = write_tmp("big.json", buf_str(&big));
	buf_fini(&big);
	j = jsonfile_load(bigpath, 0, NULL);
	ck_assert_uint_eq(json_array_size(j), 20000);
	ck_assert_int_eq(json_integer_value(json_array_get(j, 19999)), 19999);
	json_decref(j);

	ck_assert_ptr_null(jsonfile_load(missing, 0, &jerr));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(jerr.text, msg);
	ck_assert_str_eq(jerr.source, missing);
	ck_assert_int_eq(jerr.line, -1);
	ck_assert_int_eq(json_error_code(&jerr), json_error_cannot_open_file);

	ck_assert_ptr_null(jsonfile_load(bad, 0, &jerr));
	ck_assert_str_eq(jerr.text, "string or '}' expected near 'x'");
	ck_assert_int_eq(jerr.line, 3);
	ck_assert_str_eq(jerr.source, bad);

	ck_assert_ptr_null(jsonfile_load(empty, 0, &jerr));
	ck_assert_str_eq(jerr.text, "'[' or '{' expected near end of file");
	ck_assert_int_eq(jerr.line, 1);
	ck_assert_str_eq(jerr.source, empty);
	ck_assert_ptr_null(jsonfile_load(empty, 0, NULL));

	/* the rest as json_load_file says it: a long path keeps its end in
	 * source; /proc says size 0 */
	same_error(missing);
	same_error(bad);
	same_error(empty);
	same_error(nowhere);
	same_error("/proc/self/status");
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase_create("buf");
	tcase_add_test(tc, test_buf);
	suite_add_tcase(s, tc);
	tc = tcase_create("strv");
	tcase_add_test(tc, test_strv);
	suite_add_tcase(s, tc);
	tc = tcase_create("vars");
	tcase_add_test(tc, test_vars);
	suite_add_tcase(s, tc);
	tc = tcase_create("err");
	tcase_add_test(tc, test_err);
	suite_add_tcase(s, tc);
	tc = tcase_create("paths");
	tcase_add_test(tc, test_paths);
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "epoch_parse", test_epoch);
	UNIT_TCASE_TABLE(s, "units_parse_size", test_units_size, sizes);
	UNIT_TCASE_TABLE(s, "units_parse_duration", test_units_duration, durations);
	UNIT_TCASE_TABLE(s, "path_clean", test_path_clean, clean_cases);
	UNIT_TCASE_TABLE(s, "csv_split", test_csv, csv_cases);
	UNIT_TCASE(s, "csv_field", test_csv_field);
	tc = tcase_create("write_if_changed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_if_changed);
	tcase_add_test(tc, test_write_at);
	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, test_read_file);
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "small_helpers", test_small_helpers);
	UNIT_TCASE_TABLE(s, "giturl", test_giturl, giturls);
	UNIT_TCASE(s, "giturl_is_commit", test_giturl_commit);
	tc = tcase_create("dirkeep");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dirkeep);
	suite_add_tcase(s, tc);
	tc = tcase_create("jsonfile_load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_jsonfile_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("private_dir");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_private_dir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

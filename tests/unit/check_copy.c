#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "exec/copy.h"
#include "exec/copytree.h"
#include "exec/depfile.h"
#include "match/ignore.h"
#include "oci/digest.h"
#include "util/buf.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

/*
 * every test copies from tmp/ctx (the build context) into tmp/root (a
 * plain directory standing for the mounted rootfs)
 */
static char tmpdir[] = "/tmp/check_copy.XXXXXX";
static char *ctx, *root;
static int ctxfd = -1, rootfd = -1;

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_copy.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ctx = xasprintf("%s/ctx", tmpdir);
	root = xasprintf("%s/root", tmpdir);
	ck_assert_int_eq(mkdir(ctx, 0755), 0);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ctxfd = open(ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(ctxfd, 0);
	ck_assert_int_ge(rootfd, 0);
}

static void
teardown(void)
{
	close(ctxfd);
	close(rootfd);
	unit_rm_rf(tmpdir);
	free(ctx);
	free(root);
}

/* dir/rel holding data with mode (parents made) */
static void
put(const char *dir, const char *rel, const char *data, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, rel), *parent = fs_dirname(path);
	struct err *e = NULL;
	FILE *f;

	ck_assert_int_eq(fs_mkdir_p(parent, &e), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	free(parent);
	free(path);
}

static void
mkdirs(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	struct err *e = NULL;

	ck_assert_int_eq(fs_mkdir_p(path, &e), 0);
	free(path);
}

static void
lnk(const char *dir, const char *rel, const char *target)
{
	char *path = xasprintf("%s/%s", dir, rel), *parent = fs_dirname(path);
	struct err *e = NULL;

	ck_assert_int_eq(fs_mkdir_p(parent, &e), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	free(parent);
	free(path);
}

/* the content of dir/rel, NULL when missing (caller frees) */
static char *
get(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel), *data = NULL;
	struct err *e = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, &e) < 0) {
		err_free(e);
		data = NULL;
	}
	free(path);
	return data;
}

static bool
exists(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	struct stat st;
	bool r = lstat(path, &st) == 0;

	free(path);
	return r;
}

static struct stat
lst(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "lstat %s: %s", path,
		      strerror(errno));
	free(path);
	return st;
}

static void
assert_content(const char *dir, const char *rel, const char *want)
{
	char *got = get(dir, rel);

	ck_assert_msg(got != NULL, "%s is missing", rel);
	ck_assert_msg(strcmp(got, want) == 0, "%s holds '%s', want '%s'", rel,
		      got, want);
	free(got);
}

/* a unix socket at ctx/name */
static void
make_socket(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", ctx, name);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

/* run a COPY/ADD from the context with its .dockerignore */
static int
run(const struct copy_opts *o, struct strv *deps, char dg[DIGEST_LEN],
    struct err **e)
{
	struct ignore *ig = NULL;
	struct copy_source src = { .fd = ctxfd, .name = "build context", .is_context = true };
	int r;

	ck_assert_int_eq(ignore_load_at(ctxfd, ".dockerignore", &ig, e), 0);
	src.ignore = ig;
	r = copy_run(&src, rootfd, o, deps, dg, e);
	ignore_free(ig);
	return r;
}

/* run and expect success */
static void
ok(const struct copy_opts *o)
{
	struct err *e = NULL;

	ck_assert_msg(run(o, NULL, NULL, &e) == 0, "copy failed: %s",
		      e ? e->msg : "?");
}

/* run and expect failure with message want */
static void
fails(const struct copy_opts *o, const char *want)
{
	struct err *e = NULL;

	ck_assert_msg(run(o, NULL, NULL, &e) < 0, "copy succeeded, want '%s'",
		      want);
	ck_assert_msg(strcmp(e->msg, want) == 0, "got '%s', want '%s'", e->msg,
		      want);
	err_free(e);
}

#define SRCS(...) (const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

START_TEST(test_file_to_file)
{
	struct copy_opts o = { .srcs = SRCS("a.txt"), .dest = "/b.txt" };
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 5000 } };
	char *p = xasprintf("%s/a.txt", ctx);
	struct stat st;

	put(ctx, "a.txt", "hello\n", 0640);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	ck_assert_int_eq(chown(p, 1234, 5678), 0);
	ok(&o);
	assert_content(root, "b.txt", "hello\n");
	st = lst(root, "b.txt");
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	/* files from the context are root's */
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1234567890);
	/* an existing file is replaced */
	put(ctx, "a.txt", "second\n", 0644);
	ok(&o);
	assert_content(root, "b.txt", "second\n");
	free(p);
}
END_TEST

START_TEST(test_file_into_dir)
{
	struct copy_opts slash = { .srcs = SRCS("a.txt"), .dest = "/d/" };
	struct copy_opts existing = { .srcs = SRCS("a.txt"), .dest = "/e" };
	struct copy_opts nested = { .srcs = SRCS("sub/deep/f"), .dest = "/n/" };

	put(ctx, "a.txt", "A", 0644);
	put(ctx, "sub/deep/f", "F", 0644);
	mkdirs(root, "e");
	ok(&slash);
	assert_content(root, "d/a.txt", "A");
	ck_assert_uint_eq(lst(root, "d").st_mode & 07777, 0755);
	ok(&existing);
	assert_content(root, "e/a.txt", "A");
	/* a file lands alone, without its directories */
	ok(&nested);
	assert_content(root, "n/f", "F");
	ck_assert(!exists(root, "n/sub"));
}
END_TEST

START_TEST(test_dir_contents)
{
	struct copy_opts o = { .srcs = SRCS("src"), .dest = "/app" };
	struct copy_opts slash = { .srcs = SRCS("src/"), .dest = "/app2/" };

	put(ctx, "src/x", "X", 0644);
	put(ctx, "src/sub/y", "Y", 0600);
	ck_assert_int_eq(chmod(ctx, 0755), 0);
	{
		char *p = xasprintf("%s/src/sub", ctx);

		ck_assert_int_eq(chmod(p, 0750), 0);
		free(p);
	}
	ok(&o);
	assert_content(root, "app/x", "X");
	assert_content(root, "app/sub/y", "Y");
	ck_assert(!exists(root, "app/src"));
	ck_assert_uint_eq(lst(root, "app/sub").st_mode & 07777, 0750);
	ck_assert_uint_eq(lst(root, "app/sub/y").st_mode & 07777, 0600);
	ok(&slash);
	assert_content(root, "app2/sub/y", "Y");
}
END_TEST

START_TEST(test_wildcard)
{
	struct copy_opts o = { .srcs = SRCS("*.txt"), .dest = "/w/" };
	struct copy_opts nomatch = { .srcs = SRCS("*.nomatch"),
				     .dest = "/nm/" };
	struct copy_opts nodir = { .srcs = SRCS("nodir/*.txt"),
				   .dest = "/nd/" };
	struct copy_opts deep = { .srcs = SRCS("d?r/*/f[0-9]"),
				  .dest = "/deep/" };
	struct copy_opts esc = { .srcs = SRCS("arr[[]0].txt"),
				 .dest = "/esc/" };
	struct copy_opts one = { .srcs = SRCS("c.m*"), .dest = "/single" };
	struct strv deps = STRV_INIT;
	struct err *e = NULL;

	put(ctx, "a.txt", "a", 0644);
	put(ctx, "b.txt", "b", 0644);
	put(ctx, "c.md", "c", 0644);
	put(ctx, "dir/one/f1", "1", 0644);
	put(ctx, "dir/two/f2", "2", 0644);
	put(ctx, "dir/two/g2", "g", 0644);
	put(ctx, "arr[0].txt", "arr", 0644);
	ck_assert_int_eq(run(&o, &deps, NULL, &e), 0);
	assert_content(root, "w/a.txt", "a");
	assert_content(root, "w/b.txt", "b");
	ck_assert(!exists(root, "w/c.md"));
	/* the directory the wildcard was expanded in is a dependency */
	ck_assert_int_ge(strv_find(&deps, "."), 0);
	ck_assert_int_ge(strv_find(&deps, "a.txt"), 0);
	ck_assert_int_lt(strv_find(&deps, "c.md"), 0);
	strv_fini(&deps);
	/* no match is no error (BuildKit's AllowEmptyWildcard) */
	ok(&nomatch);
	ck_assert(!exists(root, "nm"));
	/* but the directory it is expanded in must exist */
	fails(&nodir, "COPY failed: file not found in build context: 'nodir'");
	ok(&deep);
	assert_content(root, "deep/f1", "1");
	assert_content(root, "deep/f2", "2");
	ck_assert(!exists(root, "deep/g2"));
	ok(&esc);
	assert_content(root, "esc/arr[0].txt", "arr");
	/* a wildcard matching one file may name a file */
	ok(&one);
	assert_content(root, "single", "c");
}
END_TEST

START_TEST(test_missing_source)
{
	struct copy_opts o = { .srcs = SRCS("missing.txt"), .dest = "/x" };
	struct copy_opts add = { .is_add = true,
				 .srcs = SRCS("sub/missing"),
				 .dest = "/x" };

	fails(&o,
	      "COPY failed: file not found in build context: 'missing.txt'");
	fails(&add,
	      "ADD failed: file not found in build context: 'sub/missing'");
}
END_TEST

START_TEST(test_workdir)
{
	struct copy_opts rel = { .srcs = SRCS("a.txt"),
				 .dest = "rel/",
				 .workdir = "/work" };
	struct copy_opts dot = { .srcs = SRCS("a.txt", "b.txt"),
				 .dest = ".",
				 .workdir = "/w2" };
	struct copy_opts up = { .srcs = SRCS("a.txt"),
				.dest = "../up.txt",
				.workdir = "/w3/sub" };

	put(ctx, "a.txt", "a", 0644);
	put(ctx, "b.txt", "b", 0644);
	ok(&rel);
	assert_content(root, "work/rel/a.txt", "a");
	/* "." is the working directory itself, a directory */
	ok(&dot);
	assert_content(root, "w2/a.txt", "a");
	assert_content(root, "w2/b.txt", "b");
	ok(&up);
	assert_content(root, "w3/up.txt", "a");
}
END_TEST

START_TEST(test_trailing_slash)
{
	struct copy_opts file = { .srcs = SRCS("a.txt"), .dest = "/abs" };
	struct copy_opts dir = { .srcs = SRCS("a.txt"), .dest = "/abs2/" };
	struct copy_opts over = { .srcs = SRCS("a.txt"), .dest = "/abs/" };

	put(ctx, "a.txt", "a", 0644);
	ok(&file);
	ck_assert(S_ISREG(lst(root, "abs").st_mode));
	ok(&dir);
	ck_assert(S_ISDIR(lst(root, "abs2").st_mode));
	assert_content(root, "abs2/a.txt", "a");
	/* "abs/" cannot be made: a file is in the way */
	fails(&over,
	      "COPY failed: cannot make directory '/abs': a file is in the "
	      "way");
}
END_TEST

START_TEST(test_several_sources)
{
	struct copy_opts bad = { .srcs = SRCS("a.txt", "b.txt"), .dest = "/x" };
	struct copy_opts badadd = { .is_add = true,
				    .srcs = SRCS("*.txt"),
				    .dest = "/x" };
	struct copy_opts good = { .srcs = SRCS("a.txt", "b.txt"),
				  .dest = "/x/" };
	struct copy_opts into = { .srcs = SRCS("a.txt", "b.txt"),
				  .dest = "/existing" };

	put(ctx, "a.txt", "a", 0644);
	put(ctx, "b.txt", "b", 0644);
	fails(&bad,
	      "When using COPY with more than one source file, the destination "
	      "must be a directory and end with a /");
	fails(&badadd,
	      "When using ADD with more than one source file, the destination "
	      "must be a directory and end with a /");
	ck_assert(!exists(root, "x"));
	ok(&good);
	assert_content(root, "x/b.txt", "b");
	/* an existing directory is a directory, slash or not (BuildKit) */
	mkdirs(root, "existing");
	ok(&into);
	assert_content(root, "existing/a.txt", "a");
}
END_TEST

START_TEST(test_chown_chmod)
{
	struct copy_opts o = { .srcs = SRCS("tree"), .dest = "/new/parent/t",
			       .has_chown = true, .uid = 1000, .gid = 1001,
			       .chmod = "0750" };
	struct copy_opts sym = { .srcs = SRCS("tree"), .dest = "/sym",
				 .chmod = "u=rwX,go=rX" };
	struct copy_opts bad = { .srcs = SRCS("tree"),
				 .dest = "/bad",
				 .chmod = "8" };
	struct copy_opts big = { .srcs = SRCS("tree"),
				 .dest = "/bad",
				 .chmod = "17777" };
	struct copy_opts badsym = { .srcs = SRCS("tree"),
				    .dest = "/bad",
				    .chmod = "u=q" };
	struct stat st;

	put(ctx, "tree/f", "f", 0600);
	put(ctx, "tree/x", "x", 0700);
	put(ctx, "tree/d/g", "g", 0644);
	ok(&o);
	st = lst(root, "new/parent/t/f");
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 1001);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	st = lst(root, "new/parent/t/d");
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	/* directories made on the way are 0755 and the --chown owner's */
	st = lst(root, "new/parent");
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert_uint_eq(st.st_uid, 1000);
	ok(&sym);
	ck_assert_uint_eq(lst(root, "sym/f").st_mode & 07777, 0644);
	ck_assert_uint_eq(lst(root, "sym/x").st_mode & 07777, 0755);
	ck_assert_uint_eq(lst(root, "sym/d").st_mode & 07777, 0755);
	fails(&bad,
	      "invalid chmod parameter: '8'. it should be octal string and "
	      "between 0 and 07777");
	fails(&big,
	      "invalid chmod parameter: '17777'. it should be octal string and "
	      "between 0 and 07777");
	fails(&badsym,
	      "invalid --chmod value 'u=q': expected octal (0755) or chmod(1) "
	      "symbolic mode (u=rwX,go=rX)");
}
END_TEST

START_TEST(test_keep_owner)
{
	struct copy_opts o = { .srcs = SRCS("f"),
			       .dest = "/f",
			       .keep_owner = true };
	char *p;

	put(ctx, "f", "f", 0644);
	p = xasprintf("%s/f", ctx);
	ck_assert_int_eq(chown(p, 77, 88), 0);
	ok(&o);
	ck_assert_uint_eq(lst(root, "f").st_uid, 77);
	ck_assert_uint_eq(lst(root, "f").st_gid, 88);
	free(p);
}
END_TEST

START_TEST(test_symlinks)
{
	struct copy_opts tree = { .srcs = SRCS("src"), .dest = "/s" };
	struct copy_opts top = { .srcs = SRCS("alink"), .dest = "/al" };
	struct copy_opts outside = { .srcs = SRCS("outlink"), .dest = "/o" };
	struct copy_opts clamped = { .srcs = SRCS("uplink"), .dest = "/u" };
	struct strv deps = STRV_INIT;
	struct err *e = NULL;
	char buf[256];
	ssize_t n;
	char *p;

	put(ctx, "src/x", "X", 0644);
	lnk(ctx, "src/rel", "x");
	lnk(ctx, "src/abs", "/etc/passwd");
	lnk(ctx, "src/up", "../../../../../../etc");
	put(ctx, "a.txt", "A", 0644);
	lnk(ctx, "alink", "a.txt");
	lnk(ctx, "outlink", "/etc/passwd");
	lnk(ctx, "uplink", "../../../a.txt");
	ok(&tree);
	p = xasprintf("%s/s/rel", root);
	n = readlink(p, buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 1);
	free(p);
	/* links below the top are copied as links, whatever they point at */
	p = xasprintf("%s/s/abs", root);
	n = readlink(p, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "/etc/passwd");
	free(p);
	ck_assert(S_ISLNK(lst(root, "s/up").st_mode));
	/* a top-level symlink is followed, inside the context */
	ck_assert_int_eq(run(&top, &deps, NULL, &e), 0);
	ck_assert(S_ISREG(lst(root, "al").st_mode));
	assert_content(root, "al", "A");
	/* the link by its directory, which changes when it is made anew */
	ck_assert_int_lt(strv_find(&deps, "alink"), 0);
	ck_assert_int_ge(strv_find(&deps, "."), 0);
	ck_assert_int_ge(strv_find(&deps, "a.txt"), 0);
	strv_fini(&deps);
	/* /etc/passwd of the context, which has none: never the host's */
	fails(&outside,
	      "COPY failed: file not found in build context: 'outlink'");
	/* ".." stops at the context root */
	ok(&clamped);
	assert_content(root, "u", "A");
}
END_TEST

START_TEST(test_dotdot_source)
{
	struct copy_opts o = { .srcs = SRCS("../a.txt"), .dest = "/z" };
	struct copy_opts deep = { .srcs = SRCS("../../../../etc/hostname"),
				  .dest = "/h" };

	put(ctx, "a.txt", "inside", 0644);
	put(tmpdir, "a.txt", "outside", 0644);
	/* the reference: ".." navigating outside the context is removed */
	ok(&o);
	assert_content(root, "z", "inside");
	fails(&deep, "COPY failed: file not found in build context: "
	      "'../../../../etc/hostname'");
}
END_TEST

START_TEST(test_dest_symlink)
{
	struct copy_opts o = { .srcs = SRCS("a.txt"), .dest = "/link/x" };
	struct copy_opts host = { .srcs = SRCS("a.txt"),
				  .dest = "/hostlink/f" };
	struct copy_opts last = { .srcs = SRCS("a.txt"), .dest = "/lastlink" };
	char *outside = xasprintf("%s/outside", tmpdir), *inroot;

	put(ctx, "a.txt", "A", 0644);
	lnk(root, "link", "/");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	lnk(root, "hostlink", outside);
	put(root, "target", "old", 0644);
	lnk(root, "lastlink", "target");
	ok(&o);
	assert_content(root, "x", "A");
	ck_assert(S_ISLNK(lst(root, "link").st_mode));
	/* an absolute link in the rootfs means the rootfs's path */
	ok(&host);
	inroot = xasprintf("%s%s/f", root, outside);
	ck_assert_msg(access(inroot, F_OK) == 0, "%s missing", inroot);
	ck_assert(!exists(outside, "f"));
	/* a final symlink is followed too, as BuildKit resolves dest */
	ok(&last);
	assert_content(root, "target", "A");
	ck_assert(S_ISLNK(lst(root, "lastlink").st_mode));
	free(inroot);
	free(outside);
}
END_TEST

START_TEST(test_replace_rules)
{
	struct copy_opts over = { .srcs = SRCS("src"), .dest = "/t" };
	struct copy_opts todir = { .srcs = SRCS("src"), .dest = "/file" };

	put(ctx, "src/x", "X", 0644);
	mkdirs(root, "t/x");
	fails(&over, "COPY failed: cannot copy a file over directory '/t/x'");
	put(root, "file", "f", 0644);
	fails(&todir, "COPY failed: cannot copy to non-directory: '/file'");
}
END_TEST

START_TEST(test_dockerignore)
{
	struct copy_opts all = { .srcs = SRCS("."), .dest = "/ctx" };
	struct copy_opts hidden = { .srcs = SRCS("a.log"), .dest = "/x" };
	struct copy_opts wild = { .srcs = SRCS("*.log"), .dest = "/wl/" };
	struct strv deps = STRV_INIT;
	struct err *e = NULL;

	put(ctx, ".dockerignore",
	    "*.log\nsecret\n!secret/public.txt\nempty/*\n", 0644);
	put(ctx, "a.log", "log", 0644);
	put(ctx, "keep.txt", "k", 0644);
	put(ctx, "secret/key", "KEY", 0600);
	put(ctx, "secret/public.txt", "pub", 0644);
	put(ctx, "empty/x", "x", 0644);
	put(ctx, "Dockerfile", "FROM scratch\n", 0644);
	make_socket("agent.sock");
	ck_assert_int_eq(run(&all, &deps, NULL, &e), 0);
	/* a socket becomes an empty file (BuildKit's context transfer) */
	ck_assert(S_ISREG(lst(root, "ctx/agent.sock").st_mode));
	ck_assert_int_eq(lst(root, "ctx/agent.sock").st_size, 0);
	assert_content(root, "ctx/keep.txt", "k");
	ck_assert(!exists(root, "ctx/a.log"));
	assert_content(root, "ctx/secret/public.txt", "pub");
	ck_assert(!exists(root, "ctx/secret/key"));
	/* a directory whose contents are all ignored is still there */
	ck_assert(S_ISDIR(lst(root, "ctx/empty").st_mode));
	ck_assert(!exists(root, "ctx/empty/x"));
	/* neither Dockerfile nor .dockerignore is special */
	ck_assert(exists(root, "ctx/Dockerfile"));
	ck_assert(exists(root, "ctx/.dockerignore"));
	/* ignored files are no dependencies; listed directories are */
	ck_assert_int_lt(strv_find(&deps, "a.log"), 0);
	ck_assert_int_lt(strv_find(&deps, "secret/key"), 0);
	ck_assert_int_ge(strv_find(&deps, "secret/public.txt"), 0);
	ck_assert_int_ge(strv_find(&deps, "."), 0);
	ck_assert_int_ge(strv_find(&deps, "empty"), 0);
	strv_fini(&deps);
	fails(&hidden, "COPY failed: file not found in build context: 'a.log'");
	ok(&wild);
	ck_assert(!exists(root, "wl"));
}
END_TEST

START_TEST(test_exclude)
{
	struct copy_opts o = { .srcs = SRCS("dir"),
			       .dest = "/e",
			       .excludes =
				       (const char *const[]){ "*.txt", "sub" },
			       .nexcludes = 2 };
	struct copy_opts wild = { .srcs = SRCS("hom*"), .dest = "/w/",
				  .excludes = (const char *const[]){ "*.txt" },
				  .nexcludes = 1 };

	put(ctx, "dir/a.txt", "a", 0644);
	put(ctx, "dir/b.bin", "b", 0644);
	put(ctx, "dir/sub/c.bin", "c", 0644);
	put(ctx, "dir/other/d.txt", "d", 0644);
	put(ctx, "home.txt", "h", 0644);
	put(ctx, "home.bin", "h", 0644);
	ok(&o);
	ck_assert(!exists(root, "e/a.txt"));
	assert_content(root, "e/b.bin", "b");
	ck_assert(!exists(root, "e/sub"));
	/* "*.txt" stays in one directory */
	assert_content(root, "e/other/d.txt", "d");
	ok(&wild);
	ck_assert(!exists(root, "w/home.txt"));
	assert_content(root, "w/home.bin", "h");
}
END_TEST

START_TEST(test_parents)
{
	struct copy_opts o = { .srcs = SRCS("x/a.txt", "y/a.txt"),
			       .dest = "/p/",
			       .parents = true };
	struct copy_opts pivot = { .srcs = SRCS("./x/./sub/*.txt"),
				   .dest = "/q/",
				   .parents = true };
	struct copy_opts deep = { .srcs = SRCS("src/**/*.txt"), .dest = "/r/",
				  .parents = true };
	struct copy_opts missing = { .srcs = SRCS("nope/a.txt"), .dest = "/m/",
				     .parents = true };

	put(ctx, "x/a.txt", "xa", 0644);
	put(ctx, "y/a.txt", "ya", 0644);
	put(ctx, "x/sub/b.txt", "b", 0644);
	put(ctx, "x/sub/c.bin", "c", 0644);
	put(ctx, "src/a.txt", "1", 0644);
	put(ctx, "src/x/b.txt", "2", 0644);
	put(ctx, "src/x/y/c.txt", "3", 0644);
	put(ctx, "src/x/y/d.bin", "4", 0644);
	ok(&o);
	assert_content(root, "p/x/a.txt", "xa");
	assert_content(root, "p/y/a.txt", "ya");
	ck_assert(!exists(root, "p/x/sub"));
	ok(&pivot);
	assert_content(root, "q/sub/b.txt", "b");
	ck_assert(!exists(root, "q/sub/c.bin"));
	ck_assert(!exists(root, "q/x"));
	ok(&deep);
	assert_content(root, "r/src/a.txt", "1");
	assert_content(root, "r/src/x/b.txt", "2");
	assert_content(root, "r/src/x/y/c.txt", "3");
	ck_assert(!exists(root, "r/src/x/y/d.bin"));
	fails(&missing,
	      "COPY failed: file not found in build context: 'nope/a.txt'");
}
END_TEST

/* write an archive of entries {name, type, data/target} to ctx/file */
struct tar_entry {
	const char *name;
	char type;		/* 'f', 'd', 'l' (symlink), 'h' (hardlink) */
	const char *data;
	int uid;
};

static void
make_tar(const char *file, int filter, const struct tar_entry *ents, size_t n)
{
	char *path = xasprintf("%s/%s", ctx, file);
	struct archive *a = archive_write_new();

	ck_assert_int_eq(archive_write_set_format_pax_restricted(a),
			 ARCHIVE_OK);
	ck_assert_int_eq(archive_write_add_filter(a, filter), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_uid(e, (la_int64_t)ents[i].uid);
		archive_entry_set_gid(e, (la_int64_t)ents[i].uid);
		archive_entry_set_mtime(e, 1500000000, 0);
		switch (ents[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0711);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, ents[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0640);
			archive_entry_set_hardlink(e, ents[i].data);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0640);
			archive_entry_set_size(
				e, (la_int64_t)strlen(ents[i].data));
			break;
		}
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].type == 'f')
			archive_write_data(a, ents[i].data,
					   strlen(ents[i].data));
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(path);
}

static const struct tar_entry tar_ents[] = {
	{ "top/", 'd', NULL, 0 },
	{ "top/file.txt", 'f', "in the archive\n", 123 },
	{ "top/link", 'l', "file.txt", 0 },
	{ "top/hard", 'h', "top/file.txt", 123 },
	{ "/abs.txt", 'f', "abs", 0 },
	{ "./dot/x", 'f', "implied parent", 0 },
};

START_TEST(test_add_archives)
{
	static const struct { const char *file; int filter; } kinds[] = {
		{ "plain.tar", ARCHIVE_FILTER_NONE },
		{ "gz.tgz", ARCHIVE_FILTER_GZIP },
		{ "xz.tar.xz", ARCHIVE_FILTER_XZ },
		{ "bz.whatever", ARCHIVE_FILTER_BZIP2 },
		{ "zst.tar.zst", ARCHIVE_FILTER_ZSTD },
	};
	size_t nents = sizeof(tar_ents) / sizeof(tar_ents[0]);

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char *dest = xasprintf("/un%zu", k),
		     *rel = xasprintf("un%zu", k), *p;
		struct copy_opts o = { .is_add = true,
				       .srcs = SRCS(kinds[k].file),
				       .dest = dest };
		struct stat st;

		make_tar(kinds[k].file, kinds[k].filter, tar_ents, nents);
		ok(&o);
		p = xasprintf("%s/top/file.txt", rel);
		assert_content(root, p, "in the archive\n");
		st = lst(root, p);
		/* the archive's owner, mode and time */
		ck_assert_uint_eq(st.st_uid, 123);
		ck_assert_uint_eq(st.st_mode & 07777, 0640);
		ck_assert_int_eq(st.st_mtim.tv_sec, 1500000000);
		free(p);
		p = xasprintf("%s/top", rel);
		ck_assert_uint_eq(lst(root, p).st_mode & 07777, 0711);
		ck_assert_int_eq(lst(root, p).st_mtim.tv_sec, 1500000000);
		free(p);
		p = xasprintf("%s/top/link", rel);
		ck_assert(S_ISLNK(lst(root, p).st_mode));
		free(p);
		p = xasprintf("%s/top/hard", rel);
		ck_assert_uint_eq(lst(root, p).st_nlink, 2);
		free(p);
		p = xasprintf("%s/abs.txt", rel);
		assert_content(root, p, "abs");
		free(p);
		p = xasprintf("%s/dot/x", rel);
		assert_content(root, p, "implied parent");
		free(p);
		/* the archive itself is not there */
		p = xasprintf("%s/%s", rel, kinds[k].file);
		ck_assert(!exists(root, p));
		free(p);
		free(rel);
		free(dest);
	}
}
END_TEST

START_TEST(test_add_chown_unpack)
{
	struct copy_opts o = { .is_add = true,
			       .srcs = SRCS("a.tar"),
			       .dest = "/c",
			       .has_chown = true,
			       .uid = 7,
			       .gid = 8 };
	struct copy_opts keep = { .is_add = true, .no_unpack = true,
				  .srcs = SRCS("a.tar"), .dest = "/k/" };
	struct copy_opts copy = { .srcs = SRCS("a.tar"), .dest = "/cp/" };

	make_tar("a.tar", ARCHIVE_FILTER_NONE, tar_ents, 2);
	ok(&o);
	ck_assert_uint_eq(lst(root, "c/top/file.txt").st_uid, 7);
	ck_assert_uint_eq(lst(root, "c/top/file.txt").st_gid, 8);
	ck_assert_uint_eq(lst(root, "c").st_uid, 7);
	ok(&keep);
	ck_assert(S_ISREG(lst(root, "k/a.tar").st_mode));
	/* COPY never unpacks */
	ok(&copy);
	ck_assert(S_ISREG(lst(root, "cp/a.tar").st_mode));
}
END_TEST

START_TEST(test_add_unsafe_archives)
{
	static const struct tar_entry evil[] = {
		{ "ok.txt", 'f', "ok", 0 },
		{ "../evil.txt", 'f', "evil", 0 },
	};
	static const struct tar_entry through_link[] = {
		{ "esc", 'l', "../../../..", 0 },
		{ "esc/escaped.txt", 'f', "where?", 0 },
		{ "abs", 'l', "/", 0 },
		{ "abs/rooted.txt", 'f', "rooted", 0 },
	};
	struct copy_opts o = { .is_add = true,
			       .srcs = SRCS("evil.tar"),
			       .dest = "/ev" };
	struct copy_opts l = { .is_add = true,
			       .srcs = SRCS("link.tar"),
			       .dest = "/lk" };
	struct err *e = NULL;

	make_tar("evil.tar", ARCHIVE_FILTER_NONE, evil, 2);
	ck_assert_int_lt(run(&o, NULL, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "outside extraction root"));
	err_free(e);
	ck_assert(!exists(root, "evil.txt"));
	ck_assert(!exists(tmpdir, "evil.txt"));
	/* links in the archive are followed inside the destination only */
	make_tar("link.tar", ARCHIVE_FILTER_NONE, through_link, 4);
	ok(&l);
	assert_content(root, "lk/escaped.txt", "where?");
	assert_content(root, "lk/rooted.txt", "rooted");
	ck_assert(!exists(tmpdir, "escaped.txt"));
	ck_assert(!exists(root, "escaped.txt"));
}
END_TEST

START_TEST(test_add_plain)
{
	struct copy_opts o = { .is_add = true,
			       .srcs = SRCS("a.txt"),
			       .dest = "/added" };
	struct copy_opts fake = { .is_add = true,
				  .srcs = SRCS("fake.tar.gz"),
				  .dest = "/f/" };
	struct copy_opts empty = { .is_add = true,
				   .srcs = SRCS("empty.tar"),
				   .dest = "/f/" };
	struct copy_opts git = { .is_add = true,
				 .srcs = SRCS("https://example.com/x.git"),
				 .dest = "/u" };
	struct copy_opts ftp = { .is_add = true,
				 .srcs = SRCS("ftp://example.com/x"),
				 .dest = "/u" };
	struct copy_opts curl = { .srcs = SRCS("http://example.com/x"),
				  .dest = "/u" };

	put(ctx, "a.txt", "A", 0644);
	put(ctx, "fake.tar.gz", "not an archive", 0644);
	put(ctx, "empty.tar", "", 0644);
	ok(&o);
	assert_content(root, "added", "A");
	ok(&fake);
	assert_content(root, "f/fake.tar.gz", "not an archive");
	ok(&empty);
	ck_assert(S_ISREG(lst(root, "f/empty.tar").st_mode));
	/* the caller copies a repository's tree (exec/gitsrc.h) */
	fails(&git, "BUG: the Git repository 'https://example.com/x.git' "
	      "was not fetched");
	fails(&ftp, "ADD can only download http and https URLs: "
	      "'ftp://example.com/x'");
	fails(&curl, "source can't be a URL for COPY: 'http://example.com/x'");
}
END_TEST

START_TEST(test_add_downloads)
{
	char *blob = xasprintf("%s/blob", tmpdir);
	char *tar = xasprintf("%s/a.tar", ctx);
	const struct copy_download dl[] = {
		{ blob, "f.txt", { 1577836800, 0 } },
	};
	const struct copy_download mixed_dl[] = {
		{ NULL, NULL, { 0, 0 } },
		{ blob, "f.txt", { 1577836800, 0 } },
	};
	const struct copy_download tar_dl[] = {
		{ tar, "a.tar", { 0, 0 } },
	};
	struct copy_opts into = { .is_add = true,
				  .srcs = SRCS("http://h/d/f.txt"),
				  .downloads = dl,
				  .dest = "/into/" };
	struct copy_opts file = { .is_add = true,
				  .srcs = SRCS("http://h/d/f.txt"),
				  .downloads = dl,
				  .dest = "/file",
				  .has_chown = true,
				  .uid = 7,
				  .gid = 8,
				  .chmod = "755" };
	struct copy_opts mixed = { .is_add = true,
				   .srcs = SRCS("a.txt", "http://h/d/f.txt"),
				   .downloads = mixed_dl,
				   .dest = "/m/" };
	struct copy_opts mixed_file = { .is_add = true,
					.srcs = SRCS("a.txt",
						     "http://h/d/f.txt"),
					.downloads = mixed_dl,
					.dest = "/mf" };
	struct copy_opts archive = { .is_add = true,
				     .srcs = SRCS("http://h/a.tar"),
				     .downloads = tar_dl,
				     .dest = "/t/" };
	struct copy_opts unpacked = { .is_add = true,
				      .unpack = true,
				      .srcs = SRCS("http://h/a.tar"),
				      .downloads = tar_dl,
				      .dest = "/u" };
	struct strv deps = STRV_INIT;
	struct err *e = NULL;
	struct stat st;

	put(tmpdir, "blob", "downloaded\n", 0444);
	put(ctx, "a.txt", "A", 0644);
	make_tar("a.tar", ARCHIVE_FILTER_NONE, tar_ents, 2);

	/* into a directory: its name, 0600, root's, Last-Modified */
	ok(&into);
	assert_content(root, "into/f.txt", "downloaded\n");
	st = lst(root, "into/f.txt");
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0600);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1577836800);
	ck_assert_uint_eq(lst(root, "into").st_mode, S_IFDIR | 0755);

	/* to a file path, with --chown and --chmod */
	ok(&file);
	assert_content(root, "file", "downloaded\n");
	st = lst(root, "file");
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0755);
	ck_assert_uint_eq(st.st_uid, 7);
	ck_assert_uint_eq(st.st_gid, 8);

	/* with a context file: both land; only the context file is a dep */
	ck_assert_int_eq(run(&mixed, &deps, NULL, &e), 0);
	assert_content(root, "m/a.txt", "A");
	assert_content(root, "m/f.txt", "downloaded\n");
	ck_assert_uint_eq(deps.n, 1);
	ck_assert_str_eq(deps.v[0], "a.txt");
	strv_fini(&deps);
	fails(&mixed_file, "When using ADD with more than one source file, "
	      "the destination must be a directory and end with a /");

	/* a downloaded archive stays one, unless --unpack=true */
	ok(&archive);
	ck_assert(S_ISREG(lst(root, "t/a.tar").st_mode));
	ck_assert_uint_eq(lst(root, "t/a.tar").st_mode, S_IFREG | 0600);
	ok(&unpacked);
	ck_assert(S_ISDIR(lst(root, "u/top").st_mode));
	ck_assert(!exists(root, "u/a.tar"));
	free(blob);
	free(tar);
}
END_TEST

/* a step always runs on the same base: start from an empty rootfs */
static void
digest_of(const struct copy_opts *o, char dg[DIGEST_LEN])
{
	char *cmd = xasprintf("rm -rf '%s'/*", root);
	struct err *e = NULL;

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_msg(run(o, NULL, dg, &e) == 0, "%s", e ? e->msg : "?");
}

START_TEST(test_digest)
{
	struct copy_opts o = { .srcs = SRCS("app"), .dest = "/app" };
	struct copy_opts other = { .srcs = SRCS("app"), .dest = "/elsewhere" };
	struct copy_opts mode = { .srcs = SRCS("app"),
				  .dest = "/app",
				  .chmod = "600" };
	char d1[DIGEST_LEN], d2[DIGEST_LEN], d3[DIGEST_LEN];
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	char *p;

	put(ctx, "app/main.c", "int main;\n", 0644);
	put(ctx, "app/lib/x.c", "x\n", 0644);
	lnk(ctx, "app/cur", "lib");
	digest_of(&o, d1);
	ck_assert(strncmp(d1, "sha256:", 7) == 0);
	/* touching changes nothing */
	p = xasprintf("%s/app/main.c", ctx);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	digest_of(&o, d2);
	ck_assert_str_eq(d1, d2);
	/* an edit does */
	put(ctx, "app/main.c", "int main = 1;\n", 0644);
	digest_of(&o, d3);
	ck_assert_str_ne(d1, d3);
	put(ctx, "app/main.c", "int main;\n", 0644);
	digest_of(&o, d2);
	ck_assert_str_eq(d1, d2);
	/* and so do modes, link targets and the destination */
	digest_of(&mode, d3);
	ck_assert_str_ne(d1, d3);
	digest_of(&other, d3);
	ck_assert_str_ne(d1, d3);
	free(p);
	p = xasprintf("%s/app/cur", ctx);
	ck_assert_int_eq(unlink(p), 0);
	lnk(ctx, "app/cur", "elsewhere");
	digest_of(&o, d3);
	ck_assert_str_ne(d1, d3);
	free(p);
}
END_TEST

START_TEST(test_deps)
{
	struct copy_opts o = { .srcs = SRCS("app", "top.txt", "ln"),
			       .dest = "/d/" };
	struct strv deps = STRV_INIT;
	struct err *e = NULL;
	/* a symlink is stood for by its directory: "app" for app/link,
	 * "." for ln, named as a source and followed */
	static const char *const want[] = { ".",       "app",	    "app/a",
					    "app/sub", "app/sub/b", "top.txt" };

	put(ctx, "app/a", "a", 0644);
	put(ctx, "app/sub/b", "b", 0644);
	lnk(ctx, "app/link", "a");
	put(ctx, "top.txt", "t", 0644);
	put(ctx, "unrelated", "u", 0644);
	lnk(ctx, "ln", "top.txt");
	strv_add(&deps, "top.txt");
	ck_assert_int_eq(run(&o, &deps, NULL, &e), 0);
	ck_assert_uint_eq(deps.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < deps.n; i++)
		ck_assert_str_eq(deps.v[i], want[i]);
	strv_fini(&deps);
}
END_TEST

/* depfile_escape(path) gives want, or fails when want is NULL */
static void
assert_escape(const char *path, const char *want)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "x");
	if (!want) {
		ck_assert_msg(!depfile_escape(&b, path), "'%s' escaped", path);
		ck_assert_str_eq(buf_str(&b), "x");
	} else {
		ck_assert_msg(depfile_escape(&b, path), "'%s' refused", path);
		ck_assert_str_eq(buf_str(&b) + 1, want);
	}
	buf_fini(&b);
}

START_TEST(test_depfile_escape)
{
	assert_escape("a/b-c_d.e~f+g,h=i@j!k(l)m{n}o", "a/b-c_d.e~f+g,h=i@j!k(l)m{n}o");
	assert_escape("a b", "a\\ b");
	assert_escape("#x#", "\\#x\\#");
	assert_escape("$x", "$$x");
	assert_escape("c:d", "c:d");
	assert_escape("caf\xc3\xa9", "caf\xc3\xa9");
	assert_escape("back\\slash", "back\\slash");
	assert_escape("ends:", NULL);
	assert_escape("ends\\", NULL);
	assert_escape("two\\\\b", NULL);
	assert_escape("bs\\ space", NULL);
	assert_escape("bs\\#", NULL);
	assert_escape("bs\\:x", NULL);
	assert_escape("bs\\$x", NULL);
	assert_escape("new\nline", NULL);
	assert_escape("tab\tx", NULL);
	assert_escape("cr\rx", NULL);
	assert_escape("Q&A", NULL);
	assert_escape("what?", NULL);
	assert_escape("it's", NULL);
	assert_escape("50%", NULL);
	assert_escape("[x]", NULL);
	assert_escape("a*b|c;d<e>f^g`h\"i", NULL);
	assert_escape("", NULL);
}
END_TEST

START_TEST(test_depfile_write)
{
	char *dep = xasprintf("%s/out.d", tmpdir);
	char *links = xasprintf("%s/links", tmpdir);
	char *data, *want, *lnkpath, *target, *p;
	char dg[DIGEST_LEN], buf[256];
	struct strv deps = STRV_INIT;
	struct err *e = NULL;
	size_t len;
	ssize_t n;

	put(ctx, "a b", "1", 0644);
	put(ctx, "new\nline", "2", 0644);
	strv_add(&deps, ".");
	strv_add(&deps, "a b");
	strv_add(&deps, "new\nline");
	ck_assert_int_eq(depfile_write(dep, "steps/s 1.id", ctx, &deps, links, &e), 0);
	p = xasprintf("%s/new\nline", ctx);
	digest_buf(p, strlen(p), dg);
	lnkpath = xasprintf("%s/%.32s", links, dg + 7);
	want = xasprintf("steps/s\\ 1.id: \\\n %s \\\n %s/a\\ b \\\n %s\n",
			 ctx, ctx, lnkpath);
	ck_assert_int_eq(fs_read_file(dep, &data, &len, &e), 0);
	ck_assert_str_eq(data, want);
	n = readlink(lnkpath, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "../ctx/new\nline");
	/* a link that points elsewhere is put right */
	ck_assert_int_eq(unlink(lnkpath), 0);
	ck_assert_int_eq(symlink("elsewhere", lnkpath), 0);
	ck_assert_int_eq(depfile_write(dep, "steps/s 1.id", ctx, &deps, links, &e), 0);
	target = realpath(lnkpath, NULL);
	ck_assert_ptr_nonnull(target);
	free(target);
	free(data);
	free(want);
	free(p);
	free(lnkpath);
	free(dep);
	free(links);
	strv_fini(&deps);
}
END_TEST

START_TEST(test_heredoc)
{
	struct copy_heredoc h[] = {
		{ "EOF", "hello\n", 6 },
		{ "script.sh", "#!/bin/sh\necho hi\n", 18 },
	};
	struct copy_opts file = { .heredocs = h,
				  .nheredocs = 1,
				  .dest = "/h.txt" };
	struct copy_opts dir = { .heredocs = h,
				 .nheredocs = 2,
				 .dest = "/hd/",
				 .chmod = "755",
				 .has_chown = true,
				 .uid = 5,
				 .gid = 6 };
	struct copy_opts bad = { .heredocs = h,
				 .nheredocs = 2,
				 .dest = "/nodir" };
	struct stat st;

	ok(&file);
	assert_content(root, "h.txt", "hello\n");
	ck_assert_uint_eq(lst(root, "h.txt").st_mode & 07777, 0644);
	ck_assert_uint_eq(lst(root, "h.txt").st_uid, 0);
	ok(&dir);
	assert_content(root, "hd/EOF", "hello\n");
	st = lst(root, "hd/script.sh");
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert_uint_eq(st.st_uid, 5);
	ck_assert_uint_eq(st.st_gid, 6);
	fails(&bad,
	      "When using COPY with more than one source file, the destination "
	      "must be a directory and end with a /");
}
END_TEST

/* files linked to each other stay linked within one copied directory, not
 * across a wildcard's matches (BuildKit's fsutil copy); a socket of a stage
 * stays a socket */
START_TEST(test_hard_links)
{
	struct copy_opts dir = { .srcs = SRCS("d"), .dest = "/x/" };
	struct copy_opts wild = { .srcs = SRCS("d/*"), .dest = "/w/" };
	char *a = xasprintf("%s/d/a", ctx), *b = xasprintf("%s/d/s/b", ctx);

	put(ctx, "d/a", "a", 0644);
	put(ctx, "d/s/c", "c", 0644);
	ck_assert_int_eq(link(a, b), 0);
	ok(&dir);
	ck_assert_uint_eq(lst(root, "x/a").st_ino, lst(root, "x/s/b").st_ino);
	ck_assert_uint_eq(lst(root, "x/a").st_nlink, 2);
	ck_assert_uint_ne(lst(root, "x/a").st_ino, lst(root, "x/s/c").st_ino);
	ok(&wild);
	/* d/s is a match of its own: its contents go into /w */
	ck_assert_uint_ne(lst(root, "w/a").st_ino, lst(root, "w/b").st_ino);
	free(a);
	free(b);
}
END_TEST

/* copy_opts.count: the regular files copied and their bytes */
START_TEST(test_count)
{
	struct copy_count n = { 0, 0 };
	struct copy_opts o = { .srcs = SRCS("d", "top"), .dest = "/dst/", .count = &n };

	put(ctx, "d/a", "12345", 0644);
	put(ctx, "d/sub/b", "123", 0644);
	put(ctx, "top", "1", 0644);
	ck_assert_int_eq(symlinkat("a", ctxfd, "d/link"), 0);
	ok(&o);
	ck_assert_int_eq(n.files, 3);
	ck_assert_int_eq(n.bytes, 9);
}
END_TEST

START_TEST(test_from_stage)
{
	struct copy_source src = { .fd = ctxfd, .name = "stage 'builder'" };
	struct copy_opts o = { .srcs = SRCS("/usr/bin/tool"),
			       .dest = "/usr/local/bin/",
			       .keep_owner = true };
	struct copy_opts miss = { .srcs = SRCS("/nope"), .dest = "/x" };
	struct copy_opts sock = { .srcs = SRCS("/sock"), .dest = "/sock" };
	struct err *e = NULL;

	put(ctx, "usr/bin/tool", "#!", 0755);
	ck_assert_int_eq(copy_run(&src, rootfd, &o, NULL, NULL, &e), 0);
	assert_content(root, "usr/local/bin/tool", "#!");
	ck_assert_int_lt(copy_run(&src, rootfd, &miss, NULL, NULL, &e), 0);
	ck_assert_str_eq(
		e->msg,
		"COPY failed: file not found in stage 'builder': '/nope'");
	err_free(e);
	/* a stage's socket is copied as one (fsutil's copy makes it) */
	make_socket("sock");
	ck_assert_int_eq(copy_run(&src, rootfd, &sock, NULL, NULL, &e), 0);
	ck_assert(S_ISSOCK(lst(root, "sock").st_mode));
}
END_TEST

/* copytree_dir as flatten uses it: cp -a, hard links, fifos and sockets
 * included, the top's metadata too, no digest */
START_TEST(test_copytree_dir)
{
	struct copier c = { .uid = -1, .gid = -1, .is_archive = true };
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *a = xasprintf("%s/a", ctx), *sock = xasprintf("%s/sock", ctx);
	char *b = xasprintf("%s/d/b", ctx);
	struct stat st, sa1, sb1, sx;
	struct err *e = NULL;
	int fd;

	put(ctx, "a", "data", 04755);
	mkdirs(ctx, "d/sub");
	ck_assert_int_eq(link(a, b), 0);
	lnk(ctx, "d/l", "../a");
	ck_assert_int_eq(mkfifoat(ctxfd, "fifo", 0640), 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(sock), sizeof(sa.sun_path));
	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(fchownat(ctxfd, "d/sub", 1000, 2000, 0), 0);
	ck_assert_int_eq(fchmodat(ctxfd, "d/sub", 0700, 0), 0);
	ck_assert_int_eq(utimensat(ctxfd, "d/sub", old, 0), 0);
	ck_assert_int_eq(fchmod(ctxfd, 0751), 0);
	ck_assert_int_eq(futimens(ctxfd, old), 0);
	ck_assert_int_eq(fstat(ctxfd, &st), 0);

	ck_assert_int_eq(copytree_dir(&c, ctxfd, &st, rootfd, root, &e), 0);
	assert_content(root, "a", "data");
	ck_assert_int_eq(fstatat(rootfd, "a", &sa1, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(fstatat(rootfd, "d/b", &sb1, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(sa1.st_ino, sb1.st_ino);
	ck_assert_uint_eq(sa1.st_mode & 07777, 04755);
	ck_assert_int_eq(fstatat(rootfd, "d/l", &sx, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISLNK(sx.st_mode));
	ck_assert_int_eq(fstatat(rootfd, "fifo", &sx, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISFIFO(sx.st_mode));
	ck_assert_uint_eq(sx.st_mode & 07777, 0640);
	ck_assert_int_eq(fstatat(rootfd, "sock", &sx, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISSOCK(sx.st_mode));
	ck_assert_int_eq(fstatat(rootfd, "d/sub", &sx, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_uint_eq(sx.st_mode & 07777, 0700);
	ck_assert_int_eq(sx.st_uid, 1000);
	ck_assert_int_eq(sx.st_gid, 2000);
	ck_assert_int_eq(sx.st_mtim.tv_sec, 1000000000);
	/* the top gets the source's metadata */
	ck_assert_int_eq(fstat(rootfd, &sx), 0);
	ck_assert_uint_eq(sx.st_mode & 07777, 0751);
	ck_assert_int_eq(sx.st_mtim.tv_sec, 1000000000);
	ck_assert_ptr_null(c.links);
	free(a);
	free(b);
	free(sock);
}
END_TEST

static Suite *
copy_suite(void)
{
	Suite *s = suite_create("copy");
	const struct {
		const char *name;
		const TTest *fn;
	} tests[] = {
		{ "file to file", test_file_to_file },
		{ "copytree_dir", test_copytree_dir },
		{ "file into dir", test_file_into_dir },
		{ "dir contents", test_dir_contents },
		{ "wildcards", test_wildcard },
		{ "missing source", test_missing_source },
		{ "workdir", test_workdir },
		{ "trailing slash", test_trailing_slash },
		{ "several sources", test_several_sources },
		{ "chown chmod", test_chown_chmod },
		{ "keep owner", test_keep_owner },
		{ "symlinks", test_symlinks },
		{ "dotdot source", test_dotdot_source },
		{ "dest through symlinks", test_dest_symlink },
		{ "replace rules", test_replace_rules },
		{ "dockerignore", test_dockerignore },
		{ "exclude", test_exclude },
		{ "parents", test_parents },
		{ "ADD archives", test_add_archives },
		{ "ADD chown and --unpack", test_add_chown_unpack },
		{ "ADD unsafe archives", test_add_unsafe_archives },
		{ "ADD plain files", test_add_plain },
		{ "ADD downloads", test_add_downloads },
		{ "digest", test_digest },
		{ "deps", test_deps },
		{ "depfile escape", test_depfile_escape },
		{ "depfile write", test_depfile_write },
		{ "heredoc", test_heredoc },
		{ "from a stage", test_from_stage },
		{ "hard links", test_hard_links },
		{ "count", test_count },
	};

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, tests[i].fn);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	/* copies hand files to other owners: that takes root (or a user
	 * namespace's root); a TAP plan of 0 is a skip for tap-driver.sh */
	if (geteuid() != 0) {
		printf("1..0 # SKIP copy tests need root\n");
		return 0;
	}
	return unit_run(copy_suite());
}

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit/genpaths.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

UNIT_TMPDIR_FIXTURE("check_genpaths")

/* tmpdir becomes the cwd, holding ctx/Dockerfile and ctx/file */
static void
setup_tree(void)
{
	setup();
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(mkdir("ctx", 0755), 0);
	ck_assert_int_eq(fs_write_if_changed("ctx/Dockerfile", "FROM scratch\n", 13, NULL, NULL), 0);
	ck_assert_int_eq(fs_write_if_changed("ctx/file", "x", 1, NULL, NULL), 0);
}

static void
teardown_tree(void)
{
	ck_assert_int_eq(chdir("/"), 0);
	teardown();
}

/* name a's paths, which must work, into gp */
static void
name_ok(struct genpaths *gp, struct genpaths_args a)
{
	struct err *e = NULL;

	ck_assert_int_eq(genpaths_name(gp, &a, &e), 0);
	ck_assert_ptr_null(e);
}

START_TEST(test_name)
{
	struct genpaths gp;
	struct err *e = NULL;

	/* nothing given: the cwd is the context */
	name_ok(&gp, (struct genpaths_args){ 0 });
	ck_assert_str_eq(gp.dockerfile, "Dockerfile");
	ck_assert_str_eq(gp.context, ".");
	ck_assert_str_eq(gp.output, "build.ninja");
	ck_assert_str_eq(gp.cwd, tmpdir);
	genpaths_fini(&gp);

	/* PATH a dir: its Dockerfile; -G make names the Makefile */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .is_make = true });
	ck_assert_str_eq(gp.dockerfile, "ctx/Dockerfile");
	ck_assert_str_eq(gp.context, "ctx");
	ck_assert_str_eq(gp.output, "Makefile");
	genpaths_fini(&gp);

	/* PATH a file: the Dockerfile, its dir the context */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx/Dockerfile", .output = "o/b.ninja" });
	ck_assert_str_eq(gp.dockerfile, "ctx/Dockerfile");
	ck_assert_str_eq(gp.context, "ctx");
	ck_assert_str_eq(gp.output, "o/b.ninja");
	genpaths_fini(&gp);

	/* ... unless --context says otherwise */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx/Dockerfile", .context = "." });
	ck_assert_str_eq(gp.dockerfile, "ctx/Dockerfile");
	ck_assert_str_eq(gp.context, ".");
	genpaths_fini(&gp);

	/* -f names the Dockerfile; PATH, even a file, is then the context */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx/file", .file = "ctx/Dockerfile" });
	ck_assert_str_eq(gp.dockerfile, "ctx/Dockerfile");
	ck_assert_str_eq(gp.context, "ctx/file");
	genpaths_fini(&gp);

	/* a newline cannot go into a build file */
	ck_assert_int_eq(genpaths_name(&gp, &(struct genpaths_args){ .output = "a\nb" }, &e), -1);
	ck_assert_str_eq(e->msg, "a path with a newline cannot be written to a build file");
	ck_assert_int_eq(e->status, 1);
	err_free(e);
	genpaths_fini(&gp);
}
END_TEST

START_TEST(test_resolve)
{
	autofree char *bd = xasprintf("%s/.df2ninja", tmpdir);
	autofree char *out = xasprintf("%s/out", tmpdir);
	struct genpaths gp;
	struct err *e = NULL;
	struct stat st;

	/* the default build dir is beside the output */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), 0);
	ck_assert_str_eq(gp.out_dir, tmpdir);
	ck_assert_str_eq(gp.builddir, bd);
	ck_assert_int_eq(stat(bd, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_str_eq(gp.out_rel, "build.ninja");
	ck_assert_str_eq(gp.dockerfile_rel, "ctx/Dockerfile");
	ck_assert_str_eq(gp.context_rel, "ctx");
	ck_assert_str_eq(gp.builddir_rel, ".df2ninja");
	ck_assert_str_eq(gp.dockerignore_rel, "ctx/.dockerignore");
	/* BuildKit's <Dockerfile>.dockerignore, beside the Dockerfile */
	ck_assert_str_eq(gp.dfignore_rel, "ctx/Dockerfile.dockerignore");
	ck_assert(!gp.has_dfignore);
	ck_assert_str_eq(gp.genargs_rel, ".df2ninja/gen.args");
	genpaths_fini(&gp);

	/* an output in a missing dir: made, and the paths are from there */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .output = "out/b.ninja" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), 0);
	ck_assert_str_eq(gp.out_dir, out);
	ck_assert_str_eq(gp.out_rel, "b.ninja");
	ck_assert_str_eq(gp.dockerfile_rel, "../ctx/Dockerfile");
	ck_assert_str_eq(gp.dfignore_rel, "../ctx/Dockerfile.dockerignore");
	ck_assert_str_eq(gp.context_rel, "../ctx");
	ck_assert_str_eq(gp.builddir_rel, ".df2ninja");
	ck_assert_str_eq(gp.genargs_rel, ".df2ninja/gen.args");
	ck_assert(strncmp(gp.out_path, out, strlen(out)) == 0);
	ck_assert_str_eq(gp.out_path + strlen(out), "/b.ninja");
	genpaths_fini(&gp);

	/* -B, named from the cwd */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .output = "out/b.ninja" });
	ck_assert_int_eq(genpaths_resolve(&gp, "bd", &e), 0);
	ck_assert_str_eq(gp.builddir_rel, "../bd");
	ck_assert_str_eq(gp.genargs_rel, "../bd/gen.args");
	ck_assert_int_eq(access("bd/layers", F_OK), 0);
	genpaths_fini(&gp);
	ck_assert_ptr_null(e);
}
END_TEST

START_TEST(test_resolve_errors)
{
	struct genpaths gp;
	struct err *e = NULL;

	name_ok(&gp, (struct genpaths_args){ .path = "ctx/Dockerfile", .context = "ctx/file" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), -1);
	ck_assert_str_eq(e->msg, "context 'ctx/file' is not a directory");
	genpaths_fini(&gp);
	err_free(e);
	e = NULL;

	name_ok(&gp, (struct genpaths_args){ .path = "ctx/Dockerfile", .context = "nothere" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), -1);
	ck_assert_str_eq(e->msg, "cannot resolve 'nothere': No such file or directory");
	genpaths_fini(&gp);
	err_free(e);
	e = NULL;

	/* nothing is made for a context that is not there */
	ck_assert_int_eq(access(".df2ninja", F_OK), -1);

	name_ok(&gp, (struct genpaths_args){ .path = "ctx" });
	ck_assert_int_eq(genpaths_resolve(&gp, "ctx/file", &e), -1);
	ck_assert_str_eq(e->msg, "the build dir: 'ctx/file': Not a directory");
	genpaths_fini(&gp);
	err_free(e);
}
END_TEST

START_TEST(test_outputs)
{
	struct strv outputs = STRV_INIT, tags = STRV_INIT, recorded = STRV_INIT, all = STRV_INIT;
	autofree char *rel = xasprintf("type=oci,dest=%s/rel/x", tmpdir);
	struct genpaths gp;
	struct err *e = NULL;

	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .output = "out/b.ninja" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), 0);
	strv_add(&outputs, "type=oci,dest=rel/x");
	strv_add(&outputs, "type=docker,dest=/abs.tar,name=x");
	strv_add(&outputs, "type=local,dest=-");
	strv_add(&tags, "reg.lan/x:1");

	/* relative dests are from where df2ninja ran */
	genpaths_outputs(&gp, &outputs, &tags, false, &recorded, &all);
	ck_assert_uint_eq(recorded.n, 3);
	ck_assert_str_eq(recorded.v[0], rel);
	ck_assert_str_eq(recorded.v[1], "type=docker,dest=/abs.tar,name=x");
	ck_assert_str_eq(recorded.v[2], "type=local,dest=-");
	ck_assert_uint_eq(all.n, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(all.v[i], recorded.v[i]);
	strv_fini(&recorded);
	strv_fini(&all);

	/* --push adds the tags, besides the outputs */
	genpaths_outputs(&gp, &outputs, &tags, true, &recorded, &all);
	ck_assert_uint_eq(recorded.n, 3);
	ck_assert_uint_eq(all.n, 4);
	ck_assert_str_eq(all.v[3], "type=registry,name=reg.lan/x:1");
	strv_fini(&recorded);
	strv_fini(&all);

	/* ... and with no output, an OCI layout in the build dir */
	strv_fini(&outputs);
	strv_add(&tags, "reg.lan/y");
	genpaths_outputs(&gp, &outputs, &tags, true, &recorded, &all);
	ck_assert_uint_eq(recorded.n, 0);
	ck_assert_uint_eq(all.n, 3);
	ck_assert_str_eq(all.v[0], "type=oci,dest=.df2ninja/image");
	ck_assert_str_eq(all.v[1], "type=registry,name=reg.lan/x:1");
	ck_assert_str_eq(all.v[2], "type=registry,name=reg.lan/y");
	strv_fini(&recorded);
	strv_fini(&all);
	strv_fini(&tags);
	genpaths_fini(&gp);
}
END_TEST

START_TEST(test_own)
{
	struct strv outputs = STRV_INIT, own = STRV_INIT;
	autofree char *abs_in = xasprintf("type=oci,dest=%s/ctx/sub/layout", tmpdir);
	struct genpaths gp;
	struct err *e = NULL;
	bool in[5];

	/* the build file and the build dir beside it, in the context */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .output = "ctx/build.ninja" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), 0);
	strv_add(&outputs, "type=docker,dest=ctx/img.tar");
	strv_add(&outputs, abs_in);
	strv_add(&outputs, "type=local,dest=elsewhere");
	strv_add(&outputs, "type=registry,name=ctx/x");
	strv_add(&outputs, "ctx/bare");
	genpaths_own(&gp, &outputs, &own, in);
	ck_assert_uint_eq(own.n, 5);
	ck_assert_str_eq(own.v[0], ".df2ninja");
	ck_assert_str_eq(own.v[1], "build.ninja");
	ck_assert_str_eq(own.v[2], "img.tar");
	ck_assert_str_eq(own.v[3], "sub/layout");
	ck_assert_str_eq(own.v[4], "bare");
	ck_assert(in[0] && in[1] && !in[2] && !in[3] && in[4]);
	strv_fini(&own);
	genpaths_fini(&gp);

	/* outside the context, nothing */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .output = "out/b.ninja" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), 0);
	strv_fini(&outputs);
	genpaths_own(&gp, &outputs, &own, in);
	ck_assert_uint_eq(own.n, 0);
	genpaths_fini(&gp);

	/* a build dir that holds the context is refused */
	name_ok(&gp, (struct genpaths_args){ .path = "ctx" });
	ck_assert_int_eq(genpaths_resolve(&gp, "ctx", &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "holds the context"));
	err_free(e);
	genpaths_fini(&gp);
}
END_TEST

START_TEST(test_check_output)
{
	static const char ours[] = "# generated by df2ninja 0.1.0: do not edit\n";
	struct genpaths gp;
	struct err *e = NULL;

	name_ok(&gp, (struct genpaths_args){ .path = "ctx", .output = "Makefile" });
	ck_assert_int_eq(genpaths_resolve(&gp, NULL, &e), 0);
	/* missing, empty, ours */
	ck_assert_int_eq(genpaths_check_output(&gp, &e), 0);
	ck_assert_int_eq(fs_write_if_changed("Makefile", "", 0, NULL, NULL), 0);
	ck_assert_int_eq(genpaths_check_output(&gp, &e), 0);
	ck_assert_int_eq(fs_write_if_changed("Makefile", ours, strlen(ours), NULL, NULL), 0);
	ck_assert_int_eq(genpaths_check_output(&gp, &e), 0);
	ck_assert_ptr_null(e);
	/* somebody else's */
	ck_assert_int_eq(fs_write_if_changed("Makefile", "all:\n", 5, NULL, NULL), 0);
	ck_assert_int_eq(genpaths_check_output(&gp, &e), -1);
	ck_assert_str_eq(e->msg, "'Makefile' exists and was not written by df2ninja; "
			 "remove it or choose another file with -o");
	err_free(e);
	genpaths_fini(&gp);
}
END_TEST

/* a TCase for one function, each test in a fresh tree */
static void
add(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup_tree, teardown_tree);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
genpaths_suite(void)
{
	Suite *s = suite_create("genpaths");

	add(s, "genpaths_name", test_name);
	add(s, "genpaths_resolve", test_resolve);
	add(s, "genpaths_resolve_errors", test_resolve_errors);
	add(s, "genpaths_own", test_own);
	add(s, "genpaths_outputs", test_outputs);
	add(s, "genpaths_check_output", test_check_output);
	return s;
}

int
main(void)
{
	return unit_run(genpaths_suite());
}

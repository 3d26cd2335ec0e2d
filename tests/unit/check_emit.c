#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dockerfile/ast.h"
#include "emit/emit.h"
#include "emit/escape.h"
#include "emit/template.h"
#include "emit/walk.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

/*
 * The graphs are built by hand, as the resolver would for:
 *
 *   1 FROM golang:1.22 AS build
 *   2 WORKDIR /src
 *   3 COPY go.mod ./
 *   4 RUN go build -o /app $HOME
 *   5 FROM alpine AS unused
 *   6 RUN echo never
 *   7 FROM build AS test
 *   8 RUN go test
 *   9 FROM alpine:3
 *  10 COPY --from=build /app /app
 *  11 COPY --from=test /src/report /report
 *  12 CMD ["/app"]
 *  13 USER nobody
 */
static const struct {
	enum instr_kind kind;
	const char *keyword;
	const char *original;
} sample_src[] = {
	{ INSTR_FROM, "from", "FROM golang:1.22 AS build" },
	{ INSTR_WORKDIR, "workdir", "WORKDIR /src" },
	{ INSTR_COPY, "copy", "COPY go.mod ./" },
	{ INSTR_RUN, "run", "RUN go build \\\n    -o /app $HOME" },
	{ INSTR_FROM, "from", "FROM alpine AS unused" },
	{ INSTR_RUN, "run", "RUN echo never" },
	{ INSTR_FROM, "from", "FROM build AS test" },
	{ INSTR_RUN, "run", "RUN go test" },
	{ INSTR_FROM, "from", "FROM alpine:3" },
	{ INSTR_COPY, "copy", "COPY --from=build /app /app" },
	{ INSTR_COPY, "copy", "COPY --from=test /src/report /report" },
	{ INSTR_CMD, "cmd", "CMD [\"/app\"]" },
	{ INSTR_USER, "user", "USER nobody" },
};

#define NINSTR (sizeof(sample_src) / sizeof(sample_src[0]))

UNIT_TMPDIR_FIXTURE("check_emit")

static struct stage *
add_stage(struct graph *g, size_t index, const char *name,
	  const struct instr *from, size_t nsteps, int nnumbered, bool needed)
{
	struct stage *s = &g->stages[index];

	s->index = (int)index;
	s->name = xstrdup(name);
	s->id = name ? xstrdup(name) : xasprintf("stage-%zu", index);
	s->from = from;
	/* the reference alone, as the graph has it: "golang:1.22" */
	s->base = xstrndup(from->original + 5, strcspn(from->original + 5, " "));
	s->steps = xcalloc(nsteps, sizeof(*s->steps));
	s->nsteps = nsteps;
	s->nnumbered = nnumbered;
	s->needed = needed;
	return s;
}

static struct step *
set_step(struct stage *s, size_t i, enum step_kind kind,
	 const struct instr *instr)
{
	struct step *st = &s->steps[i];

	st->stage = s;
	st->kind = kind;
	st->num = kind == STEP_CONFIG ? 0 : (int)i + 1;
	st->instr = instr;
	if (kind == STEP_CONFIG)
		st->name = xasprintf("%s/config", s->id);
	else
		st->name = xasprintf("%s/%02d", s->id, st->num);
	st->plan = xasprintf("{\"step\":\"%s\"}\n", st->name);
	return st;
}

static void
set_dep(struct step *st, struct stage *dep)
{
	st->deps = xcalloc(1, sizeof(*st->deps));
	st->deps[0] = dep;
	st->ndeps = 1;
}

/* the graph of the Dockerfile above; nothing is freed (forked tests) */
static struct graph *
sample_graph(void)
{
	struct dockerfile *df = xcalloc(1, sizeof(*df));
	struct graph *g = xcalloc(1, sizeof(*g));
	struct stage *build, *unused, *test, *last;
	struct instr *in;
	size_t i;

	df->name = xstrdup("Dockerfile");
	df->escape = '\\';
	df->instrs = in = xcalloc(NINSTR, sizeof(*in));
	df->ninstrs = NINSTR;
	for (i = 0; i < NINSTR; i++) {
		in[i].kind = sample_src[i].kind;
		in[i].keyword = xstrdup(sample_src[i].keyword);
		in[i].original = xstrdup(sample_src[i].original);
		in[i].line = in[i].end_line = (int)i + 1;
		in[i].col = 1;
	}
	/* the RUN on line 4 spans two lines */
	g->df = df;
	g->stages = xcalloc(4, sizeof(*g->stages));
	g->nstages = 4;

	build = add_stage(g, 0, "build", &in[0], 4, 4, true);
	set_step(build, 0, STEP_FROM, &in[0])->pulls = true;
	set_step(build, 1, STEP_WORKDIR, &in[1]);
	set_step(build, 2, STEP_COPY, &in[2])->reads_context = true;
	set_step(build, 3, STEP_RUN, &in[3]);

	unused = add_stage(g, 1, "unused", &in[4], 2, 2, false);
	set_step(unused, 0, STEP_FROM, &in[4])->pulls = true;
	set_step(unused, 1, STEP_RUN, &in[5]);

	test = add_stage(g, 2, "test", &in[6], 2, 2, true);
	test->parent = build;
	set_dep(set_step(test, 0, STEP_FROM, &in[6]), build);
	set_step(test, 1, STEP_RUN, &in[7]);

	last = add_stage(g, 3, NULL, &in[8], 4, 3, true);
	set_step(last, 0, STEP_FROM, &in[8])->pulls = true;
	set_dep(set_step(last, 1, STEP_COPY, &in[9]), build);
	set_dep(set_step(last, 2, STEP_COPY, &in[10]), test);
	set_step(last, 3, STEP_CONFIG, &in[11]);

	g->target = last;
	g->export_plan = xstrdup("{\"export\":\"stage-3\"}\n");
	return g;
}

static struct emit_opts
sample_opts(void)
{
	struct emit_opts o = {
		.output = "build.ninja",
		.df2ninja = "/usr/bin/df2ninja",
		.builddir = ".df2ninja",
		.dockerfile = "Dockerfile",
		.dockerignore = ".dockerignore",
		.genargs = ".df2ninja/gen.args",
		.prefix = "",
		.version = "0.1.0",
	};

	return o;
}

/* the ninja text for g and o; fails the test on error */
static char *
ninja_text(const struct graph *g, const struct emit_opts *o)
{
	struct buf b = BUF_INIT;
	struct err *e = NULL;

	if (emit_ninja(g, o, &b, &e) < 0)
		ck_abort_msg("emit_ninja: %s", e->msg);
	return buf_steal(&b);
}

static char *
make_text(const struct graph *g, const struct emit_opts *o)
{
	struct buf b = BUF_INIT;
	struct err *e = NULL;

	if (emit_make(g, o, &b, &e) < 0)
		ck_abort_msg("emit_make: %s", e->msg);
	return buf_steal(&b);
}

/* on failure the whole text goes to stderr: a Check message is short */
#define assert_has(text, s) assert_in(__LINE__, (text), (s), true)
#define assert_lacks(text, s) assert_in(__LINE__, (text), (s), false)

static void
assert_in(int line, const char *text, const char *s, bool want)
{
	if ((strstr(text, s) != NULL) == want)
		return;
	fprintf(stderr, "---- line %d: text searched ----\n%s----\n", line,
		text);
	ck_abort_msg("line %d: %s:\n%s", line,
		     want ? "missing" : "unexpected", s);
}

/* no line longer than max bytes */
static void
assert_width(const char *text, size_t max)
{
	const char *p = text, *nl;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg((size_t)(nl - p) <= max, "line too long: %.*s",
			      (int)(nl - p), p);
	}
}

START_TEST(test_ninja_header)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t = ninja_text(g, &o);
	const char *p = t;

	/* only comments come before ninja_required_version */
	while (*p == '#' || *p == '\n')
		p = strchr(p, '\n') + 1;
	ck_assert_msg(!strncmp(p, "ninja_required_version = 1.8\n", 29),
		      "first non-comment line: %.40s", p);
	assert_has(t, "# build.ninja -- generated by df2ninja 0.1.0 for "
		   "Dockerfile\n");
	assert_has(t, "\nbuilddir = .df2ninja\ndf2ninja = /usr/bin/df2ninja\n");
	/* without df2ninja-run, $run is empty: a step runs df2ninja itself */
	assert_has(t, "\nrun = \nplans = $builddir/plans\nsteps = $builddir/steps\n");
	assert_has(t, "  command = $run $df2ninja exec step --plan $plan --out $out\n");
	o.run = "/usr/lib/df2ninja/df2ninja-run";
	t = ninja_text(g, &o);
	assert_has(t, "\nrun = /usr/lib/df2ninja/df2ninja-run $builddir\n");
	o.run = NULL;
	assert_has(t, "\npool registry\n  depth = 3\n");
	assert_has(t, "\nrule regen\n  command = $df2ninja --args-file "
		   ".df2ninja/gen.args\n  description = REGEN $out\n"
		   "  generator = 1\n  restat = 1\n  pool = console\n");
	assert_has(t, "\nrule from\n  command = $df2ninja exec from --plan "
		   "$plan --out $out\n  description = $desc\n  restat = 1\n");
	assert_has(t, "\nrule step\n  command = $run $df2ninja exec step --plan "
		   "$plan --out $out\n  description = $desc\n  restat = 1\n");
	assert_has(t, "\nrule ctxstep\n  command = $run $df2ninja exec step --plan "
		   "$plan --out $out --depfile $out.d\n  description = $desc\n"
		   "  depfile = $out.d\n  deps = gcc\n  restat = 1\n");
	assert_has(t, "\nrule export\n  command = $df2ninja exec export "
		   "--plan $plan --out $out\n");
	assert_lacks(t, "@");
	assert_width(t, 78);
}
END_TEST

START_TEST(test_ninja_regen)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t = ninja_text(g, &o);

	assert_has(t, "\nbuild build.ninja: regen Dockerfile | .dockerignore "
		   ".df2ninja/gen.args $\n    $df2ninja\n");
	/* one phony each: a missing one must not make the others dirty */
	assert_has(t, "\nbuild Dockerfile: phony\n"
		   "build .df2ninja/gen.args: phony\nbuild $df2ninja: phony\n"
		   "# a missing .dockerignore takes the args file's time\n"
		   "build .dockerignore: phony .df2ninja/gen.args\n\n");

	/* no .dockerignore given: left out of both */
	o.dockerignore = NULL;
	t = ninja_text(g, &o);
	assert_has(t, "\nbuild build.ninja: regen Dockerfile | "
		   ".df2ninja/gen.args $df2ninja\n");
	assert_has(t, "\nbuild Dockerfile: phony\nbuild .df2ninja/gen.args: "
		   "phony\nbuild $df2ninja: phony\n");
	assert_lacks(t, "dockerignore");
}
END_TEST

START_TEST(test_ninja_steps)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t = ninja_text(g, &o);

	assert_has(t, "\n# ---- stage 0 \"build\" (Dockerfile:1-4) ---");
	assert_has(t, "\n# Dockerfile:1  FROM golang:1.22 AS build\n"
		   "build $steps/build/01.id: from | $plans/build/01.json\n"
		   "  plan = $plans/build/01.json\n"
		   "  desc = FROM [build 1/4] golang:1.22 AS build\n"
		   "  pool = registry\n\n");
	assert_has(t, "\n# Dockerfile:2  WORKDIR /src\n"
		   "build $steps/build/02.id: step $steps/build/01.id | "
		   "$plans/build/02.json\n"
		   "  plan = $plans/build/02.json\n"
		   "  desc = WORK [build 2/4] /src\n\n");
	assert_has(t, "\nbuild $steps/build/03.id: ctxstep $steps/build/02.id "
		   "| $plans/build/03.json\n"
		   "  plan = $plans/build/03.json\n"
		   "  desc = COPY [build 3/4] go.mod ./\n\n");
	/* continuation joined, '$' escaped in the value, kept in comments */
	assert_has(t, "\n# Dockerfile:4  RUN go build -o /app $HOME\n"
		   "build $steps/build/04.id: step $steps/build/03.id | "
		   "$plans/build/04.json\n"
		   "  plan = $plans/build/04.json\n"
		   "  desc = RUN  [build 4/4] go build -o /app $$HOME\n\n");
	/* FROM a stage: that stage's last stamp, no pool */
	assert_has(t, "\n# ---- stage 2 \"test\" (Dockerfile:7-8) ---");
	assert_has(t, "\nbuild $steps/test/01.id: from $steps/build/04.id | "
		   "$plans/test/01.json\n"
		   "  plan = $plans/test/01.json\n"
		   "  desc = FROM [test 1/2] build AS test\n\n");
	assert_has(t, "\n# ---- stage 3 \"stage-3\" (Dockerfile:9-13) ---");
	/* COPY --from: the previous stamp, then the other stage's last one */
	assert_has(t, "\nbuild $steps/stage-3/02.id: step $steps/stage-3/01.id "
		   "$steps/build/04.id $\n    | $plans/stage-3/02.json\n"
		   "  plan = $plans/stage-3/02.json\n"
		   "  desc = COPY [stage-3 2/3] --from=build /app /app\n\n");
	assert_has(t, "\nbuild $steps/stage-3/03.id: step $steps/stage-3/02.id "
		   "$steps/test/02.id $\n    | $plans/stage-3/03.json\n");
	/* the config step takes the trailing CMD and USER */
	assert_has(t, "\n# Dockerfile:12-13  CMD [\"/app\"]\n"
		   "build $steps/stage-3/config.id: step $steps/stage-3/03.id $\n"
		   "    | $plans/stage-3/config.json\n"
		   "  plan = $plans/stage-3/config.json\n"
		   "  desc = CONF [stage-3 config] CMD [\"/app\"]\n\n");
	assert_has(t, "\nbuild $builddir/out/image.id: export "
		   "$steps/stage-3/config.id $\n    | $plans/export.json\n"
		   "  plan = $plans/export.json\n");
	/* the stage the target does not need is left out */
	assert_lacks(t, "unused");
	assert_lacks(t, "never");
}
END_TEST

START_TEST(test_ninja_long)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	struct instr *run = (struct instr *)g->stages[0].steps[3].instr;
	const char *p;
	char *t;

	free(run->original);
	run->original = xstrdup("RUN set -e; for i in 1 2 3 4 5 6 7 8 9; do "
				"echo \"step $i of many, with a long line\"; "
				"done; make -j8 all install DESTDIR=/out");
	t = ninja_text(g, &o);
	assert_width(t, 78);
	assert_has(t, "\n# Dockerfile:4  RUN set -e; for i in 1 2 3 4 5 6 7 8 9; "
		   "do echo \"step $i of...\n");
	p = strstr(t, "  desc = RUN  [build 4/4] set -e;");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(strchr(p, '\n') - p, 78);
	ck_assert(!strncmp(strchr(p, '\n') - 3, "...", 3));
}
END_TEST

START_TEST(test_ninja_aliases)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t = ninja_text(g, &o);
	/* build, test FROM build, and the last stage: two chains, which
	 * ninja's default -j runs at once */
	const char *tail = "\nbuild image: phony $builddir/out/image.id\n"
			   "build all: phony image\n\ndefault all\n";

	assert_has(t, "\nbuild build: phony $steps/build/04.id\n"
		   "build build/1: phony $steps/build/01.id\n"
		   "build build/2: phony $steps/build/02.id\n"
		   "build build/3: phony $steps/build/03.id\n"
		   "build build/4: phony $steps/build/04.id\n"
		   "build test: phony $steps/test/02.id\n");
	assert_has(t, "\nbuild stage-3: phony $steps/stage-3/config.id\n"
		   "build stage-3/1: phony $steps/stage-3/01.id\n");
	assert_has(t, "\nbuild stage-3/config: phony "
		   "$steps/stage-3/config.id\n");
	ck_assert_str_eq(t + strlen(t) - strlen(tail), tail);
}
END_TEST

/* three chains, more than ninja's -j on one core: `all` drives ninja
 * again at that width; the steps' edges and `image` are as they were */
START_TEST(test_ninja_drive)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	const char *tail = "\nbuild image: phony $builddir/out/image.id\n"
			   "# up to 3 steps can run at once";
	char *t;

	g->stages[2].parent = NULL;
	t = ninja_text(g, &o);
	assert_has(t, tail);
	assert_has(t, "\nrule drive\n"
		   "  command = exec $df2ninja exec drive --jobs 3 image\n");
	assert_has(t, "  pool = console\n\nbuild $builddir/drive: drive\n"
		   "build all: phony $builddir/drive\n\ndefault all\n");
	assert_has(t, "\nbuild build/2: phony $steps/build/02.id\n");
	/* a --link COPY's copy edge is one more chain */
	g->stages[2].parent = &g->stages[0];
	g->stages[3].steps[1].is_link = true;
	t = ninja_text(g, &o);
	assert_has(t, "exec drive --jobs 3 image\n");
	g->stages[3].steps[1].is_link = false;
	t = ninja_text(g, &o);
	ck_assert_ptr_null(strstr(t, "drive"));
}
END_TEST

START_TEST(test_ninja_escape)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	struct buf b = BUF_INIT;
	struct err *e = NULL;
	char *t;

	o.dockerfile = "my dir/Docker$file:x";
	t = ninja_text(g, &o);
	assert_has(t, "\nbuild build.ninja: regen my$ dir/Docker$$file$:x | ");
	assert_has(t, "\nbuild my$ dir/Docker$$file$:x: phony\n");
	/* comments keep the path as it is */
	assert_has(t, "\n# my dir/Docker$file:x:1  FROM golang");

	o.dockerfile = "Docker\nfile";
	ck_assert_int_eq(emit_ninja(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "newline"));
	ck_assert_ptr_null(strchr(e->msg, '\n'));
	err_free(e);
	e = NULL;

	o.dockerfile = "Dockerfile";
	o.dockerignore = "a|b";
	ck_assert_int_eq(emit_ninja(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "'|'"));
	err_free(e);
	e = NULL;

	o = sample_opts();
	o.builddir = "build dir";
	ck_assert_int_eq(emit_ninja(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "build dir 'build dir'"));
	err_free(e);
	buf_fini(&b);
}
END_TEST

START_TEST(test_escape_functions)
{
	struct buf b = BUF_INIT;
	struct err *e = NULL;

	ck_assert_int_eq(escape_ninja_path(&b, "a b:c$d", "x", &e), 0);
	ck_assert_str_eq(buf_str(&b), "a$ b$:c$$d");
	buf_reset(&b);
	ck_assert_int_eq(escape_ninja_value(&b, " a $b c", "x", &e), 0);
	ck_assert_str_eq(buf_str(&b), "$ a $$b c");
	buf_reset(&b);
	ck_assert_int_eq(escape_make_path(&b, "a$b/c", "x", &e), 0);
	ck_assert_str_eq(buf_str(&b), "a$$b/c");
	ck_assert_int_eq(escape_make_path(&b, "a b", "x", &e), -1);
	err_free(e);
	e = NULL;
	ck_assert_int_eq(escape_make_path(&b, "a#b", "x", &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "'#'"));
	err_free(e);
	e = NULL;
	ck_assert_int_eq(escape_make_path(&b, "a%b", "x", &e), -1);
	err_free(e);
	e = NULL;
	ck_assert_int_eq(escape_ninja_path(&b, "", "x", &e), -1);
	err_free(e);
	ck_assert(escape_sh_plain("/usr/lib/df2ninja-1.0/x_y"));
	ck_assert(!escape_sh_plain("a b"));
	ck_assert(!escape_sh_plain("a'b"));
	ck_assert(!escape_sh_plain("~/x"));

	/* comments: one line, cut at a UTF-8 boundary, no trailing '\' */
	buf_reset(&b);
	escape_comment(&b, "RUN a \\\n\tb\tc \\", 100);
	ck_assert_str_eq(buf_str(&b), "RUN a b c");
	buf_reset(&b);
	escape_comment(&b, "abcd\xc3\xa9" "fgh", 8);
	ck_assert_str_eq(buf_str(&b), "abcd...");
	buf_fini(&b);
}
END_TEST

START_TEST(test_ninja_reserved)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	struct buf b = BUF_INIT;
	struct err *e = NULL;

	free(g->stages[2].id);
	g->stages[2].id = xstrdup("image");
	ck_assert_int_eq(emit_ninja(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "stage name 'image'"));
	err_free(e);
	e = NULL;
	free(g->stages[2].id);
	g->stages[2].id = xstrdup("url-always");
	ck_assert_int_eq(emit_ninja(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "stage name 'url-always'"));
	err_free(e);
	e = NULL;

	/* a stage alias naming a file the regen edge makes or reads */
	free(g->stages[2].id);
	g->stages[2].id = xstrdup("build.ninja");
	ck_assert_int_eq(emit_ninja(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "target 'build.ninja'"));
	err_free(e);
	e = NULL;
	o.output = "Makefile";
	o.dockerfile = "x-build.ninja";
	o.prefix = "x";
	ck_assert_int_eq(emit_make(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "target 'x-build.ninja'"));
	err_free(e);
	buf_fini(&b);
}
END_TEST

/* a step that runs on every build: an always-dirty implicit input */
START_TEST(test_runs_always)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t = ninja_text(g, &o);

	/* none without such a step */
	assert_lacks(t, "url-always");
	g->stages[0].steps[2].runs_always = true;
	g->stages[3].steps[1].runs_always = true;
	t = ninja_text(g, &o);
	assert_has(t, "\nbuild url-always: phony\n\n# ---- stage 0");
	ck_assert_ptr_null(strstr(strstr(t, "url-always: phony") + 1,
				  "url-always: phony"));
	assert_has(t, "\nbuild $steps/build/03.id: ctxstep $steps/build/02.id "
		   "| $plans/build/03.json $\n    url-always\n"
		   "  plan = $plans/build/03.json\n");
	assert_has(t, "\nbuild $steps/stage-3/02.id: step $steps/stage-3/01.id "
		   "$steps/build/04.id $\n    | $plans/stage-3/02.json "
		   "url-always\n");
	/* an unneeded stage's step asks for nothing */
	g->stages[0].steps[2].runs_always = false;
	g->stages[3].steps[1].runs_always = false;
	g->stages[1].steps[1].runs_always = true;
	assert_lacks(ninja_text(g, &o), "url-always");

	g->stages[1].steps[1].runs_always = false;
	g->stages[0].steps[2].runs_always = true;
	o.output = "df.mk";
	o.prefix = "img";
	t = make_text(g, &o);
	assert_has(t, "\nimg-url-always:\n.PHONY: img-url-always\n\n");
	assert_has(t, "\n$(img_steps)/build/03.id: $(img_steps)/build/02.id "
		   "\\\n    $(img_plans)/build/03.json img-url-always "
		   "$(img_context_deps)\n");
	o.prefix = "";
	assert_has(make_text(g, &o), "\nurl-always:\n.PHONY: url-always\n");
	g->stages[0].steps[2].runs_always = false;
	assert_lacks(make_text(g, &o), "url-always");
}
END_TEST

/* COPY --link: the copy's edge, reading no step below, and the step's */
START_TEST(test_link)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t;

	assert_lacks(ninja_text(g, &o), "link");
	/* an unneeded stage's step asks for nothing */
	g->stages[1].steps[1].is_link = true;
	assert_lacks(ninja_text(g, &o), "rule link");
	g->stages[1].steps[1].is_link = false;
	g->stages[0].steps[2].is_link = true;
	g->stages[0].steps[2].runs_always = true;
	t = ninja_text(g, &o);
	assert_has(t, "\nrule link\n  command = $df2ninja exec link --plan $plan --out $out\n");
	assert_has(t, "\nrule ctxlink\n  command = $df2ninja exec link --plan $plan --out "
		   "$out --depfile $out.d\n");
	assert_has(t, "\nrule linkstep\n  command = $run $df2ninja exec step --plan $plan --out "
		   "$out --layer $layer\n");
	ck_assert_ptr_null(strstr(strstr(t, "rule linkstep") + 1, "rule linkstep"));
	assert_has(t, "\nbuild $steps/build/03.link: ctxlink | $plans/build/03.json "
		   "url-always || $\n    $steps/build/02.id\n"
		   "  plan = $plans/build/03.json\n  desc = COPY [build 3/4]");
	assert_has(t, "\nbuild $steps/build/03.id: linkstep $steps/build/02.id "
		   "$steps/build/03.link $\n    | $plans/build/03.json\n"
		   "  plan = $plans/build/03.json\n  layer = $steps/build/03.link\n"
		   "  desc = LINK [build 3/4]");

	g->stages[0].steps[2].runs_always = false;
	o.output = "df.mk";
	o.prefix = "img";
	t = make_text(g, &o);
	assert_has(t, "\n$(img_steps)/build/03.link: $(img_plans)/build/03.json "
		   "$(img_context_deps) | \\\n    $(img_steps)/build/02.id\n"
		   "\t@$(img_say_) 'COPY [build 3/4]");
	assert_has(t, "\t$(img_q_)$(img_df2ninja) exec link");
	assert_has(t, "\t@$(img_say_) 'LINK [build 3/4]");
	assert_has(t, "-include $(img_steps)/build/03.link.d\n");
	assert_has(t, "\n$(img_steps)/build/03.id: $(img_steps)/build/02.id \\\n"
		   "    $(img_steps)/build/03.link $(img_plans)/build/03.json\n");
	assert_has(t, "--layer \\\n\t    $(img_steps)/build/03.link\n");
}
END_TEST

START_TEST(test_deterministic)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *a = ninja_text(g, &o), *b = ninja_text(g, &o);
	char *c, *d;

	ck_assert_str_eq(a, b);
	/* a second graph built the same way gives the same text */
	ck_assert_str_eq(a, ninja_text(sample_graph(), &o));
	o.output = "Makefile";
	o.prefix = "img";
	c = make_text(g, &o);
	d = make_text(sample_graph(), &o);
	ck_assert_str_eq(c, d);
}
END_TEST

START_TEST(test_make_text)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t;

	o.output = "df.mk";
	o.prefix = "img";
	t = make_text(g, &o);
	assert_has(t, "# df.mk -- generated by df2ninja 0.1.0 (-G make) for "
		   "Dockerfile\n");
	assert_has(t, "\n.DELETE_ON_ERROR:\n");
	assert_has(t, "\nimg_builddir := .df2ninja\n"
		   "img_df2ninja := /usr/bin/df2ninja\n");
	assert_has(t, "\nimg_run := \nimg_plans := $(img_builddir)/plans\n"
		   "img_steps := $(img_builddir)/steps\n");
	assert_has(t, "$(img_q_)$(img_run) $(img_df2ninja) exec step --plan");
	o.run = "/usr/lib/df2ninja/df2ninja-run";
	assert_has(make_text(g, &o), "\nimg_run := /usr/lib/df2ninja/df2ninja-run "
		   "$(img_builddir)\n");
	o.run = NULL;
	assert_has(t, "\ndf.mk: Dockerfile \\\n    $(wildcard .dockerignore "
		   ".df2ninja/gen.args $(img_df2ninja))\n"
		   "\t@$(img_say_) 'REGEN $@'\n"
		   "\t$(img_q_)$(img_df2ninja) --args-file .df2ninja/gen.args && "
		   "touch $@\n");
	assert_has(t, "\n# Dockerfile:1  FROM golang:1.22 AS build\n"
		   "$(img_steps)/build/01.id: $(img_plans)/build/01.json\n"
		   "\t@$(img_say_) 'FROM [build 1/4] golang:1.22 AS build'\n"
		   "\t$(img_q_)$(img_df2ninja) exec from --plan "
		   "$(img_plans)/build/01.json --out \\\n\t    $@\n\n");
	assert_has(t, "\n$(img_steps)/build/03.id: $(img_steps)/build/02.id \\\n"
		   "    $(img_plans)/build/03.json $(img_context_deps)\n"
		   "\t@$(img_say_) 'COPY [build 3/4] go.mod ./'\n"
		   "\t$(img_q_)$(img_run) $(img_df2ninja) exec step --plan \\\n"
		   "\t    $(img_plans)/build/03.json --out $@ --depfile $@.d\n"
		   "-include $(img_steps)/build/03.id.d\n\n");
	/* $ doubled for make, inside the shell's single quotes */
	assert_has(t, "\t@$(img_say_) 'RUN  [build 4/4] go build -o /app $$HOME'\n");
	assert_has(t, "\n$(img_steps)/test/01.id: $(img_steps)/build/04.id "
		   "$(img_plans)/test/01.json\n");
	assert_has(t, "\n$(img_builddir)/out/image.id: "
		   "$(img_steps)/stage-3/config.id \\\n"
		   "    $(img_plans)/export.json\n"
		   "\t@$(img_say_) 'EXPORT $@'\n"
		   "\t$(img_q_)$(img_df2ninja) exec export --plan "
		   "$(img_plans)/export.json --out $@\n");
	assert_has(t, "\nimg-build: $(img_steps)/build/04.id\n"
		   "img-build/1: $(img_steps)/build/01.id\n");
	assert_has(t, "\nimg-stage-3/config: $(img_steps)/stage-3/config.id\n");
	assert_has(t, "\n.PHONY: img-build img-build/1 img-build/2 ");
	assert_has(t, "\nimg-image: $(img_builddir)/out/image.id\n"
		   "img-all: img-image\n.PHONY: img-image img-all\n");
	assert_has(t, "\n.DEFAULT_GOAL := img-image\n");
	assert_lacks(t, "unused");
	assert_lacks(t, "@P@");
	assert_lacks(t, "@T@");
	assert_width(t, 78);

	/* no prefix: plain names */
	o.prefix = "";
	t = make_text(g, &o);
	assert_has(t, "\nbuilddir := .df2ninja\n");
	assert_has(t, "\nbuild/2: $(steps)/build/02.id\n");
	assert_has(t, "\nimage: $(builddir)/out/image.id\nall: image\n");
}
END_TEST

START_TEST(test_make_escape)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	struct buf b = BUF_INIT;
	struct err *e = NULL;
	char *t;

	o.output = "Makefile";
	o.dockerfile = "df/Docker$file";
	t = make_text(g, &o);
	assert_has(t, "\nMakefile: df/Docker$$file \\\n    $(wildcard");

	o.dockerfile = "my dir/Dockerfile";
	ck_assert_int_eq(emit_make(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "white space"));
	err_free(e);
	e = NULL;
	o.dockerfile = "Dockerfile";
	o.dockerignore = "x\n";
	ck_assert_int_eq(emit_make(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "newline"));
	err_free(e);
	e = NULL;
	o.dockerignore = ".dockerignore";
	o.prefix = "a-b";
	ck_assert_int_eq(emit_make(g, &o, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "prefix 'a-b'"));
	err_free(e);
	buf_fini(&b);
}
END_TEST

START_TEST(test_template)
{
	const struct tmpl_var vars[] = {
		{ "A", "x" },
		{ "LONG_NAME2", "<$@>" },
	};
	struct buf b = BUF_INIT;
	struct err *e = NULL;

	ck_assert_int_eq(template_expand(&b, "@A@-@LONG_NAME2@ a@@b @A@@A@\n",
					 vars, 2, &e), 0);
	ck_assert_str_eq(buf_str(&b), "x-<$@> a@b xx\n");

	buf_reset(&b);
	ck_assert_int_eq(template_expand(&b, "one\n@A@ @NOPE@\n", vars, 2, &e),
			 -1);
	ck_assert_str_eq(e->msg, "BUG: template line 2: unknown placeholder "
			 "'@NOPE@'");
	err_free(e);
	e = NULL;
	ck_assert_int_eq(template_expand(&b, "mail a@b.c\n", vars, 2, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "stray '@'"));
	err_free(e);
	buf_fini(&b);

	/* the compiled-in templates came through embed.sh whole */
	ck_assert_ptr_nonnull(strstr(tmpl_build_ninja, "\nrule ctxstep\n"));
	ck_assert_ptr_nonnull(strstr(tmpl_makefile, "\n\t$(@P@q_)$(@P@df2ninja) "));
}
END_TEST

static char *
path_in(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static char *
read_text(const char *rel)
{
	char *p = path_in(rel), *data = NULL;
	struct err *e = NULL;

	if (fs_read_file(p, &data, NULL, &e) < 0)
		ck_abort_msg("%s", e->msg);
	free(p);
	return data;
}

static time_t
mtime_of(const char *rel)
{
	char *p = path_in(rel);
	struct stat st;

	ck_assert_int_eq(stat(p, &st), 0);
	free(p);
	return st.st_mtime;
}

/* set the times of rel to ago seconds before now */
static void
age(const char *rel, time_t ago)
{
	char *p = path_in(rel);
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - ago;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static void
put_file(const char *rel, const char *data)
{
	char *p = path_in(rel), *dir = fs_dirname(p);
	struct err *e = NULL;

	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	ck_assert_int_eq(fs_write_if_changed(p, data, strlen(data), NULL, &e),
			 0);
	free(dir);
	free(p);
}

START_TEST(test_plans)
{
	struct graph *g = sample_graph();
	char *bd = path_in(".df2ninja");
	struct err *e = NULL;
	struct stat st;
	char *p;

	ck_assert_int_eq(emit_plans(g, bd, &e), 0);
	ck_assert_str_eq(read_text(".df2ninja/plans/build/03.json"),
			 "{\"step\":\"build/03\"}\n");
	ck_assert_str_eq(read_text(".df2ninja/plans/stage-3/config.json"),
			 "{\"step\":\"stage-3/config\"}\n");
	ck_assert_str_eq(read_text(".df2ninja/plans/export.json"),
			 "{\"export\":\"stage-3\"}\n");
	ck_assert_str_eq(read_text(".df2ninja/plans/where.tsv"),
			 "build/01\tDockerfile:1\t4\n"
			 "build/02\tDockerfile:2\t4\n"
			 "build/03\tDockerfile:3\t4\n"
			 "build/04\tDockerfile:4\t4\n"
			 "test/01\tDockerfile:7\t2\n"
			 "test/02\tDockerfile:8\t2\n"
			 "stage-3/01\tDockerfile:9\t3\n"
			 "stage-3/02\tDockerfile:10\t3\n"
			 "stage-3/03\tDockerfile:11\t3\n"
			 "stage-3/config\tDockerfile:12\t3\n");
	/* unneeded stages get no plans */
	p = path_in(".df2ninja/plans/unused");
	ck_assert_int_eq(stat(p, &st), -1);
	free(p);

	/* unchanged plans keep their time; a changed one is rewritten */
	age(".df2ninja/plans/build/03.json", 3600);
	age(".df2ninja/plans/build/04.json", 3600);
	age(".df2ninja/plans/where.tsv", 3600);
	free(g->stages[0].steps[3].plan);
	g->stages[0].steps[3].plan = xstrdup("{\"step\":\"changed\"}\n");
	ck_assert_int_eq(emit_plans(g, bd, &e), 0);
	ck_assert_int_le(mtime_of(".df2ninja/plans/build/03.json"),
			 time(NULL) - 3600);
	ck_assert_int_le(mtime_of(".df2ninja/plans/where.tsv"),
			 time(NULL) - 3600);
	ck_assert_int_gt(mtime_of(".df2ninja/plans/build/04.json"),
			 time(NULL) - 3600);
	ck_assert_str_eq(read_text(".df2ninja/plans/build/04.json"),
			 "{\"step\":\"changed\"}\n");

	/* a plan removed by hand, or a stage dir, comes back */
	p = path_in(".df2ninja/plans/build/02.json");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	p = xasprintf("rm -r '%s/.df2ninja/plans/test'", tmpdir);
	ck_assert_int_eq(system(p), 0);
	free(p);
	ck_assert_int_eq(emit_plans(g, bd, &e), 0);
	ck_assert_str_eq(read_text(".df2ninja/plans/build/02.json"),
			 "{\"step\":\"build/02\"}\n");
	ck_assert_str_eq(read_text(".df2ninja/plans/test/02.json"),
			 "{\"step\":\"test/02\"}\n");

	/* a missing plan is the resolver's bug, said so */
	free(g->stages[0].steps[1].plan);
	g->stages[0].steps[1].plan = NULL;
	ck_assert_int_eq(emit_plans(g, bd, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "BUG"));
	err_free(e);
	free(bd);
}
END_TEST

START_TEST(test_plans_errors)
{
	struct graph *g = sample_graph();
	char *bd = path_in(".df2ninja"), *p;
	struct err *e = NULL;

	/* a stage directory that is a file: that stage fails, said so */
	put_file(".df2ninja/plans/test", "not a directory\n");
	ck_assert_int_eq(emit_plans(g, bd, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "writing the plans: "));
	ck_assert_ptr_nonnull(strstr(e->msg, "/.df2ninja/plans/test'"));
	err_free(e);
	e = NULL;
	/* the other stages are written all the same */
	ck_assert_str_eq(read_text(".df2ninja/plans/build/01.json"),
			 "{\"step\":\"build/01\"}\n");

	/* no plans directory at all */
	p = path_in(".df2ninja/plans");
	ck_assert_int_eq(system(xasprintf("rm -r '%s'", p)), 0);
	free(p);
	put_file(".df2ninja/plans", "not a directory\n");
	ck_assert_int_eq(emit_plans(g, bd, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "writing the plans: "));
	ck_assert_ptr_nonnull(strstr(e->msg, "/.df2ninja/plans'"));
	err_free(e);

	/* start and wait without a build file in between */
	p = path_in(".df2ninja/plans");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	e = NULL;
	ck_assert_int_eq(emit_plans_wait(emit_plans_start(g, bd), &e), 0);
	ck_assert_str_eq(read_text(".df2ninja/plans/test/02.json"),
			 "{\"step\":\"test/02\"}\n");
	free(bd);
}
END_TEST

/* run cmd in tmpdir with sh; its output in *out; returns its exit status */
static int
run_in_tmp(const char *cmd, char **out)
{
	/* make check's own make must not pass its flags and jobserver on */
	char *full = xasprintf("cd '%s' && unset MAKEFLAGS MFLAGS MAKELEVEL "
			       "&& { %s ; } >cmd.out 2>&1", tmpdir, cmd);
	int status = system(full);

	free(full);
	*out = read_text("cmd.out");
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * the files a build dir holds after gen, the inputs older than the
 * generated file so that neither tool regenerates it
 */
static struct emit_opts
real_tree(const char *output)
{
	struct emit_opts o = sample_opts();
	struct graph *g = sample_graph();
	char *bd = path_in(".df2ninja");
	struct err *e = NULL;
	static char *exe;

	exe = path_in("bin/df2ninja");
	put_file("bin/df2ninja", "#!/bin/sh\nexit 1\n");
	put_file("Dockerfile", "FROM scratch\n");
	put_file(".dockerignore", "*.o\n");
	put_file(".df2ninja/gen.args", "-f\nDockerfile\n");
	ck_assert_int_eq(emit_plans(g, bd, &e), 0);
	age("bin/df2ninja", 3600);
	age("Dockerfile", 3600);
	age(".dockerignore", 3600);
	age(".df2ninja/gen.args", 3600);
	free(bd);
	o.df2ninja = exe;
	o.output = output;
	return o;
}

static const char *
tool(const char *env, const char *dflt)
{
	const char *t = getenv(env);

	return t && *t ? t : dflt;
}

START_TEST(test_ninja_dry_run)
{
	struct emit_opts o = real_tree("build.ninja");
	char *cmd, *out, *p;

	put_file("build.ninja", ninja_text(sample_graph(), &o));
	cmd = xasprintf("'%s' -n", tool("NINJA", "ninja"));
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "ninja -n failed:\n%s", out);
	assert_lacks(out, "REGEN");
	assert_has(out, "FROM [build 1/4] golang:1.22 AS build");
	assert_has(out, "RUN  [build 4/4] go build -o /app $HOME");
	assert_has(out, "CONF [stage-3 config] CMD [\"/app\"]");
	assert_has(out, "EXPORT .df2ninja/out/image.id");
	assert_lacks(out, "never");

	/* a missing .dockerignore neither stops the build nor regenerates */
	p = path_in(".dockerignore");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "ninja -n failed:\n%s", out);
	assert_lacks(out, "REGEN");
	assert_has(out, "EXPORT .df2ninja/out/image.id");
	free(cmd);

	/* a step alias builds up to that step only */
	cmd = xasprintf("'%s' -n build/2", tool("NINJA", "ninja"));
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "ninja -n failed:\n%s", out);
	assert_has(out, "WORK [build 2/4] /src");
	assert_lacks(out, "[build 3/4]");
	free(cmd);
}
END_TEST

START_TEST(test_make_dry_run)
{
	struct emit_opts o = real_tree("df.mk");
	char *cmd, *out;

	/* on its own: the image is the default goal */
	put_file("df.mk", make_text(sample_graph(), &o));
	cmd = xasprintf("'%s' -n -f df.mk", tool("MAKE", "make"));
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "make -n failed:\n%s", out);
	assert_has(out, "/bin/df2ninja exec from --plan "
		   ".df2ninja/plans/build/01.json --out "
		   ".df2ninja/steps/build/01.id");
	assert_has(out, "exec export --plan .df2ninja/plans/export.json");
	assert_lacks(out, "--args-file");
	assert_lacks(out, "never");
	free(cmd);

	/* included with a prefix, after the includer's first target */
	o.prefix = "img";
	put_file("df.mk", make_text(sample_graph(), &o));
	put_file("Makefile", "first:\n\t@echo parent default\n"
		 "include df.mk\n");
	cmd = xasprintf("'%s' -n", tool("MAKE", "make"));
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "make -n failed:\n%s", out);
	assert_has(out, "echo parent default");
	assert_lacks(out, "exec");

	/* included before any target of the includer: still not the goal */
	put_file("Makefile", "include df.mk\nfirst:\n\t@echo parent default\n");
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "make -n failed:\n%s", out);
	assert_has(out, "echo parent default");
	assert_lacks(out, "exec");
	free(cmd);

	cmd = xasprintf("'%s' -n img-build/3", tool("MAKE", "make"));
	ck_assert_msg(run_in_tmp(cmd, &out) == 0, "make -n failed:\n%s", out);
	assert_has(out, "echo 'COPY [build 3/4] go.mod ./'\n");
	assert_has(out, "exec step --plan \\\n    .df2ninja/plans/build/03.json --out "
		   ".df2ninja/steps/build/03.id --depfile .df2ninja/steps/build/03.id.d");
	assert_lacks(out, "build/04");
	free(cmd);
}
END_TEST

/*
 * walk_emit with a backend that writes down what it is asked for, one
 * line a call, so the walk's order and choices can be read off the text
 */
static const char *rec_refused;	/* escape_path refuses this name */
static bool rec_head_fails;

static int
rec_escape(struct buf *b, const char *path, const char *what,
	   struct err **errp)
{
	if (rec_refused && !strcmp(path, rec_refused))
		return err_make(errp, 0, "%s '%s' refused", what, path);
	buf_puts(b, path);
	return 0;
}

static int
rec_prepare(struct walk *w, struct err **errp)
{
	buf_printf(walk_var(w, "X"), "var=%s tgt=%s", w->var, w->tgt);
	return 0;
}

static int
rec_head(struct walk *w, struct buf *b, struct err **errp)
{
	if (rec_head_fails)
		return err_make(errp, 0, "head failed");
	buf_puts(b, "HEAD\n");
	return 0;
}

static void
rec_always(struct walk *w, struct buf *b)
{
	buf_puts(b, "ALWAYS\n");
}

static void
rec_step(struct walk *w, struct buf *b, const struct walk_edge *e)
{
	buf_printf(b, "STEP %s %s%s <", e->st->name, e->exec,
		   e->has_depfile ? " depfile" : "");
	for (size_t i = 0; i < e->nins; i++)
		buf_printf(b, " %s", e->ins[i]->name);
	buf_puts(b, " >\n");
}

static void
rec_export(struct walk *w, struct buf *b, const struct step *const *lasts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "EXPORT %s\n", lasts[i]->name);
}

static void
rec_alias(struct walk *w, struct buf *b, const char *target,
	  const struct step *st)
{
	buf_printf(b, "ALIAS %s %s\n", target, st->name);
}

static void
rec_aliases_end(struct walk *w, struct buf *b, const struct strv *targets)
{
	buf_printf(b, "END %zu %s %s\n", targets->n, targets->v[0],
		   targets->v[targets->n - 1]);
}

static const struct walk_backend rec = {
	.tmpl = "@BODY@\n--\n@OUTPUT@ @DOCKERFILE@ @INPUTS@ @VERSION@ "
		"@REGISTRY_DEPTH@ @X@\n",
	.has_prefix = true,
	.escape_path = rec_escape,
	.prepare = rec_prepare,
	.head = rec_head,
	.always = rec_always,
	.step = rec_step,
	.export = rec_export,
	.alias = rec_alias,
	.aliases_end = rec_aliases_end,
};

static char *
walk_text(const struct graph *g, const struct emit_opts *o,
	  const struct walk_backend *be)
{
	struct buf b = BUF_INIT;
	struct err *e = NULL;

	if (walk_emit(g, o, be, &b, &e) < 0)
		ck_abort_msg("walk_emit: %s", e->msg);
	return buf_steal(&b);
}

/* the message walk_emit fails with; it must append nothing */
static char *
walk_error(const struct graph *g, const struct emit_opts *o,
	   const struct walk_backend *be)
{
	struct buf b = BUF_INIT;
	struct err *e = NULL;
	char *msg;

	if (walk_emit(g, o, be, &b, &e) == 0)
		ck_abort_msg("walk_emit did not fail");
	ck_assert_uint_eq(b.len, 0);
	msg = xstrdup(e->msg);
	err_free(e);
	return msg;
}

/* a, then b, later in text */
static void
assert_before(const char *text, const char *a, const char *b)
{
	const char *pa = strstr(text, a), *pb = strstr(text, b);

	ck_assert_msg(pa && pb && pa < pb, "'%s' not before '%s' in:\n%s", a,
		      b, text);
}

START_TEST(test_walk_order)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	char *t;

	o.prefix = "img";
	t = walk_text(g, &o, &rec);
	/* the head first; no ALWAYS without a step that runs always */
	ck_assert(!strncmp(t, "HEAD\n# ---- stage 0 \"build\"", 27));
	assert_lacks(t, "ALWAYS");
	/* a comment line, then the edge: its inputs, verb and depfile */
	assert_has(t, "\n\n# Dockerfile:1  FROM golang:1.22 AS build\n"
		   "STEP build/01 from < >\n# Dockerfile:2  WORKDIR /src\n"
		   "STEP build/02 step < build/01 >\n");
	assert_has(t, "\nSTEP build/03 step depfile < build/02 >\n");
	assert_has(t, "\nSTEP test/01 from < build/04 >\n");
	assert_has(t, "\nSTEP stage-3/03 step < stage-3/02 test/02 >\n"
		   "# Dockerfile:12-13  CMD [\"/app\"]\n"
		   "STEP stage-3/config step < stage-3/03 >\n# ---- export: "
		   "stage \"stage-3\" ---");
	/* the stage the target does not need is left out */
	assert_lacks(t, "unused");
	assert_before(t, "# ---- stage 0", "# ---- stage 2 \"test\"");
	assert_before(t, "# ---- stage 2", "# ---- stage 3 \"stage-3\"");
	assert_has(t, "-\n\nEXPORT stage-3/config\n# ---- targets: ");
	/* a stage, made by its last step, then each step; prefixed */
	assert_has(t, "-\nALIAS img-build build/04\n"
		   "ALIAS img-build/1 build/01\n");
	assert_has(t, "\nALIAS img-build/4 build/04\nALIAS img-test test/02\n");
	assert_has(t, "\nALIAS img-stage-3/config stage-3/config\n"
		   "END 13 img-build img-stage-3/config\n--\n");
	/* the header's placeholders, one newline ending the body */
	assert_has(t, "\n--\nbuild.ninja Dockerfile Dockerfile .dockerignore "
		   ".df2ninja/gen.args 0.1.0 3 var=img_ tgt=img-\n");

	/* a needed step that runs always: once, after the head */
	g->stages[0].steps[2].runs_always = true;
	g->stages[3].steps[1].runs_always = true;
	t = walk_text(g, &o, &rec);
	ck_assert(!strncmp(t, "HEAD\nALWAYS\n# ---- stage 0", 26));
	ck_assert_ptr_null(strstr(strstr(t, "ALWAYS") + 1, "ALWAYS"));
	/* in an unneeded stage it asks for nothing */
	g->stages[0].steps[2].runs_always = false;
	g->stages[3].steps[1].runs_always = false;
	g->stages[1].steps[1].runs_always = true;
	assert_lacks(walk_text(g, &o, &rec), "ALWAYS");
}
END_TEST

START_TEST(test_walk_prefix)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	struct walk_backend plain = rec;
	char *t;

	/* no prefix: plain names */
	t = walk_text(g, &o, &rec);
	assert_has(t, "\nALIAS build build/04\n");
	assert_has(t, " var= tgt=\n");

	/* a backend without prefixes ignores it, even when not a word */
	plain.has_prefix = false;
	o.prefix = "a-b";
	t = walk_text(g, &o, &plain);
	assert_has(t, "\nALIAS build/1 build/01\n");
	o.prefix = NULL;
	t = walk_text(g, &o, &plain);
	assert_has(t, " var= tgt=\n");

	ck_assert_str_eq(walk_error(g, &o, &rec),
			 "BUG: emit options incomplete");
	o.prefix = "a-b";
	ck_assert_str_eq(walk_error(g, &o, &rec), "prefix 'a-b' may hold "
			 "only letters, digits and '_'");
}
END_TEST

START_TEST(test_walk_checks)
{
	struct graph *g = sample_graph();
	struct emit_opts o = sample_opts();
	struct walk_backend plain = rec;

	/* names the syntax cannot hold */
	rec_refused = "test/02";
	ck_assert_str_eq(walk_error(g, &o, &rec),
			 "step name 'test/02' refused");
	rec_refused = "test";
	ck_assert_str_eq(walk_error(g, &o, &rec), "stage name 'test' refused");
	/* an unneeded stage is not written, so not checked */
	rec_refused = "unused/01";
	walk_text(g, &o, &rec);
	rec_refused = NULL;

	/* a target naming a file of the options, prefix included */
	o.prefix = "x";
	o.dockerignore = "x-test/2";
	ck_assert_str_eq(walk_error(g, &o, &rec), "target 'x-test/2' would "
			 "name the file 'x-test/2' too; rename the stage");
	o.dockerignore = NULL;
	o.genargs = "x-stage-3";
	assert_has(walk_error(g, &o, &rec), "target 'x-stage-3'");
	o.prefix = "";
	walk_text(g, &o, &rec);

	/* the output must be a plain word only where a recipe names it */
	o = sample_opts();
	o.output = "out file";
	walk_text(g, &o, &rec);
	plain.output_in_recipe = true;
	assert_has(walk_error(g, &o, &plain), "output file 'out file'");

	/* a failing hook fails the walk */
	o = sample_opts();
	rec_head_fails = true;
	ck_assert_str_eq(walk_error(g, &o, &rec), "head failed");
	rec_head_fails = false;
	/* hooks that may be left out */
	plain = rec;
	plain.head = NULL;
	plain.prepare = NULL;
	plain.aliases_end = NULL;
	plain.tmpl = "@BODY@\n";
	walk_text(g, &o, &plain);
}
END_TEST

static Suite *
emit_suite(void)
{
	Suite *s = suite_create("emit");
	TCase *tc;

	UNIT_TCASE(s, "template_expand", test_template);
	UNIT_TCASE(s, "escape", test_escape_functions);
	tc = tcase_create("emit_ninja");
	tcase_add_test(tc, test_ninja_header);
	tcase_add_test(tc, test_ninja_regen);
	tcase_add_test(tc, test_ninja_steps);
	tcase_add_test(tc, test_ninja_long);
	tcase_add_test(tc, test_ninja_aliases);
	tcase_add_test(tc, test_ninja_drive);
	tcase_add_test(tc, test_ninja_escape);
	tcase_add_test(tc, test_ninja_reserved);
	tcase_add_test(tc, test_runs_always);
	tcase_add_test(tc, test_link);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	tc = tcase_create("walk_emit");
	tcase_add_test(tc, test_walk_order);
	tcase_add_test(tc, test_walk_prefix);
	tcase_add_test(tc, test_walk_checks);
	suite_add_tcase(s, tc);
	tc = tcase_create("emit_make");
	tcase_add_test(tc, test_make_text);
	tcase_add_test(tc, test_make_escape);
	suite_add_tcase(s, tc);
	tc = tcase_create("emit_plans");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plans);
	tcase_add_test(tc, test_plans_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("dry_run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ninja_dry_run);
	tcase_add_test(tc, test_make_dry_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(emit_suite());
}

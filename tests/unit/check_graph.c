#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dockerfile/parse.h"
#include "graph/graph.h"
#include "oci/platform.h"
#include "plan/secretsrc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"
#include "unit.h"

/* a resolved Dockerfile and what it took */
struct fx {
	struct dockerfile *df;
	struct graph *g;
	struct gen_opts o;
	char *err;
};

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->o.dockerfile = "Dockerfile";
	f->o.context_rel = "..";
	f->o.builddir_rel = ".df2ninja";
}

static void
fx_fini(struct fx *f)
{
	graph_free(f->g);
	dockerfile_free(f->df);
	strv_fini(&f->o.build_args);
	strv_fini(&f->o.outputs);
	strv_fini(&f->o.tags);
	free(f->err);
	memset(f, 0, sizeof(*f));
}

/* parse and resolve text with f's options: 0, or -1 with f->err set */
static int
fx_build(struct fx *f, const char *text)
{
	struct err *e = NULL;

	if (dockerfile_parse("Dockerfile", text, strlen(text), &f->df, &e) < 0)
		ck_abort_msg("parse failed: %s", e->msg);
	if (graph_build(f->df, &f->o, &f->g, &e) < 0) {
		f->err = xstrdup(e->msg);
		err_free(e);
		return -1;
	}
	return 0;
}

/* resolve text, which must work */
static void
ok(struct fx *f, const char *text)
{
	fx_init(f);
	if (fx_build(f, text) < 0)
		ck_abort_msg("unexpected error: %s", f->err);
}

/* resolve text, which must fail with exactly want */
static void
fails(const char *text, const char *want)
{
	struct fx f;

	fx_init(&f);
	ck_assert_msg(fx_build(&f, text) < 0, "no error, want '%s'", want);
	ck_assert_msg(strcmp(f.err, want) == 0, "got '%s', want '%s'", f.err,
		      want);
	fx_fini(&f);
}

/* resolve text, which must fail with a message holding part */
static void
fails_with(struct fx *f, const char *text, const char *part)
{
	ck_assert_msg(fx_build(f, text) < 0, "no error, want '%s'", part);
	ck_assert_msg(strstr(f->err, part) != NULL, "got '%s', want '%s'",
		      f->err, part);
}

static struct stage *
stage(struct fx *f, const char *id)
{
	for (size_t i = 0; i < f->g->nstages; i++)
		if (!strcmp(f->g->stages[i].id, id))
			return &f->g->stages[i];
	ck_abort_msg("no stage '%s'", id);
	return NULL;
}

static struct step *
step(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->g->nstages; i++)
		for (size_t j = 0; j < f->g->stages[i].nsteps; j++)
			if (!strcmp(f->g->stages[i].steps[j].name, name))
				return &f->g->stages[i].steps[j];
	ck_abort_msg("no step '%s'", name);
	return NULL;
}

/* the plan of a step, parsed; the caller decrefs */
static json_t *
plan(struct fx *f, const char *name)
{
	json_error_t je;
	json_t *p = json_loads(step(f, name)->plan, 0, &je);

	ck_assert_msg(p != NULL, "plan of %s: %s", name, je.text);
	return p;
}

/* the value at a path like "config/0/env/1/1" in j */
static json_t *
at(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *part, *save = NULL;

	for (part = strtok_r(copy, "/", &save); part && j;
	     part = strtok_r(NULL, "/", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(part, NULL, 10));
		else
			j = json_object_get(j, part);
	}
	free(copy);
	return j;
}

static void
assert_str(json_t *j, const char *path, const char *want)
{
	json_t *v = at(j, path);

	ck_assert_msg(json_is_string(v), "%s: not a string", path);
	ck_assert_msg(!strcmp(json_string_value(v), want),
		      "%s: got '%s', want '%s'", path, json_string_value(v),
		      want);
}

static void
assert_raw(json_t *j, const char *path, const char *want)
{
	json_t *v = at(j, path);

	ck_assert_msg(json_is_object(v), "%s: not deferred", path);
	assert_str(v, "raw", want);
}

static const char *
host_platform(char *buf)
{
	struct platform p;

	platform_host(&p);
	platform_format(&p, buf);
	return buf;
}

START_TEST(test_stage_names)
{
	struct fx f;

	ok(&f, "FROM alpine AS Build\nRUN true\n"
	       "FROM scratch\n"
	       "FROM build AS final\n");
	ck_assert_uint_eq(f.g->nstages, 3);
	ck_assert_str_eq(f.g->stages[0].name, "build");
	ck_assert_str_eq(f.g->stages[0].id, "build");
	ck_assert_ptr_null(f.g->stages[1].name);
	ck_assert_str_eq(f.g->stages[1].id, "stage-1");
	ck_assert_int_eq(f.g->stages[1].index, 1);
	ck_assert_str_eq(f.g->stages[0].base, "alpine");
	ck_assert_str_eq(f.g->stages[0].steps[1].name, "build/02");
	ck_assert_int_eq(f.g->stages[0].nnumbered, 2);
	ck_assert_ptr_eq(f.g->target, &f.g->stages[2]);
	ck_assert_str_eq(step_kind_name(STEP_WORKDIR), "WORKDIR");
	fx_fini(&f);

	/* a duplicate name: BuildKit's lint warning; a FROM names the
	 * stage so named when it is read, --from and --target the last */
	ok(&f, "FROM alpine AS build\nFROM alpine AS BUILD\n"
	       "FROM build AS build\nFROM alpine\n"
	       "COPY --from=build /a /b\n");
	ck_assert_str_eq(f.g->stages[0].id, "stage-0");
	ck_assert_str_eq(f.g->stages[1].id, "stage-1");
	ck_assert_str_eq(f.g->stages[2].id, "build");
	ck_assert_ptr_eq(f.g->stages[2].parent, &f.g->stages[1]);
	ck_assert_ptr_eq(f.g->stages[3].steps[1].deps[0], &f.g->stages[2]);
	ck_assert_uint_eq(f.g->warnings.n, 2);
	ck_assert_str_eq(f.g->warnings.v[0],
			 "Dockerfile:2: duplicate stage name 'build' (also at "
			 "line 1), stage names should be unique");
	fx_fini(&f);
	fails("FROM alpine AS 1st\n",
	      "Dockerfile:1:1: error: invalid name for build stage: '1st', "
	      "name can't start with a number or contain symbols");
	fails("FROM alpine AS\n",
	      "Dockerfile:1:1: error: FROM requires either one or three "
	      "arguments");
}
END_TEST

START_TEST(test_reserved_names)
{
	struct fx f;
	static const char *const bad[] = { "image", "all", "clean", "default",
					   "stage-0" };
	char text[64], want[200];

	for (size_t i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "FROM alpine\nFROM alpine AS %s\n",
			 bad[i]);
		snprintf(want, sizeof(want), "Dockerfile:2:1: error: stage name "
			 "'%s' is reserved for a target of the generated build; "
			 "rename the stage (FROM ... AS other)", bad[i]);
		fails(text, want);
	}
	fails("FROM alpine AS scratch\n",
	      "Dockerfile:1:1: error: stage name 'scratch' is reserved by the "
	      "Dockerfile syntax; rename the stage (FROM ... AS other)");
	/* stage-N is fine where N is its own index */
	ok(&f, "FROM alpine\nFROM alpine AS stage-1\n");
	ck_assert_str_eq(f.g->stages[1].id, "stage-1");
	fx_fini(&f);
}
END_TEST

START_TEST(test_from_stage)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine AS base\nRUN make\nUSER app\n"
	       "FROM base AS next\nRUN ls\n");
	ck_assert_ptr_eq(stage(&f, "next")->parent, stage(&f, "base"));
	ck_assert_str_eq(stage_last_step(stage(&f, "base"))->name,
			 "base/config");
	p = plan(&f, "next/01");
	assert_str(p, "base/type", "stage");
	assert_str(p, "base/stage", "base");
	assert_str(p, "parent", "base/config");
	ck_assert_uint_eq(step(&f, "next/01")->ndeps, 1);
	ck_assert_ptr_eq(step(&f, "next/01")->deps[0], stage(&f, "base"));
	ck_assert(!step(&f, "next/01")->pulls);
	ck_assert(step(&f, "base/01")->pulls);
	json_decref(p);
	p = plan(&f, "base/01");
	ck_assert(json_is_null(at(p, "parent")));
	assert_str(p, "base/type", "image");
	assert_str(p, "base/ref", "alpine");
	json_decref(p);
	fx_fini(&f);

	fails("FROM later\nFROM alpine AS later\n",
	      "Dockerfile:1:1: error: FROM 'later' names a stage defined later "
	      "(line 2); a stage can only start from an earlier one");
	fails("FROM node AS node\n",
	      "Dockerfile:1:1: error: FROM 'node' names its own stage; to use "
	      "the image, write its full name (docker.io/library/node) or "
	      "rename the stage");
	fails("FROM alpine AS build\nFROM Build\n",
	      "Dockerfile:2:1: error: invalid image reference 'Build': "
	      "repository name must be lowercase (stage names are lower-case: "
	      "did you mean 'build'?)");
}
END_TEST

START_TEST(test_copy_from)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine AS a\nRUN touch /x\n"
	       "FROM scratch AS b\n"
	       "COPY --from=a /x /1\n"
	       "COPY --from=0 /x /2\n"
	       "COPY --from=busybox:1.36 /bin/sh /3\n"
	       "COPY --from=A /x /4\n");
	p = plan(&f, "b/02");
	assert_str(p, "from/stage", "a");
	assert_str(p, "from/step", "a/02");
	ck_assert(!step(&f, "b/02")->reads_context);
	ck_assert_ptr_eq(step(&f, "b/02")->deps[0], stage(&f, "a"));
	json_decref(p);
	p = plan(&f, "b/03");
	assert_str(p, "from/stage", "a");
	json_decref(p);
	p = plan(&f, "b/04");
	assert_str(p, "from/image", "busybox:1.36");
	ck_assert_uint_eq(step(&f, "b/04")->ndeps, 0);
	ck_assert(step(&f, "b/04")->pulls);
	json_decref(p);
	ck_assert_ptr_eq(step(&f, "b/05")->deps[0], stage(&f, "a"));
	fx_fini(&f);

	/* a later stage is fine for COPY --from */
	ok(&f, "FROM alpine\nCOPY --from=tools /t /t\n"
	       "FROM alpine AS tools\n");
	ck_assert(stage(&f, "tools")->needed);
	fx_fini(&f);

	fails("FROM alpine\nRUN true\nCOPY --from=5 /x /y\n",
	      "Dockerfile:3:1: error: --from=5: there is no stage with index 5 "
	      "(stages are numbered from 0 to 0)");
	fails("FROM alpine\nCOPY --from=$X /x /y\n",
	      "Dockerfile:2:1: error: variable expansion is not supported for "
	      "--from, define a new stage with FROM using ARG from global scope "
	      "as a workaround");
}
END_TEST

/* --secret id=tok,env=TOK and --ssh default=/agent, as gen.c makes them */
static struct secretsrc_entry tok_entries[] = {
	{ false, (char *)"tok", true, (char *)"TOK", NULL },
	{ true, (char *)"default", false, (char *)"/agent", NULL },
};
static const struct secretsrc tok_sources = { tok_entries, 2 };

START_TEST(test_run_mount)
{
	struct fx f;
	json_t *p;

	fx_init(&f);
	f.o.sources = &tok_sources;
	ck_assert_msg(fx_build(&f, "FROM alpine AS deps\n"
	       "FROM alpine\n"
	       "RUN --mount=type=bind,from=deps,source=/lib,target=/l "
	       "--mount=type=cache,target=/c,sharing=locked,id=x "
	       "--mount=type=bind,target=/src ls\n"
	       "RUN --mount=type=secret,id=tok,required make\n"
	       "RUN --mount=from=0,target=/z true\n") == 0, "%s", f.err);
	p = plan(&f, "stage-1/02");
	assert_str(p, "mounts/0/type", "bind");
	assert_str(p, "mounts/0/from/stage", "deps");
	ck_assert(json_is_true(at(p, "mounts/0/readonly")));
	assert_str(p, "mounts/1/sharing", "locked");
	ck_assert(json_is_false(at(p, "mounts/1/readonly")));
	assert_str(p, "context", "..");
	json_decref(p);
	ck_assert(step(&f, "stage-1/02")->reads_context);
	ck_assert_ptr_eq(step(&f, "stage-1/02")->deps[0], stage(&f, "deps"));
	ck_assert(stage(&f, "deps")->needed);
	p = plan(&f, "stage-1/03");
	ck_assert(json_is_true(at(p, "mounts/0/required")));
	json_decref(p);
	ck_assert(!step(&f, "stage-1/03")->reads_context);
	ck_assert_ptr_eq(step(&f, "stage-1/04")->deps[0], stage(&f, "deps"));
	fx_fini(&f);

	fx_init(&f);
	fails_with(&f, "FROM alpine\nRUN --mount=type=nfs,target=/x true\n",
		   "Dockerfile:2:1: error: unsupported mount type 'nfs'");
	fx_fini(&f);
	fx_init(&f);
	fails_with(&f, "FROM alpine\nRUN --mount=type=bind,target=/x,foo=1 true\n",
		   "unexpected key 'foo' in 'foo=1'");
	fx_fini(&f);
	fx_init(&f);
	fails_with(&f, "FROM alpine\nRUN --mount=type=bind,from=$S,target=/x true\n",
		   "'from' doesn't support variable expansion");
	fx_fini(&f);
	fx_init(&f);
	fails_with(&f, "FROM alpine\nRUN --network=bridge true\n",
		   "unsupported network mode 'bridge'");
	fx_fini(&f);
}
END_TEST

/* a required secret or agent not given: refused at its line when the
 * stage is needed; the id is source=, id= or the target's base name */
START_TEST(test_run_mount_secrets)
{
	struct fx f;

	fails("FROM alpine\nRUN true\nRUN --mount=type=secret,id=x,required true\n",
	      "Dockerfile:3:1: error: secret 'x' not found (required): give it "
	      "with --secret id=x");
	fails("FROM alpine\nRUN --mount=type=secret,target=/a/key,required=true true\n",
	      "Dockerfile:2:1: error: secret 'key' not found (required): give it "
	      "with --secret id=key");
	fails("FROM alpine\nRUN --mount=type=secret,target=key,required=true true\n",
	      "Dockerfile:2:1: error: secret 'key' not found (required): give it "
	      "with --secret id=key");
	fails("FROM alpine\nRUN --mount=type=ssh,required true\n",
	      "Dockerfile:2:1: error: no ssh agent 'default' (required): give it "
	      "with --ssh default[=SOCKET]");
	fails("FROM alpine\nRUN --mount=type=ssh,source=x true\n",
	      "Dockerfile:2:1: error: ssh does not support source");
	fails("FROM alpine\nRUN --mount=type=secret,env=X true\n",
	      "Dockerfile:2:1: error: invalid secret mount: one of source, target "
	      "required");
	/* not needed, optional, or given */
	ok(&f, "FROM alpine AS unused\nRUN --mount=type=secret,id=x,required true\n"
	       "FROM alpine\nRUN --mount=type=secret,id=y --mount=type=ssh,id=z true\n");
	fx_fini(&f);
	fx_init(&f);
	f.o.sources = &tok_sources;
	ck_assert_msg(fx_build(&f, "FROM alpine\nRUN --mount=type=secret,source=tok,required "
			       "--mount=type=ssh,required true\n") == 0, "%s", f.err);
	fx_fini(&f);
}
END_TEST

START_TEST(test_cycles)
{
	fails("FROM alpine AS a\nCOPY --from=b /x /x\n"
	      "FROM alpine AS b\nCOPY --from=a /y /y\n",
	      "Dockerfile:4:1: error: circular dependency between stages: "
	      "a -> b -> a");
	fails("FROM alpine AS a\nCOPY --from=a /x /x\n",
	      "Dockerfile:2:1: error: circular dependency between stages: "
	      "a -> a");
	fails("FROM alpine AS a\nRUN --mount=from=b,target=/m true\n"
	      "FROM a AS b\n",
	      "Dockerfile:3:1: error: circular dependency between stages: "
	      "a -> b -> a");
}
END_TEST

START_TEST(test_global_args)
{
	struct fx f;
	json_t *p;

	ok(&f, "ARG REPO=docker.io/library\nARG TAG=3.19\n"
	       "FROM ${REPO}/alpine:${TAG} AS a\n"
	       "ARG TAG\nARG REPO=mine\nARG OTHER\nRUN echo\n");
	ck_assert_str_eq(stage(&f, "a")->base, "docker.io/library/alpine:3.19");
	p = plan(&f, "a/02");
	/* ARG without a value takes the global one; a default wins over it */
	assert_str(p, "config/0/args/0/value", "3.19");
	assert_str(p, "config/1/args/0/value", "mine");
	ck_assert(json_is_null(at(p, "config/2/args/0/value")));
	assert_str(p, "args/0/name", "TAG");
	assert_str(p, "args/1/value", "mine");
	json_decref(p);
	fx_fini(&f);

	/* a global ARG is not in a stage's scope until redeclared */
	ok(&f, "ARG V=1\nFROM scratch\nENV A=${V:-unset}\nARG V\nENV B=$V\n"
	       "RUN x\n");
	p = plan(&f, "stage-0/02");
	assert_str(p, "config/0/env/0/1", "unset");
	assert_str(p, "config/2/env/0/1", "1");
	json_decref(p);
	fx_fini(&f);

	fails("ARG B\nFROM $B\n",
	      "Dockerfile:2:1: error: base name ($B) should not be blank");
}
END_TEST

START_TEST(test_inheritance)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM scratch AS a\nARG V=1\nENV E=2\n"
	       "FROM a AS b\nENV F=$V-$E\nRUN x\n");
	p = plan(&f, "b/02");
	assert_str(p, "config/0/env/0/1", "1-2");
	assert_str(p, "args/0/name", "V");
	assert_str(p, "args/0/value", "1");
	json_decref(p);
	fx_fini(&f);
}
END_TEST

START_TEST(test_inheritance_shared)
{
	struct fx f;
	json_t *p;

	/* b copies a's ARGs and env, c (the last built on a) takes them over,
	 * and d takes c's in turn: all must see the same */
	ok(&f, "FROM scratch AS a\nARG V=1\nENV E=2\n"
	       "FROM a AS b\nARG W=b\nRUN x\n"
	       "FROM a AS c\nARG W=c\nRUN y\n"
	       "FROM c AS d\nENV F=$V-$E-$W\nRUN z\n");
	p = plan(&f, "b/02");
	assert_str(p, "args/0/name", "V");
	assert_str(p, "args/1/value", "b");
	json_decref(p);
	p = plan(&f, "c/02");
	assert_str(p, "args/0/value", "1");
	assert_str(p, "args/1/value", "c");
	json_decref(p);
	p = plan(&f, "d/02");
	assert_str(p, "config/0/env/0/1", "1-2-c");
	assert_str(p, "args/1/name", "W");
	json_decref(p);
	fx_fini(&f);
}
END_TEST

START_TEST(test_build_args)
{
	struct fx f;
	json_t *p;

	fx_init(&f);
	strv_add(&f.o.build_args, "V=cli");
	strv_add(&f.o.build_args, "FROMENV");
	strv_add(&f.o.build_args, "UNSETENV");
	strv_add(&f.o.build_args, "UNUSED=1");
	strv_add(&f.o.build_args, "GLOBAL=g");
	setenv("FROMENV", "env-value", 1);
	unsetenv("UNSETENV");
	ck_assert_int_eq(fx_build(&f, "ARG GLOBAL=x\nFROM scratch\n"
			 "ARG V=default\nARG FROMENV=d\nARG UNSETENV=kept\n"
			 "ARG GLOBAL\nRUN x\n"), 0);
	p = plan(&f, "stage-0/02");
	assert_str(p, "config/0/args/0/value", "cli");
	assert_str(p, "config/1/args/0/value", "env-value");
	assert_str(p, "config/2/args/0/value", "kept");
	assert_str(p, "config/3/args/0/value", "g");
	json_decref(p);
	ck_assert_uint_eq(f.g->warnings.n, 1);
	ck_assert_str_eq(f.g->warnings.v[0],
			 "Dockerfile: build arg 'UNUSED' was not consumed");
	fx_fini(&f);
}
END_TEST

START_TEST(test_proxy_args)
{
	struct fx f;
	json_t *p;

	fx_init(&f);
	strv_add(&f.o.build_args, "HTTP_PROXY=http://proxy:3128");
	strv_add(&f.o.build_args, "no_proxy=localhost");
	ck_assert_int_eq(fx_build(&f, "FROM alpine\nENV X=${HTTP_PROXY}\n"
			 "RUN wget x\n"), 0);
	ck_assert_uint_eq(f.g->warnings.n, 0);
	p = plan(&f, "stage-0/02");
	assert_str(p, "proxy/http_proxy", "http://proxy:3128");
	assert_str(p, "proxy/no_proxy", "localhost");
	/* not in scope for expansion without an ARG */
	assert_raw(p, "config/0/env/0/1", "${HTTP_PROXY}");
	json_decref(p);
	fx_fini(&f);
}
END_TEST

START_TEST(test_platform_args)
{
	struct fx f;
	struct platform h;
	char host[96];
	json_t *p;

	platform_host(&h);
	host_platform(host);
	ok(&f, "FROM --platform=$BUILDPLATFORM scratch\n"
	       "ENV BEFORE=${TARGETARCH:-none}\n"
	       "ARG TARGETARCH\nARG TARGETPLATFORM\nARG TARGETSTAGE\n"
	       "ENV AFTER=$TARGETARCH\nRUN x\n");
	p = plan(&f, "stage-0/02");
	assert_str(p, "config/0/env/0/1", "none");
	assert_str(p, "config/1/args/0/value", h.arch);
	assert_str(p, "config/2/args/0/value", host);
	assert_str(p, "config/3/args/0/value", "");
	assert_str(p, "config/4/env/0/1", h.arch);
	json_decref(p);
	p = plan(&f, "stage-0/01");
	assert_str(p, "base/platform", host);
	json_decref(p);
	fx_fini(&f);

	/* global scope sees them in FROM */
	ok(&f, "FROM alpine:${TARGETOS}\n");
	ck_assert_str_eq(f.g->stages[0].base, "alpine:linux");
	fx_fini(&f);

	fx_init(&f);
	f.o.platform = host;
	ck_assert_int_eq(fx_build(&f, "FROM alpine\n"), 0);
	fx_fini(&f);
}
END_TEST

START_TEST(test_foreign_platform)
{
	struct fx f;
	char host[96], text[160];
	const char *other = strcmp(host_platform(host), "linux/arm64") ?
			    "linux/arm64" : "linux/amd64";
	json_t *p;

	/* a FROM --platform other than the host's: its plan carries it */
	snprintf(text, sizeof(text), "FROM --platform=%s alpine\n", other);
	ok(&f, text);
	p = plan(&f, "stage-0/01");
	assert_str(p, "base/platform", other);
	json_decref(p);
	fx_fini(&f);

	/* --platform: the TARGET* ARGs and the FROM plans name it, BUILD*
	 * the host; a stage pinned to $BUILDPLATFORM is the host's */
	fx_init(&f);
	f.o.platform = other;
	ck_assert_int_eq(fx_build(&f, "FROM --platform=$BUILDPLATFORM alpine AS b\n"
				  "FROM scratch\nARG TARGETPLATFORM BUILDPLATFORM\n"
				  "RUN x\n"), 0);
	p = plan(&f, "stage-1/02");
	assert_str(p, "config/0/args/0/value", other);
	assert_str(p, "config/0/args/1/value", host);
	json_decref(p);
	p = plan(&f, "stage-1/01");
	assert_str(p, "base/platform", other);
	json_decref(p);
	p = plan(&f, "b/01");
	assert_str(p, "base/platform", host);
	json_decref(p);
	fx_fini(&f);
}
END_TEST

/* graph_build_multi: the stage ids and what is shared */
static int
multi(struct fx *f, const char *text)
{
	struct err *e = NULL;

	if (dockerfile_parse("Dockerfile", text, strlen(text), &f->df, &e) < 0)
		ck_abort_msg("parse failed: %s", e->msg);
	if (graph_build_multi(f->df, &f->o, &f->g, &e) < 0) {
		f->err = xstrdup(e->msg);
		err_free(e);
		return -1;
	}
	return 0;
}

START_TEST(test_multi_platform)
{
	struct fx f;
	json_t *p;
	char host[96], want[300], text[160];
	const char *other = strcmp(host_platform(host), "linux/arm64") ?
			    "linux/arm64" : "linux/amd64";

	fx_init(&f);
	f.o.platform = "linux/amd64,linux/arm64,linux/amd64";
	ck_assert_int_eq(multi(&f,
		"FROM --platform=$BUILDPLATFORM alpine AS tool\nRUN make\n"
		"FROM tool AS more\nRUN more\n"
		"FROM --platform=$BUILDPLATFORM alpine AS cross\nARG TARGETARCH\nRUN cc\n"
		"FROM --platform=$BUILDPLATFORM alpine AS late\nCOPY --from=cross /a /a\n"
		"FROM scratch\nCOPY --from=more /t /t\nCOPY --from=late /a /a\n"), 0);
	/* the list's duplicate counts once */
	ck_assert_uint_eq(f.g->nplatforms, 2);
	ck_assert_str_eq(f.g->platforms.v[1], "linux/arm64");
	/* shared: pinned, no TARGET*, from shared stages only */
	ck_assert(stage(&f, "tool")->needed);
	ck_assert(stage(&f, "more")->needed);
	ck_assert_ptr_eq(stage(&f, "more")->parent, stage(&f, "tool"));
	/* per platform: reads TARGETARCH, or copies from such a stage */
	stage(&f, "cross@linux-amd64");
	stage(&f, "cross@linux-arm64");
	stage(&f, "late@linux-arm64");
	ck_assert_ptr_eq(f.g->ptargets[1], stage(&f, "stage-4@linux-arm64"));
	ck_assert_ptr_eq(f.g->target, stage(&f, "stage-4@linux-amd64"));
	ck_assert_uint_eq(f.g->nstages, 2 + 3 * 2);
	ck_assert_ptr_eq(step(&f, "late@linux-arm64/02")->deps[0],
			 stage(&f, "cross@linux-arm64"));
	ck_assert_ptr_eq(step(&f, "stage-4@linux-arm64/02")->deps[0], stage(&f, "more"));
	p = plan(&f, "stage-4@linux-arm64/01");
	assert_str(p, "base/platform", "linux/arm64");
	json_decref(p);
	p = json_loads(f.g->export_plan, 0, NULL);
	assert_str(p, "platforms/1/platform", "linux/arm64");
	assert_str(p, "platforms/1/last", "stage-4@linux-arm64/03");
	assert_str(p, "platforms/0/stage", "stage-4@linux-amd64");
	json_decref(p);
	fx_fini(&f);

	/* FROM --platform from a global ARG: pinned to it, so shared; one
	 * naming $TARGETPLATFORM is per platform */
	fx_init(&f);
	f.o.platform = "linux/amd64,linux/arm64";
	ck_assert_int_eq(multi(&f, "ARG P=linux/riscv64\n"
			       "FROM --platform=$P scratch AS pin\nCOPY a /a\n"
			       "FROM --platform=$TARGETPLATFORM scratch AS t\n"
			       "COPY --from=pin /a /a\n"), 0);
	p = plan(&f, "pin/01");
	assert_str(p, "base/platform", "linux/riscv64");
	json_decref(p);
	p = plan(&f, "t@linux-arm64/01");
	assert_str(p, "base/platform", "linux/arm64");
	json_decref(p);
	ck_assert_uint_eq(f.g->nstages, 3);
	fx_fini(&f);

	/* an image read by a stage not on the host's platform: its manifest
	 * for the stage's platform (named in the plan and the stage), the
	 * host's without a "platform" */
	snprintf(text, sizeof(text), "FROM --platform=%s scratch AS x\n"
		 "COPY --from=alpine /a /a\nFROM x AS y\nCOPY --from=alpine /a /a\n"
		 "FROM scratch\nCOPY --from=alpine /a /a\n", other);
	ok(&f, text);
	p = plan(&f, "x/02");
	assert_str(p, "from/image", "alpine");
	assert_str(p, "from/platform", other);
	json_decref(p);
	p = plan(&f, "y/02");
	assert_str(p, "from/platform", other);
	json_decref(p);
	ck_assert_str_eq(stage(&f, "x")->platform, other);
	ck_assert_str_eq(stage(&f, "y")->platform, other);
	p = plan(&f, "stage-2/02");
	assert_str(p, "from/image", "alpine");
	ck_assert_ptr_null(at(p, "from/platform"));
	json_decref(p);
	ck_assert_ptr_null(stage(&f, "stage-2")->platform);
	fx_fini(&f);
	fx_init(&f);
	f.o.platform = "linux/amd64,linux/arm64";
	ck_assert_int_eq(multi(&f, "FROM --platform=$BUILDPLATFORM scratch AS b\n"
			       "COPY --from=alpine /a /a\n"
			       "FROM scratch\nRUN --mount=from=alpine,target=/m x\n"), 0);
	p = plan(&f, "b/02");
	ck_assert_ptr_null(at(p, "from/platform"));
	json_decref(p);
	ck_assert_ptr_null(stage(&f, "b")->platform);
	snprintf(want, sizeof(want), "stage-1@linux-%s/02", other + strlen("linux/"));
	p = plan(&f, want);
	assert_str(p, "mounts/0/from/image", "alpine");
	assert_str(p, "mounts/0/from/platform", other);
	json_decref(p);
	snprintf(want, sizeof(want), "stage-1@linux-%s/02", host + strlen("linux/"));
	p = plan(&f, want);
	ck_assert_ptr_null(at(p, "mounts/0/from/platform"));
	json_decref(p);
	fx_fini(&f);

	fx_init(&f);
	f.o.platform = "linux/amd64,linux/arm64";
	strv_add(&f.o.outputs, "type=docker,dest=x.tar");
	ck_assert_int_lt(multi(&f, "FROM scratch\n"), 0);
	ck_assert_msg(strstr(f.err, "docker exporter does not currently support "
			     "exporting manifest lists"), "%s", f.err);
	fx_fini(&f);

	fx_init(&f);
	f.o.platform = "linux/amd64,linux/";
	ck_assert_int_lt(multi(&f, "FROM scratch\n"), 0);
	ck_assert_str_eq(f.err, "failed to parse platform 'linux/'");
	fx_fini(&f);
}
END_TEST

START_TEST(test_target)
{
	struct fx f;

	fx_init(&f);
	f.o.target = "Build";
	ck_assert_int_eq(fx_build(&f, "FROM alpine AS base\n"
			 "FROM alpine AS tools\n"
			 "FROM base AS build\nCOPY --from=tools /t /t\n"
			 "FROM alpine AS test\nCOPY --from=build /x /x\n"
			 "FROM alpine AS unused\n"), 0);
	ck_assert_ptr_eq(f.g->target, stage(&f, "build"));
	ck_assert(stage(&f, "base")->needed);
	ck_assert(stage(&f, "tools")->needed);
	ck_assert(stage(&f, "build")->needed);
	ck_assert(!stage(&f, "test")->needed);
	ck_assert(!stage(&f, "unused")->needed);
	/* unneeded stages are still resolved */
	ck_assert_ptr_nonnull(step(&f, "test/02")->plan);
	fx_fini(&f);

	fx_init(&f);
	f.o.target = "nope";
	ck_assert_int_lt(fx_build(&f, "FROM alpine AS a\nFROM alpine\n"), 0);
	ck_assert_str_eq(f.err, "target stage 'nope' could not be found; the "
			 "stages are: a, stage-1");
	fx_fini(&f);
}
END_TEST

START_TEST(test_errors)
{
	fails("FROM alpine\n\n    RUNN make\n",
	      "Dockerfile:3:5: error: unknown instruction 'RUNN'");
	fails("FROM alpine\ncopy --foo=1 a b\n",
	      "Dockerfile:2:1: error: unknown flag '--foo' for COPY");
	fails("FROM alpine\nWORKDIR --x /a\n",
	      "Dockerfile:2:1: error: unknown flag '--x' for WORKDIR");
	fails("FROM alpine\nCOPY --from=a --from=b x y\n",
	      "Dockerfile:2:1: error: duplicate flag '--from' for COPY");
	fails("FROM alpine\nCOPY --link=maybe x y\n",
	      "Dockerfile:2:1: error: flag '--link' of COPY takes true or "
	      "false, not 'maybe'");
	fails("ARG X\nRUN make\nFROM alpine\n",
	      "Dockerfile:2:1: error: RUN before the first FROM: only ARG can "
	      "come before FROM");
	fails("ARG X\n", "Dockerfile: there is nothing to build: the "
	      "Dockerfile has no FROM");
	fails("FROM alpine\nCOPY onlyone\n",
	      "Dockerfile:2:1: error: COPY requires at least two arguments, but "
	      "only one was provided. Destination could not be determined");
	fails("FROM alpine\nHEALTHCHECK --interval=1x CMD true\n",
	      "Dockerfile:2:1: error: unknown unit in duration: '1x' for "
	      "--interval");
	fails("FROM alpine\nSTOPSIGNAL SIGFOO\n",
	      "Dockerfile:2:1: error: invalid signal: SIGFOO");
	fails("FROM alpine\nCOPY --chmod=u+y a b\n",
	      "Dockerfile:2:1: error: invalid --chmod value 'u+y': expected "
	      "octal (0755) or chmod(1) symbolic mode (u=rwX,go=rX)");
	fails("FROM alpine\nCOPY --chmod=8 a b\n",
	      "Dockerfile:2:1: error: invalid chmod parameter: '8'. it should "
	      "be octal string and between 0 and 07777");
	fails("FROM scratch\nENV A=${B:?required}\n",
	      "Dockerfile:2:1: error: failed to process '${B:?required}': "
	      "B: required");
}
END_TEST

START_TEST(test_config_step)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine AS a\nENV A=1\nRUN x\nLABEL l=v\nCMD [\"sh\"]\n"
	       "FROM alpine AS b\nRUN y\n");
	ck_assert_uint_eq(stage(&f, "a")->nsteps, 3);
	ck_assert_int_eq(step(&f, "a/config")->kind, STEP_CONFIG);
	ck_assert_int_eq(step(&f, "a/config")->num, 0);
	ck_assert_int_eq(step(&f, "a/config")->instr->line, 4);
	ck_assert_ptr_eq(stage_last_step(stage(&f, "a")), step(&f, "a/config"));
	p = plan(&f, "a/config");
	assert_str(p, "kind", "config");
	assert_str(p, "parent", "a/02");
	assert_str(p, "config/0/op", "label");
	assert_str(p, "config/1/op", "cmd");
	/* M of [stage N/M] is not in plans: appending a step must not
	 * change the plans of the steps before it */
	ck_assert_ptr_null(at(p, "steps"));
	json_decref(p);
	p = plan(&f, "a/02");
	assert_str(p, "config/0/op", "env");
	json_decref(p);
	ck_assert_uint_eq(stage(&f, "b")->nsteps, 2);
	ck_assert_ptr_eq(stage_last_step(stage(&f, "b")), step(&f, "b/02"));
	fx_fini(&f);
}
END_TEST

START_TEST(test_deterministic)
{
	static const char *const a =
		"FROM alpine AS build\nARG V=1\nENV P=$PATH:/x\nRUN make $V\n"
		"COPY . /src\nFROM scratch\nCOPY --from=build /src /\nCMD x\n";
	static const char *const b =
		"# a comment\n\nFROM alpine AS build\nARG V=1\n"
		"# another\nENV P=$PATH:/x\nRUN make $V\n"
		"COPY . /src\nFROM scratch\nCOPY --from=build /src /\nCMD x\n";
	struct fx f1, f2;

	ok(&f1, a);
	ok(&f2, b);
	ck_assert_uint_eq(f1.g->nstages, f2.g->nstages);
	for (size_t i = 0; i < f1.g->nstages; i++) {
		struct stage *s1 = &f1.g->stages[i], *s2 = &f2.g->stages[i];

		ck_assert_uint_eq(s1->nsteps, s2->nsteps);
		for (size_t j = 0; j < s1->nsteps; j++) {
			ck_assert_str_eq(s1->steps[j].plan, s2->steps[j].plan);
			ck_assert(strstr(s1->steps[j].plan, "line") == NULL);
			ck_assert(s1->steps[j].plan[strlen(s1->steps[j].plan) - 1]
				  == '\n');
		}
	}
	ck_assert_str_eq(f1.g->export_plan, f2.g->export_plan);
	fx_fini(&f2);
	/* and the same inputs give the same text */
	ok(&f2, a);
	ck_assert_str_eq(f1.g->stages[0].steps[2].plan,
			 f2.g->stages[0].steps[2].plan);
	fx_fini(&f1);
	fx_fini(&f2);
}
END_TEST

START_TEST(test_expansion)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM scratch\nARG DIR=/opt\nENV APP=\"my app\" \\\n"
	       "    DEST=$DIR/app\n"
	       "WORKDIR $DEST\n"
	       "COPY --chown=${UID:-1000} src/$APP ${DEST}/ \n"
	       "USER ${NOBODY:-nobody}\nEXPOSE 80 8000-8001/udp\n"
	       "LABEL \"$DIR\"=x\nRUN echo $DIR\n");
	p = plan(&f, "stage-0/02");
	assert_str(p, "config/1/env/0/1", "my app");
	assert_str(p, "config/1/env/1/1", "/opt/app");
	assert_str(p, "path", "/opt/app");
	ck_assert(json_is_false(at(p, "expand")));
	json_decref(p);
	p = plan(&f, "stage-0/03");
	assert_str(p, "sources/0", "src/my app");
	assert_str(p, "dest", "/opt/app/");
	assert_str(p, "chown", "1000");
	ck_assert(step(&f, "stage-0/03")->reads_context);
	json_decref(p);
	p = plan(&f, "stage-0/04");
	assert_str(p, "config/0/user", "nobody");
	assert_str(p, "config/1/ports/0", "80/tcp");
	assert_str(p, "config/1/ports/2", "8001/udp");
	assert_str(p, "config/2/labels/0/0", "/opt");
	/* RUN text is the shell's */
	assert_str(p, "cmd/0", "echo $DIR");
	json_decref(p);
	fx_fini(&f);
}
END_TEST

START_TEST(test_deferred)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine AS a\nENV GOPATH=/go PATH=$GOPATH/bin:$PATH\n"
	       "ENV KNOWN=$GOPATH\nCOPY x $HOME/x\n"
	       "FROM a AS b\nWORKDIR $PATH\n"
	       "FROM scratch AS c\nWORKDIR /x$HOME\n");
	p = plan(&f, "a/02");
	ck_assert(json_is_true(at(p, "expand")));
	assert_str(p, "escape", "\\");
	assert_str(p, "config/0/env/0/1", "/go");
	/* $GOPATH is the old value, unknown: the whole word waits */
	assert_raw(p, "config/0/env/1/1", "$GOPATH/bin:$PATH");
	assert_str(p, "config/1/env/0/1", "/go");
	assert_raw(p, "dest", "$HOME/x");
	assert_str(p, "sources/0", "x");
	json_decref(p);
	/* deferred values carry over to stages built on it */
	p = plan(&f, "b/02");
	assert_raw(p, "path", "$PATH");
	json_decref(p);
	/* a scratch chain knows everything */
	p = plan(&f, "c/02");
	assert_str(p, "path", "/x");
	ck_assert(json_is_false(at(p, "expand")));
	ck_assert(at(p, "escape") == NULL);
	json_decref(p);
	fx_fini(&f);
}
END_TEST

START_TEST(test_heredocs)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM scratch\nARG NAME=world\n"
	       "COPY <<EOF <<'RAW' /etc/\nhello \"$NAME\"\nEOF\n$NAME\nRAW\n"
	       "RUN <<EOF\n#!/bin/sh\necho hi\nEOF\n"
	       "RUN cat <<A\nx\nA\n");
	p = plan(&f, "stage-0/02");
	assert_str(p, "heredocs/0/name", "EOF");
	assert_str(p, "heredocs/0/content", "hello \"world\"\n");
	ck_assert(json_is_false(at(p, "heredocs/0/expand")));
	assert_str(p, "heredocs/1/content", "$NAME\n");
	ck_assert_uint_eq(json_array_size(at(p, "sources")), 0);
	json_decref(p);
	ck_assert(!step(&f, "stage-0/02")->reads_context);
	p = plan(&f, "stage-0/03");
	assert_str(p, "cmd/0", "/dev/pipes/EOF");
	assert_str(p, "script/content", "#!/bin/sh\necho hi\n");
	json_decref(p);
	p = plan(&f, "stage-0/04");
	assert_str(p, "cmd/0", "cat <<A\nx\nA");
	json_decref(p);
	fx_fini(&f);
}
END_TEST

START_TEST(test_onbuild)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine AS base\nONBUILD RUN echo triggered\n"
	       "ONBUILD ENV T=1\n"
	       "FROM base AS child\nRUN echo own\n");
	ck_assert_int_eq(stage(&f, "child")->nnumbered, 3);
	p = plan(&f, "base/config");
	assert_str(p, "config/0/trigger", "RUN echo triggered");
	json_decref(p);
	p = plan(&f, "child/02");
	assert_str(p, "cmd/0", "echo triggered");
	assert_str(p, "instruction", "ONBUILD RUN echo triggered");
	json_decref(p);
	p = plan(&f, "child/03");
	assert_str(p, "config/0/env/0/1", "1");
	json_decref(p);
	ck_assert_int_eq(step(&f, "child/02")->instr->line, 2);
	fx_fini(&f);
}
END_TEST

/* a base_config hook: "trig" has two triggers, "bad" an ONBUILD ONBUILD,
 * anything else cannot be read */
static int
fake_base_config(void *ctx, const char *ref, const char *platform,
		 struct strv *onbuild, struct err **errp)
{
	(void)platform;
	(*(int *)ctx)++;
	if (!strcmp(ref, "trig")) {
		strv_add(onbuild, "RUN echo from-image");
		strv_add(onbuild, "ENV T=2");
		return 0;
	}
	if (!strcmp(ref, "bad")) {
		strv_add(onbuild, "RUN true");
		strv_add(onbuild, "ONBUILD RUN true");
		return 0;
	}
	return err_make(errp, 0, "cannot read '%s'", ref);
}

START_TEST(test_onbuild_image)
{
	struct fx f;
	json_t *p;
	int calls = 0;

	fx_init(&f);
	f.o.base_config = fake_base_config;
	f.o.base_config_ctx = &calls;
	if (fx_build(&f, "# c\nFROM trig AS a\nRUN echo own\nFROM a\nRUN x\n"
		     "FROM other\nRUN y\n") < 0)
		ck_abort_msg("unexpected error: %s", f.err);
	/* asked for the images only, not for the stage FROM a stage */
	ck_assert_int_eq(calls, 2);
	ck_assert_int_eq(stage(&f, "a")->nnumbered, 3);
	p = plan(&f, "a/01");
	assert_str(p, "onbuild/0", "RUN echo from-image");
	assert_str(p, "onbuild/1", "ENV T=2");
	json_decref(p);
	p = plan(&f, "a/02");
	assert_str(p, "cmd/0", "echo from-image");
	assert_str(p, "instruction", "ONBUILD RUN echo from-image");
	json_decref(p);
	p = plan(&f, "a/03");
	assert_str(p, "cmd/0", "echo own");
	assert_str(p, "config/0/env/0/1", "2");
	json_decref(p);
	ck_assert_int_eq(step(&f, "a/02")->instr->line, 2);
	/* the stage FROM a runs none of them again */
	ck_assert_int_eq(stage(&f, "stage-1")->nnumbered, 2);
	/* an image that cannot be read has none, and its plan says so */
	ck_assert_int_eq(stage(&f, "stage-2")->nnumbered, 2);
	p = plan(&f, "stage-2/01");
	ck_assert_ptr_null(json_object_get(p, "onbuild"));
	json_decref(p);
	fx_fini(&f);

	fx_init(&f);
	f.o.base_config = fake_base_config;
	f.o.base_config_ctx = &calls;
	fails_with(&f, "FROM bad\n", "Dockerfile:1: error: ONBUILD trigger 2 of "
		   "'bad': chaining ONBUILD via 'ONBUILD ONBUILD' isn't allowed");
	fx_fini(&f);
}
END_TEST

START_TEST(test_outputs)
{
	struct fx f;
	json_error_t je;
	json_t *p;

	fx_init(&f);
	f.o.cwd = "/home/u/proj";
	strv_add(&f.o.outputs, "type=docker,dest=out/img.tar,name=app:1");
	strv_add(&f.o.outputs, "/abs/dir");
	strv_add(&f.o.tags, "app:latest");
	ck_assert_int_eq(fx_build(&f, "FROM alpine AS a\nFROM scratch\nRUN x\n"
			 "LABEL a=b\n"), 0);
	p = json_loads(f.g->export_plan, 0, &je);
	ck_assert_ptr_nonnull(p);
	assert_str(p, "stage", "stage-1");
	assert_str(p, "last", "stage-1/config");
	assert_str(p, "outputs/0/type", "docker");
	assert_str(p, "outputs/0/dest", "/home/u/proj/out/img.tar");
	assert_str(p, "outputs/0/name", "app:1");
	assert_str(p, "outputs/1/type", "local");
	assert_str(p, "outputs/1/dest", "/abs/dir");
	assert_str(p, "tags/0", "app:latest");
	json_decref(p);
	fx_fini(&f);

	fx_init(&f);
	strv_add(&f.o.outputs, "type=tar,dest=x");
	ck_assert_int_lt(fx_build(&f, "FROM alpine\n"), 0);
	ck_assert_str_eq(f.err, "--output type 'tar' is not supported yet "
			 "(use oci, docker, local or registry)");
	fx_fini(&f);

	fx_init(&f);
	strv_add(&f.o.outputs, "type=registry,name=127.0.0.1:5000/app:1");
	ck_assert_int_eq(fx_build(&f, "FROM alpine\n"), 0);
	p = json_loads(f.g->export_plan, 0, &je);
	assert_str(p, "outputs/0/type", "registry");
	assert_str(p, "outputs/0/name", "127.0.0.1:5000/app:1");
	ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(p, "outputs"), 0), "dest"));
	json_decref(p);
	fx_fini(&f);

	fx_init(&f);
	strv_add(&f.o.outputs, "type=registry");
	ck_assert_int_lt(fx_build(&f, "FROM alpine\n"), 0);
	ck_assert_str_eq(f.err, "--output 'type=registry' needs a name=REF");
	fx_fini(&f);

	fx_init(&f);
	strv_add(&f.o.outputs, "type=registry,name=x,dest=d");
	ck_assert_int_lt(fx_build(&f, "FROM alpine\n"), 0);
	ck_assert_str_eq(f.err, "--output 'type=registry,name=x,dest=d': dest= and tar= "
			 "do not apply to type=registry");
	fx_fini(&f);

	ok(&f, "FROM alpine\n");
	p = json_loads(f.g->export_plan, 0, &je);
	assert_str(p, "outputs/0/type", "oci");
	assert_str(p, "outputs/0/dest", ".df2ninja/image");
	json_decref(p);
	fx_fini(&f);
}
END_TEST

/* COPY --link: two edges unless --chmod (BuildKit's condition); --chown
 * by name cannot be looked up on scratch */
START_TEST(test_link)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine\nCOPY --link a /a\n"
	       "COPY --link --chmod=644 b /b\n"
	       "ADD --link --chown=1:root c /c\n"
	       "COPY --link --chown=${NOT_SET_HERE} d /d\n"
	       "COPY --link=false e /e\n"
	       "COPY --link --chown=nobody --chmod=600 g /g\n");
	ck_assert(step(&f, "stage-0/02")->is_link);
	ck_assert(!step(&f, "stage-0/03")->is_link);
	ck_assert(step(&f, "stage-0/04")->is_link);
	ck_assert(step(&f, "stage-0/05")->is_link);
	ck_assert(!step(&f, "stage-0/06")->is_link);
	ck_assert(!step(&f, "stage-0/07")->is_link);
	/* the plan keeps the flag as written */
	p = plan(&f, "stage-0/03");
	ck_assert(json_is_true(at(p, "link")));
	json_decref(p);
	fx_fini(&f);
	fails("FROM alpine\nCOPY --link --chown=app a /a\n",
	      "Dockerfile:2:1: error: COPY --link --chown=app: with --link only "
	      "numeric ids (or root) work, BuildKit cannot look names up");
	fails("FROM alpine\nARG G=staff\nADD --link --chown=0:$G a /a\n",
	      "Dockerfile:3:1: error: ADD --link --chown=0:staff: with --link only "
	      "numeric ids (or root) work, BuildKit cannot look names up");
}
END_TEST

START_TEST(test_add)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine\nADD https://example.com/a.tgz /\n"
	       "ADD --checksum=sha256:0123 https://example.com/b /b\n"
	       "ADD --keep-git-dir --unpack=false local.tar /l\n"
	       "ADD https://example.com/r.git /r\n"
	       "ADD local.txt http://example.com/c /m/\n"
	       "ADD ${NOT_SET_HERE}x /d\n"
	       "COPY x /x\n");
	ck_assert(!step(&f, "stage-0/02")->reads_context);
	/* a URL without a checksum is asked for again on every build */
	ck_assert(step(&f, "stage-0/02")->runs_always);
	ck_assert(!step(&f, "stage-0/03")->runs_always);
	ck_assert(!step(&f, "stage-0/04")->runs_always);
	ck_assert(!step(&f, "stage-0/05")->runs_always);
	/* a Git URL: its ref's commit asked for by an edge of its own */
	ck_assert(step(&f, "stage-0/05")->has_gitref);
	ck_assert(!step(&f, "stage-0/02")->has_gitref);
	ck_assert(!step(&f, "stage-0/07")->has_gitref);
	ck_assert(step(&f, "stage-0/06")->runs_always);
	ck_assert(step(&f, "stage-0/06")->reads_context);
	/* a source only the image's ENV can tell may be a URL */
	ck_assert(step(&f, "stage-0/07")->runs_always);
	ck_assert(!step(&f, "stage-0/08")->runs_always);
	p = plan(&f, "stage-0/03");
	assert_str(p, "checksum", "sha256:0123");
	ck_assert(json_is_null(at(p, "unpack")));
	json_decref(p);
	ck_assert(step(&f, "stage-0/04")->reads_context);
	p = plan(&f, "stage-0/04");
	ck_assert(json_is_true(at(p, "keep_git_dir")));
	ck_assert(json_is_false(at(p, "unpack")));
	json_decref(p);
	fx_fini(&f);

	fails("FROM alpine\nADD --checksum=sha256:0123 local /l\n",
	      "Dockerfile:2:1: error: --checksum needs an HTTP(S) or Git source");
	fails("FROM alpine\nADD --checksum=abc https://h/r.git#x:y /r\n"
	      "ADD --checksum=abc https://h/r.git /s\nCOPY git@h:r /t\n",
	      "Dockerfile:4:1: error: source can't be a git ref for COPY");
	fails("FROM alpine\nCOPY --checksum=x a b\n",
	      "Dockerfile:2:1: error: unknown flag '--checksum' for COPY");
	fails("FROM alpine\nCOPY a <<EOF\nx\nEOF\n",
	      "Dockerfile:2:1: error: COPY cannot accept a heredoc as a "
	      "destination");
}
END_TEST

START_TEST(test_metadata)
{
	struct fx f;
	json_t *p;

	ok(&f, "FROM alpine\nCMD run\nENTRYPOINT [\"e\"]\n"
	       "HEALTHCHECK --interval=1m30s --retries=2 CMD [\"check\"]\n"
	       "HEALTHCHECK CMD curl -f x\nHEALTHCHECK NONE\n"
	       "STOPSIGNAL 9\nSHELL [\"/bin/bash\", \"-c\"]\n"
	       "ONBUILD RUN make\nMAINTAINER me\nVOLUME /v\n"
	       "FROM alpine\nENTRYPOINT []\n");
	p = plan(&f, "stage-0/config");
	assert_str(p, "config/0/cmd/0", "run");
	ck_assert(json_is_true(at(p, "config/0/shell_form")));
	ck_assert(json_is_false(at(p, "config/1/reset_cmd")));
	assert_str(p, "config/2/test/0", "CMD");
	assert_str(p, "config/2/test/1", "check");
	ck_assert_int_eq(json_integer_value(at(p, "config/2/interval")),
			 90000000000LL);
	ck_assert_int_eq(json_integer_value(at(p, "config/2/retries")), 2);
	assert_str(p, "config/3/test/0", "CMD-SHELL");
	assert_str(p, "config/3/test/1", "curl -f x");
	assert_str(p, "config/4/test/0", "NONE");
	assert_str(p, "config/5/signal", "9");
	assert_str(p, "config/6/shell/1", "-c");
	assert_str(p, "config/7/trigger", "RUN make");
	assert_str(p, "config/8/maintainer", "me");
	assert_str(p, "config/9/volumes/0", "/v");
	json_decref(p);
	p = plan(&f, "stage-1/config");
	ck_assert(json_is_null(at(p, "config/0/entrypoint")));
	ck_assert(json_is_true(at(p, "config/0/reset_cmd")));
	json_decref(p);
	fx_fini(&f);

	fails("FROM alpine\nHEALTHCHECK --timeout=10us CMD x\n",
	      "Dockerfile:2:1: error: --timeout '10us' cannot be less than 1ms");
	fails("FROM alpine\nHEALTHCHECK NONE x\n",
	      "Dockerfile:2:1: error: HEALTHCHECK NONE takes no arguments");
	fails("FROM alpine\nSHELL /bin/sh -c\n",
	      "Dockerfile:2:1: error: SHELL requires the arguments to be in JSON "
	      "form");
	fails("FROM alpine\nONBUILD FROM x\n",
	      "Dockerfile:2:1: error: FROM isn't allowed as an ONBUILD trigger");
	fails("FROM alpine\nRUN --mount=type=secret,id=a,from=x true\n",
	      "Dockerfile:2:1: error: secret mount should not have a from");
	fails("FROM alpine\nRUN --mount=type=bind,target=/x,uid=1 true\n",
	      "Dockerfile:2:1: error: uid not allowed for 'bind' type mounts");
	fails("FROM alpine\nRUN --mount=type=cache,target=/ true\n",
	      "Dockerfile:2:1: error: invalid mount target \"/\"");
}
END_TEST

/* plans are byte for byte what json_dumps writes */
START_TEST(test_plan_format)
{
	static const char *const text =
		"FROM alpine AS a\nLABEL k=\"tab\\there\" q='\"quoted\"'\n"
		"RUN [\"printf\", \"\\u0001\\\\ \\u00e9 \\u2603\\n\"]\n"
		"ENV E=$HOME\nCOPY <<EOF /x\n\t\"hi\" \\ there\nEOF\n"
		"HEALTHCHECK --interval=1m30s CMD true\n";
	struct fx f;

	ok(&f, text);
	for (size_t i = 0; i < f.g->nstages; i++)
		for (size_t j = 0; j < f.g->stages[i].nsteps; j++) {
			const char *p = f.g->stages[i].steps[j].plan;
			json_error_t je;
			json_t *v = json_loads(p, 0, &je);
			char *d;

			ck_assert_msg(v != NULL, "%s", je.text);
			d = json_dumps(v, JSON_SORT_KEYS | JSON_INDENT(2));
			ck_assert_uint_eq(strlen(p), strlen(d) + 1);
			ck_assert(!strncmp(p, d, strlen(d)));
			free(d);
			json_decref(v);
		}
	fx_fini(&f);
}
END_TEST

START_TEST(test_bad_utf8)
{
	fails("FROM alpine\nLABEL x=\xff\xfe\n",
	      "Dockerfile:2:1: error: the instruction is not valid UTF-8");
}
END_TEST

START_TEST(test_large)
{
	struct buf b = BUF_INIT;
	struct fx f;
	struct timespec t0, t1;
	double ms;

	/* 1,000 stages, 10,000 steps, every stage reading the one before */
	buf_puts(&b, "ARG BASE=alpine:3\n");
	for (int i = 0; i < 1000; i++) {
		buf_printf(&b, "FROM ${BASE} AS s%d\nARG V%d=%d\nENV E%d=$V%d\n",
			   i, i, i, i, i);
		for (int j = 0; j < 7; j++)
			buf_printf(&b, "RUN echo %d %d\n", i, j);
		buf_printf(&b, "WORKDIR /w%d\n", i);
		if (i)
			buf_printf(&b, "COPY --from=s%d /w%d /w\n", i - 1, i - 1);
		else
			buf_puts(&b, "COPY . /src\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(&f, buf_str(&b));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_uint_eq(f.g->nstages, 1000);
	ck_assert(f.g->stages[0].needed);
	/* generous: valgrind and slow machines run this too */
	ck_assert_msg(ms < 5000, "took %.0f ms", ms);
	fx_fini(&f);
	buf_fini(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("graph");

	UNIT_TCASE(s, "stage_names", test_stage_names);
	UNIT_TCASE(s, "reserved_names", test_reserved_names);
	UNIT_TCASE(s, "from_stage", test_from_stage);
	UNIT_TCASE(s, "copy_from", test_copy_from);
	UNIT_TCASE(s, "run_mount", test_run_mount);
	UNIT_TCASE(s, "run_mount_secrets", test_run_mount_secrets);
	UNIT_TCASE(s, "cycles", test_cycles);
	UNIT_TCASE(s, "global_args", test_global_args);
	UNIT_TCASE(s, "inheritance", test_inheritance);
	UNIT_TCASE(s, "inheritance_shared", test_inheritance_shared);
	UNIT_TCASE(s, "build_args", test_build_args);
	UNIT_TCASE(s, "proxy_args", test_proxy_args);
	UNIT_TCASE(s, "platform_args", test_platform_args);
	UNIT_TCASE(s, "foreign_platform", test_foreign_platform);
	UNIT_TCASE(s, "multi_platform", test_multi_platform);
	UNIT_TCASE(s, "target", test_target);
	UNIT_TCASE(s, "errors", test_errors);
	UNIT_TCASE(s, "config_step", test_config_step);
	UNIT_TCASE(s, "deterministic", test_deterministic);
	UNIT_TCASE(s, "expansion", test_expansion);
	UNIT_TCASE(s, "deferred", test_deferred);
	UNIT_TCASE(s, "heredocs", test_heredocs);
	UNIT_TCASE(s, "onbuild", test_onbuild);
	UNIT_TCASE(s, "onbuild_image", test_onbuild_image);
	UNIT_TCASE(s, "outputs", test_outputs);
	UNIT_TCASE(s, "add", test_add);
	UNIT_TCASE(s, "link", test_link);
	UNIT_TCASE(s, "metadata", test_metadata);
	UNIT_TCASE(s, "plan_format", test_plan_format);
	UNIT_TCASE(s, "bad_utf8", test_bad_utf8);
	UNIT_TCASE(s, "large", test_large);
	return unit_run(s);
}

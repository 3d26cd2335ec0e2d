#ifndef DF2NINJA_EMIT_H
#define DF2NINJA_EMIT_H

#include <stdbool.h>

#include "graph/graph.h"
#include "util/buf.h"

struct err;

/* where things are, as the generated file names them; strings are
 * borrowed, paths relative to the output file's directory unless said */
struct emit_opts {
	const char *output;	/* the generated file's own name ("build.ninja") */
	const char *df2ninja;	/* absolute path of the df2ninja binary */
	const char *run;	/* absolute path of df2ninja-run, which hands
				 * a step to the build's step server; NULL:
				 * the steps run df2ninja directly */
	const char *builddir;	/* the build dir (".df2ninja") */
	const char *dockerfile;	/* the Dockerfile */
	const char *dockerignore; /* the context's .dockerignore (may not exist) */
	const char *dfignore;	/* <Dockerfile>.dockerignore (may not exist),
				 * read instead of .dockerignore if it does */
	bool dfignore_exists;	/* it did at generation: its removal must
				 * regenerate too */
	const char *genargs;	/* the file holding the generation options */
	const char *prefix;	/* make: prefix of variables and targets, or "" */
	const char *version;	/* df2ninja's version, for the header */
	bool cache_push;	/* --cache-to: each shared step (a RUN) gets
				 * a push edge in pool registry, which the
				 * image waits for and no step does */
};

/* append the build.ninja text for g to out */
int emit_ninja(const struct graph *g, const struct emit_opts *o,
	       struct buf *out, struct err **errp);
/* append the GNU make text for g to out */
int emit_make(const struct graph *g, const struct emit_opts *o,
	      struct buf *out, struct err **errp);
/*
 * write every needed step's plan to <builddir_path>/plans/<step name>.json
 * and the export plan to <builddir_path>/plans/export.json, each only when
 * its content changed; builddir_path is as seen from the current directory
 */
int emit_plans(const struct graph *g, const char *builddir_path,
	       struct err **errp);
/*
 * emit_plans in two halves, so that the caller can make the build file
 * meanwhile: start begins writing on a thread of its own (g must stay
 * unchanged until wait returns); wait helps it finish, reports what
 * emit_plans would have, and frees the job. Every start needs one wait.
 */
struct emit_plans_job;
struct emit_plans_job *emit_plans_start(const struct graph *g,
					const char *builddir_path);
int emit_plans_wait(struct emit_plans_job *j, struct err **errp);

#endif

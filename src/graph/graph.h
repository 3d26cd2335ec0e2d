#ifndef DF2NINJA_GRAPH_H
#define DF2NINJA_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "dockerfile/ast.h"
#include "util/strv.h"

struct err;
struct secretsrc;

/*
 * A resolved build: stages and their steps, in Dockerfile order, with the
 * JSON plan of every step. A step is what BuildKit shows as a vertex
 * ("[build 3/5]"): FROM, RUN, COPY, ADD and WORKDIR, numbered from 1 (FROM
 * is 1). Metadata instructions (ENV, LABEL, CMD, USER, ARG, ...) do not get
 * a number: they ride in the plan of the next step, and those after the last
 * step form the stage's CONFIG step ("<stage>/config"), which exists only
 * when there are such trailing instructions.
 *
 * A stage built FROM another stage first runs that stage's ONBUILD
 * triggers, as steps of its own (their instr is the ONBUILD). So does a
 * stage FROM an image whose config gen_opts.base_config reads: its
 * OnBuild strings are parsed as ONBUILD instructions placed at the FROM's
 * line (as BuildKit does). Plans are described in plan.h.
 */

enum step_kind {
	STEP_FROM,
	STEP_RUN,
	STEP_COPY,
	STEP_ADD,
	STEP_WORKDIR,
	STEP_CONFIG,
};

struct stage;

struct step {
	struct stage *stage;
	enum step_kind kind;
	int num;		/* 1..stage->nnumbered; 0 for STEP_CONFIG */
	const struct instr *instr; /* the instruction (first trailing one for CONFIG) */
	char *name;		/* "<stage id>/<NN>" (NN = num, 2 digits at least)
				 * or "<stage id>/config": base name of the
				 * plan, stamp and log files */
	char *plan;		/* the JSON plan (plan.h), deterministic text
				 * ending in '\n' */
	bool reads_context;	/* COPY/ADD reading the build context, or a RUN
				 * with a bind mount of it: depfile */
	bool pulls;		/* FROM an image, COPY --from an image, RUN
				 * --mount=from=image: registry pool */
	char *watch;		/* FROM a local image: its file (an OCI
				 * layout's index.json, a docker archive),
				 * an input of the edge, so that a rebuilt
				 * base runs the FROM again; else NULL */
	bool runs_always;	/* ADD of a URL (or of a source known only at
				 * build time) without --checksum: its edge
				 * runs on every build to revalidate the
				 * download; restat keeps what follows */
	bool is_link;		/* COPY/ADD --link without --chmod (BuildKit
				 * then merges a copy made on scratch): two
				 * edges, the copy reading only its sources
				 * and the step stacking its layer */
	bool has_gitref;	/* ADD of a Git URL known at generation,
				 * without --checksum: an edge of its own,
				 * run on every build, writes the ref's
				 * commit to <steps>/<name>.ref when it
				 * changed, and this step reads that file */
	bool no_cache;		/* --no-cache (or its stage in
				 * --no-cache-filter): runs again once, after
				 * this generation (emit/buildflags.h) */
	struct stage **deps;	/* other stages whose result this step reads
				 * (COPY --from, RUN --mount=from, FROM stage),
				 * unique, sorted by index */
	size_t ndeps;
};

struct stage {
	int index;		/* 0-based position among the FROMs */
	char *name;		/* the AS name, lower-cased, or NULL */
	char *id;		/* name, or "stage-<index>" */
	const struct instr *from;
	char *base;		/* the expanded FROM reference ("scratch", "alpine:3") */
	struct stage *parent;	/* when base names an earlier stage */
	char *platform;		/* the platform its steps run on
				 * ("linux/arm64"), when not the host's;
				 * else NULL */
	struct step *steps;	/* steps[0] is the FROM; a CONFIG step is last */
	size_t nsteps;
	int nnumbered;		/* M in "[stage N/M]" */
	bool needed;		/* the target depends on it */
};

/*
 * a --build-context NAME=VALUE (BuildKit's named contexts): a FROM, COPY
 * --from or RUN --mount from= naming NAME (as Docker normalises image
 * names: "alpine" is "docker.io/library/alpine:latest") reads it instead
 */
enum named_context_kind {
	NAMED_CONTEXT_DIR,	/* a local directory */
	NAMED_CONTEXT_IMAGE,	/* an image reference (docker-image://,
				 * oci-layout://) */
};

struct named_context {
	const char *name;	/* as given */
	enum named_context_kind kind;
	const char *value;	/* the dir relative to the output dir, or the
				 * image reference */
};

/* what shapes a generation; strings are borrowed */
struct gen_opts {
	const char *dockerfile;	/* the Dockerfile as named in messages */
	const char *dockerfile_rel; /* its path relative to the output dir */
	const char *context_rel; /* the context dir relative to the output dir */
	const char *dfignore_rel; /* <Dockerfile>.dockerignore relative to the
				   * output dir, when it exists: the context's
				   * ignore file instead of .dockerignore */
	struct strv context_own; /* what df2ninja writes inside the context
				  * (the build dir, the build file, outputs),
				  * relative to it: never read as context */
	const char *builddir_rel; /* the build dir relative to the output dir */
	const char *target;	/* --target, or NULL for the last stage */
	struct strv build_args;	/* "K=V", or "K" to take V from the environment */
	struct strv outputs;	/* --output values, "type=oci,dest=PATH" */
	bool *outputs_in_context; /* per output: its dest lies in the
				   * context (or NULL) */
	struct strv tags;	/* -t values */
	struct named_context *contexts; /* --build-context */
	size_t ncontexts;
	const char *platform;	/* --platform, or NULL */
	/*
	 * one platform of a multi-platform build (cli/platforms.h): the
	 * target platform of this graph ("linux/arm64"; NULL: the host's),
	 * the suffix of its stage ids ("@linux-arm64"; NULL: none) but for
	 * the stages shared[index] marks (built once, for every platform)
	 */
	const char *target_platform;
	const char *id_suffix;
	const bool *shared;
	/* the graphs of the other platforms, built already: the export plan
	 * lists every platform's image (plan.h "platforms") */
	struct graph *const *siblings;
	size_t nsiblings;
	const char *cwd;	/* directory df2ninja ran in, for relative dests */
	bool pull;		/* --pull: resolve registry tags again every build */
	bool allow_insecure;	/* --allow security.insecure */
	const struct secretsrc *sources; /* --secret and --ssh (NULL: none) */
	const char *network;	/* the network of a RUN without --network
				 * (or with "default"): "none", "isolated",
				 * or NULL for the host's */
	struct strv add_hosts;	/* --add-host, "host=ip" each, checked */
	long long shm_size;	/* --shm-size in bytes, or 0 */
	struct strv ulimits;	/* --ulimit, "name=soft:hard" each, checked */
	bool no_cache;		/* --no-cache: every needed step */
	struct strv no_cache_filter; /* --no-cache-filter: the stages, by name */
	struct strv labels;	/* --label "K=V" (or "K") */
	const char *iidfile;	/* --iidfile, absolute, or NULL */
	const char *metadata_file; /* --metadata-file, absolute, or NULL */
	bool quiet;		/* -q: the export prints the image ID only */
	const char *progress;	/* --progress: "auto", "plain", "quiet" or
				 * NULL (the executor's output mode) */
	/*
	 * the OnBuild triggers of the base image ref (as a FROM plan names
	 * it: a local path relative to the output dir) for platform, added
	 * to *onbuild (none: it stays empty); -1 when the config cannot be
	 * read now (the FROM step then refuses triggers it finds). NULL:
	 * never known at generation (a build without the executor)
	 */
	int (*base_config)(void *ctx, const char *ref, const char *platform,
			   struct strv *onbuild, struct err **errp);
	void *base_config_ctx;
};

struct graph {
	const struct dockerfile *df;	/* borrowed */
	struct stage *stages;
	size_t nstages;
	struct stage *target;		/* the stage the image target exports */
	char *export_plan;		/* JSON plan of the export edge */
	struct strv warnings;		/* "NAME:LINE: message", or "NAME:
					 * message" without a line (build args
					 * no ARG consumed) */
	/*
	 * a multi-platform build (graph_build_multi): per target platform,
	 * its name ("linux/arm64") and its target stage (ptargets[0] is
	 * target); nplatforms is 0 for a build of one platform
	 */
	struct strv platforms;
	struct stage **ptargets;
	size_t nplatforms;
	char *platform;			/* the target platform ("linux/amd64") */
	struct dockerfile **trigdfs;	/* base images' ONBUILD triggers, each
					 * parsed on its own (steps point into
					 * them) */
	size_t ntrigdfs;
};

/*
 * resolve df into stages and steps: ARG scoping and build args, stage
 * references (FROM, COPY --from, RUN --mount=from), the target and what it
 * needs, flag checking, variable expansion of what is known now, plans.
 * Errors name the Dockerfile line ("Dockerfile:7:1: error: ...").
 * Unneeded stages are resolved (and can fail) too.
 * Build args named without a value ("K") are read with getenv.
 */
int graph_build(const struct dockerfile *df, const struct gen_opts *opts,
		struct graph **out, struct err **errp);
/*
 * graph_build for each platform of the comma-separated list opts->platform
 * (one platform, or none: graph_build), merged into one graph: a stage
 * whose plans come out the same for every platform (pinned to a platform
 * by FROM --platform, reading no TARGET* ARG, from shared stages only) is
 * built once and keeps its id; every other stage is there once per
 * platform, its id suffixed with "@<os>-<arch>[-<variant>]"
 */
int graph_build_multi(const struct dockerfile *df, const struct gen_opts *opts,
		      struct graph **out, struct err **errp);
/* "@linux-arm64" for "linux/arm64" (and "@linux-arm-v7"): owned by the caller */
char *graph_platform_suffix(const char *platform);
/* free g; accepts NULL */
void graph_free(struct graph *g);
/* the step that ends the stage: its CONFIG step, else its last step
 * (inline: the resolver's files use it, and graph.c drives them) */
static inline struct step *
stage_last_step(const struct stage *s)
{
	return s->nsteps ? &s->steps[s->nsteps - 1] : NULL;
}
/* "FROM", "RUN", ... for a step kind */
const char *step_kind_name(enum step_kind k);

#endif

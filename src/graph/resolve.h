#ifndef DF2NINJA_RESOLVE_H
#define DF2NINJA_RESOLVE_H

/*
 * the resolver's working state, shared by the files of src/graph; nothing
 * here is visible outside it (graph.h is the interface).
 */

#include <stdbool.h>
#include <stddef.h>

#include "oci/platform.h"
#include "plan/pj.h"
#include "plan/plan.h"
#include "util/vars.h"
#include "env.h"
#include "graph.h"
#include "symtab.h"

/* an ARG in a stage's scope (BuildKit's buildArgs): value NULL when the
 * ARG has none, the unexpanded word when is_raw */
struct scoped_arg {
	char *name;
	char *value;
	bool is_raw;
};

/* a stage another stage's instruction reads, for the cycle check */
struct stage_edge {
	struct stage *to;
	const struct instr *in;
};

struct sstate {
	struct env env;			/* BuildKit's state env */
	/* the image config's Env as far as generation knows it: scratch's
	 * PATH and the ENV values of the chain. A stage built on this one
	 * starts from its state env with these set again (BuildKit applies
	 * the parent image's Env over the parent's ARG values) */
	struct env imgenv;
	struct scoped_arg *args;
	size_t nargs, capargs;
	size_t nchildren;		/* stages FROM this one not yet dispatched */
	bool from_image;		/* the chain starts at an image */
	const char *ctxdir;		/* FROM a directory --build-context:
					 * the dir (borrowed from the opts) */
	bool cmd_set;			/* a CMD in this stage (ENTRYPOINT resets CMD) */
	/* the instructions the stage runs: its parent stage's ONBUILD
	 * triggers, then its own; shown[i] is what a step names */
	const struct instr **cmds, **shown;
	size_t ncmds;
	struct instr *trig;		/* trigger views, shallow copies */
	size_t ntrig;
	/* FROM an image whose config the generator could read: its OnBuild
	 * strings, and the ONBUILD instructions parsed from them (in g) */
	struct strv onbuild;
	const struct instr **imgtrig;
	size_t nimgtrig;
	bool has_config;		/* metadata after the last step */
	const struct instr *foreign;	/* a FROM --platform other than the
					 * target's */
	char *foreign_platform;		/* that platform */
	/* a RUN mounting a required secret or ssh agent not given */
	const struct instr *no_secret;
	char *no_secret_msg;
	struct stage_edge *edges;
	size_t nedges, capedges;
};

struct resolver {
	const struct dockerfile *df;
	const struct gen_opts *opts;
	struct graph *g;
	struct err **errp;
	struct platform host;
	char host_str[96];
	struct platform target;		/* TARGETPLATFORM: opts->target_platform,
					 * else the host's */
	char target_str[96];
	struct strv old_ids;		/* ids before opts->id_suffix: ids' keys */
	struct vars bargs;		/* build args that have a value */
	struct env global;		/* global scope: platform and meta ARGs */
	struct symtab ids;		/* stage id -> struct stage * */
	struct symtab declared;		/* names an ARG declares somewhere */
	struct strv declared_names;	/* owns declared's keys */
	struct sstate *ss;		/* one per stage */
	struct pjarena arena;		/* the plan being built; reset per plan */
	struct plan_op *ops;		/* config operations since the last step */
	size_t nops, capops;
	bool used_raw;			/* the plan being built defers a word */
	/* the triggers of base images, for the messages about them */
	struct imgtrig_name {
		const char *original;	/* the ONBUILD's text (shared by the
					 * views of its trigger: the key) */
		const char *sub_original;
		int n;			/* 1-based, in the image's OnBuild */
		const char *ref;	/* the image, as the FROM names it */
	} *imgtrigs;
	size_t nimgtrigs, capimgtrigs;
	bool bad_utf8;
};

/* the platform stage s runs on: its root ancestor's FROM --platform,
 * else the target platform */
const char *resolve_platform(struct resolver *r, const struct stage *s);

/* the Dockerfile's name in messages */
const char *resolve_name(const struct resolver *r);
/* "FILE:LINE:COL: error: ..." about in; returns -1 */
int resolve_fail(struct resolver *r, const struct instr *in, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));
/* resolve_fail with e's message (e is freed) */
int resolve_fail_err(struct resolver *r, const struct instr *in,
		     struct err *e);
/* a copy of s in the plan's arena; text that is not UTF-8 is noted in
 * r->bad_utf8 */
const char *resolve_str(struct resolver *r, const char *s);
/* a plan word: s, or {"raw": s} (noted in r->used_raw) when deferred */
struct plan_word resolve_jword(struct resolver *r, const char *s, bool deferred);
/* the expander of stage s's scope */
void resolve_expander(struct resolver *r, struct stage *s,
		      struct expander *x);
/*
 * expand word in stage s's scope into *out (a plan word); *value gets the
 * expansion (owned by the caller) or NULL when deferred; either may be NULL
 */
int resolve_word(struct resolver *r, struct stage *s, const struct instr *in,
		 const char *word, struct plan_word *out, char **value);
/* the stage sstate of s */
struct sstate *resolve_ss(struct resolver *r, const struct stage *s);
/*
 * what "--from=value" (or a mount's from=) names: a stage by name, id or
 * index (returned), else a --build-context (a directory in *dir, relative
 * to the output dir, or an image in *image), else an image (NULL with
 * *image set to value, which is checked as a reference). -1 on a bad
 * index or reference.
 */
int resolve_source(struct resolver *r, const struct instr *in,
		   const char *what, const char *value, struct stage **stage,
		   const char **image, const char **dir);
/* note that a step of s reads stage to (deps and the cycle check) */
void resolve_dep(struct resolver *r, struct stage *s, struct step *st,
		 struct stage *to, const struct instr *in);
/* the plan source of a stage (its last step) or else of an image, read
 * by stage s: for s's platform when it is not the host's (as BuildKit
 * resolves it) */
struct plan_source resolve_plan_source(struct resolver *r, const struct stage *s,
				       struct stage *stage, const char *image);

#endif

#ifndef DF2NINJA_EMIT_WALK_H
#define DF2NINJA_EMIT_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "graph/graph.h"
#include "util/buf.h"
#include "template.h"

struct emit_opts;
struct err;
struct strv;

/* the most placeholders a template has, the walk's own included */
#define WALK_MAX_VARS 24

/* what the walk shares with a backend while one file is written */
struct walk {
	const struct graph *g;
	const struct emit_opts *o;
	char *var;		/* prefix of variables ("img_"), or "" */
	char *tgt;		/* prefix of targets ("img-"), or "" */
	/* the template's placeholders: set through walk_var */
	struct tmpl_var vars[WALK_MAX_VARS];
	struct buf vals[WALK_MAX_VARS];
	size_t nvars;
};

/* which edge of a step: a --link COPY/ADD (step.is_link) has two */
enum walk_part {
	WALK_STEP,		/* the step's only edge */
	WALK_LINK_COPY,		/* the copy into a layer of its own: reads
				 * only its sources (ins), the step before
				 * order-only (for ENV and WORKDIR) */
	WALK_LINK_STACK,	/* the step: that layer on the step before */
};

/* one step's edge, as both syntaxes need it */
struct walk_edge {
	enum walk_part part;
	const struct step *order; /* an order-only input, or NULL */
	const struct step *st;
	const struct step **ins; /* the stamps it reads (labels_inputs) */
	size_t nins;
	const char *exec;	/* `df2ninja exec` verb: "from" or "step" */
	bool has_depfile;	/* a COPY/ADD reading the context, or a RUN
				 * binding it, lists what it read in
				 * <stamp>.d */
};

/*
 * the syntax of one kind of build file. The walk checks the options and
 * the graph, calls prepare, checks the stage and step names and the
 * targets named after them, then appends to the body, in order: head,
 * always (when a needed step runs on every build), link_rules (when a
 * needed step is a --link one), per needed stage a
 * divider and per step its comment line and step, the export divider and
 * export, the targets divider, an alias per stage and per step, and
 * aliases_end. Last it expands tmpl with @BODY@, @OUTPUT@, @DOCKERFILE@,
 * @INPUTS@ (comment text), @VERSION@, @REGISTRY_DEPTH@ and what prepare
 * set. Hooks marked "or NULL" may be left out.
 */
struct walk_backend {
	const char *tmpl;
	/* variables and targets take o->prefix (make); else it is ignored */
	bool has_prefix;
	/* a recipe names the output unquoted: it must be a plain word */
	bool output_in_recipe;
	/* append path in this syntax, or fail naming it by what */
	int (*escape_path)(struct buf *b, const char *path, const char *what,
			   struct err **errp);
	/* refuse what the syntax cannot hold in o and set the placeholders
	 * of its own with walk_var, or NULL. Runs after the options are
	 * checked, before the stage and step names are */
	int (*prepare)(struct walk *w, struct err **errp);
	/* what comes before the first edge, or NULL */
	int (*head)(struct walk *w, struct buf *b, struct err **errp);
	/* the always-dirty target LABELS_ALWAYS, once (a step that
	 * runs_always or has_gitref needs it) */
	void (*always)(struct walk *w, struct buf *b);
	/* what the edges of a --link step need, once, when there is one;
	 * or NULL */
	void (*link_rules)(struct walk *w, struct buf *b);
	void (*step)(struct walk *w, struct buf *b, const struct walk_edge *e);
	/* the image export, reading the target stage's last step (one per
	 * platform of a multi-platform build) */
	void (*export)(struct walk *w, struct buf *b, const struct step *const *lasts,
		       size_t n);
	/* the phony target (prefix included) that makes st */
	void (*alias)(struct walk *w, struct buf *b, const char *target,
		      const struct step *st);
	/* after the last alias, with every alias target in order, or NULL */
	void (*aliases_end)(struct walk *w, struct buf *b,
			    const struct strv *targets);
};

/* append the file be writes for g and o to out */
int walk_emit(const struct graph *g, const struct emit_opts *o,
	      const struct walk_backend *be, struct buf *out,
	      struct err **errp);
/* the buffer the value of the template placeholder @name@ goes to; name
 * is borrowed */
struct buf *walk_var(struct walk *w, const char *name);

#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"
#include "emit.h"
#include "escape.h"
#include "labels.h"
#include "template.h"
#include "walk.h"
#include "wrap.h"

/* a rule line continues with a backslash; a recipe line keeps its tab */
#define RULE_CONT " \\\n    "
#define RECIPE_CONT " \\\n\t    "

/* add "$(img_steps)/<name><ext>", with a suffix (":") */
static void
word_stamp_ext(struct wrap *l, const struct walk *w, const struct step *st,
	       const char *ext, const char *suffix)
{
	char *s;

	/* the walk refused what make cannot hold in a name */
	s = xasprintf("$(%ssteps)/%s%s%s", w->var, st->name, ext, suffix);
	wrap_word(l, s);
	free(s);
}

/* add "$(img_steps)/<name>.id", with a suffix (":") */
static void
word_stamp(struct wrap *l, const struct walk *w, const struct step *st,
	   const char *suffix)
{
	word_stamp_ext(l, w, st, ".id", suffix);
}

/* add "$(img_plans)/<name>.json" */
static void
word_plan(struct wrap *l, const struct walk *w, const struct step *st)
{
	char *s;

	s = xasprintf("$(%splans)/%s.json", w->var, st->name);
	wrap_word(l, s);
	free(s);
}

/*
 * the recipe line echoing desc, as ninja shows a step, unless V=1 (then
 * make echoes the command instead, automake's silent rules): quoted for
 * the shell, '$' doubled for make
 */
static void
put_say(struct walk *w, struct buf *b, const char *desc)
{
	buf_printf(b, "\t@$(%ssay_) '", w->var);
	for (const char *c = desc; *c; c++) {
		if (*c == '\'')
			buf_puts(b, "'\\''");
		else if (*c == '$')
			buf_puts(b, "$$");
		else
			buf_putc(b, *c);
	}
	buf_puts(b, "'\n");
}

/* the commit of an ADD <git URL>'s ref, asked for on every make,
 * rewritten only when it changed */
static void
put_gitref(struct walk *w, struct buf *b, const struct step *st)
{
	struct buf desc = BUF_INIT;
	const char *rest;
	struct wrap l;
	char *s;

	wrap_start(&l, b, RULE_CONT, 4);
	s = xasprintf("$(%ssteps)/%s.ref:", w->var, st->name);
	wrap_word(&l, s);
	free(s);
	word_plan(&l, w, st);
	s = xasprintf("%s" LABELS_ALWAYS, w->tgt);
	wrap_word(&l, s);
	free(s);
	wrap_end(&l);
	labels_desc(&desc, st, LABELS_WIDTH - 16 - strlen(w->var));
	/* described as the step, GITREF for the instruction, as in build.ninja */
	rest = buf_str(&desc) + strcspn(buf_str(&desc), " ");
	s = xasprintf("GITREF%s", rest);
	put_say(w, b, s);
	free(s);
	buf_fini(&desc);
	buf_printf(b, "\t$(%sq_)$(%sdf2ninja) exec gitref --plan $(%splans)/%s.json --out $@\n\n",
		   w->var, w->var, w->var, st->name);
}

static void
put_step(struct walk *w, struct buf *b, const struct walk_edge *e)
{
	const struct step *st = e->st;
	struct wrap l;
	size_t i;
	char *s;

	if (st->has_gitref && e->part != WALK_LINK_STACK)
		put_gitref(w, b, st);
	wrap_start(&l, b, RULE_CONT, 4);
	word_stamp_ext(&l, w, st, e->part == WALK_LINK_COPY ? ".link" : ".id", ":");
	for (i = 0; i < e->nins; i++)
		word_stamp(&l, w, e->ins[i], "");
	if (e->part == WALK_LINK_STACK)
		word_stamp_ext(&l, w, st, ".link", "");
	word_plan(&l, w, st);
	if (st->watch) {
		/* a local base image's file (ninja.c's word_watch), while it
		 * exists: a missing one makes no "No rule to make target" */
		struct buf p = BUF_INIT;

		if (escape_make_path(&p, st->watch, "base image", NULL) == 0) {
			s = xasprintf("$(wildcard %s)", buf_str(&p));
			wrap_word(&l, s);
			free(s);
		}
		buf_fini(&p);
	}
	if (st->has_gitref && e->part != WALK_LINK_STACK) {
		s = xasprintf("$(%ssteps)/%s.ref", w->var, st->name);
		wrap_word(&l, s);
		free(s);
	}
	if (st->runs_always && e->part != WALK_LINK_STACK) {
		s = xasprintf("%s" LABELS_ALWAYS, w->tgt);
		wrap_word(&l, s);
		free(s);
	}
	if (st->no_cache) {
		/* --no-cache: a file this generation wrote anew (buildflags.h) */
		s = xasprintf("$(%sbuilddir)/nocache/%s", w->var, st->name);
		wrap_word(&l, s);
		free(s);
	}
	if (e->has_depfile) {
		/* files the including tree makes into the context */
		s = xasprintf("$(%scontext_deps)", w->var);
		wrap_word(&l, s);
		free(s);
	}
	if (e->order) {
		/* read, not depended on: a change below copies nothing again */
		wrap_word(&l, "|");
		word_stamp(&l, w, e->order, "");
	}
	wrap_end(&l);

	{
		struct buf desc = BUF_INIT;

		/* the tab, "@$(say_) ''" and "\n" */
		/* as ninja's: the stacking edge of a --link copy says LINK */
		if (e->part == WALK_LINK_STACK)
			labels_desc_verb(&desc, st, "LINK", LABELS_WIDTH - 16 - strlen(w->var));
		else
			labels_desc(&desc, st, LABELS_WIDTH - 16 - strlen(w->var));
		put_say(w, b, buf_str(&desc));
		buf_fini(&desc);
	}
	buf_putc(b, '\t');
	wrap_start(&l, b, RECIPE_CONT, 12);
	/* a step goes through df2ninja-run, which the quiet prefix precedes */
	if (strcmp(e->exec, "step") == 0) {
		s = xasprintf("$(%sq_)$(%srun)", w->var, w->var);
		wrap_word(&l, s);
		free(s);
		s = xasprintf("$(%sdf2ninja)", w->var);
	} else {
		s = xasprintf("$(%sq_)$(%sdf2ninja)", w->var, w->var);
	}
	wrap_word(&l, s);
	free(s);
	wrap_word(&l, "exec");
	wrap_word(&l, e->exec);
	wrap_word(&l, "--plan");
	word_plan(&l, w, st);
	wrap_word(&l, "--out");
	wrap_word(&l, "$@");
	if (e->has_depfile) {
		wrap_word(&l, "--depfile");
		wrap_word(&l, "$@.d");
	}
	if (e->part == WALK_LINK_STACK) {
		wrap_word(&l, "--layer");
		word_stamp_ext(&l, w, st, ".link", "");
	}
	wrap_end(&l);
	if (e->has_depfile)
		buf_printf(b, "-include $(%ssteps)/%s%s.d\n", w->var,
			   st->name, e->part == WALK_LINK_COPY ? ".link" : ".id");
	buf_putc(b, '\n');
}

/* the phony prerequisite of the steps that run on every make */
static void
put_always(struct walk *w, struct buf *b)
{
	buf_printf(b, "# ADD of a URL without --checksum runs on every make "
		   "to ask the server\n# again\n%s" LABELS_ALWAYS ":\n"
		   ".PHONY: %s" LABELS_ALWAYS "\n\n", w->tgt, w->tgt);
}

static void
put_export(struct walk *w, struct buf *b, const struct step *const *lasts, size_t n)
{
	struct wrap l;
	char *s;

	wrap_start(&l, b, RULE_CONT, 4);
	s = xasprintf("$(%sbuilddir)/out/image.id:", w->var);
	wrap_word(&l, s);
	free(s);
	for (size_t i = 0; i < n; i++)
		word_stamp(&l, w, lasts[i], "");
	s = xasprintf("$(%splans)/export.json", w->var);
	wrap_word(&l, s);
	wrap_end(&l);
	/* make fills in $@, as ninja its $out */
	buf_printf(b, "\t@$(%ssay_) 'EXPORT $@'\n", w->var);
	buf_printf(b, "\t$(%sq_)$(%sdf2ninja) exec export --plan %s --out $@\n\n",
		   w->var, w->var, s);
	free(s);
}

/* "<target>: <stamp>"; the walk checked the target for make */
static void
put_alias(struct walk *w, struct buf *b, const char *target,
	  const struct step *st)
{
	struct wrap l;
	char *s;

	s = xasprintf("%s:", target);
	wrap_start(&l, b, RULE_CONT, 4);
	wrap_word(&l, s);
	word_stamp(&l, w, st, "");
	wrap_end(&l);
	free(s);
}

static void
put_phony(struct walk *w, struct buf *b, const struct strv *targets)
{
	struct wrap l;
	size_t i;

	wrap_start(&l, b, RULE_CONT, 4);
	wrap_word(&l, ".PHONY:");
	for (i = 0; i < targets->n; i++)
		wrap_word(&l, targets->v[i]);
	wrap_end(&l);
}

/* the make-escaped paths and the names of the template */
static int
prepare(struct walk *w, struct err **errp)
{
	const struct emit_opts *o = w->o;
	struct buf *genargs = walk_var(w, "GENARGS"), *run = walk_var(w, "RUN");
	struct buf *optional, *present, *rules;

	if (escape_make_path(walk_var(w, "OUTPUT_PATH"), o->output,
			     "output file", errp) < 0 ||
	    escape_make_path(walk_var(w, "DOCKERFILE_PATH"), o->dockerfile,
			     "Dockerfile", errp) < 0 ||
	    escape_make_path(walk_var(w, "BUILDDIR"), o->builddir,
			     "build dir", errp) < 0 ||
	    escape_make_path(walk_var(w, "DF2NINJA"), o->df2ninja,
			     "df2ninja path", errp) < 0 ||
	    (o->run && escape_make_path(run, o->run, "df2ninja-run path", errp) < 0) ||
	    escape_make_path(genargs, o->genargs, "args file", errp) < 0)
		return -1;
	/* empty without df2ninja-run: the steps run df2ninja directly */
	if (o->run)
		buf_printf(run, " $(%sbuilddir)", w->var);
	optional = walk_var(w, "OPTIONAL_INPUTS");
	if (o->dockerignore) {
		if (escape_make_path(optional, o->dockerignore,
				     ".dockerignore", errp) < 0)
			return -1;
		buf_putc(optional, ' ');
	}
	/* the Dockerfile's ignore file: while it exists a prerequisite with
	 * an empty rule, so that removing it regenerates (the plans name
	 * it); else optional, so that creating it does */
	present = walk_var(w, "PRESENT_INPUTS");
	rules = walk_var(w, "PRESENT_RULES");
	if (o->dfignore && o->dfignore_exists) {
		if (escape_make_path(present, o->dfignore,
				     "Dockerfile's ignore file", errp) < 0 ||
		    escape_make_path(rules, o->dfignore,
				     "Dockerfile's ignore file", errp) < 0)
			return -1;
		buf_putc(present, ' ');
		buf_puts(rules, ":\n");
	} else if (o->dfignore) {
		if (escape_make_path(optional, o->dfignore,
				     "Dockerfile's ignore file", errp) < 0)
			return -1;
		buf_putc(optional, ' ');
	}
	buf_printf(optional, "%s $(%sdf2ninja)", buf_str(genargs), w->var);
	buf_puts(walk_var(w, "P"), w->var);
	buf_puts(walk_var(w, "T"), w->tgt);
	if (*o->prefix)
		buf_printf(walk_var(w, "NAMING"), "Variables start with \"%s\" "
			   "and targets with \"%s\" (--prefix %s),\n# so this "
			   "file can be included into a larger make tree "
			   "without clashes.", w->var, w->tgt, o->prefix);
	else
		buf_puts(walk_var(w, "NAMING"), "No prefix: with --prefix "
			 "NAME, variables would start with \"NAME_\" and\n# "
			 "targets with \"NAME-\", so that this file could be "
			 "included into a larger tree.");
	return 0;
}

static const struct walk_backend make = {
	.tmpl = tmpl_makefile,
	.has_prefix = true,
	.output_in_recipe = true,
	.escape_path = escape_make_path,
	.prepare = prepare,
	.always = put_always,
	.step = put_step,
	.export = put_export,
	.alias = put_alias,
	.aliases_end = put_phony,
};

int
emit_make(const struct graph *g, const struct emit_opts *o,
	  struct buf *out, struct err **errp)
{
	return walk_emit(g, o, &make, out, errp);
}

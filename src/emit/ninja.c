#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/buf.h"
#include "util/strv.h"
#include "util/err.h"
#include "emit.h"
#include "escape.h"
#include "labels.h"
#include "template.h"
#include "walk.h"
#include "width.h"
#include "wrap.h"

/* ninja continues a line with "$" before the newline */
#define CONT " $\n    "

/* add the ninja-escaped path as one word, between prefix ("| ") and
 * suffix (":") */
static int
line_path(struct wrap *l, const char *prefix, const char *path,
	  const char *suffix, const char *what, struct err **errp)
{
	struct buf w = BUF_INIT;
	int r;

	buf_puts(&w, prefix);
	r = escape_ninja_path(&w, path, what, errp);
	if (r == 0) {
		buf_puts(&w, suffix);
		wrap_word(l, buf_str(&w));
	}
	buf_fini(&w);
	return r;
}

/* add "$steps/<name><ext>", with a suffix (":") */
static void
word_stamp_ext(struct wrap *l, const struct step *st, const char *ext,
	       const char *suffix)
{
	struct buf w = BUF_INIT;

	/* labels_check made the name plain: only ':' needs escaping */
	buf_puts(&w, "$steps/");
	escape_ninja_path(&w, st->name, "step name", NULL);
	buf_puts(&w, ext);
	buf_puts(&w, suffix);
	wrap_word(l, buf_str(&w));
	buf_fini(&w);
}

/* add "$steps/<name>.id", with a suffix (":") */
static void
word_stamp(struct wrap *l, const struct step *st, const char *suffix)
{
	word_stamp_ext(l, st, ".id", suffix);
}

/* add "| $plans/<name>.json": the plan, an edge's first implicit input,
 * keeps the '|' on its line */
static void
word_plan(struct wrap *l, const struct step *st)
{
	struct buf w = BUF_INIT;

	buf_puts(&w, "| $plans/");
	escape_ninja_path(&w, st->name, "step name", NULL);
	buf_puts(&w, ".json");
	wrap_word(l, buf_str(&w));
	buf_fini(&w);
}

/*
 * a phony edge for each local base image's file a FROM reads (step.watch),
 * once each: a missing one then makes the FROM run (and say so) rather
 * than ninja refuse the whole build file
 */
static int
put_watched(struct walk *w, struct buf *b)
{
	struct strv seen = STRV_INIT;

	for (size_t i = 0; i < w->g->nstages; i++) {
		const struct stage *s = &w->g->stages[i];

		for (size_t j = 0; s->needed && j < s->nsteps; j++) {
			const char *p = s->steps[j].watch;
			struct buf e = BUF_INIT;
			bool dup = false;

			for (size_t k = 0; p && k < seen.n && !dup; k++)
				dup = strcmp(seen.v[k], p) == 0;
			if (!p || dup || escape_ninja_path(&e, p, "base image", NULL) < 0) {
				buf_fini(&e);
				continue;
			}
			strv_add(&seen, p);
			buf_printf(b, "build %s: phony\n", buf_str(&e));
			buf_fini(&e);
		}
	}
	strv_fini(&seen);
	return 0;
}

/* the regeneration edge, and a phony edge for each of its inputs */
static int
put_regen(struct walk *w, struct buf *b, struct err **errp)
{
	const struct emit_opts *o = w->o;
	const char *ins[] = { o->dockerfile, o->dockerignore, o->genargs,
			      o->dfignore };
	const char *what[] = { "Dockerfile", ".dockerignore", "args file",
			       "Dockerfile's ignore file" };
	const char *bar;
	struct wrap l;
	size_t i;

	buf_puts(b, "# Re-run df2ninja when the Dockerfile, its ignore file, "
		 "the generation\n# options or df2ninja itself change; the "
		 "phony edges let one be missing.\n");
	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	if (line_path(&l, "", o->output, ":", "output file", errp) < 0)
		return -1;
	wrap_word(&l, "regen");
	if (line_path(&l, "", o->dockerfile, "", what[0], errp) < 0)
		return -1;
	bar = "| ";
	for (i = 1; i < 4; i++) {
		if (!ins[i])
			continue;
		if (line_path(&l, bar, ins[i], "", what[i], errp) < 0)
			return -1;
		bar = "";
	}
	wrap_word(&l, "$df2ninja");
	wrap_end(&l);

	/*
	 * a phony edge each, so a missing file does not stop the build (the
	 * regen edge then runs, and df2ninja says what is missing). One each:
	 * a phony edge without inputs is dirty when one of its outputs is
	 * missing, and then all its outputs are.
	 */
	for (i = 0; i < 4; i++) {
		/* the Dockerfile's ignore file, while it exists, too: the
		 * plans name it, so its removal must regenerate */
		if (!ins[i] || i == 1 || (i == 3 && !o->dfignore_exists))
			continue;
		wrap_start(&l, b, CONT, 4);
		wrap_word(&l, "build");
		if (line_path(&l, "", ins[i], ":", what[i], errp) < 0)
			return -1;
		wrap_word(&l, "phony");
		wrap_end(&l);
	}
	buf_puts(b, "build $df2ninja: phony\n");
	/*
	 * .dockerignore is optional: without inputs its phony edge would be
	 * dirty, and df2ninja rerun, on every build while it is missing; with
	 * the args file as input a missing one counts as that file's age,
	 * never newer than the manifest, and creating one reruns df2ninja
	 */
	for (i = 1; i < 4; i += 2) {
		if (!ins[i] || (i == 3 && o->dfignore_exists))
			continue;
		buf_printf(b, "# a missing %s takes the args file's time\n",
			   what[i]);
		wrap_start(&l, b, CONT, 4);
		wrap_word(&l, "build");
		if (line_path(&l, "", ins[i], ":", what[i], errp) < 0)
			return -1;
		wrap_word(&l, "phony");
		if (line_path(&l, "", o->genargs, "", what[2], errp) < 0)
			return -1;
		wrap_end(&l);
	}
	if (put_watched(w, b) < 0)
		return -1;
	buf_putc(b, '\n');
	return 0;
}

/* the rule of edge e */
static const char *
rule_of(const struct walk_edge *e)
{
	switch (e->part) {
	case WALK_STEP:
		break;
	case WALK_LINK_COPY:
		return e->has_depfile ? "ctxlink" : "link";
	case WALK_LINK_STACK:
		return "linkstep";
	}
	return e->has_depfile ? "ctxstep" : e->exec;
}

/*
 * a local base image's file, an input of its FROM: a rebuilt base runs the
 * FROM again. A path ninja cannot hold is left out (the base is then seen
 * only when the FROM runs for another reason)
 */
static void
word_watch(struct wrap *l, const char *path)
{
	struct buf w = BUF_INIT;

	if (escape_ninja_path(&w, path, "base image", NULL) == 0)
		wrap_word(l, buf_str(&w));
	buf_fini(&w);
}

/* add "$steps/<name>.ref", with a suffix (":") */
static void
word_gitref(struct wrap *l, const struct step *st, const char *suffix)
{
	struct buf w = BUF_INIT;

	buf_puts(&w, "$steps/");
	escape_ninja_path(&w, st->name, "step name", NULL);
	buf_puts(&w, ".ref");
	buf_puts(&w, suffix);
	wrap_word(l, buf_str(&w));
	buf_fini(&w);
}

/* the edge asking for the commit of an ADD <git URL>'s ref on every
 * build: described as the step, GITREF for the instruction */
static void
put_gitref(struct buf *b, const struct step *st)
{
	struct buf desc = BUF_INIT;
	const char *rest;
	struct wrap l;

	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	word_gitref(&l, st, ":");
	wrap_word(&l, "gitref");
	word_plan(&l, st);
	wrap_word(&l, LABELS_ALWAYS);
	wrap_end(&l);
	buf_puts(b, "  plan = $plans/");
	escape_ninja_value(b, st->name, "step name", NULL);
	buf_puts(b, ".json\n  desc = GITREF ");
	labels_desc(&desc, st, LABELS_WIDTH - strlen("  desc = "));
	rest = buf_str(&desc) + strcspn(buf_str(&desc), " ");
	rest += strspn(rest, " ");
	escape_ninja_value(b, rest, "description", NULL);
	buf_puts(b, "\n\n");
	buf_fini(&desc);
}

static void
put_step(struct walk *w, struct buf *b, const struct walk_edge *e)
{
	const struct step *st = e->st;
	struct buf desc = BUF_INIT;
	struct wrap l;
	size_t i;

	if (st->has_gitref && e->part != WALK_LINK_STACK)
		put_gitref(b, st);
	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	word_stamp_ext(&l, st, e->part == WALK_LINK_COPY ? ".link" : ".id", ":");
	wrap_word(&l, rule_of(e));
	for (i = 0; i < e->nins; i++)
		word_stamp(&l, e->ins[i], "");
	if (e->part == WALK_LINK_STACK)
		word_stamp_ext(&l, st, ".link", "");
	word_plan(&l, st);
	if (st->watch)
		word_watch(&l, st->watch);
	if (st->has_gitref && e->part != WALK_LINK_STACK)
		word_gitref(&l, st, "");
	if (st->runs_always && e->part != WALK_LINK_STACK)
		wrap_word(&l, LABELS_ALWAYS);
	if (st->no_cache) {
		/* --no-cache: a file this generation wrote anew (buildflags.h) */
		struct buf nc = BUF_INIT;

		buf_puts(&nc, "$builddir/nocache/");
		escape_ninja_path(&nc, st->name, "step name", NULL);
		wrap_word(&l, buf_str(&nc));
		buf_fini(&nc);
	}
	if (e->order) {
		wrap_word(&l, "||");
		word_stamp(&l, e->order, "");
	}
	wrap_end(&l);

	buf_puts(b, "  plan = $plans/");
	escape_ninja_value(b, st->name, "step name", NULL);
	buf_puts(b, ".json\n");
	if (e->part == WALK_LINK_STACK) {
		buf_puts(b, "  layer = $steps/");
		escape_ninja_value(b, st->name, "step name", NULL);
		buf_puts(b, ".link\n");
	}
	buf_puts(b, "  desc = ");
	if (e->part == WALK_LINK_STACK)
		labels_desc_verb(&desc, st, "LINK", LABELS_WIDTH - strlen("  desc = "));
	else
		labels_desc(&desc, st, LABELS_WIDTH - strlen("  desc = "));
	escape_ninja_value(b, buf_str(&desc), "description", NULL);
	buf_putc(b, '\n');
	if (st->kind == STEP_FROM && st->pulls)
		buf_puts(b, "  pool = registry\n");
	buf_putc(b, '\n');
	buf_fini(&desc);
}

/*
 * the always-dirty input of the steps that must run on every build (CMake's
 * VERIFY_GLOBS): a phony edge with no inputs whose output never exists.
 * It must be an implicit input: an order-only one would not rerun a step.
 * The walk asks for it only when a step needs it, so other files stay as
 * they were.
 */
static void
put_always(struct walk *w, struct buf *b)
{
	bool gitref = false;

	buf_puts(b, "# ADD of a URL without --checksum runs on every build to "
		 "ask the server\n# again; restat keeps what follows when the "
		 "file is unchanged\nbuild " LABELS_ALWAYS ": phony\n\n");
	for (size_t i = 0; i < w->g->nstages; i++)
		for (size_t j = 0; w->g->stages[i].needed && j < w->g->stages[i].nsteps; j++)
			gitref = gitref || w->g->stages[i].steps[j].has_gitref;
	if (gitref)
		buf_puts(b, "# ADD of a Git URL without --checksum: the commit of "
			 "its ref, asked for on\n# every build, rewritten only "
			 "when it changed\nrule gitref\n"
			 "  command = $df2ninja exec gitref --plan $plan --out $out\n"
			 "  description = $desc\n  restat = 1\n\n");
}

static void
put_link_rules(struct walk *w, struct buf *b)
{
	buf_puts(b, "# COPY/ADD --link: the copy into a layer of its own, reading only "
		 "its\n# sources (ctxlink: the context, listed in the depfile), "
		 "and the step\n# stacking that layer on the step before: a "
		 "change below copies nothing\n# again\n"
		 "rule link\n"
		 "  command = $df2ninja exec link --plan $plan --out $out\n"
		 "  description = $desc\n"
		 "  restat = 1\n\n"
		 "rule ctxlink\n"
		 "  command = $df2ninja exec link --plan $plan --out $out "
		 "--depfile $out.d\n"
		 "  description = $desc\n"
		 "  depfile = $out.d\n"
		 "  deps = gcc\n"
		 "  restat = 1\n\n"
		 "rule linkstep\n"
		 "  command = $run $df2ninja exec step --plan $plan --out $out "
		 "--layer $layer\n"
		 "  description = $desc\n"
		 "  restat = 1\n\n");
}

static void
put_export(struct walk *w, struct buf *b, const struct step *const *lasts, size_t n)
{
	struct wrap l;

	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	wrap_word(&l, "$builddir/out/image.id:");
	wrap_word(&l, "export");
	for (size_t i = 0; i < n; i++)
		word_stamp(&l, lasts[i], "");
	wrap_word(&l, "| $plans/export.json");
	wrap_end(&l);
	buf_puts(b, "  plan = $plans/export.json\n\n");
}

static void
put_alias(struct walk *w, struct buf *b, const char *target,
	  const struct step *st)
{
	struct wrap l;
	struct buf t = BUF_INIT;

	escape_ninja_path(&t, target, "target", NULL);
	buf_putc(&t, ':');
	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	wrap_word(&l, buf_str(&t));
	wrap_word(&l, "phony");
	word_stamp(&l, st, "");
	wrap_end(&l);
	buf_fini(&t);
}

/*
 * --cache-to: each RUN's push edge, in pool registry, reading the step's
 * stamp; no step reads what it writes, so the build goes on while it
 * uploads, and the image waits for it (IMAGE_DEPS)
 */
static void
put_cache_push(struct walk *w, struct buf *b)
{
	struct buf *deps = walk_var(w, "IMAGE_DEPS");

	if (!w->o->cache_push)
		return;
	buf_puts(b, "\n# --cache-to: a RUN's result shared with the cache "
		 "registries, beside the\n# build; a failed push is a "
		 "warning\nrule cachepush\n"
		 "  command = $df2ninja exec cachepush --plan $plan --out $out\n"
		 "  description = $desc\n  pool = registry\n\n");
	for (size_t i = 0; i < w->g->nstages; i++) {
		const struct stage *sg = &w->g->stages[i];

		for (size_t j = 0; sg->needed && j < sg->nsteps; j++) {
			const struct step *st = &sg->steps[j];
			struct buf desc = BUF_INIT;
			struct wrap l;

			if (st->kind != STEP_RUN)
				continue;
			wrap_start(&l, b, CONT, 4);
			wrap_word(&l, "build");
			word_stamp_ext(&l, st, ".pushed", ":");
			wrap_word(&l, "cachepush");
			word_stamp(&l, st, "");
			word_plan(&l, st);
			wrap_end(&l);
			buf_puts(b, "  plan = $plans/");
			escape_ninja_value(b, st->name, "step name", NULL);
			buf_puts(b, ".json\n  desc = ");
			labels_desc_verb(&desc, st, "SHARE", LABELS_WIDTH - strlen("  desc = "));
			escape_ninja_value(b, buf_str(&desc), "description", NULL);
			buf_puts(b, "\n\n");
			buf_fini(&desc);
			buf_puts(deps, " $steps/");
			escape_ninja_path(deps, st->name, "step name", NULL);
			buf_puts(deps, ".pushed");
		}
	}
}

/*
 * `all`, the default: the image, or when more steps can run at once than
 * ninja's default -j allows (3 on 2 cores, 2 on one), a second ninja on
 * this file building it at the graph's width (exec/drive.h). The steps'
 * edges stay as they are, for `ninja <stage>/<N>` and `-t commands`.
 */
static void
put_all(struct walk *w)
{
	struct buf *b = walk_var(w, "ALL");
	size_t width = width_chains(w->g);

	put_cache_push(w, b);
	if (width <= 2) {
		buf_puts(b, "build all: phony image\n");
		return;
	}
	buf_printf(b, "# up to %zu steps can run at once, more than ninja's "
		   "default -j: plain `ninja`\n# runs ninja again at that "
		   "width; `ninja -jN` bounds it, `ninja image` does not\n"
		   "# go through it\n"
		   "rule drive\n"
		   "  command = exec $df2ninja exec drive --jobs %zu image\n"
		   "  description = BUILD image, up to %zu steps at once\n"
		   "  pool = console\n\n"
		   "build $builddir/drive: drive\n"
		   "build all: phony $builddir/drive\n", width, width, width);
}

/* the top-level variables are values, not paths */
static int
prepare(struct walk *w, struct err **errp)
{
	struct buf *run;

	put_all(w);
	escape_ninja_value(walk_var(w, "BUILDDIR"), w->o->builddir,
			   "build dir", NULL);
	escape_ninja_value(walk_var(w, "DF2NINJA"), w->o->df2ninja,
			   "df2ninja path", NULL);
	/* empty without df2ninja-run: the steps run df2ninja directly */
	run = walk_var(w, "RUN");
	if (w->o->run) {
		escape_ninja_value(run, w->o->run, "df2ninja-run path", NULL);
		buf_puts(run, " $builddir");
	}
	escape_ninja_value(walk_var(w, "GENARGS"), w->o->genargs,
			   "args file", NULL);
	return 0;
}

static const struct walk_backend ninja = {
	.tmpl = tmpl_build_ninja,
	.escape_path = escape_ninja_path,
	.prepare = prepare,
	.head = put_regen,
	.always = put_always,
	.link_rules = put_link_rules,
	.step = put_step,
	.export = put_export,
	.alias = put_alias,
};

int
emit_ninja(const struct graph *g, const struct emit_opts *o,
	   struct buf *out, struct err **errp)
{
	return walk_emit(g, o, &ninja, out, errp);
}

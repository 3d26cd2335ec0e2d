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

struct buf *
walk_var(struct walk *w, const char *name)
{
	if (w->nvars == WALK_MAX_VARS)
		BUG("more than WALK_MAX_VARS template placeholders");
	w->vars[w->nvars].name = name;
	return &w->vals[w->nvars++];
}

static int
check_opts(const struct emit_opts *o, const struct walk_backend *be,
	   struct err **errp)
{
	const char *p;

	if (!o->output || !o->df2ninja || !o->builddir || !o->dockerfile ||
	    !o->genargs || !o->version || (be->has_prefix && !o->prefix))
		return err_make(errp, 0, "BUG: emit options incomplete");
	for (p = be->has_prefix ? o->prefix : ""; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return err_make(errp, 0, "prefix '%s' may hold only "
					"letters, digits and '_'", o->prefix);
	if (escape_check_sh_plain(o->df2ninja, "df2ninja path", errp) < 0 ||
	    escape_check_sh_plain(o->builddir, "build dir", errp) < 0 ||
	    escape_check_sh_plain(o->genargs, "args file", errp) < 0)
		return -1;
	if (be->output_in_recipe &&
	    escape_check_sh_plain(o->output, "output file", errp) < 0)
		return -1;
	return 0;
}

/* fail when target is one of the files paths[0..n) (NULLs skipped): it
 * would then be made twice */
static int
clash(const char *target, const char *const *paths, size_t n,
      struct err **errp)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (paths[i] && !strcmp(target, paths[i]))
			return err_make(errp, 0, "target '%s' would name the "
					"file '%s' too; rename the stage",
					target, paths[i]);
	return 0;
}

/* set t to the target naming stage s (st NULL) or its step st */
static void
target_of(struct buf *t, const struct walk *w, const struct stage *s,
	  const struct step *st)
{
	buf_reset(t);
	buf_puts(t, w->tgt);
	if (st)
		labels_step_target(t, st);
	else
		buf_puts(t, s->id);
}

/*
 * refuse stage and step names the syntax cannot hold as paths, and the
 * targets named after them that are a file the generated file reads or
 * makes
 */
static int
check_targets(struct walk *w, const struct walk_backend *be,
	      struct err **errp)
{
	const struct emit_opts *o = w->o;
	const char *paths[] = { o->output, o->dockerfile, o->dockerignore,
				o->genargs, o->dfignore };
	const struct graph *g = w->g;
	struct buf t = BUF_INIT;
	size_t i, j;
	int r = 0;

	for (i = 0; i < g->nstages && r == 0; i++) {
		const struct stage *s = &g->stages[i];

		for (j = 0; s->needed && j <= s->nsteps && r == 0; j++) {
			/* the stage, then its steps */
			const struct step *st = j ? &s->steps[j - 1] : NULL;

			buf_reset(&t);
			r = be->escape_path(&t, st ? st->name : s->id,
					    st ? "step name" : "stage name",
					    errp);
			if (r == 0) {
				target_of(&t, w, s, st);
				r = clash(buf_str(&t), paths, 5, errp);
			}
		}
	}
	buf_fini(&t);
	return r;
}

/* a step on the always-run phony target: itself, or its gitref edge */
static bool
runs_always(const struct step *st)
{
	return st->runs_always || st->has_gitref;
}

static bool
is_link(const struct step *st)
{
	return st->is_link;
}

/* a needed step is such that pred says so */
static bool
any_step(const struct graph *g, bool (*pred)(const struct step *))
{
	for (size_t i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		for (size_t j = 0; s->needed && j < s->nsteps; j++)
			if (pred(&s->steps[j]))
				return true;
	}
	return false;
}

/*
 * COPY --link: the copy is an edge of its own that reads its sources
 * (the context, a --from stage) but not the step before, which it only
 * orders after; the step's edge stacks the layer it made on the step
 * before, so a change below copies nothing again (BuildKit's MergeOp)
 */
static void
put_link(struct walk *w, const struct walk_backend *be, struct buf *b,
	 struct walk_edge *e)
{
	const struct step *parent = e->nins ? e->ins[0] : NULL;

	e->part = WALK_LINK_COPY;
	e->order = parent;
	e->ins++;
	e->nins--;
	e->exec = "link";
	be->step(w, b, e);
	e->part = WALK_LINK_STACK;
	e->order = NULL;
	e->ins--;
	e->nins = 1;
	e->exec = "step";
	e->has_depfile = false;
	be->step(w, b, e);
}

static void
put_step(struct walk *w, const struct walk_backend *be, struct buf *b,
	 const struct step *st)
{
	struct walk_edge e = { .st = st };
	const struct step **ins;

	labels_comment(b, w->g, w->o->dockerfile, st);
	ins = xcalloc(st->ndeps + 1, sizeof(*ins));
	e.ins = ins;
	e.nins = labels_inputs(st, ins);
	e.exec = st->kind == STEP_FROM ? "from" : "step";
	/* a COPY/ADD, or a RUN binding the context */
	e.has_depfile = st->reads_context;
	if (st->is_link && e.nins > 0)
		put_link(w, be, b, &e);
	else
		be->step(w, b, &e);
	free(ins);
}

static void
put_export(struct walk *w, const struct walk_backend *be, struct buf *b)
{
	const struct graph *g = w->g;
	size_t n = g->nplatforms ? g->nplatforms : 1;
	const struct step **lasts = xcalloc(n, sizeof(*lasts));
	struct buf t = BUF_INIT;

	buf_printf(&t, "export: stage%s", n > 1 ? "s" : "");
	for (size_t i = 0; i < n; i++) {
		const struct stage *s = g->nplatforms ? g->ptargets[i] : g->target;

		buf_printf(&t, "%s \"%s\"", i ? "," : "", s->id);
		lasts[i] = labels_last_step(s);
	}
	labels_rule_line(b, buf_str(&t));
	buf_fini(&t);
	buf_putc(b, '\n');
	be->export(w, b, lasts, n);
	free(lasts);
}

/* one alias per needed stage and per step; image, all and default
 * follow in the template */
static void
put_aliases(struct walk *w, const struct walk_backend *be, struct buf *b)
{
	const struct graph *g = w->g;
	struct strv targets = STRV_INIT;
	struct buf t = BUF_INIT;
	size_t i, j;

	labels_rule_line(b, "targets: stages, steps as [stage N/M], the image");
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		for (j = 0; s->needed && j <= s->nsteps; j++) {
			/* the stage, made by its last step, then its steps */
			const struct step *st = j ? &s->steps[j - 1] : NULL;

			target_of(&t, w, s, st);
			be->alias(w, b, buf_str(&t),
				  st ? st : labels_last_step(s));
			if (be->aliases_end)
				strv_add(&targets, buf_str(&t));
		}
	}
	/* a multi-platform build: image@linux-arm64, the image of one */
	for (i = 0; i < g->nplatforms; i++) {
		autofree char *sfx = graph_platform_suffix(g->platforms.v[i]);

		buf_reset(&t);
		buf_printf(&t, "%simage%s", w->tgt, sfx);
		be->alias(w, b, buf_str(&t), labels_last_step(g->ptargets[i]));
		if (be->aliases_end)
			strv_add(&targets, buf_str(&t));
	}
	if (be->aliases_end)
		be->aliases_end(w, b, &targets);
	strv_fini(&targets);
	buf_fini(&t);
}

static int
put_body(struct walk *w, const struct walk_backend *be, struct buf *b,
	 struct err **errp)
{
	const struct graph *g = w->g;
	size_t i, j;

	if (be->head && be->head(w, b, errp) < 0)
		return -1;
	if (any_step(g, runs_always))
		be->always(w, b);
	if (be->link_rules && any_step(g, is_link))
		be->link_rules(w, b);
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		if (!s->needed)
			continue;
		labels_divider(b, g, s, w->o->dockerfile);
		buf_putc(b, '\n');
		for (j = 0; j < s->nsteps; j++)
			put_step(w, be, b, &s->steps[j]);
	}
	put_export(w, be, b);
	put_aliases(w, be, b);
	/* the template's "@BODY@" line ends it */
	b->s[--b->len] = '\0';
	return 0;
}

/* the comment text of the header, the same in every syntax */
static void
put_header_text(struct walk *w)
{
	const struct emit_opts *o = w->o;
	struct buf *inputs;

	escape_comment(walk_var(w, "OUTPUT"), o->output, (size_t)-1);
	escape_comment(walk_var(w, "DOCKERFILE"), o->dockerfile, (size_t)-1);
	inputs = walk_var(w, "INPUTS");
	escape_comment(inputs, o->dockerfile, (size_t)-1);
	if (o->dfignore) {
		buf_putc(inputs, ' ');
		escape_comment(inputs, o->dfignore, (size_t)-1);
	}
	if (o->dockerignore) {
		buf_putc(inputs, ' ');
		escape_comment(inputs, o->dockerignore, (size_t)-1);
	}
	buf_putc(inputs, ' ');
	escape_comment(inputs, o->genargs, (size_t)-1);
	buf_puts(walk_var(w, "VERSION"), o->version);
	buf_puts(walk_var(w, "REGISTRY_DEPTH"), LABELS_REGISTRY_DEPTH);
}

int
walk_emit(const struct graph *g, const struct emit_opts *o,
	  const struct walk_backend *be, struct buf *out, struct err **errp)
{
	struct walk w = { .g = g, .o = o };
	const char *prefix;
	size_t i;
	int r = -1;

	if (check_opts(o, be, errp) < 0 || labels_check(g, errp) < 0)
		return -1;
	prefix = be->has_prefix ? o->prefix : "";
	w.var = xasprintf("%s%s", prefix, *prefix ? "_" : "");
	w.tgt = xasprintf("%s%s", prefix, *prefix ? "-" : "");
	if ((be->prepare && be->prepare(&w, errp) < 0) ||
	    check_targets(&w, be, errp) < 0 ||
	    put_body(&w, be, walk_var(&w, "BODY"), errp) < 0)
		goto out;
	put_header_text(&w);
	for (i = 0; i < w.nvars; i++)
		w.vars[i].value = buf_str(&w.vals[i]);
	r = template_expand(out, be->tmpl, w.vars, w.nvars, errp);
out:
	for (i = 0; i < w.nvars; i++)
		buf_fini(&w.vals[i]);
	free(w.var);
	free(w.tgt);
	return r;
}

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/err.h"
#include "emit.h"
#include "escape.h"
#include "names.h"
#include "template.h"
#include "wrap.h"

/* a rule line continues with a backslash; a recipe line keeps its tab */
#define RULE_CONT " \\\n    "
#define RECIPE_CONT " \\\n\t    "

/* the names this file gives things: "img_" for variables, "img-" for
 * targets, both empty without a prefix */
struct names {
	const char *var;
	const char *tgt;
};

/* add "$(img_steps)/<name>.id", with a suffix (":") */
static void
word_stamp(struct wrap *w, const struct names *n, const struct step *st,
	   const char *suffix)
{
	char *s;

	/* check_names refused what make cannot hold in a name */
	s = xasprintf("$(%ssteps)/%s.id%s", n->var, st->name, suffix);
	wrap_word(w, s);
	free(s);
}

/* add "$(img_plans)/<name>.json" */
static void
word_plan(struct wrap *w, const struct names *n, const struct step *st)
{
	char *s;

	s = xasprintf("$(%splans)/%s.json", n->var, st->name);
	wrap_word(w, s);
	free(s);
}

/* refuse names a make target cannot hold */
static int
check_names(const struct graph *g, struct err **errp)
{
	struct buf t = BUF_INIT;
	size_t i, j;
	int r = 0;

	for (i = 0; i < g->nstages && r == 0; i++) {
		const struct stage *s = &g->stages[i];

		if (!s->needed)
			continue;
		r = escape_make_path(&t, s->id, "stage name", errp);
		for (j = 0; j < s->nsteps && r == 0; j++)
			r = escape_make_path(&t, s->steps[j].name, "step name",
					     errp);
	}
	buf_fini(&t);
	return r;
}

static const char *
exec_kind(const struct step *st)
{
	return st->kind == STEP_FROM ? "from" : "step";
}

static void
put_step(struct buf *b, const struct graph *g, const struct emit_opts *o,
	 const struct names *n, const struct step *st)
{
	bool depfile = (st->kind == STEP_COPY || st->kind == STEP_ADD) &&
		       st->reads_context;
	const struct step **ins;
	struct wrap w;
	size_t i, nin;
	char *s;

	names_comment(b, g, o->dockerfile, st);
	ins = xcalloc(st->ndeps + 1, sizeof(*ins));
	nin = names_inputs(st, ins);
	wrap_start(&w, b, RULE_CONT, 4);
	word_stamp(&w, n, st, ":");
	for (i = 0; i < nin; i++)
		word_stamp(&w, n, ins[i], "");
	word_plan(&w, n, st);
	if (st->runs_always) {
		s = xasprintf("%s" NAMES_ALWAYS, n->tgt);
		wrap_word(&w, s);
		free(s);
	}
	if (depfile) {
		/* files the including tree makes into the context */
		s = xasprintf("$(%scontext_deps)", n->var);
		wrap_word(&w, s);
		free(s);
	}
	wrap_end(&w);
	free(ins);

	buf_putc(b, '\t');
	wrap_start(&w, b, RECIPE_CONT, 12);
	s = xasprintf("$(%sdf2ninja)", n->var);
	wrap_word(&w, s);
	free(s);
	wrap_word(&w, "exec");
	wrap_word(&w, exec_kind(st));
	wrap_word(&w, "--plan");
	word_plan(&w, n, st);
	wrap_word(&w, "--out");
	wrap_word(&w, "$@");
	if (depfile) {
		wrap_word(&w, "--depfile");
		wrap_word(&w, "$@.d");
	}
	wrap_end(&w);
	if (depfile)
		buf_printf(b, "-include $(%ssteps)/%s.id.d\n", n->var,
			   st->name);
	buf_putc(b, '\n');
}

/* the phony prerequisite of the steps that run on every make; only when
 * a step needs it */
static void
put_always(struct buf *b, const struct graph *g, const struct names *n)
{
	for (size_t i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		for (size_t j = 0; s->needed && j < s->nsteps; j++) {
			if (!s->steps[j].runs_always)
				continue;
			buf_printf(b, "# ADD of a URL without --checksum runs "
				   "on every make to ask the server\n# again\n"
				   "%s" NAMES_ALWAYS ":\n.PHONY: %s"
				   NAMES_ALWAYS "\n\n", n->tgt, n->tgt);
			return;
		}
	}
}

static void
put_export(struct buf *b, const struct graph *g, const struct names *n)
{
	struct buf t = BUF_INIT;
	struct wrap w;
	char *s;

	buf_printf(&t, "export: stage \"%s\"", g->target->id);
	names_rule_line(b, buf_str(&t));
	buf_fini(&t);
	buf_putc(b, '\n');
	wrap_start(&w, b, RULE_CONT, 4);
	s = xasprintf("$(%sbuilddir)/out/image.id:", n->var);
	wrap_word(&w, s);
	free(s);
	word_stamp(&w, n, names_last_step(g->target), "");
	s = xasprintf("$(%splans)/export.json", n->var);
	wrap_word(&w, s);
	wrap_end(&w);
	buf_printf(b, "\t$(%sdf2ninja) exec export --plan %s --out $@\n\n",
		   n->var, s);
	free(s);
}

/* append "<tgt><name>: <stamp>" and add the target to phony */
static void
put_alias(struct buf *b, const struct names *n, const char *name,
	  const struct step *st, struct wrap *phony)
{
	struct wrap w;
	char *s;

	s = xasprintf("%s%s", n->tgt, name);
	wrap_word(phony, s);
	free(s);
	s = xasprintf("%s%s:", n->tgt, name);
	wrap_start(&w, b, RULE_CONT, 4);
	wrap_word(&w, s);
	word_stamp(&w, n, st, "");
	wrap_end(&w);
	free(s);
}

static void
put_aliases(struct buf *b, const struct graph *g, const struct names *n)
{
	struct buf phony = BUF_INIT;
	struct wrap pw;
	size_t i, j;
	char *name;

	names_rule_line(b, "targets: stages, steps as [stage N/M], the image");
	wrap_start(&pw, &phony, RULE_CONT, 4);
	wrap_word(&pw, ".PHONY:");
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		if (!s->needed)
			continue;
		put_alias(b, n, s->id, names_last_step(s), &pw);
		for (j = 0; j < s->nsteps; j++) {
			const struct step *st = &s->steps[j];

			if (st->kind == STEP_CONFIG)
				name = xasprintf("%s/config", s->id);
			else
				name = xasprintf("%s/%d", s->id, st->num);
			put_alias(b, n, name, st, &pw);
			free(name);
		}
	}
	wrap_end(&pw);
	buf_puts(b, buf_str(&phony));
	buf_fini(&phony);
}

static int
check_opts(const struct emit_opts *o, struct err **errp)
{
	const char *p;

	if (!o->output || !o->df2ninja || !o->builddir || !o->dockerfile ||
	    !o->genargs || !o->version || !o->prefix)
		return err_make(errp, 0, "BUG: emit options incomplete");
	for (p = o->prefix; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return err_make(errp, 0, "prefix '%s' may hold only "
					"letters, digits and '_'", o->prefix);
	if (escape_check_sh_plain(o->df2ninja, "df2ninja path", errp) < 0 ||
	    escape_check_sh_plain(o->builddir, "build dir", errp) < 0 ||
	    escape_check_sh_plain(o->genargs, "args file", errp) < 0 ||
	    escape_check_sh_plain(o->output, "output file", errp) < 0)
		return -1;
	return 0;
}

/* the make-escaped paths of the template; *_PATH, OPTIONAL_INPUTS */
struct paths {
	struct buf output, dockerfile, optional, builddir, df2ninja, genargs;
};

static int
make_paths(struct paths *p, const struct emit_opts *o, const struct names *n,
	   struct err **errp)
{
	if (escape_make_path(&p->output, o->output, "output file", errp) < 0 ||
	    escape_make_path(&p->dockerfile, o->dockerfile, "Dockerfile",
			     errp) < 0 ||
	    escape_make_path(&p->builddir, o->builddir, "build dir", errp) < 0 ||
	    escape_make_path(&p->df2ninja, o->df2ninja, "df2ninja path",
			     errp) < 0 ||
	    escape_make_path(&p->genargs, o->genargs, "args file", errp) < 0)
		return -1;
	if (o->dockerignore) {
		if (escape_make_path(&p->optional, o->dockerignore,
				     ".dockerignore", errp) < 0)
			return -1;
		buf_putc(&p->optional, ' ');
	}
	buf_printf(&p->optional, "%s $(%sdf2ninja)", buf_str(&p->genargs),
		   n->var);
	return 0;
}

static void
paths_fini(struct paths *p)
{
	buf_fini(&p->output);
	buf_fini(&p->dockerfile);
	buf_fini(&p->optional);
	buf_fini(&p->builddir);
	buf_fini(&p->df2ninja);
	buf_fini(&p->genargs);
}

static void
put_header_text(struct buf *output, struct buf *df, struct buf *inputs,
		struct buf *naming, const struct emit_opts *o,
		const struct names *n)
{
	escape_comment(output, o->output, (size_t)-1);
	escape_comment(df, o->dockerfile, (size_t)-1);
	escape_comment(inputs, o->dockerfile, (size_t)-1);
	if (o->dockerignore) {
		buf_putc(inputs, ' ');
		escape_comment(inputs, o->dockerignore, (size_t)-1);
	}
	buf_putc(inputs, ' ');
	escape_comment(inputs, o->genargs, (size_t)-1);
	if (*o->prefix)
		buf_printf(naming, "Variables start with \"%s\" and targets "
			   "with \"%s\" (--prefix %s),\n# so this file can be "
			   "included into a larger make tree without clashes.",
			   n->var, n->tgt, o->prefix);
	else
		buf_puts(naming, "No prefix: with --prefix NAME, variables "
			 "would start with \"NAME_\" and\n# targets with "
			 "\"NAME-\", so that this file could be included "
			 "into a larger tree.");
}

int
emit_make(const struct graph *g, const struct emit_opts *o,
	  struct buf *out, struct err **errp)
{
	struct buf body = BUF_INIT, output = BUF_INIT, df = BUF_INIT;
	struct buf inputs = BUF_INIT, naming = BUF_INIT;
	struct paths p = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT,
			   BUF_INIT };
	struct names n = { "", "" };
	const char *paths[] = { o->output, o->dockerfile, o->dockerignore,
				o->genargs };
	char *var = NULL, *tgt = NULL;
	size_t i, j;
	int r = -1;

	if (check_opts(o, errp) < 0 || names_check(g, errp) < 0 ||
	    check_names(g, errp) < 0)
		return -1;
	if (*o->prefix) {
		var = xasprintf("%s_", o->prefix);
		tgt = xasprintf("%s-", o->prefix);
		n.var = var;
		n.tgt = tgt;
	}
	if (make_paths(&p, o, &n, errp) < 0 ||
	    names_check_clash(g, n.tgt, paths, 4, errp) < 0)
		goto out;
	put_always(&body, g, &n);
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		if (!s->needed)
			continue;
		names_divider(&body, g, s, o->dockerfile);
		buf_putc(&body, '\n');
		for (j = 0; j < s->nsteps; j++)
			put_step(&body, g, o, &n, &s->steps[j]);
	}
	put_export(&body, g, &n);
	put_aliases(&body, g, &n);
	/* the template's "@BODY@" line ends it */
	body.s[--body.len] = '\0';
	put_header_text(&output, &df, &inputs, &naming, o, &n);
	{
		const struct tmpl_var vars[] = {
			{ "P", n.var },
			{ "T", n.tgt },
			{ "NAMING", buf_str(&naming) },
			{ "OUTPUT", buf_str(&output) },
			{ "DOCKERFILE", buf_str(&df) },
			{ "VERSION", o->version },
			{ "INPUTS", buf_str(&inputs) },
			{ "REGISTRY_DEPTH", NAMES_REGISTRY_DEPTH },
			{ "BUILDDIR", buf_str(&p.builddir) },
			{ "DF2NINJA", buf_str(&p.df2ninja) },
			{ "GENARGS", buf_str(&p.genargs) },
			{ "OUTPUT_PATH", buf_str(&p.output) },
			{ "DOCKERFILE_PATH", buf_str(&p.dockerfile) },
			{ "OPTIONAL_INPUTS", buf_str(&p.optional) },
			{ "BODY", buf_str(&body) },
		};

		r = template_expand(out, tmpl_makefile, vars,
				    sizeof(vars) / sizeof(vars[0]), errp);
	}
out:
	buf_fini(&body);
	buf_fini(&output);
	buf_fini(&df);
	buf_fini(&inputs);
	buf_fini(&naming);
	paths_fini(&p);
	free(var);
	free(tgt);
	return r;
}

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

/* add "$steps/<name>.id", with a suffix (":") */
static void
word_stamp(struct wrap *l, const struct step *st, const char *suffix)
{
	struct buf w = BUF_INIT;

	/* names_check made the name plain: only ':' needs escaping */
	buf_puts(&w, "$steps/");
	escape_ninja_path(&w, st->name, "step name", NULL);
	buf_puts(&w, ".id");
	buf_puts(&w, suffix);
	wrap_word(l, buf_str(&w));
	buf_fini(&w);
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

static int
put_regen(struct buf *b, const struct emit_opts *o, struct err **errp)
{
	const char *ins[] = { o->dockerfile, o->dockerignore, o->genargs };
	const char *what[] = { "Dockerfile", ".dockerignore", "args file" };
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
	for (i = 1; i < 3; i++) {
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
	for (i = 0; i < 3; i++) {
		if (!ins[i] || i == 1)
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
	if (o->dockerignore) {
		buf_puts(b, "# a missing .dockerignore takes the args file's "
			 "time\n");
		wrap_start(&l, b, CONT, 4);
		wrap_word(&l, "build");
		if (line_path(&l, "", o->dockerignore, ":", what[1], errp) < 0)
			return -1;
		wrap_word(&l, "phony");
		if (line_path(&l, "", o->genargs, "", what[2], errp) < 0)
			return -1;
		wrap_end(&l);
	}
	buf_putc(b, '\n');
	return 0;
}

static const char *
rule_of(const struct step *st)
{
	if (st->kind == STEP_FROM)
		return "from";
	if ((st->kind == STEP_COPY || st->kind == STEP_ADD) &&
	    st->reads_context)
		return "ctxstep";
	return "step";
}

static void
put_step(struct buf *b, const struct graph *g, const struct emit_opts *o,
	 const struct step *st)
{
	const struct step **ins;
	struct buf desc = BUF_INIT;
	struct wrap l;
	size_t i, n;

	names_comment(b, g, o->dockerfile, st);
	ins = xcalloc(st->ndeps + 1, sizeof(*ins));
	n = names_inputs(st, ins);
	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	word_stamp(&l, st, ":");
	wrap_word(&l, rule_of(st));
	for (i = 0; i < n; i++)
		word_stamp(&l, ins[i], "");
	word_plan(&l, st);
	if (st->runs_always)
		wrap_word(&l, NAMES_ALWAYS);
	wrap_end(&l);
	free(ins);

	buf_puts(b, "  plan = $plans/");
	escape_ninja_value(b, st->name, "step name", NULL);
	buf_puts(b, ".json\n  desc = ");
	names_desc(&desc, st, NAMES_WIDTH - strlen("  desc = "));
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
 * Only when a step needs it, so other files stay as they were.
 */
static void
put_always(struct buf *b, const struct graph *g)
{
	for (size_t i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		for (size_t j = 0; s->needed && j < s->nsteps; j++) {
			if (!s->steps[j].runs_always)
				continue;
			buf_puts(b, "# ADD of a URL without --checksum runs on "
				 "every build to ask the server\n# again; "
				 "restat keeps what follows when the file is "
				 "unchanged\nbuild " NAMES_ALWAYS ": phony\n\n");
			return;
		}
	}
}

static void
put_export(struct buf *b, const struct graph *g)
{
	struct buf t = BUF_INIT;
	struct wrap l;

	buf_printf(&t, "export: stage \"%s\"", g->target->id);
	names_rule_line(b, buf_str(&t));
	buf_fini(&t);
	buf_putc(b, '\n');
	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	wrap_word(&l, "$builddir/out/image.id:");
	wrap_word(&l, "export");
	word_stamp(&l, names_last_step(g->target), "");
	wrap_word(&l, "| $plans/export.json");
	wrap_end(&l);
	buf_puts(b, "  plan = $plans/export.json\n\n");
}

static void
put_alias(struct buf *b, const char *name, const struct step *st)
{
	struct wrap l;
	struct buf w = BUF_INIT;

	escape_ninja_path(&w, name, "target", NULL);
	buf_putc(&w, ':');
	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	wrap_word(&l, buf_str(&w));
	wrap_word(&l, "phony");
	word_stamp(&l, st, "");
	wrap_end(&l);
	buf_fini(&w);
}

static void
put_aliases(struct buf *b, const struct graph *g)
{
	size_t i, j;

	names_rule_line(b, "targets: stages, steps as [stage N/M], the image");
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];
		char *name;

		if (!s->needed)
			continue;
		put_alias(b, s->id, names_last_step(s));
		for (j = 0; j < s->nsteps; j++) {
			const struct step *st = &s->steps[j];

			if (st->kind == STEP_CONFIG)
				name = xasprintf("%s/config", s->id);
			else
				name = xasprintf("%s/%d", s->id, st->num);
			put_alias(b, name, st);
			free(name);
		}
	}
	/* image, all and default follow in the template */
}

static int
check_opts(const struct emit_opts *o, struct err **errp)
{
	if (!o->output || !o->df2ninja || !o->builddir || !o->dockerfile ||
	    !o->genargs || !o->version)
		return err_make(errp, 0, "BUG: emit options incomplete");
	if (escape_check_sh_plain(o->df2ninja, "df2ninja path", errp) < 0 ||
	    escape_check_sh_plain(o->builddir, "build dir", errp) < 0 ||
	    escape_check_sh_plain(o->genargs, "args file", errp) < 0)
		return -1;
	return 0;
}

static void
put_inputs(struct buf *b, const struct emit_opts *o)
{
	escape_comment(b, o->dockerfile, (size_t)-1);
	buf_putc(b, ' ');
	if (o->dockerignore) {
		escape_comment(b, o->dockerignore, (size_t)-1);
		buf_putc(b, ' ');
	}
	escape_comment(b, o->genargs, (size_t)-1);
}

int
emit_ninja(const struct graph *g, const struct emit_opts *o,
	   struct buf *out, struct err **errp)
{
	struct buf body = BUF_INIT, output = BUF_INIT, df = BUF_INIT;
	struct buf inputs = BUF_INIT, builddir = BUF_INIT, exe = BUF_INIT;
	struct buf genargs = BUF_INIT;
	const char *paths[] = { o->output, o->dockerfile, o->dockerignore,
				o->genargs };
	size_t i, j;
	int r = -1;

	if (check_opts(o, errp) < 0 || names_check(g, errp) < 0 ||
	    names_check_clash(g, "", paths, 4, errp) < 0)
		return -1;
	if (put_regen(&body, o, errp) < 0)
		goto out;
	put_always(&body, g);
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		if (!s->needed)
			continue;
		names_divider(&body, g, s, o->dockerfile);
		buf_putc(&body, '\n');
		for (j = 0; j < s->nsteps; j++)
			put_step(&body, g, o, &s->steps[j]);
	}
	put_export(&body, g);
	put_aliases(&body, g);
	/* the template's "@BODY@" line ends it */
	body.s[--body.len] = '\0';

	escape_comment(&output, o->output, (size_t)-1);
	escape_comment(&df, o->dockerfile, (size_t)-1);
	put_inputs(&inputs, o);
	escape_ninja_value(&builddir, o->builddir, "build dir", NULL);
	escape_ninja_value(&exe, o->df2ninja, "df2ninja path", NULL);
	escape_ninja_value(&genargs, o->genargs, "args file", NULL);
	{
		const struct tmpl_var vars[] = {
			{ "OUTPUT", buf_str(&output) },
			{ "DOCKERFILE", buf_str(&df) },
			{ "VERSION", o->version },
			{ "INPUTS", buf_str(&inputs) },
			{ "BUILDDIR", buf_str(&builddir) },
			{ "DF2NINJA", buf_str(&exe) },
			{ "GENARGS", buf_str(&genargs) },
			{ "REGISTRY_DEPTH", NAMES_REGISTRY_DEPTH },
			{ "BODY", buf_str(&body) },
		};

		r = template_expand(out, tmpl_build_ninja, vars,
				    sizeof(vars) / sizeof(vars[0]), errp);
	}
out:
	buf_fini(&body);
	buf_fini(&output);
	buf_fini(&df);
	buf_fini(&inputs);
	buf_fini(&builddir);
	buf_fini(&exe);
	buf_fini(&genargs);
	return r;
}

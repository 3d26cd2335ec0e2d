#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "emit.h"
#include "escape.h"
#include "labels.h"
#include "template.h"
#include "walk.h"
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

	/* labels_check made the name plain: only ':' needs escaping */
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
	buf_putc(b, '\n');
	return 0;
}

static void
put_step(struct walk *w, struct buf *b, const struct walk_edge *e)
{
	const struct step *st = e->st;
	struct buf desc = BUF_INIT;
	struct wrap l;
	size_t i;

	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	word_stamp(&l, st, ":");
	wrap_word(&l, e->has_depfile ? "ctxstep" : e->exec);
	for (i = 0; i < e->nins; i++)
		word_stamp(&l, e->ins[i], "");
	word_plan(&l, st);
	if (st->runs_always)
		wrap_word(&l, LABELS_ALWAYS);
	if (st->no_cache) {
		/* --no-cache: a file this generation wrote anew (buildflags.h) */
		struct buf nc = BUF_INIT;

		buf_puts(&nc, "$builddir/nocache/");
		escape_ninja_path(&nc, st->name, "step name", NULL);
		wrap_word(&l, buf_str(&nc));
		buf_fini(&nc);
	}
	wrap_end(&l);

	buf_puts(b, "  plan = $plans/");
	escape_ninja_value(b, st->name, "step name", NULL);
	buf_puts(b, ".json\n  desc = ");
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
	buf_puts(b, "# ADD of a URL without --checksum runs on every build to "
		 "ask the server\n# again; restat keeps what follows when the "
		 "file is unchanged\nbuild " LABELS_ALWAYS ": phony\n\n");
}

static void
put_export(struct walk *w, struct buf *b, const struct step *last)
{
	struct wrap l;

	wrap_start(&l, b, CONT, 4);
	wrap_word(&l, "build");
	wrap_word(&l, "$builddir/out/image.id:");
	wrap_word(&l, "export");
	word_stamp(&l, last, "");
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

/* the top-level variables are values, not paths */
static int
prepare(struct walk *w, struct err **errp)
{
	escape_ninja_value(walk_var(w, "BUILDDIR"), w->o->builddir,
			   "build dir", NULL);
	escape_ninja_value(walk_var(w, "DF2NINJA"), w->o->df2ninja,
			   "df2ninja path", NULL);
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

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "escape.h"
#include "labels.h"

const struct step *
labels_last_step(const struct stage *s)
{
	/* the CONFIG step, when there is one, is last (graph.h) */
	return s->nsteps ? &s->steps[s->nsteps - 1] : NULL;
}

static bool
is_reserved(const char *id)
{
	return !strcmp(id, "image") || !strcmp(id, "all") ||
	       !strcmp(id, "clean") || !strcmp(id, LABELS_ALWAYS);
}

static int
check_stage(const struct stage *s, struct err **errp)
{
	size_t i, j;

	if (!s->nsteps)
		return err_make(errp, 0, "BUG: stage '%s' has no steps", s->id);
	if (is_reserved(s->id))
		return err_make(errp, 0, "stage name '%s' clashes with the "
				"'%s' target; rename the stage (FROM ... AS "
				"other)", s->id, s->id);
	if (!escape_sh_plain(s->id))
		return err_make(errp, 0, "stage name '%s' cannot name files "
				"in the generated build", s->id);
	for (i = 0; i < s->nsteps; i++) {
		const struct step *st = &s->steps[i];

		if (!st->name || !escape_sh_plain(st->name))
			return err_make(errp, 0, "BUG: step %zu of stage '%s' "
					"has an unfit name", i, s->id);
		for (j = 0; j < st->ndeps; j++)
			if (!st->deps[j]->needed || !st->deps[j]->nsteps)
				return err_make(errp, 0, "BUG: step '%s' reads "
						"stage '%s', which is not "
						"needed", st->name,
						st->deps[j]->id);
	}
	if (s->parent && (!s->parent->needed || !s->parent->nsteps))
		return err_make(errp, 0, "BUG: stage '%s' starts from stage "
				"'%s', which is not needed", s->id,
				s->parent->id);
	return 0;
}

int
labels_check(const struct graph *g, struct err **errp)
{
	size_t i;

	if (!g->target || !g->target->needed)
		return err_make(errp, 0, "BUG: the graph has no needed target");
	for (i = 0; i < g->nstages; i++)
		if (g->stages[i].needed && check_stage(&g->stages[i], errp) < 0)
			return -1;
	return 0;
}

void
labels_step_target(struct buf *b, const struct step *st)
{
	if (st->kind == STEP_CONFIG)
		buf_printf(b, "%s/config", st->stage->id);
	else
		buf_printf(b, "%s/%d", st->stage->id, st->num);
}

static void
add_input(const struct step **out, size_t *n, const struct step *st)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (out[i] == st)
			return;
	out[(*n)++] = st;
}

size_t
labels_inputs(const struct step *st, const struct step **out)
{
	const struct stage *s = st->stage;
	size_t i, n = 0;

	if (st != &s->steps[0])
		add_input(out, &n, st - 1);
	else if (s->parent)
		add_input(out, &n, labels_last_step(s->parent));
	for (i = 0; i < st->ndeps; i++)
		add_input(out, &n, labels_last_step(st->deps[i]));
	return n;
}

static const char *
verb(enum step_kind k)
{
	switch (k) {
	case STEP_FROM:
		return "FROM";
	case STEP_RUN:
		return "RUN ";
	case STEP_COPY:
		return "COPY";
	case STEP_ADD:
		return "ADD ";
	case STEP_WORKDIR:
		return "WORK";
	case STEP_CONFIG:
		return "CONF";
	}
	return "STEP";
}

/* the instruction text after its keyword */
static const char *
after_keyword(const char *s)
{
	s += strspn(s, " \t");
	s += strcspn(s, " \t\r\n");
	return s;
}

/*
 * a FROM's text with its image as resolved ("debian:bookworm" for
 * "${IMAGE}"), flags and "AS name" kept; NULL when it reads so already
 */
static char *
from_resolved(const char *text, const char *base)
{
	const char *w = text, *end;
	struct buf b = BUF_INIT;

	for (;;) {
		w += strspn(w, " \t");
		end = w + strcspn(w, " \t\r\n");
		if (strncmp(w, "--", 2) != 0)
			break;
		w = end;
	}
	if (!base || end == w || ((size_t)(end - w) == strlen(base) &&
				  !strncmp(w, base, (size_t)(end - w))))
		return NULL;
	buf_putn(&b, text, (size_t)(w - text));
	buf_puts(&b, base);
	buf_puts(&b, end);
	return buf_steal(&b);
}

void
labels_desc(struct buf *b, const struct step *st, size_t max)
{
	labels_desc_verb(b, st, verb(st->kind), max);
}

void
labels_desc_verb(struct buf *b, const struct step *st, const char *vb,
		 size_t max)
{
	autofree char *resolved = NULL;
	const char *text = "";
	size_t start = b->len, used;

	buf_puts(b, vb);
	if (st->stage->platform) {
		/* "RUN [arm64] [...]", as the executor's status line shows
		 * an emulated step: the platform past its os */
		const char *p = strchr(st->stage->platform, '/');

		while (b->len > start && b->s[b->len - 1] == ' ')
			b->s[--b->len] = '\0';
		buf_printf(b, " [%s]", p ? p + 1 : st->stage->platform);
	}
	if (st->kind == STEP_CONFIG)
		buf_printf(b, " [%s config] ", st->stage->id);
	else
		buf_printf(b, " [%s %d/%d] ", st->stage->id, st->num,
			   st->stage->nnumbered);
	/* CONFIG names its first instruction whole: the verb says nothing */
	if (st->instr && st->instr->original)
		text = st->kind == STEP_CONFIG ? st->instr->original :
		       after_keyword(st->instr->original);
	if (st->kind == STEP_FROM) {
		resolved = from_resolved(text, st->stage->base);
		if (resolved)
			text = resolved;
	}
	used = b->len - start;
	escape_comment(b, text, max > used + 20 ? max - used : 20);
	while (b->len > start && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
}

void
labels_rule_line(struct buf *b, const char *title)
{
	size_t start = b->len;

	buf_printf(b, "# ---- %s ", title);
	do
		buf_putc(b, '-');
	while (b->len - start < LABELS_WIDTH);
	buf_putc(b, '\n');
}

/* the last Dockerfile line of stage s */
static int
stage_end_line(const struct graph *g, const struct stage *s)
{
	const struct dockerfile *df = g->df;
	const struct step *last = labels_last_step(s);
	int end = last && last->instr ? last->instr->end_line : 0;
	size_t i;

	if (df && s->from >= df->instrs && s->from < df->instrs + df->ninstrs) {
		for (i = (size_t)(s->from - df->instrs) + 1; i < df->ninstrs;
		     i++)
			if (df->instrs[i].kind == INSTR_FROM)
				break;
		end = df->instrs[i - 1].end_line;
	}
	return end;
}

void
labels_comment(struct buf *b, const struct graph *g, const char *dockerfile,
	      const struct step *st)
{
	size_t start = b->len, used;
	int line = st->instr ? st->instr->line : 0, end;

	buf_printf(b, "# %s:%d", dockerfile, line);
	if (st->kind == STEP_CONFIG) {
		end = stage_end_line(g, st->stage);
		if (end > line)
			buf_printf(b, "-%d", end);
	}
	buf_puts(b, "  ");
	used = b->len - start;
	if (st->instr && st->instr->original)
		escape_comment(b, st->instr->original,
			       LABELS_WIDTH > used + 30 ? LABELS_WIDTH - used : 30);
	while (b->len > start && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	buf_putc(b, '\n');
}

void
labels_divider(struct buf *b, const struct graph *g, const struct stage *s,
	      const char *dockerfile)
{
	struct buf t = BUF_INIT;
	int first = s->from ? s->from->line : 0;
	int last = stage_end_line(g, s);

	buf_printf(&t, "stage %d \"%s\" (%s:%d", s->index, s->id, dockerfile,
		   first);
	if (last > first)
		buf_printf(&t, "-%d", last);
	buf_putc(&t, ')');
	labels_rule_line(b, buf_str(&t));
	buf_fini(&t);
}

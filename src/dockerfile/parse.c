#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "args.h"
#include "heredoc.h"
#include "lex.h"
#include "parse.h"
#include "split.h"

static void
instr_fini(struct instr *in)
{
	free(in->keyword);
	free(in->original);
	strv_fini(&in->flags);
	strv_fini(&in->args);
	free(in->arglens);
	for (size_t i = 0; i < in->nheredocs; i++) {
		free(in->heredocs[i].name);
		free(in->heredocs[i].content);
	}
	free(in->heredocs);
	if (in->sub) {
		instr_fini(in->sub);
		free(in->sub);
	}
}

void
dockerfile_free(struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->ninstrs; i++)
		instr_fini(&df->instrs[i]);
	free(df->instrs);
	free(df->name);
	free(df->syntax);
	free(df->check);
	strv_fini(&df->warnings);
	free(df);
}

/*
 * BuildKit's newNodeFromLine: keyword, flags, then the arguments by the
 * keyword's rule; ONBUILD parses its rest as a whole instruction. in's
 * position is set; first is how much of line lies on its first physical
 * line, to place a sub-instruction. An error carries no location.
 */
static int
instr_from_line(struct instr *in, const char *line, size_t len, size_t first,
		char escape, struct err **errp)
{
	struct instr *sub;
	const char *rest;
	size_t n, off;
	int r;

	in->original = xstrndup(line, len);
	in->keyword = split_command(line, len, &in->flags, &rest, &n);
	in->kind = instr_kind_of(in->keyword);
	if (in->kind == INSTR_ONBUILD) {
		if (n == 0)
			return 0;
		sub = in->sub = xcalloc(1, sizeof(*in->sub));
		sub->line = in->line;
		sub->end_line = in->end_line;
		off = (size_t)(rest - line);
		/* past the first physical line the column is unknown */
		sub->col = off < first ? in->col + (int)off : in->col;
		return instr_from_line(sub, rest, n, off < first ? first - off : 0,
				       escape, errp);
	}
	r = args_parse(in, rest, n, escape, errp);
	instr_finish_args(in);
	return r;
}

/* BuildKit's canContainHeredoc: RUN, COPY, ADD (maybe under ONBUILD),
 * not in the exec form */
static bool
takes_heredocs(const struct instr *in)
{
	if (in->kind == INSTR_ONBUILD && in->sub)
		in = in->sub;
	if (in->kind != INSTR_RUN && in->kind != INSTR_COPY &&
	    in->kind != INSTR_ADD)
		return false;
	return !in->is_json;
}

static int
read_heredocs(struct dockerfile *df, struct lexer *lx, struct instr *in,
	      const struct logical *ll, struct err **errp)
{
	struct err *e = NULL;
	size_t i;
	int r;

	if (!memmem(ll->text.s, ll->text.len, "<<", 2))
		return 0;
	if (heredoc_find(ll->text.s, ll->text.len, &in->heredocs,
			 &in->nheredocs, &e) < 0) {
		err_at(errp, df->name, in->line, in->col, "%s", e->msg);
		err_free(e);
		return -1;
	}
	for (i = 0; i < in->nheredocs; i++) {
		struct heredoc *h = &in->heredocs[i];
		struct buf body = BUF_INIT;

		r = lex_heredoc(lx, h->name, h->chomp, &body, errp);
		h->content = buf_steal(&body);
		if (r < 0)
			return -1;
		if (r == 0)
			return err_at(errp, df->name, in->line, in->col,
				      "unterminated heredoc '%s'", h->name);
	}
	in->end_line = lx->line;
	if (in->sub)
		in->sub->end_line = lx->line;
	return 0;
}

int
dockerfile_parse(const char *name, const char *text, size_t len,
		 struct dockerfile **out, struct err **errp)
{
	struct dockerfile *df = xcalloc(1, sizeof(*df));
	struct logical ll = { BUF_INIT, 0, 0, 0, 0 };
	struct lexer lx;
	struct err *e = NULL;
	size_t cap = 0;
	int r;

	*out = NULL;
	df->name = xstrdup(name);
	df->escape = '\\';
	lex_init(&lx, df->name, text, len, &df->warnings);
	while ((r = lex_next(&lx, &ll, errp)) > 0) {
		struct instr *in;

		xgrow(&df->instrs, &cap, df->ninstrs + 1, sizeof(*df->instrs));
		in = &df->instrs[df->ninstrs++];
		memset(in, 0, sizeof(*in));
		in->line = ll.line;
		in->end_line = ll.end_line;
		in->col = ll.col;
		if (instr_from_line(in, buf_str(&ll.text), ll.text.len,
				    ll.first_len, lx.escape, &e) < 0) {
			err_at(errp, df->name, ll.line, ll.col, "%s", e->msg);
			err_free(e);
			r = -1;
			break;
		}
		if (takes_heredocs(in) && read_heredocs(df, &lx, in, &ll, errp) < 0) {
			r = -1;
			break;
		}
	}
	buf_fini(&ll.text);
	df->escape = lx.escape;
	df->syntax = steal_pointer(&lx.syntax);
	df->check = steal_pointer(&lx.check);
	df->syntax_line = lx.syntax_line;
	df->check_line = lx.check_line;
	lex_fini(&lx);
	if (r == 0 && df->ninstrs == 0)
		r = err_at(errp, df->name, lx.line > 0 ? lx.line : 1, 0,
			   "file with no instructions");
	if (r < 0) {
		dockerfile_free(df);
		return -1;
	}
	*out = df;
	return 0;
}

int
dockerfile_load(const char *path, const char *name, struct dockerfile **out,
		struct err **errp)
{
	char *data;
	size_t len;
	int r;

	*out = NULL;
	if (fs_read_file(path, &data, &len, errp) < 0)
		return -1;
	r = dockerfile_parse(name ? name : path, data, len, out, errp);
	free(data);
	return r;
}

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/buf.h"
#include "labels.h"
#include "wrap.h"

void
wrap_start(struct wrap *w, struct buf *b, const char *cont, size_t cont_col)
{
	const char *nl;

	w->b = b;
	w->cont = cont;
	w->cont_col = cont_col;
	/*
	 * the line may already hold something ("\t" of a recipe); search
	 * back from the end so the cost is that line's length, not the whole
	 * output's (a forward strrchr made generation quadratic)
	 */
	nl = b->len ? memrchr(b->s, '\n', b->len) : NULL;
	w->col = nl ? b->len - (size_t)(nl + 1 - b->s) : b->len;
	w->first = true;
}

void
wrap_word(struct wrap *w, const char *word)
{
	size_t n = strlen(word);

	/* leave room for the continuation's " $" or " \" */
	if (!w->first && w->col + 1 + n + 2 > LABELS_WIDTH &&
	    w->col > w->cont_col) {
		buf_puts(w->b, w->cont);
		w->col = w->cont_col;
	} else if (!w->first) {
		buf_putc(w->b, ' ');
		w->col++;
	}
	buf_puts(w->b, word);
	w->col += n;
	w->first = false;
}

void
wrap_end(struct wrap *w)
{
	buf_putc(w->b, '\n');
}

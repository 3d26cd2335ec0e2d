#ifndef DF2NINJA_EMIT_WRAP_H
#define DF2NINJA_EMIT_WRAP_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/*
 * one logical line of words, broken between words before it passes
 * LABELS_WIDTH columns: cont is what ends a line and starts the next
 * (" $\n    " for ninja), cont_col the column after it
 */
struct wrap {
	struct buf *b;
	const char *cont;
	size_t cont_col;
	size_t col;
	bool first;
};

/* start a line at the end of b */
void wrap_start(struct wrap *w, struct buf *b, const char *cont,
		size_t cont_col);
/* add a word (already escaped) */
void wrap_word(struct wrap *w, const char *word);
/* end the line with '\n' */
void wrap_end(struct wrap *w);

#endif

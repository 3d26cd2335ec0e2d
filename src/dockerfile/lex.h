#ifndef DF2NINJA_LEX_H
#define DF2NINJA_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/strv.h"

struct err;

/* longest physical line BuildKit's scanner accepts, without its '\n' */
#define LEX_MAX_LINE 65535

/*
 * turns physical lines into logical instructions the way BuildKit's
 * parser.Parse does: BOM, parser directives in the leading comment run,
 * continuations, comment and blank lines inside continuations, and the
 * bodies of here-documents when the caller asks for them.
 */
struct lexer {
	const char *name;	/* file name for messages and warnings */
	const char *p, *end;	/* text not read yet */
	int line;		/* physical lines read so far */
	char escape;		/* '\\' or '`' */
	bool directives_done;
	unsigned seen;		/* directives seen, one bit each */
	char *syntax, *check;	/* directive values, owned */
	int syntax_line, check_line;	/* their lines */
	struct strv *warnings;	/* where warnings go */
};

/* one instruction: physical lines joined, comments and blank lines dropped */
struct logical {
	struct buf text;
	size_t first_len;	/* bytes of text from the first physical line */
	int line, end_line;	/* physical lines it spans */
	int col;		/* 1-based byte column of its first character */
};

/* read text[0, len); warnings are appended to *warnings */
void lex_init(struct lexer *lx, const char *name, const char *text,
	      size_t len, struct strv *warnings);
/* free the directive values still owned by lx */
void lex_fini(struct lexer *lx);
/* the next instruction into *ll (reset first): 1, or 0 at end of text */
int lex_next(struct lexer *lx, struct logical *ll, struct err **errp);
/*
 * append the lines after the current one to *body up to the line equal to
 * delim (leading tabs ignored and removed when chomp): 1 when that line was
 * found, 0 when the text ended first.
 */
int lex_heredoc(struct lexer *lx, const char *delim, bool chomp,
		struct buf *body, struct err **errp);

#endif

#ifndef DF2NINJA_AST_H
#define DF2NINJA_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strv.h"

/* every instruction of the Dockerfile reference; INSTR_UNKNOWN for others */
enum instr_kind {
	INSTR_UNKNOWN,
	INSTR_ADD,
	INSTR_ARG,
	INSTR_CMD,
	INSTR_COPY,
	INSTR_ENTRYPOINT,
	INSTR_ENV,
	INSTR_EXPOSE,
	INSTR_FROM,
	INSTR_HEALTHCHECK,
	INSTR_LABEL,
	INSTR_MAINTAINER,
	INSTR_ONBUILD,
	INSTR_RUN,
	INSTR_SHELL,
	INSTR_STOPSIGNAL,
	INSTR_USER,
	INSTR_VOLUME,
	INSTR_WORKDIR,
};

/* one here-document attached to a RUN, COPY or ADD */
struct heredoc {
	char *name;	/* the delimiter word, quotes removed ("EOF") */
	char *content;	/* the body up to the delimiter line, each line
			 * ending in '\n'; leading tabs stripped for <<- */
	bool expand;	/* delimiter was unquoted: variables are expanded */
	bool chomp;	/* written <<- */
};

struct instr {
	enum instr_kind kind;
	char *keyword;		/* as written, lower-cased ("run") */
	char *original;		/* the logical line as written: keyword and
				 * rest, continuations joined, for messages */
	int line;		/* first physical line, 1-based */
	int end_line;		/* last physical line (heredoc bodies included) */
	int col;		/* column of the keyword, 1-based */
	struct strv flags;	/* leading "--x=y" words, quotes removed */
	struct strv args;	/* arguments exactly as BuildKit's Dump shows them */
	size_t *arglens;	/* byte length of each args.v[i] when one of them
				 * holds a NUL (JSON "\u0000"), else NULL */
	bool is_json;		/* args came from a JSON array (exec form) */
	struct heredoc *heredocs;
	size_t nheredocs;
	struct instr *sub;	/* ONBUILD: the wrapped instruction, else NULL */
};

struct dockerfile {
	char *name;		/* the file name used in messages */
	char escape;		/* '\\' or '`' */
	char *syntax;		/* the syntax directive, or NULL */
	char *check;		/* the check directive, or NULL */
	int syntax_line, check_line;	/* their lines */
	struct instr *instrs;
	size_t ninstrs;
	struct strv warnings;	/* "NAME:LINE: message", in order */
};

/* "RUN" for INSTR_RUN, "" for INSTR_UNKNOWN */
const char *instr_name(enum instr_kind k);
/* the kind for a keyword in any case ("Run" -> INSTR_RUN) */
enum instr_kind instr_kind_of(const char *keyword);
/* append a copy of s[0, n), which may hold NULs, to in->args */
void instr_push_arg(struct instr *in, const char *s, size_t n);
/* free in->arglens unless an argument holds a NUL */
void instr_finish_args(struct instr *in);
/* the value of in's flag name ("--platform") given as name=VALUE, as
 * written; NULL when absent or given without a value */
const char *instr_flag_value(const struct instr *in, const char *name);

#endif

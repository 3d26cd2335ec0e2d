#ifndef DF2NINJA_WORDS_H
#define DF2NINJA_WORDS_H

#include <stdbool.h>

#include "util/strv.h"

struct err;

/*
 * BuildKit's shell lexer (frontend/dockerfile/shell/lex.go): quote removal,
 * escapes, $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?m} ${v?m} ${v#p}
 * ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}, and word splitting.
 *
 * Unlike BuildKit, which sets no bound, what the '$' expansions of one word
 * produce may not pass SHLEX_EXPANSION_MAX bytes, text being counted again
 * each time an enclosing expansion copies it: "${A///${A///...}}" grows
 * fivefold per level for A=abcd. Past it a call fails with "expansion of
 * '${...}' exceeds N bytes". Literal text is not counted.
 */
#define SHLEX_EXPANSION_MAX ((size_t)4 << 20)

/* look up name: return true and set *value when set (possibly to "");
 * false when unset. May record the name (to learn what a word used). */
typedef bool (*shlex_lookup_fn)(void *ctx, const char *name, const char **value);

struct shlex {
	char escape;		/* '\\' or '`' */
	shlex_lookup_fn lookup;
	void *ctx;
};

/* ProcessWord: expand word into one string (no field splitting);
 * *out is owned by the caller */
int shlex_word(const struct shlex *lx, const char *word, char **out,
	       struct err **errp);
/* ProcessWords: expand text and split it into fields appended to out */
int shlex_words(const struct shlex *lx, const char *text, struct strv *out,
		struct err **errp);

/*
 * the word the shell lexer (escape '\\') turns into content with
 * BuildKit's ExpandRaw semantics, by which an unquoted here-document is
 * expanded: every quote not already escaped gets a backslash. Owned by
 * the caller.
 */
char *shlex_heredoc_text(const char *content);

/* a lookup over a struct vars (ctx is a const struct vars *) */
bool shlex_vars_lookup(void *ctx, const char *name, const char **value);

#endif

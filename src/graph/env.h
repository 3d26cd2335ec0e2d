#ifndef DF2NINJA_ENV_H
#define DF2NINJA_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strv.h"
#include "symtab.h"

struct err;

/*
 * The variables a word is expanded with at generation time: BuildKit's
 * "state env" of a stage (the ENV and ARG values the Dockerfile set, in the
 * order set), or the global scope of the FROM lines. A value is either
 * known, or deferred: the word as written, which the executor expands once
 * it knows the base image's environment.
 */
struct envvar {
	char *name;
	char *value;	/* the value, or the unexpanded word when is_raw */
	bool is_raw;
};

struct env {
	struct envvar *v;
	size_t n, cap;
	struct symtab idx;	/* name -> 1 + index into v */
};

#define ENV_INIT { NULL, 0, 0, SYMTAB_INIT }

/* set name to a copy of value; an existing name keeps its place */
void env_set(struct env *e, const char *name, const char *value, bool is_raw);
/* the entry for name, or NULL */
const struct envvar *env_get(const struct env *e, const char *name);
/* dst = a copy of src (dst must be empty) */
void env_copy(struct env *dst, const struct env *src);
void env_fini(struct env *e);

/*
 * expands words the way BuildKit's shell lexer does. When from_image is
 * set, a name the env does not hold may come from the base image's
 * environment: a word using such a name (or a deferred value) is deferred.
 * Otherwise such a name is unset.
 */
struct expander {
	const struct env *env;
	bool from_image;
	char escape;
	bool used_unknown;	/* scratch: set by the lookup */
};

/*
 * ProcessWord: *out is the expanded word (owned by the caller), or a copy
 * of word with *deferred set when only the executor can expand it.
 * A lexer error in a word that is not deferred fails; the message carries
 * no location.
 */
int expand_word(struct expander *x, const char *word, char **out,
		bool *deferred, struct err **errp);
/* ProcessWords (field splitting) into out; deferred as for expand_word,
 * in which case out is left untouched */
int expand_fields(struct expander *x, const char *text, struct strv *out,
		  bool *deferred, struct err **errp);
/*
 * the expansion of an unquoted here-document's body for COPY/ADD
 * (BuildKit's ExpandRaw): quotes are kept as they are, '\\' escapes;
 * deferred as for expand_word. The executor must expand a deferred body
 * the same way: see shlex_heredoc_text.
 */
int expand_heredoc(struct expander *x, const char *content, char **out,
		   bool *deferred, struct err **errp);

#endif

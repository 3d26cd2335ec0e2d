#ifndef DF2NINJA_VARS_H
#define DF2NINJA_VARS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * an ordered set of NAME=VALUE pairs (environment, build args): setting an
 * existing name replaces its value in place; a NULL value means "declared
 * but unset" (an ARG without a value).
 */
struct var {
	char *name;
	char *value;
};

struct vars {
	struct var *v;
	size_t n, cap;
};

#define VARS_INIT { NULL, 0, 0 }

/* Docker's PATH for an environment that sets none: what BuildKit gives an
 * image without one (scratch), and a step whose image has none */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* set name to a copy of value (NULL: declared, unset) */
void vars_set(struct vars *vs, const char *name, const char *value);
/* the entry for name, or NULL */
struct var *vars_find(const struct vars *vs, const char *name);
/* value of name, or NULL when absent or unset */
const char *vars_get(const struct vars *vs, const char *name);
/* remove name if present */
void vars_unset(struct vars *vs, const char *name);
/* dst = copy of src (dst must be empty) */
void vars_copy(struct vars *dst, const struct vars *src);
void vars_fini(struct vars *vs);

#endif

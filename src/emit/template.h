#ifndef DF2NINJA_EMIT_TEMPLATE_H
#define DF2NINJA_EMIT_TEMPLATE_H

#include <stddef.h>

struct buf;
struct err;

/* the template files, compiled in by templates/embed.sh (templates.c) */
extern const char tmpl_build_ninja[];
extern const char tmpl_makefile[];

/* one placeholder: "@NAME@" in a template becomes value (borrowed) */
struct tmpl_var {
	const char *name;
	const char *value;
};

/*
 * append tmpl to out with every "@NAME@" replaced by its value from vars
 * and "@@" by "@"; values are inserted as they are (escape them first).
 * An unknown name or a stray '@' is a bug in the template or its caller:
 * returns -1 with *errp saying which.
 */
int template_expand(struct buf *out, const char *tmpl,
		    const struct tmpl_var *vars, size_t nvars,
		    struct err **errp);

#endif

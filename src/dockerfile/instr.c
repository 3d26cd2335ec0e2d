#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/strv.h"
#include "ast.h"

static const char *const names[] = {
	[INSTR_UNKNOWN] = "",
	[INSTR_ADD] = "ADD",
	[INSTR_ARG] = "ARG",
	[INSTR_CMD] = "CMD",
	[INSTR_COPY] = "COPY",
	[INSTR_ENTRYPOINT] = "ENTRYPOINT",
	[INSTR_ENV] = "ENV",
	[INSTR_EXPOSE] = "EXPOSE",
	[INSTR_FROM] = "FROM",
	[INSTR_HEALTHCHECK] = "HEALTHCHECK",
	[INSTR_LABEL] = "LABEL",
	[INSTR_MAINTAINER] = "MAINTAINER",
	[INSTR_ONBUILD] = "ONBUILD",
	[INSTR_RUN] = "RUN",
	[INSTR_SHELL] = "SHELL",
	[INSTR_STOPSIGNAL] = "STOPSIGNAL",
	[INSTR_USER] = "USER",
	[INSTR_VOLUME] = "VOLUME",
	[INSTR_WORKDIR] = "WORKDIR",
};

const char *
instr_name(enum instr_kind k)
{
	if ((unsigned)k >= countof(names))
		return "";
	return names[k];
}

/* ASCII-only, so that no locale can change which keywords match */
static bool
equal_fold(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

enum instr_kind
instr_kind_of(const char *keyword)
{
	size_t k;

	if (!keyword || !*keyword)
		return INSTR_UNKNOWN;
	for (k = 1; k < countof(names); k++)
		if (equal_fold(keyword, names[k]))
			return (enum instr_kind)k;
	return INSTR_UNKNOWN;
}

void
instr_push_arg(struct instr *in, const char *s, size_t n)
{
	char *c = xmalloc(n + 1);

	memcpy(c, s, n);
	c[n] = '\0';
	strv_push(&in->args, c);
	in->arglens = xreallocarray(in->arglens, in->args.n, sizeof(*in->arglens));
	in->arglens[in->args.n - 1] = n;
}

void
instr_finish_args(struct instr *in)
{
	for (size_t i = 0; i < in->args.n; i++)
		if (in->arglens && in->arglens[i] != strlen(in->args.v[i]))
			return;
	free(in->arglens);
	in->arglens = NULL;
}

const char *
instr_flag_value(const struct instr *in, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < in->flags.n; i++)
		if (!strncmp(in->flags.v[i], name, n) && in->flags.v[i][n] == '=')
			return in->flags.v[i] + n + 1;
	return NULL;
}

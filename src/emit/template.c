#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "template.h"

static bool
is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* 1-based line of p in tmpl, for messages */
static int
line_of(const char *tmpl, const char *p)
{
	int line = 1;

	for (; tmpl < p; tmpl++)
		if (*tmpl == '\n')
			line++;
	return line;
}

int
template_expand(struct buf *out, const char *tmpl,
		const struct tmpl_var *vars, size_t nvars, struct err **errp)
{
	const char *p = tmpl, *at, *name, *end;
	size_t i, len;

	while ((at = strchr(p, '@'))) {
		buf_putn(out, p, (size_t)(at - p));
		if (at[1] == '@') {
			buf_putc(out, '@');
			p = at + 2;
			continue;
		}
		name = at + 1;
		for (end = name; is_name_char(*end); end++)
			;
		len = (size_t)(end - name);
		if (!len || *end != '@')
			return err_make(errp, 0, "BUG: template line %d: stray "
					"'@' (write '@@' for a literal one)",
					line_of(tmpl, at));
		for (i = 0; i < nvars; i++)
			if (strlen(vars[i].name) == len &&
			    !memcmp(vars[i].name, name, len))
				break;
		if (i == nvars)
			return err_make(errp, 0, "BUG: template line %d: "
					"unknown placeholder '@%.*s@'",
					line_of(tmpl, at), (int)len, name);
		buf_puts(out, vars[i].value);
		p = end + 1;
	}
	buf_puts(out, p);
	return 0;
}

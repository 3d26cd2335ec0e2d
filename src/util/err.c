#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"

int
err_make(struct err **errp, int errnum, const char *fmt, ...)
{
	struct err *e;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	if (!m)
		m = xstrdup("out of memory");
	e = xcalloc(1, sizeof(*e));
	e->errnum = errnum;
	e->status = 1;
	if (errnum) {
		e->msg = xasprintf("%s: %s", m, strerror(errnum));
		free(m);
	} else {
		e->msg = m;
	}
	if (errp) {
		err_free(*errp);
		*errp = e;
	} else {
		err_free(e);
	}
	return -1;
}

int
err_wrap(struct err **errp, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *m;

	if (!errp || !*errp)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = xstrdup("?");
	va_end(ap);
	m = xasprintf("%s: %s", ctx, (*errp)->msg);
	free(ctx);
	free((*errp)->msg);
	(*errp)->msg = m;
	return -1;
}

int
err_at(struct err **errp, const char *file, int line, int col,
       const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = xstrdup("out of memory");
	va_end(ap);
	if (col > 0)
		err_make(errp, 0, "%s:%d:%d: error: %s", file, line, col, m);
	else
		err_make(errp, 0, "%s:%d: error: %s", file, line, m);
	free(m);
	if (errp)
		(*errp)->is_located = true;
	return -1;
}

int
err_set_status(struct err **errp, int status)
{
	if (errp && *errp)
		(*errp)->status = status;
	return -1;
}

void
err_free(struct err *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e);
}

void
bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "df2ninja: BUG: %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"
#include "util/err.h"

/*
 * the one place an error becomes a message and an exit status: library
 * code returns a struct err and never prints one
 */

int
diag_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("df2ninja: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\ndf2ninja: try 'df2ninja --help'\n", stderr);
	return 2;
}

int
diag_error(struct err *e)
{
	int status;

	if (!e)
		return 0;
	fflush(stdout);
	/* a located message says "error:" after its location itself */
	fprintf(stderr, "df2ninja: %s%s\n", e->is_located ? "" : "error: ", e->msg);
	status = e->status ? e->status : 1;
	err_free(e);
	return status;
}

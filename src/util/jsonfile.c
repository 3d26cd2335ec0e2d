#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "fs.h"
#include "jsonfile.h"

/* as jansson's jsonp_error_set_source: a path too long for source keeps
 * its end, after "..." */
static void
set_source(json_error_t *error, const char *path)
{
	size_t n = strlen(path), keep = sizeof(error->source) - 4;

	if (n < sizeof(error->source)) {
		memcpy(error->source, path, n + 1);
		return;
	}
	memcpy(error->source, "...", 3);
	memcpy(error->source + 3, path + n - keep, keep + 1);
}

/* the error json_load_file reports for a file it cannot open */
static json_t *
cannot_open(json_error_t *error, const char *path, int errnum)
{
	if (error) {
		memset(error, 0, sizeof(*error));
		error->line = -1;
		error->column = -1;
		snprintf(error->text, sizeof(error->text) - 1, "unable to open %s: %s",
			 path, strerror(errnum));
		error->text[sizeof(error->text) - 1] = json_error_cannot_open_file;
		set_source(error, path);
	}
	errno = errnum;
	return NULL;
}

json_t *
jsonfile_load(const char *path, size_t flags, json_error_t *error)
{
	autofree char *data = NULL;
	struct err *e = NULL;
	size_t len;
	json_t *j;

	if (fs_read_file(path, &data, &len, &e) < 0) {
		int errnum = e->errnum;

		err_free(e);
		return cannot_open(error, path, errnum);
	}
	j = json_loadb(data, len, flags, error);
	if (!j && error)
		set_source(error, path);
	return j;
}

/*
 * the .dockerignore matcher. The first line of the input is a path in the
 * context, the rest the .dockerignore; its lines are also given to the
 * matcher COPY --exclude uses. The path is made what the context walker
 * passes: relative, cleaned, not "." and not above the context.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/ignore.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/path.h"
#include "util/strv.h"
#include "fuzz.h"

/* every call the walker and COPY --exclude make, on path and its parents */
static void
query(const struct ignore *ig, const char *path)
{
	char *p = xstrdup(path), *slash;

	for (;;) {
		ignore_match(ig, p);
		ignore_may_include_below(ig, p);
		ignore_exception_under(ig, p);
		slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(p);
}

static void
split_lines(const char *text, size_t len, struct strv *lines)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		strv_push(lines, xstrndup(p, (size_t)(nl - p)));
		p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl = memchr(text, '\n', size);
	size_t plen = nl ? (size_t)(nl - text) : size;
	const char *rest = nl ? nl + 1 : text + size;
	size_t rlen = size - (size_t)(rest - text);
	struct strv lines = STRV_INIT;
	struct ignore *ig = NULL;
	struct err *err = NULL;
	char *raw = xstrndup(text, plen), *path;

	path = path_clean(raw + strspn(raw, "/"), 0);
	free(raw);
	if (!strcmp(path, ".") || !strcmp(path, "..") || !strncmp(path, "../", 3)) {
		free(path);
		return 0;
	}

	if (ignore_parse(rest, rlen, ".dockerignore", &ig, &err) == 0) {
		query(ig, path);
		ignore_is_empty(ig);
		ignore_free(ig);
	} else {
		if (!err)
			BUG("ignore_parse failed without an error");
		err_free(err);
		err = NULL;
	}

	split_lines(rest, rlen, &lines);
	ig = NULL;
	if (ignore_new((const char *const *)lines.v, lines.n, &ig, &err) == 0) {
		query(ig, path);
		ignore_free(ig);
	} else {
		err_free(err);
	}
	strv_fini(&lines);
	free(path);
	return 0;
}

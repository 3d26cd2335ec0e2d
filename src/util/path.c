#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/path.h"

static bool
is_dotdot(const char *p, size_t left)
{
	return left >= 2 && p[0] == '.' && p[1] == '.' && (left == 2 || p[2] == '/');
}

char *
path_clean(const char *path, unsigned flags)
{
	size_t len = strlen(path), r = 0, w = 0, dotdot = 0;
	bool rooted = (flags & PATH_RELATIVE) || (len > 0 && path[0] == '/');
	/* the output is never longer than the input, but for the '/' a
	 * PATH_RELATIVE path is read with and the "." of "" */
	char *out = xmalloc(len + 2);

	/* r reads path, w writes out, dotdot is where ".." can no longer
	 * back up */
	if (rooted) {
		out[w++] = '/';
		dotdot = 1;
	}
	while (r < len) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == len || path[r + 1] == '/')) {
			r++;
		} else if (is_dotdot(path + r, len - r)) {
			r += 2;
			if (flags & PATH_NO_DOTDOT)
				goto refuse;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (rooted) {
				if (flags & PATH_NO_ESCAPE)
					goto refuse;
			} else {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if (w != (rooted ? 1 : 0))
				out[w++] = '/';
			for (; r < len && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	if (flags & PATH_RELATIVE)
		memmove(out, out + 1, w);
	return out;
refuse:
	free(out);
	return NULL;
}

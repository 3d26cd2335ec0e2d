#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/pathfind.h"
#include "util/vars.h"

char *
pathfind(const char *name)
{
	const char *path = getenv("PATH");

	if (!path || !path[0])
		path = DEFAULT_PATH;
	for (const char *p = path;;) {
		const char *e = strchrnul(p, ':');

		if (p[0] == '/') {
			char *f = xasprintf("%.*s/%s", (int)(e - p), p, name);

			if (access(f, X_OK) == 0)
				return f;
			free(f);
		}
		if (!e[0])
			return NULL;
		p = e + 1;
	}
}

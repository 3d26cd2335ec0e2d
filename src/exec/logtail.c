#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/logtail.h"
#include "util/alloc.h"
#include "util/fs.h"

int
logtail_write(int logfd, const char *path, size_t n, int out)
{
	/* starts[i % (n + 1)]: where line i starts; one pass over the file */
	autofree off_t *starts = NULL;
	char buf[65536];
	size_t lines = 0;
	off_t off = 0, from;
	bool is_line_open = false;
	char last = '\n';
	ssize_t r;

	if (n == 0)
		return 0;
	starts = xreallocarray(NULL, n + 1, sizeof(*starts));
	for (;;) {
		r = pread(logfd, buf, sizeof(buf), off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (!is_line_open) {
				starts[lines % (n + 1)] = off + i;
				lines++;
				is_line_open = true;
			}
			if (buf[i] == '\n')
				is_line_open = false;
		}
		last = buf[r - 1];
		off += r;
	}
	if (lines == 0)
		return 0;
	if (lines > n) {
		autofree char *head = xasprintf("... %zu earlier line%s%s%s\n",
						lines - n, lines - n == 1 ? "" : "s",
						path ? ", the whole log: " : "", path ? path : "");

		if (fs_write_all(out, head, strlen(head)) < 0)
			return -1;
		from = starts[(lines - n) % (n + 1)];
	} else {
		from = starts[0];
	}
	while (from < off) {
		r = pread(logfd, buf, sizeof(buf), from);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		if (fs_write_all(out, buf, (size_t)r) < 0)
			return -1;
		from += r;
	}
	return last == '\n' ? 0 : fs_write_all(out, "\n", 1);
}

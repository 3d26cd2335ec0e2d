#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/layerfile.h"
#include "sandbox/lowerview.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

enum { FOUND, ABSENT, UNSURE };

/* an fd of a dir without overlayfs attributes (lowerview.h), or -1 */
static int
plain_dir(int dirfd, const char *name)
{
	return lowerview_open_plain(dirfd, name, O_DIRECTORY);
}

/* the whole of regular file fd, if it has no overlayfs attributes */
static int
read_plain(int fd, char **data)
{
	struct buf b = BUF_INIT;
	char chunk[16384];
	ssize_t n;

	if (lowerview_has_overlay_xattr(fd))
		return UNSURE;
	while ((n = TEMP_FAILURE_RETRY_INT(read(fd, chunk, sizeof(chunk)))) > 0)
		buf_putn(&b, chunk, (size_t)n);
	if (n < 0) {
		buf_fini(&b);
		return UNSURE;
	}
	*data = buf_steal(&b);
	return FOUND;
}

/* path (relative, components split by '/') in one layer */
static int
in_layer(const char *layer, const char *path, char **data)
{
	autofree char *copy = xstrdup(path);
	char *name = copy, *slash;
	autoclose int dir = plain_dir(AT_FDCWD, layer);
	struct stat sb;

	if (dir < 0)
		return UNSURE;
	while ((slash = strchr(name, '/')) != NULL) {
		int next;

		*slash = '\0';
		if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? ABSENT : UNSURE;
		if (!S_ISDIR(sb.st_mode))
			return UNSURE;
		next = plain_dir(dir, name);
		if (next < 0)
			return UNSURE;
		close(dir);
		dir = next;
		name = slash + 1;
	}
	if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? ABSENT : UNSURE;
	if (!S_ISREG(sb.st_mode))
		return UNSURE;
	{
		autoclose int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);

		if (fd < 0)
			return UNSURE;
		return read_plain(fd, data);
	}
}

int
layerfile_read(const char *const *lowers, size_t nlower, const char *path,
	       char **data)
{
	*data = NULL;
	path += strspn(path, "/");
	for (size_t i = 0; i < nlower; i++) {
		int r = in_layer(lowers[i], path, data);

		if (r == FOUND)
			return 1;
		if (r == UNSURE)
			return 0;
	}
	return 1;
}

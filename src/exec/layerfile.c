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

/* dir (relative, components split by '/') in one layer: FOUND with *fd
 * that dir, when it and every dir on the way are plain */
static int
dir_in_layer(const char *layer, const char *dir, int *fd)
{
	autofree char *copy = xstrdup(dir);
	char *name = copy;
	autoclose int d = plain_dir(AT_FDCWD, layer);
	struct stat sb;

	if (d < 0)
		return UNSURE;
	while (name) {
		char *slash = strchr(name, '/');
		int next;

		if (slash)
			*slash++ = '\0';
		if (*name) {
			if (fstatat(d, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
				return errno == ENOENT ? ABSENT : UNSURE;
			if (!S_ISDIR(sb.st_mode))
				return UNSURE;
			next = plain_dir(d, name);
			if (next < 0)
				return UNSURE;
			close(d);
			d = next;
		}
		name = slash;
	}
	*fd = steal_fd(&d);
	return FOUND;
}

/* the regular file name of the plain dir dirfd */
static int
file_in_dir(int dirfd, const char *name, char **data)
{
	struct stat sb;
	autoclose int fd = -1;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? ABSENT : UNSURE;
	if (!S_ISREG(sb.st_mode))
		return UNSURE;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return UNSURE;
	return read_plain(fd, data);
}

/* one layer for the files not found in the layers above it (data[k]
 * NULL); *left counts those */
static int
in_layer(const char *layer, const char *dir, const char *const *names, size_t n,
	 char **data, size_t *left)
{
	autoclose int fd = -1;
	int r = dir_in_layer(layer, dir, &fd);

	if (r != FOUND)
		return r;
	for (size_t k = 0; k < n; k++) {
		if (data[k])
			continue;
		r = file_in_dir(fd, names[k], &data[k]);
		if (r == UNSURE)
			return UNSURE;
		if (r == FOUND)
			(*left)--;
	}
	return FOUND;
}

int
layerfile_read(const char *const *lowers, size_t nlower, const char *dir,
	       const char *const *names, size_t n, char **data)
{
	size_t left = n;

	memset(data, 0, n * sizeof(*data));
	dir += strspn(dir, "/");
	/* one walk for all: a layer is looked at while one of them is still
	 * to find, as the walks of each alone would look at it */
	for (size_t i = 0; i < nlower && left > 0; i++) {
		if (in_layer(lowers[i], dir, names, n, data, &left) != UNSURE)
			continue;
		for (size_t k = 0; k < n; k++) {
			free(data[k]);
			data[k] = NULL;
		}
		return 0;
	}
	return 1;
}

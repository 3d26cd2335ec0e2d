#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sandbox/lowerview.h"
#include "util/alloc.h"

bool
lowerview_has_overlay_xattr(int fd)
{
	static const char *const harmless[] = { "uuid", "origin", "impure", "nlink" };
	char names[4096];
	ssize_t n = flistxattr(fd, names, sizeof(names));

	if (n < 0)
		return true;
	for (const char *p = names; p < names + n; p += strlen(p) + 1) {
		const char *o = strstr(p, "overlay.");
		bool ok = false;

		if (!o || (strncmp(p, "trusted.", 8) != 0 && strncmp(p, "user.", 5) != 0))
			continue;
		for (size_t i = 0; i < countof(harmless); i++)
			ok = ok || strcmp(o + strlen("overlay."), harmless[i]) == 0;
		if (!ok)
			return true;
	}
	return false;
}

int
lowerview_open_plain(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			O_CLOEXEC | flags);

	if (fd >= 0 && lowerview_has_overlay_xattr(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
lowerview_open(struct lowerview *v, char *const *lowers, size_t n)
{
	v->n = 0;
	v->has_last = false;
	if (n == 0 || n > LOWERVIEW_MAX)
		return LOWERVIEW_UNSURE;
	for (; v->n < n; v->n++) {
		v->roots[v->n] = lowerview_open_plain(AT_FDCWD, lowers[v->n], O_DIRECTORY);
		if (v->roots[v->n] < 0) {
			lowerview_close(v);
			return LOWERVIEW_UNSURE;
		}
	}
	return 0;
}

static void
close_dirs(int *dirs, size_t n, const struct lowerview *v)
{
	for (size_t i = 0; i < n; i++)
		if (dirs[i] >= 0 && dirs[i] != v->roots[i])
			close(dirs[i]);
}

static void
forget_last(struct lowerview *v)
{
	if (v->has_last)
		close_dirs(v->last_dirs, v->n, v);
	v->has_last = false;
}

void
lowerview_close(struct lowerview *v)
{
	forget_last(v);
	for (size_t i = 0; i < v->n; i++)
		close(v->roots[i]);
	v->n = 0;
}

/*
 * name, the last component, in dirs (-1: the layer is out of the merged
 * dir): the top-most layer's entry decides, if a plain dir or file
 */
static int
lookup_last(const int *dirs, size_t n, const char *name, struct stat *st)
{
	for (size_t i = 0; i < n; i++) {
		if (dirs[i] < 0)
			continue;
		if (fstatat(dirs[i], name, st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return LOWERVIEW_UNSURE;
		}
		if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
			return LOWERVIEW_UNSURE;
		{
			int fd = lowerview_open_plain(dirs[i], name,
					    S_ISDIR(st->st_mode) ? O_DIRECTORY : 0);
			struct stat again;

			/* the entry that was looked at, still of that type */
			if (fd < 0 || fstat(fd, &again) < 0 || again.st_ino != st->st_ino ||
			    again.st_dev != st->st_dev) {
				if (fd >= 0)
					close(fd);
				return LOWERVIEW_UNSURE;
			}
			return fd;
		}
	}
	errno = ENOENT;
	return -1;
}

/*
 * step dirs into their subdir name, as overlayfs merges it: the layers
 * that have it as a plain dir stay, those without it drop out; a
 * non-dir is unsure. Returns 0, -1 (ENOENT: no layer has it) or unsure.
 */
static int
step_in(int *dirs, size_t n, const struct lowerview *v, const char *name)
{
	bool is_found = false;
	struct stat st;
	int fd;

	for (size_t i = 0; i < n; i++) {
		if (dirs[i] < 0)
			continue;
		if (fstatat(dirs[i], name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				return LOWERVIEW_UNSURE;
			fd = -1;
		} else if (!S_ISDIR(st.st_mode)) {
			return LOWERVIEW_UNSURE;
		} else {
			fd = lowerview_open_plain(dirs[i], name, O_DIRECTORY);
			if (fd < 0)
				return LOWERVIEW_UNSURE;
			is_found = true;
		}
		if (dirs[i] != v->roots[i])
			close(dirs[i]);
		dirs[i] = fd;
	}
	if (is_found)
		return 0;
	errno = ENOENT;
	return -1;
}

/* "", "." and ".." name no child */
static bool
is_child_name(const char *name)
{
	return *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* is dir[0..len) the remembered dir? */
static bool
is_last(const struct lowerview *v, const char *dir, size_t len)
{
	return v->has_last && len < sizeof(v->last) && strncmp(v->last, dir, len) == 0 &&
	       v->last[len] == '\0';
}

/* remember dirs, the dirs of dir[0..len) in each layer (taking them);
 * len < LOWERVIEW_DIR_MAX */
static void
remember(struct lowerview *v, const char *dir, size_t len, const int *dirs)
{
	forget_last(v);
	memcpy(v->last, dir, len);
	v->last[len] = '\0';
	memcpy(v->last_dirs, dirs, v->n * sizeof(*dirs));
	v->has_last = true;
}

/*
 * the remembered dir itself: its top-most layer's dir, as lookup_last
 * finds it from the dir above (the layers above that one have no such
 * entry, and it passed the same checks when remembered)
 */
static int
last_self(const struct lowerview *v, struct stat *st)
{
	for (size_t i = 0; i < v->n; i++) {
		int fd;

		if (v->last_dirs[i] < 0)
			continue;
		if (fstat(v->last_dirs[i], st) < 0)
			return LOWERVIEW_UNSURE;
		fd = fcntl(v->last_dirs[i], F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? LOWERVIEW_UNSURE : fd;
	}
	return LOWERVIEW_UNSURE;
}

int
lowerview_lookup(struct lowerview *v, const char *rel, struct stat *st)
{
	char path[PATH_MAX], *name, *slash;
	int dirs[LOWERVIEW_MAX], rc, e;
	size_t len = strlen(rel);

	if (v->n == 0 || len >= sizeof(path))
		return LOWERVIEW_UNSURE;
	if (len == 0) {
		/* the merged root shows the top-most root's status */
		if (fstat(v->roots[0], st) < 0)
			return LOWERVIEW_UNSURE;
		rc = fcntl(v->roots[0], F_DUPFD_CLOEXEC, 0);
		return rc < 0 ? LOWERVIEW_UNSURE : rc;
	}
	if (is_last(v, rel, len))
		return last_self(v, st);
	memcpy(path, rel, len + 1);
	slash = strrchr(path, '/');
	if (slash && is_last(v, path, (size_t)(slash - path))) {
		name = slash + 1;
		return is_child_name(name) ? lookup_last(v->last_dirs, v->n, name, st) :
		       LOWERVIEW_UNSURE;
	}
	memcpy(dirs, v->roots, v->n * sizeof(*dirs));
	name = path;
	rc = 0;
	while (rc == 0 && (slash = strchr(name, '/')) != NULL) {
		*slash = '\0';
		rc = is_child_name(name) ? step_in(dirs, v->n, v, name) : LOWERVIEW_UNSURE;
		name = slash + 1;
	}
	if (rc == 0 && name != path && (size_t)(name - 1 - path) < sizeof(v->last)) {
		/* through every dir on the way: keep them for the next look-up */
		remember(v, rel, (size_t)(name - 1 - path), dirs);
		return is_child_name(name) ? lookup_last(v->last_dirs, v->n, name, st) :
		       LOWERVIEW_UNSURE;
	}
	if (rc == 0)
		rc = is_child_name(name) ? lookup_last(dirs, v->n, name, st) : LOWERVIEW_UNSURE;
	e = errno;
	close_dirs(dirs, v->n, v);
	errno = e;
	return rc;
}

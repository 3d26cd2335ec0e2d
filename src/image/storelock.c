#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "image/storelock.h"
#include "util/alloc.h"
#include "util/err.h"

static int
lock_file(const char *root, const char *name, int how, int *out, struct err **errp)
{
	autofree char *path = xasprintf("%s/%s", root, name);
	autoclose int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if (TEMP_FAILURE_RETRY_INT(flock(fd, how)) < 0) {
		if (errno == EWOULDBLOCK)
			return 1;
		return err_make(errp, errno, "cannot lock '%s'", path);
	}
	*out = steal_fd(&fd);
	return 0;
}

static int
lock(const char *root, int how, int *out, struct err **errp)
{
	return lock_file(root, "gc.lock", how, out, errp);
}

int
storelock_shared(const char *root, struct err **errp)
{
	/* the root this process holds; a second root (tests open several)
	 * takes the place of the first */
	static char *held;
	static int fd = -1;
	int nfd;

	if (held && strcmp(held, root) == 0)
		return 0;
	if (lock(root, LOCK_SH, &nfd, errp) < 0)
		return -1;
	if (fd >= 0)
		close(fd);
	free(held);
	fd = nfd;
	held = xstrdup(root);
	return 0;
}

int
storelock_exclusive(const char *root, bool wait, int *fd, struct err **errp)
{
	return lock(root, LOCK_EX | (wait ? 0 : LOCK_NB), fd, errp);
}

int
storelock_mounts_busy(const char *root, int *fd)
{
	return lock_file(root, "mounts.lock", LOCK_SH | LOCK_NB, fd, NULL) == 0 ? 0 : 1;
}

int
storelock_mounts_wait(const char *root, struct err **errp)
{
	int fd;

	if (lock_file(root, "mounts.lock", LOCK_EX, &fd, errp) < 0)
		return -1;
	close(fd);
	return 0;
}

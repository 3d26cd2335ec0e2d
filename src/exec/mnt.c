#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "exec/mnt.h"
#include "exec/state.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

static bool in_private_ns;

int
mnt_state(struct mnt *m, const char *builddir, const char *name,
	  const char *what, const struct state *s, const struct store *st,
	  const char *upper, const char *work, struct err **errp)
{
	struct strv lowers = STRV_INIT;
	char *flat = xstrdup(name);
	int r;

	m->fd = -1;
	for (char *p = flat; *p; p++)
		if (*p == '/')
			*p = '-';
	m->path = xasprintf("%s/tmp/%s.%s", builddir, flat, what);
	free(flat);
	if (!in_private_ns) {
		if (sandbox_enter_private_mountns(errp) < 0)
			return -1;
		in_private_ns = true;
	}
	if (fs_mkdir_p(m->path, errp) < 0)
		return -1;
	state_lowerdirs(s, st, &lowers);
	r = sandbox_mount_overlay(m->path, (const char *const *)lowers.v, lowers.n,
				  upper, work, errp);
	strv_fini(&lowers);
	if (r < 0)
		return err_wrap(errp, "mounting the root filesystem of '%s'", name);
	m->fd = open(m->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->fd < 0)
		return err_make(errp, errno, "cannot open '%s'", m->path);
	return 0;
}

void
mnt_fini(struct mnt *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->path) {
		umount2(m->path, MNT_DETACH);
		rmdir(m->path);
	}
	free(m->path);
	m->path = NULL;
	m->fd = -1;
}

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/copytree.h"
#include "exec/flatten.h"
#include "exec/state.h"
#include "image/store.h"
#include "image/storelock.h"
#include "image/tree.h"
#include "oci/digest.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/*
 * copy the merged view of lowers into dest: an overlay of them, mounted
 * read-only at mnt in the executor's own mount namespace (private: the
 * host never sees the mount, and it goes with the process), copied as
 * `cp -a` would (owners, modes, times, xattrs, hard links, devices), then
 * unmounted
 */
static int
merge_into(const struct strv *lowers, const char *mnt, const char *dest,
	   struct err **errp)
{
	struct copier c = { .uid = -1, .gid = -1, .is_archive = true };
	struct stat st;
	int sfd = -1, dfd = -1, r = -1;

	if (sandbox_enter_private_mountns(errp) < 0 ||
	    sandbox_mount_overlay(mnt, (const char *const *)lowers->v, lowers->n,
				  NULL, NULL, errp) < 0)
		goto wrap;
	sfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st) < 0) {
		err_make(errp, errno, "cannot open '%s'", mnt);
		goto out;
	}
	dfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		err_make(errp, errno, "cannot open '%s'", dest);
		goto out;
	}
	r = copytree_dir(&c, sfd, &st, dfd, dest, errp);
out:
	if (dfd >= 0)
		close(dfd);
	if (sfd >= 0)
		close(sfd);
	umount2(mnt, MNT_DETACH);
wrap:
	if (r < 0)
		err_wrap(errp, "flattening %zu layers into '%s'", lowers->n, dest);
	return r;
}

/*
 * append dirs[from..to) (top-most first) to out, leaving out any dir out
 * names already. An image may hold a layer twice (real images hold
 * Docker's empty layer twice), and overlayfs refuses a lower dir it has
 * already (ELOOP, "conflicting lowerdir path"), by inode: a bind mount
 * of it elsewhere would not do either. Keeping the upper copy alone shows
 * the same tree: wherever the lower copy has an entry the upper copy has
 * the same one, and the lookup meets it first. If it ends the lookup (a
 * file, a whiteout, an opaque dir), the lower copy is never reached; if
 * it is a dir that merges, the lower copy adds no name the upper has not
 * given already. The layers between the copies are below the upper one,
 * so their whiteouts hide nothing it has, with the lower copy or without.
 */
static void
add_once(struct strv *out, const struct strv *dirs, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (strv_find(out, dirs->v[i]) < 0)
			strv_add(out, dirs->v[i]);
}

/* whole blocks of FLATTEN_BLOCK layers, so that a new copy is made once
 * every FLATTEN_BLOCK steps, not at every step past the limit */
static size_t
nflat_of(const struct state *s)
{
	if (s->nlayers <= FLATTEN_MAX)
		return 0;
	return (s->nlayers - FLATTEN_KEEP) / FLATTEN_BLOCK * FLATTEN_BLOCK;
}

bool
flatten_key(const struct state *s, char key[DIGEST_LEN])
{
	struct digest *d;
	size_t n = nflat_of(s);

	if (n == 0)
		return false;
	d = digest_new();
	for (size_t i = 0; i < n; i++)
		digest_update(d, state_layer_id(&s->layers[i]), DIGEST_LEN - 1);
	digest_final(d, key);
	return true;
}

int
flatten_lowerdirs(const struct state *s, const struct store *st,
		  struct strv *out, struct err **errp)
{
	struct strv all = STRV_INIT, bottom = STRV_INIT;
	autofree char *flat = NULL, *tmp = NULL, *mnt = NULL, *dest = NULL;
	size_t nflat = nflat_of(s);
	char key[DIGEST_LEN];
	int lockfd = -1, r = -1;

	/* a layer's overlay gone before it is mounted again */
	if (storelock_mounts_wait(st->root, errp) < 0)
		return -1;
	state_lowerdirs(s, st, &all);
	if (!flatten_key(s, key)) {
		add_once(out, &all, 0, all.n);
		strv_fini(&all);
		return 0;
	}
	flat = xasprintf("%s/flat/%s", st->root, key + 7);
	if (access(flat, F_OK) != 0) {
		autofree char *flatdir = fs_dirname(flat);

		/* all is top-most first: its last nflat entries are the bottom */
		add_once(&bottom, &all, all.n - nflat, all.n);
		if (fs_mkdir_p(flatdir, errp) < 0 || store_tmpdir(st, &tmp, &lockfd, errp) < 0)
			goto out;
		mnt = xasprintf("%s/mnt", tmp);
		dest = xasprintf("%s/root", tmp);
		if (mkdir(mnt, 0700) < 0 || mkdir(dest, 0755) < 0) {
			err_make(errp, errno, "cannot make '%s'", tmp);
			goto out;
		}
		if (merge_into(&bottom, mnt, dest, errp) < 0)
			goto out;
		if (rename(dest, flat) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
			err_make(errp, errno, "cannot rename '%s' to '%s'", dest, flat);
			goto out;
		}
	}
	add_once(out, &all, 0, all.n - nflat);
	strv_add(out, flat);
	r = 0;
out:
	if (tmp)
		tree_remove_path(tmp, NULL);
	if (lockfd >= 0)
		close(lockfd);
	strv_fini(&all);
	strv_fini(&bottom);
	return r;
}

#ifndef DF2NINJA_SANDBOX_LOWERVIEW_H
#define DF2NINJA_SANDBOX_LOWERVIEW_H

/*
 * the merged view of an overlay's lower dirs, read from the dirs
 * themselves instead of from a mount of them, for the sandbox child's
 * probe of its mount points (a mount and its unmount cost more than the
 * look-ups). Async-signal-safe, no allocation. Only the plain case is
 * answered: every dir on the way a plain dir in each layer that has it,
 * and none of the overlayfs attributes that change a look-up (opaque,
 * redirect, metacopy, whiteouts as attributes) on it, nor on the layers'
 * roots; the entry looked up a dir or a regular file in the top-most
 * layer that has it. Anything else (whiteouts, symlinks, other types,
 * unreadable dirs) is left to a mount: LOWERVIEW_UNSURE.
 */

#include <stdbool.h>
#include <stddef.h>

struct stat;

enum {
	LOWERVIEW_MAX = 128,	/* more layers: always unsure */
	LOWERVIEW_DIR_MAX = 256,	/* longer dirs are not remembered */
};

#define LOWERVIEW_UNSURE (-2)

struct lowerview {
	int roots[LOWERVIEW_MAX];	/* plain root dirs, top-most first */
	size_t n;
	/*
	 * the dir of the last look-up below the root that got through it
	 * (every layer's entry on the way a plain dir): its path, and its dir
	 * in each layer, -1 in those that have none. A look-up in the same
	 * dir (a scaffold's etc/hosts, etc/resolv.conf, etc) starts there
	 * instead of stepping through every layer again.
	 */
	char last[LOWERVIEW_DIR_MAX];
	int last_dirs[LOWERVIEW_MAX];
	bool has_last;
};

/*
 * does fd carry an overlayfs attribute (trusted. or user.overlay.*) that
 * may change what a look-up finds? Only the upper root's uuid and the
 * origin, impure and nlink marks of copied-up entries are known to leave
 * it alone; unreadable attributes count as yes
 */
bool lowerview_has_overlay_xattr(int fd);
/* open name in dirfd without following it (flags: O_DIRECTORY, or 0 for
 * a regular file) if it has no such attribute; -1 otherwise */
int lowerview_open_plain(int dirfd, const char *name, int flags);

/* open the roots of lowers[0..n); 0, or LOWERVIEW_UNSURE (none left open) */
int lowerview_open(struct lowerview *v, char *const *lowers, size_t n);
void lowerview_close(struct lowerview *v);

/*
 * look rel up ("" is the root) without following its last component:
 * a read-only fd of the top-most layer's entry with *st its status (what
 * the merged view shows of a dir or a file: its owner, mode and times),
 * -1 with errno ENOENT when no layer has it, or LOWERVIEW_UNSURE. The
 * layers are taken not to change while v is open (v remembers the dir
 * of rel).
 */
int lowerview_lookup(struct lowerview *v, const char *rel, struct stat *st);

#endif

#ifndef DF2NINJA_SANDBOX_ROOTFS_H
#define DF2NINJA_SANDBOX_ROOTFS_H

/*
 * the container's root mount, made in the sandbox child (async-signal-
 * safe): the overlay of the plan's layers, with a scaffold of missing
 * mount points stacked on top when some are missing.
 */

struct sb_plan;
struct sb_report;

/*
 * mount p's overlay, attached (over "/", or in the staging tmpfs on the
 * mount(2) path) in the current mount namespace, which must be private.
 * *rootfd is an O_PATH fd of its root, and every target that is not
 * covered has its fd set. May change the cwd. Returns 0, or -1 with r
 * filled.
 */
int rootfs_mount(struct sb_plan *p, int *rootfd, struct sb_report *r);

/* open rel (relative to the root at rootfd, resolved inside it) with
 * flags | O_CLOEXEC; for O_PATH lookups. Returns an fd or -1 with errno */
int rootfs_open(int rootfd, const char *rel, int flags);

#endif

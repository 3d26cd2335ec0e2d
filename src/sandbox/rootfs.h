#ifndef DF2NINJA_SANDBOX_ROOTFS_H
#define DF2NINJA_SANDBOX_ROOTFS_H

/*
 * the container's root mount, made in the sandbox child (async-signal-
 * safe): the overlay of the plan's layers, with a scaffold of missing
 * mount points stacked on top when some are missing.
 */

#include <stdbool.h>

struct sb_ovl;
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

/*
 * make overlay o as a detached mount, its root in *mfd: by the new mount
 * API or, once that is found missing (*is_legacy), by mount(2) in the
 * staging tmpfs, which *staging holds (opened on demand, over "/", and
 * made the cwd). With has_scaffold, staging's "scaffold" directory is the
 * top-most lower. Returns 0, or -1 with r filled.
 */
int rootfs_overlay(const struct sb_ovl *o, bool has_scaffold, bool *is_legacy,
		   int *staging, int *mfd, struct sb_report *r);
/* detach staging (the cwd) if *staging is open, and close it */
int rootfs_staging_drop(int *staging, struct sb_report *r);

/* open rel (relative to the root at rootfd, resolved inside it) with
 * flags | O_CLOEXEC; for O_PATH lookups. Returns an fd or -1 with errno */
int rootfs_open(int rootfd, const char *rel, int flags);

#endif

#ifndef DF2NINJA_SANDBOX_OVERLAY_H
#define DF2NINJA_SANDBOX_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * mounting one overlay stack, by the new mount API with "lowerdir+" or
 * by mount(2). Everything here is async-signal-safe: it runs in the
 * sandbox child as well as in the executor.
 */

struct sb_ovl;
struct sb_report;

/*
 * options set on every overlay. The layers are later read as plain
 * directories, so no redirect or metacopy xattrs may appear in an upper.
 */
#define OVL_NFIXED 3
extern const char *const ovl_fixed[OVL_NFIXED][2];

/* ovl_fixed[i] is left to the kernel's default in this mode */
bool ovl_skip_fixed(size_t i);

/* force the mount(2) path, for tests */
extern bool ovl_force_legacy;

/*
 * make overlay o as a detached mount, its root in *mfd (O_CLOEXEC); with
 * has_scaffold, the directory "scaffold" of the cwd is the top-most lower
 * and xino is on (the scaffold lives on another filesystem). A lone lower
 * without upper, which overlayfs refuses, is bound read-only instead.
 * Returns 0, 1 when the kernel lacks fsopen or "lowerdir+" (use
 * ovl_mount_legacy), or -1 with r filled.
 */
int ovl_fsmount(const struct sb_ovl *o, bool has_scaffold, int *mfd,
		struct sb_report *r);
/*
 * mount(2) o on target (relative to the cwd) from o->legacy[has_scaffold];
 * when that names lowers by short names, ovl_make_links must have made
 * them in the cwd. Returns 0, or -1 with r filled.
 */
int ovl_mount_legacy(const struct sb_ovl *o, bool has_scaffold,
		     const char *target, struct sb_report *r);
/* make symlinks "0", "1", ... in dirfd to o's lowers */
int ovl_make_links(const struct sb_ovl *o, int dirfd, struct sb_report *r);
/* the decimal digits of n into buf (at least 24 bytes), NUL-terminated */
char *ovl_utoa(unsigned long n, char *buf);

#endif

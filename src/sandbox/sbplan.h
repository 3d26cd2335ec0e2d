#ifndef DF2NINJA_SANDBOX_SBPLAN_H
#define DF2NINJA_SANDBOX_SBPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * everything the child needs, prepared in the parent before clone: the
 * child only reads it (and stores fds in it), so it never allocates.
 */

struct err;
struct sandbox_spec;

/* a mount point in the rootfs */
struct sb_target {
	char *rel;		/* cleaned, relative to the rootfs: "etc/hosts" */
	bool is_dir;
	bool is_covered;	/* inside an earlier mount: made when mounting */
	bool is_upper;		/* made in the upper dir when missing: /dev,
				 * /proc and /sys, as runc makes them */
	bool is_absent;		/* child: is_upper and not in the rootfs */
	int fd;			/* child: O_PATH fd of the mount point, or -1 */
};

enum sb_op {
	SB_OP_PROC,
	SB_OP_SYSFS,
	SB_OP_DEV,
	SB_OP_BIND,
	SB_OP_TMPFS,
	SB_OP_MASK,		/* hide a file (/dev/null) or directory (empty
				 * tmpfs); nothing when it does not exist */
	SB_OP_RDONLY,		/* make a path read-only; nothing when absent */
};

/* one mount into the rootfs, made in plan order */
struct sb_mount {
	enum sb_op op;
	char *src;		/* SB_OP_BIND: absolute host path */
	size_t target;		/* index in sb_plan.targets */
	unsigned attr;		/* MOUNT_ATTR_* of the new mount */
	char *size;		/* SB_OP_TMPFS: its "size" option, or NULL */
};

/* an overlay stack, ready for fsconfig or for mount(2) */
struct sb_ovl {
	char **lowers;		/* absolute, top-most first */
	size_t nlower;
	char *upper, *work;	/* absolute, or NULL for a read-only view */
	unsigned attr;		/* MOUNT_ATTR_* of the overlay mount */
	/*
	 * mount(2) data, [0] as given and [1] with "scaffold" (in the staging
	 * dir, the cwd at mount time) as the top-most lower; NULL when it
	 * cannot fit. is_short[i]: lowers are named by the staging symlinks
	 * "0", "1", ... because their paths would not fit.
	 */
	char *legacy[2];
	bool is_short[2];
	size_t legacy_len;	/* length [0] needs with full paths */
};

struct sb_plan {
	struct sb_ovl ovl;
	struct sb_target *targets;
	size_t ntarget;
	struct sb_mount *mounts;
	size_t nmount;
	char *cwd;		/* absolute and cleaned */
	char *cwd_rel;		/* the same without the leading '/' */
	char **exec_paths;	/* execve candidates, in PATH order */
	size_t nexec;
	const struct sandbox_spec *spec;
	bool is_readonly;	/* no upper dir */
	uint64_t caps;		/* the capabilities the step keeps */
	int report_fd;		/* child's end of the report pipe */
	int out_fd;		/* child's end of the output pipe, or -1 */
	int net_fd;		/* is_network_isolated: child's end of the pipe
				 * on which the parent says the network is
				 * configured (a byte; EOF: it failed) */
};

/* fill p from s, checking it; free with sbplan_fini even on failure */
int sbplan_init(struct sb_plan *p, const struct sandbox_spec *s,
	      struct err **errp);
void sbplan_fini(struct sb_plan *p);

/*
 * fill o for lowers/upper/work (made absolute); allow_short permits
 * naming lowers by staging symlinks (only the sandbox child has a staging
 * dir). Free with ovl_fini even on failure.
 */
int ovl_init(struct sb_ovl *o, const char *const *lowers, size_t nlower,
	     const char *upper, const char *work, bool allow_short,
	     struct err **errp);
void ovl_fini(struct sb_ovl *o);

#endif

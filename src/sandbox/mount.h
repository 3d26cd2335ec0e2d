#ifndef DF2NINJA_SANDBOX_MOUNT_H
#define DF2NINJA_SANDBOX_MOUNT_H

/*
 * mounts into the container's root, in the sandbox child (async-signal-
 * safe): /proc, /sys, /dev, the /etc files, extra mounts, then the
 * working directory and pivot_root.
 */

struct sb_plan;
struct sb_report;

/*
 * make p's mounts in the root at rootfd (as left by rootfs_mount), make
 * the working directory, and pivot_root into the root, detaching the old
 * one: afterwards "/" is the container's. Returns 0, or -1 with r filled.
 */
int mount_setup(struct sb_plan *p, int rootfd, struct sb_report *r);

#endif

#ifndef DF2NINJA_SANDBOX_DEVSTEPS_H
#define DF2NINJA_SANDBOX_DEVSTEPS_H

/* the steps of making /dev as Docker does (sandbox/mount.c), the arg of a
 * STEP_DEV failure (sandbox/report.h) */
enum dev_step {
	DEV_TMPFS,
	DEV_NODES,		/* + index in dev_nodes */
	DEV_PTS = DEV_NODES + 6,
	DEV_SHM,
	DEV_MQUEUE,
	DEV_LINKS,		/* + index in dev_links */
	DEV_END = DEV_LINKS + 5,
};


/* what step arg is, for messages: "binding '/dev/null'" */
const char *dev_step_what(int arg);

#endif

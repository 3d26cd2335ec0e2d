#ifndef DF2NINJA_SANDBOX_CONFINE_H
#define DF2NINJA_SANDBOX_CONFINE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * what a step may do, as Docker's default container: its capabilities
 * and its seccomp filter. Applied by the container's init once the root
 * is set up, so that the init and everything it starts are confined.
 * Async-signal-safe: it runs in the sandbox child.
 */

/* Docker's default capabilities (CapEff 0x00000000a80425fb) */
#define CONFINE_CAPS_DEFAULT 0xa80425fbULL
/* ... without CAP_NET_RAW (13), for a step on the host's network */
#define CONFINE_CAPS_HOST_NET (CONFINE_CAPS_DEFAULT & ~(1ULL << 13))

enum confine_step {
	CONFINE_BOUNDING,	/* dropping from the bounding set */
	CONFINE_SECCOMP,	/* loading the filter */
	CONFINE_CAPSET,		/* setting effective, permitted, inheritable */
	CONFINE_AMBIENT,	/* clearing the ambient set */
};

/*
 * keep only the capabilities in caps (bit n: capability n) in the
 * bounding, permitted and effective sets (the inheritable and ambient
 * sets are emptied) and load the seccomp filter. Needs CAP_SETPCAP and
 * CAP_SYS_ADMIN. Returns 0, or -1 with errno and *step saying what
 * failed.
 */
int confine_apply(uint64_t caps, int *step);

/* what confine_apply's step is, for messages */
const char *confine_step_what(int step);

#endif

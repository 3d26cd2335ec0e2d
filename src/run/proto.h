#ifndef DF2NINJA_RUN_PROTO_H
#define DF2NINJA_RUN_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * What df2ninja-run (src/run/run.c) and a build's step server
 * (src/exec/stepserver.c) say to each other over a SOCK_SEQPACKET socket,
 * <builddir>/run/<build pid>.<its start time>. Both sides are built from
 * one tree for one machine: no byte order, no versions side by side.
 *
 *   client -> server   struct run_req, then argc NUL-terminated strings,
 *                      in one message, with RUN_NFDS or RUN_NFDS + 1 fds
 *                      (stdin, stdout, stderr, the working dir, and the
 *                      terminal when there is one); the request carries
 *                      what else a step inherits from its client: the
 *                      umask, the nice value and the rlimits
 *   server -> client   RUN_ACCEPT (it runs the step) or RUN_REFUSE (the
 *                      client runs it itself), then RUN_STATUS at its end
 *   client -> server   RUN_SIGNAL with a signal the client was sent
 */

#define RUN_MAGIC 0x646e3272u	/* "r2nd" */
#define RUN_VERSION 2u
#define RUN_NFDS 4
#define RUN_REQ_MAX 65536	/* a request's bytes, strings included */
#define RUN_ARGC_MAX 64
#define RUN_NLIMITS 16	/* RLIMIT_CPU .. RLIMIT_RTTIME, as Linux numbers them */

enum run_msg_type {
	RUN_ACCEPT = 1,
	RUN_REFUSE,
	RUN_STATUS,	/* value: the exit status */
	RUN_SIGNAL,	/* value: the signal number */
};

struct run_req {
	uint32_t magic;
	uint32_t version;
	uint64_t envhash;	/* run_env_hash of the client's environment */
	int32_t ppid;		/* the client's parent */
	uint32_t umask;
	uint32_t argc;		/* strings after the header: argv */
	uint32_t has_tty;	/* a fifth fd, the terminal, follows */
	int32_t nice;		/* the client's nice value */
	uint32_t pad;
	struct {
		uint64_t cur, max;
	} limits[RUN_NLIMITS];	/* the client's rlimits, by resource number */
};

struct run_msg {
	uint32_t type;
	int32_t value;
};

/* FNV-1a over every "NAME=value" and its NUL, in order: a step server
 * serves only clients with the environment it was started with */
static inline uint64_t
run_env_hash(char *const *env)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; env && env[i]; i++) {
		const unsigned char *p = (const unsigned char *)env[i];

		do {
			h ^= *p;
			h *= 0x100000001b3ull;
		} while (*p++);
	}
	return h;
}

#endif

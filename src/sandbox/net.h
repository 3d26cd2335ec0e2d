#ifndef DF2NINJA_SANDBOX_NET_H
#define DF2NINJA_SANDBOX_NET_H

#include <sys/types.h>

struct err;
struct sb_plan;

/*
 * the network of an isolated step (sandbox_spec.is_network_isolated), as
 * rootless podman and BuildKit give it: a user-mode network helper
 * attached to the step's network namespace gives it an interface with an
 * address and a default route, outbound TCP, UDP and ICMP through the
 * host's sockets, and a resolver at SANDBOX_ISOLATED_DNS that forwards
 * to the host's first nameserver. The host's loopback, and so whatever
 * listens only on it, is out of reach, and no port is forwarded either
 * way.
 *
 * The helper is pasta (Debian's package passt) when it is installed, else
 * slirp4netns. DF2NINJA_NET_HELPER=pasta or =slirp4netns picks one.
 */

struct net_helper {
	pid_t pid;		/* the helper, or -1 when none runs */
	const char *name;	/* "pasta" or "slirp4netns" */
};

/*
 * give the network namespace of the container's init pid (just spawned
 * for plan p, and not reaped) its helper, and once the helper has
 * configured the namespace, let the init go on by writing a byte to
 * net_w, the parent's end of p->net_fd. The helper dies with the calling
 * thread (PR_SET_PDEATHSIG) and has a session of its own, so a terminal's
 * signals do not reach it. Returns 0 with *h set, to be given to net_stop
 * once the init has exited, or -1 with *errp set: then no helper runs,
 * the init is killed and reaped, and the error is the init's own when it
 * failed first (p->report_fd is read up to EOF for that).
 */
int net_attach(const struct sb_plan *p, pid_t pid, struct net_helper *h,
	       int net_w, struct err **errp);

/* kill and reap the helper net_attach started; nothing when none runs */
void net_stop(struct net_helper *h);

#endif

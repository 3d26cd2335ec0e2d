#ifndef DF2NINJA_AGENTRELAY_H
#define DF2NINJA_AGENTRELAY_H

#include <sys/types.h>

struct err;

/*
 * a socket at path (made here; at most 107 bytes, as upstream), owned
 * uid:gid with mode, each connection to which a process of its own (*pid)
 * forwards to the socket upstream: an ssh agent shown with an owner and
 * mode of the mount's, as BuildKit forwards one. The process, and the
 * ones it forks per connection, die with the calling thread.
 */
int agentrelay_start(const char *path, const char *upstream, uid_t uid, gid_t gid,
		     mode_t mode, pid_t *pid, struct err **errp);
/* end the relay started as pid */
void agentrelay_stop(pid_t pid);

#endif

#ifndef DF2NINJA_SECRETMNT_H
#define DF2NINJA_SECRETMNT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan/secretsrc.h"
#include "util/strv.h"

struct err;
struct plan_mount;
struct sandbox_mount;
struct step_ctx;

/*
 * RUN --mount=type=secret and type=ssh, as BuildKit mounts them. Their
 * sources are in <builddir>/secrets (plan/secretsrc.h), read when the
 * step runs: a secret's value goes into a file of a private tmpfs of the
 * executor (sandbox_mount_private_tmpfs) bound read-only at the target,
 * or into the command's environment, and nowhere else; an ssh agent's
 * socket is bound read-only at the target (through a relay of the
 * mount's mode, uid and gid when it gives one). Neither leaves anything in
 * the layer (the sandbox's scaffold holds the mount points).
 */
struct secretmnt {
	char *dir;		/* the private tmpfs, once mounted */
	struct secretsrc src;
	bool is_loaded;
	size_t nssh;		/* ssh mounts seen so far */
	struct strv keep;	/* the strings mounts point to */
	pid_t *relays;		/* agentrelay.h: an ssh mount with its own
				 * mode, uid or gid */
	size_t nrelays;
};

void secretmnt_init(struct secretmnt *m);
/*
 * the secret or ssh mount mo of step c; target is its absolute target,
 * or NULL when it names none (then BuildKit's: /run/secrets/<id>, or
 * /run/buildkit/ssh_agent.N for the Nth ssh mount). Fills *sm and sets
 * *has_mount, or leaves *has_mount false when there is nothing to mount
 * (a secret only in env=, an optional one not given). envp gets the
 * secret's env= variable, and SSH_AUTH_SOCK for the first ssh mount
 * unless the state env sets it. A required one not given is an error.
 * The strings *sm points to live as long as m.
 */
int secretmnt_add(struct secretmnt *m, struct step_ctx *c, const struct plan_mount *mo,
		  const char *target, struct sandbox_mount *sm, bool *has_mount,
		  struct strv *envp, struct err **errp);
/* unmount the tmpfs (the values go with it) */
void secretmnt_fini(struct secretmnt *m);

#endif

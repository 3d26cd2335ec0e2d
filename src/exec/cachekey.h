#ifndef DF2NINJA_CACHEKEY_H
#define DF2NINJA_CACHEKEY_H

#include <stdbool.h>

#include "oci/digest.h"

struct state;
struct stepplan;

/*
 * the key under which a step's result is shared (stepcache.h), computed
 * before the step runs, the same on every machine given the same
 * Dockerfile, context and base image: the digest of the step's plan
 * (which holds its instruction, resolved args, mounts, flags, and the
 * config operations before it), less what only this machine has (the
 * proxy args, as BuildKit leaves them out) and where the step is (its
 * stage, number and parent: the start state stands for what came before
 * it), and of the portable identity
 * (state_portable_id) of the state it starts from, which holds the base
 * image's layers and config and, by content, every layer the steps before
 * made: the context files an earlier COPY read are in it as the sum of
 * that COPY's layer. A RUN binding the context (--mount=type=bind without
 * from=) is keyed on reads too, the content of what its binds show it
 * (runmounts_context_digest; NULL: none), and not on the context's path.
 * Only a RUN is shared: FROM, COPY and the config steps redo cheaply what
 * a lookup would fetch. A RUN binding a stage or an image, or the context
 * without reads, reads files the key would not cover: false, it is never
 * shared.
 */
bool cachekey_step(const struct stepplan *p, const struct state *start,
		   const char *reads, char key[DIGEST_LEN]);

#endif

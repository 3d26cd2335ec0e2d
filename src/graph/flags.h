#ifndef DF2NINJA_FLAGS_H
#define DF2NINJA_FLAGS_H

#include <stddef.h>

#include "dockerfile/ast.h"

/* the values of a repeatable flag (--mount, --exclude), borrowed */
struct flaglist {
	const char **v;
	size_t n, cap;
};

/*
 * the flags of one instruction, parsed the way BuildKit's BFlags does.
 * Strings point into the instruction (NULL when not given); booleans are
 * -1 when not given, else 0 or 1.
 */
struct flags {
	const char *platform;
	const char *from, *chown, *chmod, *checksum;
	const char *network, *security;
	const char *interval, *timeout, *start_period, *start_interval;
	const char *retries;
	int link, parents, keep_git_dir, unpack;
	struct flaglist mounts, excludes;
};

/*
 * parse in's flags into f, accepting only those in's instruction takes:
 * FROM --platform; RUN --mount --network --security; COPY --from --chown
 * --chmod --link --parents --exclude; ADD --chown --chmod --link
 * --checksum --keep-git-dir --exclude --unpack; HEALTHCHECK --interval
 * --timeout --start-period --start-interval --retries; nothing for the
 * others. On failure *msg (owned by the caller) says why, without location.
 * Call flags_fini either way.
 */
int flags_parse(const struct instr *in, struct flags *f, char **msg);
void flags_fini(struct flags *f);

#endif

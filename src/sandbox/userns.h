#ifndef DF2NINJA_SANDBOX_USERNS_H
#define DF2NINJA_SANDBOX_USERNS_H

#include <stdbool.h>

/*
 * rootless mode: a user other than root (or root with DF2NINJA_ROOTLESS=1)
 * runs every df2ninja exec and shell in a user namespace of its own, in
 * which it is root: root maps to the user, and ids 1..N to the user's
 * subordinate range from /etc/subuid and /etc/subgid (written by the
 * setuid newuidmap and newgidmap of Debian's uidmap package). Files in
 * the store and build dir then keep the image's numeric owners as seen
 * from inside, so the image is the one a root build makes. Without a
 * subordinate range (or without newuidmap), only root is mapped.
 * Root with DF2NINJA_ROOTLESS=1 maps ids 0..65535 to themselves.
 */

struct err;

/*
 * enter rootless mode when it applies (not root, or force, or
 * DF2NINJA_ROOTLESS=1), else do nothing. Must be called while the process
 * has one thread. Returns 0, or -1 with *errp set.
 */
int userns_enter(bool force, struct err **errp);

/* in rootless mode (after userns_enter) */
bool userns_is_rootless(void);

/* in rootless mode with only root mapped */
bool userns_is_single(void);

/*
 * how ids are mapped, for the store, whose unpacked layers are only good
 * for one mapping: "root", or "rootless U:S:N G:S:N" (the user's uid,
 * then the subordinate start and count; likewise for gids)
 */
const char *userns_idmap(void);

/* a hint for an id that cannot be mapped, or NULL: in single-id mode
 * it says how to get a subordinate range */
const char *userns_hint(void);

#endif

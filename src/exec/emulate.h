#ifndef DF2NINJA_EXEC_EMULATE_H
#define DF2NINJA_EXEC_EMULATE_H

#include <stdbool.h>

#include "oci/platform.h"

struct err;
struct image_config;

/*
 * A RUN of a stage on another platform than the host's (FROM --platform)
 * runs its programs under QEMU user mode: the kernel hands a foreign ELF
 * binary to the interpreter a binfmt_misc entry names. Only entries
 * registered with the F flag are used (Debian's qemu-user-static with
 * binfmt-support registers them so): the kernel opened the interpreter at
 * registration, so it runs from the sandbox's mount namespace and from a
 * rootless user namespace alike. QEMU translates the guest's system calls
 * into the host's, so the sandbox's seccomp filter (host arch) applies.
 */

/* the platform of the image config cfg (its architecture, os, variant)
 * into p: true when it is not the host's */
bool emulate_is_foreign(const struct image_config *cfg, struct platform *p);
/*
 * check that an enabled binfmt_misc entry with the F flag runs p's ELF
 * binaries ($DF2NINJA_BINFMT_DIR, else /proc/sys/fs/binfmt_misc); its
 * interpreter goes to *interp (caller frees). None is an error naming the
 * packages to install, the mount, or the entry at fault.
 */
int emulate_check(const struct platform *p, char **interp, struct err **errp);

#endif

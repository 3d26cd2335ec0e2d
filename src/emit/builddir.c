#include <stdlib.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "builddir.h"

int
builddir_make(const char *path, struct err **errp)
{
	/*
	 * layers/<stage>/ holds each step's upper dir: its files as the
	 * image has them, so a setuid-root program from a base image would
	 * give euid 0 to whoever can reach it. The top keeps other users
	 * out (the executor checks it at every step); layers/ and state/,
	 * which names those layers, are private too should the top be
	 * opened by hand. 0700, not Docker's 0710: ninja and the user run
	 * as the owner, and no group needs to pass.
	 */
	static const char *const subdirs[] = { "layers", "state" };

	if (fs_private_dir(path, errp) < 0)
		return err_wrap(errp, "the build dir");
	for (size_t i = 0; i < countof(subdirs); i++) {
		autofree char *p = fs_join(path, subdirs[i]);

		if (fs_private_dir(p, errp) < 0)
			return err_wrap(errp, "the build dir");
	}
	return 0;
}

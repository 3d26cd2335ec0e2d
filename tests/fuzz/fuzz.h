#ifndef DF2NINJA_FUZZ_H
#define DF2NINJA_FUZZ_H

/* what the fuzz targets share: one small file each, a header for both */

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/alloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int
fuzz_remove_one(const char *path, const struct stat *sb, int type,
		struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* remove path and everything below it, without following symlinks */
static inline void
fuzz_remove_tree(const char *path)
{
	nftw(path, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *fuzz_top;

static inline void
fuzz_remove_top(void)
{
	fuzz_remove_tree(fuzz_top);
}

/* a new directory $TMPDIR/df2ninja-fuzz-NAME.XXXXXX for this process,
 * removed at exit (a crash leaves it); exits when it cannot be made */
static inline const char *
fuzz_tmpdir(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	fuzz_top = xasprintf("%s/df2ninja-fuzz-%s.XXXXXX",
			     tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(fuzz_top)) {
		perror("df2ninja-fuzz: mkdtemp");
		exit(1);
	}
	atexit(fuzz_remove_top);
	return fuzz_top;
}

#endif

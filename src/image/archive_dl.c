#define ARCHIVE_DL_IMPLEMENTATION
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "image/archive_dl.h"
#include "util/err.h"

struct archive_fns archive_fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[512];	/* empty when the table is complete */

static void
load(void)
{
	void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, sizeof(why), "cannot load libarchive (install the Debian "
			 "package libarchive13): %s", dlerror());
		return;
	}
#define ARCHIVE_DL_LOAD(f) \
	if (!why[0] && !(*(void **)&archive_fns.f = dlsym(h, #f))) \
		snprintf(why, sizeof(why), "libarchive.so.13 lacks '%s'", #f);
	ARCHIVE_DL_FUNCS(ARCHIVE_DL_LOAD)
#undef ARCHIVE_DL_LOAD
}

int
archive_dl_load(struct err **errp)
{
	pthread_once(&once, load);
	if (why[0])
		return err_make(errp, 0, "%s", why);
	return 0;
}

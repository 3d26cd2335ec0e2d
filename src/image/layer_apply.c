#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "extract.h"
#include "layer.h"

int
layer_apply_tar(const char *blob, const char *dir, char *diff_id,
		struct err **errp)
{
	char got[DIGEST_LEN];
	autoclose int fd = open(blob, O_RDONLY | O_CLOEXEC), rootfd = -1;

	if (fd < 0)
		return err_make(errp, errno, "applying layer '%s': cannot open it", blob);
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_make(errp, errno, "applying layer '%s': cannot open '%s'",
				blob, dir);
	if (extract_layer(fd, rootfd, EXTRACT_APPLY, false, got, errp) < 0)
		return err_wrap(errp, "applying layer '%s' to '%s'", blob, dir);
	if (diff_id)
		memcpy(diff_id, got, DIGEST_LEN);
	return 0;
}

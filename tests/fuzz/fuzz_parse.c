/* the Dockerfile parser: what `df2ninja parse --dump` does, on the input */
#include <stddef.h>
#include <stdint.h>

#include "dockerfile/parse.h"
#include "util/buf.h"
#include "util/err.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerfile *df = NULL;
	struct buf out = BUF_INIT;
	struct err *err = NULL;

	if (dockerfile_parse("Dockerfile", (const char *)data, size, &df, &err) < 0) {
		if (!err)
			BUG("dockerfile_parse failed without an error");
		err_free(err);
		return 0;
	}
	dockerfile_dump(df, &out);
	buf_fini(&out);
	dockerfile_free(df);
	return 0;
}

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "registry/progress.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/notify.h"

void
progress_size(struct buf *out, double bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	if (bytes < 1024) {
		buf_printf(out, "%.0f B", bytes);
		return;
	}
	bytes /= 1024;
	while (bytes >= 1024 && u + 1 < countof(units)) {
		bytes /= 1024;
		u++;
	}
	buf_printf(out, "%.1f %s", bytes, units[u]);
}

void
progress_format(const struct progress *p, const char *name, struct buf *out)
{
	buf_printf(out, "%s: %s %.19s: ", name, p->label, p->digest);
	if (p->finished) {
		buf_puts(out, "done, ");
		progress_size(out, (double)p->done);
		buf_printf(out, " in %.1f s, ", p->elapsed);
	} else {
		progress_size(out, (double)p->done);
		buf_puts(out, " of ");
		progress_size(out, (double)p->total);
		buf_puts(out, ", ");
	}
	progress_size(out, p->rate);
	buf_puts(out, "/s");
}

void
progress_print(void *ctx, const struct progress *p)
{
	struct buf b = BUF_INIT;

	progress_format(p, ctx ? ctx : "", &b);
	notify(NOTIFY_INFO, "%s", buf_str(&b));
	buf_fini(&b);
}

double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

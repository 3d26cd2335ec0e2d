#include <stdarg.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/notify.h"

static notify_fn *sink;
static void *sink_ctx;
static notify_fn *tap;
static void *tap_ctx;

void
notify_tap(notify_fn *fn, void *ctx)
{
	tap = fn;
	tap_ctx = ctx;
}

void
notify_set(notify_fn *fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

void
notify(enum notify_kind kind, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (tap)
		tap(kind, buf_str(&b), tap_ctx);
	if (sink) {
		sink(kind, buf_str(&b), sink_ctx);
	} else {
		FILE *f = kind == NOTIFY_INFO ? stdout : stderr;

		fprintf(f, "df2ninja: %s\n", buf_str(&b));
		fflush(f);
	}
	buf_fini(&b);
}

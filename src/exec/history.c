#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "exec/history.h"
#include "util/buf.h"
#include "util/strv.h"
#include "util/unicode.h"

void
history_list(struct buf *b, const char *const *v, size_t n)
{
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? " " : "", v[i]);
	buf_putc(b, ']');
}

void
history_quoted(struct buf *b, const char *const *v, size_t n)
{
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ' ');
		quote_go(b, v[i], strlen(v[i]));
	}
	buf_putc(b, ']');
}

/* Go's fmtFrac: v's last prec digits as a fraction without trailing
 * zeros (nothing when they are all zero), then the integer part */
static void
put_frac(struct buf *b, unsigned long long v, int prec, const char *unit)
{
	unsigned long long div = 1;
	char frac[16];
	int n = 0;

	for (int i = 0; i < prec; i++)
		div *= 10;
	snprintf(frac, sizeof(frac), "%0*llu", prec, v % div);
	for (n = prec; n > 0 && frac[n - 1] == '0'; n--)
		;
	buf_printf(b, "%llu", v / div);
	if (n)
		buf_printf(b, ".%.*s", n, frac);
	buf_puts(b, unit);
}

void
history_duration(struct buf *b, long long ns)
{
	unsigned long long u = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
	unsigned long long secs, mins;

	if (ns < 0)
		buf_putc(b, '-');
	if (u == 0) {
		buf_puts(b, "0s");
		return;
	}
	if (u < 1000ULL) {
		buf_printf(b, "%lluns", u);
		return;
	}
	if (u < 1000000ULL) {
		put_frac(b, u, 3, "\xc2\xb5s");	/* U+00B5, as Go writes it */
		return;
	}
	if (u < 1000000000ULL) {
		put_frac(b, u, 6, "ms");
		return;
	}
	secs = u / 1000000000ULL;
	mins = secs / 60;
	if (mins / 60)
		buf_printf(b, "%lluh", mins / 60);
	if (mins)
		buf_printf(b, "%llum", mins % 60);
	put_frac(b, (secs % 60) * 1000000000ULL + u % 1000000000ULL, 9, "s");
}

char *
history_copy(bool is_add, bool parents, const char *chown, const char *chmod,
	     const struct strv *srcs, const char *const *heredocs, size_t nheredocs,
	     const char *dest)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, is_add ? "ADD" : "COPY");
	if (parents)
		buf_puts(&b, " --parents");
	if (chown && chown[0])
		buf_printf(&b, " --chown=%s", chown);
	if (chmod && chmod[0])
		buf_printf(&b, " --chmod=%s", chmod);
	for (size_t i = 0; i < srcs->n; i++)
		buf_printf(&b, " %s", srcs->v[i]);
	for (size_t i = 0; i < nheredocs; i++)
		buf_printf(&b, " <<%s", heredocs[i]);
	buf_printf(&b, " %s # buildkit", dest);
	return buf_steal(&b);
}

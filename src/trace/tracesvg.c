#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/unicode.h"
#include "critpath.h"
#include "tracesvg.h"

#define WIDTH 960
#define LEFT 64		/* the slot names */
#define RIGHT 28
#define TOP 36		/* the summary line */
#define ROW 26
#define BAR 20
#define AXIS 34
#define CHAR_PX 6.6	/* a character of the 11px font, about */

/* s with &, <, > and " escaped, at most max runes ("\u2026" ends one cut) */
static void
put_text(struct buf *b, const char *s, size_t max)
{
	size_t n = strlen(s), runes = 0, w;

	for (size_t i = 0; i < n; i += w)
		runes += (utf8_decode(s + i, n - i, &w), 1);
	for (size_t i = 0, k = 0; i < n; i += w, k++) {
		utf8_decode(s + i, n - i, &w);
		if (runes > max && k + 1 == max) {
			buf_puts(b, "\xe2\x80\xa6");
			return;
		}
		switch (s[i]) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putn(b, s + i, w);
		}
	}
}

/* a tick every so many ms: at most about 10 along the axis */
static long long
tick_step(long long wall)
{
	static const long long steps[] = { 100, 200, 500, 1000, 2000, 5000, 10000,
					   20000, 30000, 60000, 120000, 300000,
					   600000, 1200000, 1800000, 3600000 };
	size_t i = 0;

	while (i + 1 < countof(steps) && wall / steps[i] > 10)
		i++;
	return steps[i];
}

static void
put_axis(struct buf *b, long long wall, double scale, int y)
{
	long long step = tick_step(wall);

	buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
		   LEFT, y, WIDTH - RIGHT, y);
	for (long long ms = 0; ms <= wall; ms += step) {
		double x = LEFT + ms * scale;

		buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			   "stroke=\"#333\"/>\n", x, y, x, y + 5);
		buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g s</text>\n",
			   x, y + 17, (double)ms / 1000);
	}
}

char *
tracesvg_draw(const struct timeline *t)
{
	long long begin = timeline_begin(t), wall = timeline_end(t) - begin;
	int height = TOP + t->nslots * ROW + AXIS;
	double scale = (double)(WIDTH - LEFT - RIGHT) / (double)(wall > 0 ? wall : 1);
	char *summary = critpath_summary(t);
	struct buf b = BUF_INIT;

	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
		   "font-size=\"11\">\n", WIDTH, height, WIDTH, height);
	buf_printf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", WIDTH, height);
	buf_printf(&b, "<text x=\"%d\" y=\"22\" font-size=\"13\">", LEFT);
	put_text(&b, summary, (size_t)-1);
	buf_puts(&b, "</text>\n");
	free(summary);
	for (int s = 0; s < t->nslots; s++)
		buf_printf(&b, "<text x=\"6\" y=\"%d\" fill=\"#555\">slot %d</text>\n",
			   TOP + s * ROW + BAR / 2 + 4, s + 1);
	for (size_t i = 0; i < t->n; i++) {
		const struct timeline_event *e = &t->ev[i];
		double x = LEFT + (double)(e->start - begin) * scale;
		double w = (double)(e->end - e->start) * scale;
		int y = TOP + e->slot * ROW;
		size_t fits = w > 2 * CHAR_PX ? (size_t)((w - 6) / CHAR_PX) : 0;

		buf_printf(&b, "<g><title>");
		put_text(&b, e->name, (size_t)-1);
		buf_printf(&b, " (%.3f s)%s</title>\n", (double)(e->end - e->start) / 1000,
			   e->is_critical ? ", critical" : "");
		buf_printf(&b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			   "rx=\"2\" fill=\"%s\" stroke=\"%s\"/>\n", x, y, w < 1 ? 1 : w, BAR,
			   e->is_critical ? "#e4572e" : "#9cc3e6",
			   e->is_critical ? "#8c2a12" : "#4a7fb0");
		if (fits >= 3) {
			buf_printf(&b, "<text x=\"%.1f\" y=\"%d\"%s>", x + 3, y + BAR / 2 + 4,
				   e->is_critical ? " fill=\"#fff\"" : "");
			put_text(&b, e->name, fits);
			buf_puts(&b, "</text>\n");
		}
		buf_puts(&b, "</g>\n");
	}
	put_axis(&b, wall, scale, TOP + t->nslots * ROW + 4);
	buf_puts(&b, "</svg>\n");
	return buf_steal(&b);
}

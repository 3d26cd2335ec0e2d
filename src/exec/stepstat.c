#include <pthread.h>
#include <stdlib.h>

#include "exec/livestat.h"
#include "exec/stepstat.h"
#include "registry/progress.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/notify.h"

struct stepstat {
	struct livestat *live;
	pthread_mutex_t lock;	/* guards line: the status thread reads it */
	char *line;		/* the last notify() line seen */
	struct copy_count count;
	bool is_tapped;
};

struct stepstat *
stepstat_new(void)
{
	struct stepstat *ss = xcalloc(1, sizeof(*ss));

	pthread_mutex_init(&ss->lock, NULL);
	return ss;
}

/* a notify_fn: keep the line */
static void
seen(enum notify_kind kind, const char *line, void *ctx)
{
	struct stepstat *ss = ctx;
	char *copy = xstrdup(line), *old;

	(void)kind;
	pthread_mutex_lock(&ss->lock);
	old = ss->line;
	ss->line = copy;
	pthread_mutex_unlock(&ss->lock);
	free(old);
}

void
stepstat_text(struct stepstat *ss, struct buf *out)
{
	long long files = __atomic_load_n(&ss->count.files, __ATOMIC_RELAXED);
	long long bytes = __atomic_load_n(&ss->count.bytes, __ATOMIC_RELAXED);

	bool has_line;

	pthread_mutex_lock(&ss->lock);
	has_line = ss->line != NULL;
	if (has_line)
		buf_puts(out, ss->line);
	pthread_mutex_unlock(&ss->lock);
	if (has_line || files == 0)
		return;
	buf_printf(out, "%lld file%s, ", files, files == 1 ? "" : "s");
	progress_size(out, (double)bytes);
	buf_puts(out, " copied");
}

static void
text(void *ctx, struct buf *out)
{
	stepstat_text(ctx, out);
}

void
stepstat_start(struct stepstat *ss, const char *what)
{
	notify_tap(seen, ss);
	ss->is_tapped = true;
	ss->live = livestat_start_fn(what, text, ss);
}

struct copy_count *
stepstat_count(struct stepstat *ss)
{
	return ss ? &ss->count : NULL;
}

void
stepstat_free(struct stepstat *ss)
{
	if (!ss)
		return;
	livestat_stop(ss->live);
	if (ss->is_tapped)
		notify_tap(NULL, NULL);
	pthread_mutex_destroy(&ss->lock);
	free(ss->line);
	free(ss);
}

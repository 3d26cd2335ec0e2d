#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/livestat.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

struct livestat {
	pthread_t thread;
	char *what;
	int logfd;
	livestat_text_fn *text;	/* or, with logfd -1, this */
	void *text_ctx;
	int tty;
	int stop_r, stop_w;	/* closing stop_w ends the thread */
	bool is_drawn;
};

enum { LIVESTAT_AFTER_MS = 2000, LIVESTAT_EVERY_MS = 1000 };

/* the log's last non-empty line, as printable text: what follows the last
 * \r, without escape sequences or control characters */
static void
last_line(int fd, struct buf *b)
{
	char tail[2048];
	struct stat st;
	off_t at;
	ssize_t n, end, start;

	/* fstat, not lseek: the file offset is where the output is written */
	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return;
	at = st.st_size > (off_t)sizeof(tail) ? st.st_size - (off_t)sizeof(tail) : 0;
	n = pread(fd, tail, sizeof(tail), at);
	if (n <= 0)
		return;
	end = n;
	while (end > 0 && (tail[end - 1] == '\n' || tail[end - 1] == '\r'))
		end--;
	start = end;
	while (start > 0 && tail[start - 1] != '\n' && tail[start - 1] != '\r')
		start--;
	for (ssize_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)tail[i];

		if (c == 0x1b) {
			/* CSI: ESC [ params final */
			if (i + 1 < end && tail[i + 1] == '[') {
				i += 2;
				while (i < end && !(tail[i] >= 0x40 && tail[i] <= 0x7e))
					i++;
			}
			continue;
		}
		buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
}

/* the first cols columns of s (UTF-8: continuation bytes take none) */
static size_t
fit(const char *s, size_t len, size_t cols)
{
	size_t i, used = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (used == cols)
			break;
		used++;
	}
	return i;
}

static void
draw(struct livestat *ls, long long secs)
{
	struct winsize ws;
	struct buf b = BUF_INIT;
	size_t cols = 80, n;

	if (ioctl(ls->tty, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		cols = ws.ws_col;
	buf_printf(&b, "%s (%llds) ", ls->what, secs);
	if (ls->text)
		ls->text(ls->text_ctx, &b);
	else
		last_line(ls->logfd, &b);
	n = fit(b.s, b.len, cols - 1);
	{
		autofree char *line = xasprintf("\r%.*s\033[K", (int)n, b.s);

		/* a terminal gone away loses only the status line */
		(void)fs_write_all(ls->tty, line, strlen(line));
	}
	ls->is_drawn = true;
	buf_fini(&b);
}

static void *
tick(void *arg)
{
	struct livestat *ls = arg;
	struct pollfd p = { .fd = ls->stop_r, .events = POLLIN };
	struct timespec start, now;
	int timeout = LIVESTAT_AFTER_MS, r;

	clock_gettime(CLOCK_MONOTONIC, &start);

	for (;;) {
		r = poll(&p, 1, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		draw(ls, (long long)(now.tv_sec - start.tv_sec));
		timeout = LIVESTAT_EVERY_MS;
	}
	return NULL;
}

/* the terminal of the step's client, in a step server's worker: -1
 * none, -2 not set (this process's own /dev/tty) */
static int client_tty = -2;

void
livestat_use_tty(int fd)
{
	client_tty = fd;
}

/* the terminal to draw on, or -1 */
static int
open_tty(void)
{
	const char *term = getenv("TERM");

	if (term && strcmp(term, "dumb") == 0)
		return -1;
	if (isatty(1))
		return fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (client_tty != -2)
		return client_tty < 0 ? -1 : fcntl(client_tty, F_DUPFD_CLOEXEC, 3);
	return open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

/* start the thread drawing on tty, for what (both taken) */
static struct livestat *
start(int tty, char *what, int logfd, livestat_text_fn *text, void *text_ctx)
{
	struct livestat *ls;
	sigset_t all, old;
	int p[2], r;

	if (pipe2(p, O_CLOEXEC) < 0) {
		close(tty);
		free(what);
		return NULL;
	}
	ls = xcalloc(1, sizeof(*ls));
	ls->what = what;
	for (char *s = ls->what; *s; s++)
		if (*s == '\n' || *s == '\t' || *s == '\r')
			*s = ' ';
	ls->logfd = logfd;
	ls->text = text;
	ls->text_ctx = text_ctx;
	ls->tty = tty;
	ls->stop_r = p[0];
	ls->stop_w = p[1];
	/*
	 * the thread takes no signal: the step's own wait takes them, and a
	 * blocked SIGTTOU lets it write to the terminal from ninja's
	 * background process group even under `stty tostop`
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&ls->thread, NULL, tick, ls);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		close(p[0]);
		close(p[1]);
		close(tty);
		free(ls->what);
		free(ls);
		return NULL;
	}
	return ls;
}

struct livestat *
livestat_start(livestat_what_fn *what, void *what_ctx, int logfd)
{
	int tty = open_tty();

	return tty < 0 ? NULL : start(tty, what(what_ctx), logfd, NULL, NULL);
}

struct livestat *
livestat_start_fn(const char *what, livestat_text_fn *fn, void *ctx)
{
	int tty = open_tty();

	return tty < 0 ? NULL : start(tty, xstrdup(what), -1, fn, ctx);
}

void
livestat_stop(struct livestat *ls)
{
	if (!ls)
		return;
	close(ls->stop_w);
	pthread_join(ls->thread, NULL);
	if (ls->is_drawn)
		(void)fs_write_all(ls->tty, "\r\033[K", 4);
	close(ls->stop_r);
	close(ls->tty);
	free(ls->what);
	free(ls);
}

#ifndef DF2NINJA_NOTIFY_H
#define DF2NINJA_NOTIFY_H

/*
 * What the library tells the user while it works (where an image went,
 * a push's and a pull's progress, a wait for another build): the library
 * never prints itself, it calls notify(), and whoever drives it picks the
 * sink with notify_set(). The default sink prints "df2ninja: LINE" to
 * stdout (NOTIFY_INFO) or stderr (NOTIFY_WAIT, NOTIFY_NOTE), flushed, which is what
 * ninja shows in a step's output.
 */
enum notify_kind {
	NOTIFY_INFO,		/* a result or progress: stdout */
	NOTIFY_WAIT,		/* why nothing happens for a while: stderr */
	NOTIFY_NOTE,		/* a remark on the input ("Dockerfile:1:
				 * note: ..."): stderr */
};

typedef void notify_fn(enum notify_kind kind, const char *line, void *ctx);

/* the sink for every later notify(); NULL restores the default */
void notify_set(notify_fn *fn, void *ctx);
/* fn also gets every later notify() line, besides the sink (a status
 * line showing the last one); NULL ends it */
void notify_tap(notify_fn *fn, void *ctx);
/* one line for the user, without "df2ninja: " or a newline */
void notify(enum notify_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

#ifndef DF2NINJA_ERR_H
#define DF2NINJA_ERR_H

#include <stdbool.h>

/*
 * an error travelling up to the caller: library functions return a negative
 * value and set *errp; only src/cli/ prints it and exits with its status.
 */
struct err {
	int errnum;	/* errno that caused it, or 0 */
	int status;	/* the exit status it maps to: 1 unless err_set_status
			 * says otherwise (126 and 127 for a command that
			 * cannot run, a failed step's own status, ...) */
	bool is_located; /* msg says "FILE:LINE[:COL]: error: " itself
			  * (err_at), maybe after a context err_wrap added */
	char *msg;
};

/* set *errp to a new error; appends strerror(errnum) when errnum != 0; returns -1 */
int err_make(struct err **errp, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* prefix the message of *errp with "context: "; returns -1 */
int err_wrap(struct err **errp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* set *errp to "FILE:LINE:COL: error: msg" (col 0 leaves it out); returns -1 */
int err_at(struct err **errp, const char *file, int line, int col,
	   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* the exit status of *errp (when set) becomes status; returns -1 */
int err_set_status(struct err **errp, int status);
/* free e; accepts NULL */
void err_free(struct err *e);

#define BUG(...) bug(__FILE__, __LINE__, __VA_ARGS__)
void bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define TEMP_FAILURE_RETRY_INT(expr) \
	({ long _r; do _r = (long)(expr); while (_r == -1 && errno == EINTR); _r; })

#endif

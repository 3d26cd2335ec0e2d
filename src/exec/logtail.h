#ifndef DF2NINJA_EXEC_LOGTAIL_H
#define DF2NINJA_EXEC_LOGTAIL_H

#include <stddef.h>

/*
 * write to fd out the last n lines of the file open at logfd (read by
 * offset, from its start). When the file holds more, a line first says
 * how many come before these and, unless path is NULL, that the whole
 * log is at path. A last line without a newline gets one. Returns 0, or
 * -1 with errno set.
 */
int logtail_write(int logfd, const char *path, size_t n, int out);

#endif

#ifndef DF2NINJA_JSONFILE_H
#define DF2NINJA_JSONFILE_H

#include <jansson.h>

/*
 * json_load_file(path, flags, error) without its one fgetc per byte: the
 * file is read whole (fs_read_file) and parsed by json_loadb. error (may
 * be NULL) is filled as json_load_file fills it: on a parse error, text,
 * line, column and position as jansson gives them; on a file that cannot
 * be opened or read, "unable to open PATH: STRERROR" with line -1 and
 * errno set. source names path either way (json_load_file says
 * "<stream>" for a parse error). The caller owns the returned value.
 */
json_t *jsonfile_load(const char *path, size_t flags, json_error_t *error);

#endif

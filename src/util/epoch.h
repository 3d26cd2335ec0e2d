#ifndef DF2NINJA_EPOCH_H
#define DF2NINJA_EPOCH_H

#include <stdbool.h>
#include <time.h>

struct err;

/* 9999-12-31T23:59:59Z, the latest SOURCE_DATE_EPOCH */
#define EPOCH_MAX 253402300799LL

/*
 * a SOURCE_DATE_EPOCH value
 * (https://reproducible-builds.org/specs/source-date-epoch/): *set says
 * whether s gives a time (NULL and "" do not, as in BuildKit), *t is it
 * (0 when not set). Anything but decimal digits, or a time past the year
 * 9999 (the last one an RFC 3339 date can spell), is an error naming
 * SOURCE_DATE_EPOCH.
 */
int epoch_parse(const char *s, time_t *t, bool *set, struct err **errp);

#endif

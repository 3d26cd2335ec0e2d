#ifndef DF2NINJA_EPOCH_H
#define DF2NINJA_EPOCH_H

#include <time.h>

struct err;

/*
 * $SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/),
 * the time every date an image holds is set to: layers' mtimes, the
 * config's "created", the docker-archive's entries. *t is its value, 0
 * when it is unset or empty. Anything but decimal digits, or a time past
 * the year 9999 (the last one an RFC 3339 date can spell), is an error
 * naming the variable.
 */
int epoch_from_env(time_t *t, struct err **errp);

#endif

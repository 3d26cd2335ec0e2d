#ifndef DF2NINJA_SIGNAME_H
#define DF2NINJA_SIGNAME_H

#include <stdbool.h>

/* whether s is a STOPSIGNAL Docker takes (moby/sys/signal's ParseSignal on
 * Linux): a positive number, or a name with or without "SIG" in any case,
 * RTMIN+n and RTMAX-n included */
bool signame_is_valid(const char *s);

#endif

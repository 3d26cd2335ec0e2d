#ifndef DF2NINJA_CHECK_H
#define DF2NINJA_CHECK_H

#include <stdint.h>

#include "flags.h"
#include "resolve.h"

/*
 * what BuildKit's instructions.Parse checks of one instruction, before
 * anything is resolved: a known instruction, the flags it takes (parsed
 * into *f, which the caller must flags_fini), the number and shape of its
 * arguments, HEALTHCHECK's options, ONBUILD's trigger.
 */
int check_instr(struct resolver *r, const struct instr *in, struct flags *f);
/* Go's time.ParseDuration, into nanoseconds; -1 with *why (static) */
int check_duration(const char *s, int64_t *ns, const char **why);
/* HEALTHCHECK's duration flag: 0 or at least 1ms; -1 sets an error */
int check_interval(struct resolver *r, const struct instr *in,
		   const char *flag, const char *value, int64_t *ns);

#endif

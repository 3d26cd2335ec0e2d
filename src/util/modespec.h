#ifndef DF2NINJA_MODESPEC_H
#define DF2NINJA_MODESPEC_H

#include <stdbool.h>
#include <sys/types.h>

struct err;

/*
 * a COPY/ADD --chmod value: octal ("755", "0644", at most 07777) or, as
 * Dockerfile 1.14 added, chmod(1) symbolic clauses ("u=rwX,go=rX", "+x",
 * "g=u"); a missing who means all of ugo (the umask plays no part).
 */
struct mode_spec;

/* parse s; *out owned by the caller. The message for a bad value is
 * BuildKit's ("invalid chmod parameter: '...'. it should be octal string
 * and between 0 and 07777") for numbers, "invalid --chmod value" else */
int mode_spec_parse(const char *s, struct mode_spec **out, struct err **errp);
/* the permission bits (07777) that spec gives an entry of mode st_mode */
mode_t mode_spec_apply(const struct mode_spec *spec, mode_t st_mode);
/* accepts NULL */
void mode_spec_free(struct mode_spec *spec);

#endif

#ifndef DF2NINJA_DIRECTIVES_H
#define DF2NINJA_DIRECTIVES_H

struct dockerfile;

/*
 * tell (notify, NOTIFY_NOTE) what the parser directives of df change:
 * "# syntax=" names a frontend image that BuildKit would run in place of
 * its own; df2ninja has one frontend, so it says once that the directive
 * is ignored
 */
void directives_notify(const struct dockerfile *df);

#endif

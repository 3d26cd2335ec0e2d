#ifndef DF2NINJA_PATHFIND_H
#define DF2NINJA_PATHFIND_H

/*
 * name found in $PATH (DEFAULT_PATH when unset or empty), looking only at
 * absolute entries (the caller may be root): an absolute path the caller
 * frees, or NULL
 */
char *pathfind(const char *name);

#endif

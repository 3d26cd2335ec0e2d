#ifndef DF2NINJA_PATH_H
#define DF2NINJA_PATH_H

/* the variants of path_clean */
enum path_clean_flags {
	/*
	 * the path is relative to a root, whether it starts with '/' or
	 * not: the result has no leading '/', ".." at the root stays there
	 * and the root itself is "" (a sandbox's mount targets and cwd)
	 */
	PATH_RELATIVE = 1 << 0,
	/* with PATH_RELATIVE: NULL when a ".." would climb above the root
	 * (a docker-archive's entry names) */
	PATH_NO_ESCAPE = 1 << 1,
	/* NULL when any component is "..", even one that stays inside (a
	 * layer's entry names, which a tar from a registry may forge) */
	PATH_NO_DOTDOT = 1 << 2,
};

/*
 * path made lexically clean, a port of Go's path.Clean: repeated '/', "."
 * components and a trailing '/' are gone and ".." eats the component
 * before it (at the root of an absolute path it is dropped; at the start
 * of a relative one it is kept); "" is ".". flags, from enum
 * path_clean_flags, pick a variant. Never touches the filesystem. Caller
 * frees; NULL only where a flag says so.
 */
char *path_clean(const char *path, unsigned flags);

#endif

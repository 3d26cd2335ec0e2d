#ifndef DF2NINJA_USER_H
#define DF2NINJA_USER_H

#include <stddef.h>
#include <sys/types.h>

struct err;

/*
 * user and group specs ("name", "uid", "name:group", "uid:gid", ...)
 * resolved against the /etc/passwd and /etc/group of a root filesystem,
 * read through rootfd (symlinks stay inside it). Missing files are fine as
 * long as only numbers are used; an unknown name is an error.
 */

struct user_info {
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups */
	size_t ngroups;
	char *home;		/* the passwd home of uid, or "/" */
};

/*
 * resolve a USER spec the way a RUN step gets it (BuildKit's GetUser over
 * runc's GetExecUser): "" is root; "uid:gid" is taken as is; otherwise the
 * user is looked up (by number when numeric; a number not in passwd is
 * uid with gid 0), its primary group comes from passwd and, when no group
 * is given, the supplementary groups from its /etc/group memberships; a
 * given group (name or number) replaces the primary one and leaves no
 * supplementary groups. out is filled on success; free with user_info_fini.
 */
int user_resolve(int rootfd, const char *spec, struct user_info *out,
		 struct err **errp);
/* the same from the text of /etc/passwd and /etc/group (NULL: missing) */
int user_resolve_text(const char *passwd, const char *groups, const char *spec,
		      struct user_info *out, struct err **errp);

/*
 * resolve a COPY/ADD --chown spec (BuildKit's readUser): a numeric user
 * gives gid = uid, a name gives the uid and primary gid of its passwd
 * entry; a ":group" part (name or number) sets the gid.
 */
int user_resolve_chown(int rootfd, const char *spec, uid_t *uid, gid_t *gid,
		       struct err **errp);

/* release what out holds; accepts a zeroed struct */
void user_info_fini(struct user_info *u);

#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "rootpath.h"
#include "user.h"

/* runc's user package keeps ids in [0, MaxInt32] */
#define MAX_ID 2147483647UL

/* one passwd or group line split at ':' */
struct entry {
	char *fields[7];
	size_t n;
};

/* a passwd/group file: NULL data when it does not exist */
struct dbfile {
	char *data;
	const char *name;	/* "/etc/passwd" for messages */
};

static int
read_db(int rootfd, const char *path, struct dbfile *db, struct err **errp)
{
	struct buf b = BUF_INIT;
	char chunk[16384];
	ssize_t n;
	autoclose int fd = -1;

	db->name = path;
	db->data = NULL;
	fd = rootpath_open(rootfd, path, O_RDONLY, 0);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_make(errp, errno, "cannot open '%s'", path);
	}
	while ((n = TEMP_FAILURE_RETRY_INT(read(fd, chunk, sizeof(chunk)))) > 0)
		buf_putn(&b, chunk, (size_t)n);
	if (n < 0) {
		int e = errno;

		buf_fini(&b);
		return err_make(errp, e, "cannot read '%s'", path);
	}
	db->data = buf_steal(&b);
	return 0;
}

/* the next non-empty line of *cursor, trimmed, split at ':' in place */
static bool
next_entry(char **cursor, struct entry *e)
{
	char *line, *p;

	while (*cursor && **cursor) {
		char *nl = strchr(*cursor, '\n');

		line = *cursor;
		*cursor = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		p = line + strlen(line);
		while (p > line &&
		       (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r'))
			*--p = '\0';
		if (!*line)
			continue;
		e->n = 0;
		for (p = line; e->n < 7; ) {
			e->fields[e->n++] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = '\0';
		}
		for (size_t i = e->n; i < 7; i++)
			e->fields[i] = "";
		return true;
	}
	return false;
}

/* a decimal id (all digits, in range): 1; not a number: 0; too big: -1 */
static int
parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return 0;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *out > MAX_ID)
		return -1;
	return 1;
}

/* a numeric passwd/group field; like runc, garbage reads as 0 */
static unsigned long
field_id(const char *s)
{
	unsigned long v;

	return parse_id(s, &v) == 1 ? v : 0;
}

static int
bad_id(struct err **errp, const char *what, const char *s)
{
	return err_make(errp, 0, "%s id '%s' is out of range (0 to %lu)", what,
			s, MAX_ID);
}

/* does a passwd or group entry have this name (or this id when by_id)? */
static bool
entry_is(const struct entry *e, const char *name, bool by_id,
	 unsigned long id)
{
	if (by_id)
		return field_id(e->fields[2]) == id;
	return strcmp(e->fields[0], name) == 0;
}

/* the first passwd entry named name (or with uid id when by_id) */
static bool
find_user(const struct dbfile *db, const char *name, bool by_id,
	  unsigned long id, struct entry *out, char **copy)
{
	struct entry e;
	char *cursor;

	if (!db->data)
		return false;
	*copy = xstrdup(db->data);
	cursor = *copy;
	while (next_entry(&cursor, &e)) {
		if (entry_is(&e, name, by_id, id)) {
			*out = e;
			return true;
		}
	}
	free(*copy);
	*copy = NULL;
	return false;
}

static bool
find_group(const struct dbfile *db, const char *name, bool by_id,
	   unsigned long id, unsigned long *gid)
{
	struct entry e;
	char *copy, *cursor;
	bool found = false;

	if (!db->data)
		return false;
	copy = xstrdup(db->data);
	cursor = copy;
	while (!found && next_entry(&cursor, &e)) {
		if (entry_is(&e, name, by_id, id)) {
			*gid = field_id(e.fields[2]);
			found = true;
		}
	}
	free(copy);
	return found;
}

/* the gids of the groups listing user as a member */
static void
member_groups(const struct dbfile *db, const char *user, struct user_info *u)
{
	struct entry e;
	char *copy, *cursor;
	size_t cap = 0;

	if (!db->data)
		return;
	copy = xstrdup(db->data);
	cursor = copy;
	while (next_entry(&cursor, &e)) {
		char *save = NULL, *m;

		for (m = strtok_r(e.fields[3], ",", &save); m;
		     m = strtok_r(NULL, ",", &save)) {
			if (strcmp(m, user) != 0)
				continue;
			xgrow(&u->groups, &cap, u->ngroups + 1,
			      sizeof(*u->groups));
			u->groups[u->ngroups++] = (gid_t)field_id(e.fields[2]);
			break;
		}
	}
	free(copy);
}

static int
unknown_user(struct err **errp, const char *name)
{
	return err_make(errp, 0,
			"unknown user '%s' (no such entry in /etc/passwd)",
			name);
}

static int
unknown_group(struct err **errp, const char *name)
{
	return err_make(errp, 0,
			"unknown group '%s' (no such entry in /etc/group)",
			name);
}

/* the group part of a spec: a name that must exist, or a number */
static int
resolve_group(const struct dbfile *grp, const char *g, gid_t *gid,
	      struct err **errp)
{
	unsigned long id, found;
	int num = parse_id(g, &id);

	if (num < 0)
		return bad_id(errp, "group", g);
	if (num == 1) {
		/* a listed number is the same number; an unlisted one too */
		*gid = (gid_t)id;
		return 0;
	}
	if (!find_group(grp, g, false, 0, &found))
		return unknown_group(errp, g);
	*gid = (gid_t)found;
	return 0;
}

int
user_resolve(int rootfd, const char *spec, struct user_info *out,
	     struct err **errp)
{
	struct dbfile pw = { NULL, NULL }, grp = { NULL, NULL };
	int r = -1;

	if (read_db(rootfd, "/etc/passwd", &pw, errp) == 0 &&
	    read_db(rootfd, "/etc/group", &grp, errp) == 0)
		r = user_resolve_text(pw.data, grp.data, spec, out, errp);
	free(pw.data);
	free(grp.data);
	return r;
}

int
user_resolve_text(const char *passwd, const char *groups, const char *spec,
		  struct user_info *out, struct err **errp)
{
	struct user_info u = { 0, 0, NULL, 0, NULL };
	struct dbfile pw = { (char *)passwd, "/etc/passwd" };
	struct dbfile grp = { (char *)groups, "/etc/group" };
	autofree char *user = NULL, *group = NULL, *copy = NULL;
	unsigned long uid = 0, gid = 0;
	const char *colon = strchr(spec, ':');
	struct entry e;
	int unum, gnum, r = -1;
	bool found;

	user = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	/* "user:" has no group; ":group" is root's entry with that group */
	group = colon && colon[1] ? xstrdup(colon + 1) : NULL;
	unum = *user ? parse_id(user, &uid) : 1;
	gnum = group ? parse_id(group, &gid) : 0;
	if (unum < 0)
		return bad_id(errp, "user", user);
	if (gnum < 0)
		return bad_id(errp, "group", group);

	if ((!*user && !group) || (unum == 1 && gnum == 1)) {
		/* BuildKit takes "uid:gid" (and no USER, 0:0) as is: no
		 * lookup but for HOME, no supplementary groups */
		u.uid = (uid_t)uid;
		u.gid = (gid_t)gid;
		found = find_user(&pw, NULL, true, uid, &e, &copy);
		u.home = xstrdup(found && *e.fields[5] ? e.fields[5] : "/");
		r = 0;
		goto out;
	}
	found = find_user(&pw, user, unum == 1, uid, &e, &copy);
	if (!found && unum != 1) {
		r = unknown_user(errp, user);
		goto out;
	}
	if (found) {
		u.uid = (uid_t)field_id(e.fields[2]);
		u.gid = (gid_t)field_id(e.fields[3]);
		u.home = xstrdup(*e.fields[5] ? e.fields[5] : "/");
	} else {
		u.uid = (uid_t)uid;
		u.gid = 0;
		u.home = xstrdup("/");
	}
	if (group) {
		if (resolve_group(&grp, group, &u.gid, errp) < 0)
			goto out;
	} else if (found) {
		member_groups(&grp, e.fields[0], &u);
	}
	r = 0;
out:
	if (r == 0)
		*out = u;
	else
		user_info_fini(&u);
	return r;
}

int
user_resolve_chown(int rootfd, const char *spec, uid_t *uidp, gid_t *gidp,
		   struct err **errp)
{
	struct dbfile pw = { NULL, NULL }, grp = { NULL, NULL };
	autofree char *user = NULL, *group = NULL, *copy = NULL;
	const char *colon = strchr(spec, ':');
	unsigned long id;
	struct entry e;
	uid_t uid;
	gid_t gid;
	int num, r = -1;

	user = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	group = colon ? xstrdup(colon + 1) : NULL;
	num = parse_id(user, &id);
	if (num < 0)
		return bad_id(errp, "user", user);
	if (num == 1) {
		uid = (uid_t)id;
		gid = (gid_t)id;
	} else {
		if (read_db(rootfd, "/etc/passwd", &pw, errp) < 0)
			return -1;
		if (!find_user(&pw, user, false, 0, &e, &copy)) {
			free(pw.data);
			return unknown_user(errp, user);
		}
		uid = (uid_t)field_id(e.fields[2]);
		gid = (gid_t)field_id(e.fields[3]);
		free(pw.data);
	}
	if (group) {
		if (parse_id(group, &id) == 0 &&
		    read_db(rootfd, "/etc/group", &grp, errp) < 0)
			return -1;
		r = resolve_group(&grp, group, &gid, errp);
		free(grp.data);
		if (r < 0)
			return -1;
	}
	*uidp = uid;
	*gidp = gid;
	return 0;
}

void
user_info_fini(struct user_info *u)
{
	free(u->groups);
	free(u->home);
	u->groups = NULL;
	u->home = NULL;
	u->ngroups = 0;
}

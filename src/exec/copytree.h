#ifndef DF2NINJA_COPYTREE_H
#define DF2NINJA_COPYTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct copy_count;
struct digest;
struct err;
struct ignore;
struct mode_spec;
struct pathset;
struct strv;

/*
 * the entry-by-entry half of COPY/ADD (copy.c decides what goes where):
 * files, symlinks (never followed), devices and directory trees are copied
 * from a source tree to a destination tree with BuildKit's rules for
 * existing entries, ownership, modes, times and filtering, and every entry
 * written is fed to a digest (no times in it) while every source path read
 * goes to a dependency list.
 */
struct copier {
	int srcfd;			/* root of the source tree */
	const struct ignore *ignore;	/* .dockerignore, or NULL */
	const char *const *own;		/* paths df2ninja writes in the
					 * context (copy_source's): skipped */
	size_t nown;
	const struct ignore *exclude;	/* COPY --exclude, or NULL */
	const struct ignore *include;	/* COPY --parents pattern, or NULL */
	const char *include_pattern;	/* its text, for partial matches */
	long uid, gid;			/* owner to give; -1: the source's */
	const struct mode_spec *chmod;	/* --chmod, or NULL */
	struct strv *deps;		/* source paths read (may be NULL) */
	struct digest *dg;		/* what was written (may be NULL) */
	bool is_archive;		/* the source is a root filesystem, not a
					 * build context: sockets are copied too,
					 * and copytree_dir keeps hard links (cp -a) */
	bool is_context;		/* the source is a build context: a
					 * socket becomes an empty file, as
					 * BuildKit's context transfer makes it */
	struct copy_count *count;	/* copy_opts', or NULL */
	struct pathset *links;		/* the files met with more links than
					 * one, to link again (cp -a, and
					 * BuildKit within one copied directory),
					 * or NULL */
};

/*
 * the directory being copied into: its fd (when made) and its source. A
 * lazy level is one made only once something below it is copied (a
 * directory .dockerignore excludes but an exception may re-include from,
 * or a parent of what --parents includes).
 */
struct copy_level {
	struct copy_level *up;
	int sfd;		/* the source directory, open */
	const char *srel;	/* its path in the source tree */
	const char *rel;	/* its path below the copy's top, for
				 * --exclude and --parents ("" at the top) */
	struct stat st;
	int dfd;		/* the destination directory, or -1 */
	const char *dname;	/* its name in up's destination */
	const char *dpath;	/* its absolute destination path */
	bool lazy;
	bool included;		/* --parents: everything below is wanted */
	bool is_top;		/* made by the caller, its metadata kept */
};

/* srel (a path in the source tree) is one of c's own paths or below one */
bool copier_is_own(const struct copier *c, const char *srel);

/* copy the children of top (made, is_top) and everything below */
int copytree_children(struct copier *c, struct copy_level *top,
		      struct err **errp);

/*
 * copy everything below the source directory sfd (with stat st) into the
 * directory dfd, made by the caller, then give dfd st's owner, mode,
 * xattrs and times: `cp -a src/. dest`. dpath names dfd in messages.
 */
int copytree_dir(struct copier *c, int sfd, const struct stat *st, int dfd,
		 const char *dpath, struct err **errp);

/*
 * copy the non-directory entry sname of source directory sdirfd (whose
 * path is srel) over name in destination directory dfd (path dpath): a
 * directory there is an error, anything else is replaced.
 */
int copytree_entry(struct copier *c, int sdirfd, const char *sname,
		   const char *srel, const struct stat *st, int dfd,
		   const char *name, const char *dpath, struct err **errp);

/*
 * copy the regular file open at in, read from its offset to its end, over
 * name in dfd as copytree_entry would with source stat st (whose mode,
 * owner, size and times the copy gets, before --chmod and --chown); what
 * names the source in messages. No dependency is recorded (an ADD <url>
 * download).
 */
int copytree_file(struct copier *c, int in, const char *what,
		  const struct stat *st, int dfd, const char *name,
		  const char *dpath, struct err **errp);

/* write a file holding data over name in dfd: mode 0644 before --chmod,
 * owner the --chown one or root, mtime now (a COPY heredoc) */
int copytree_data(struct copier *c, const char *data, size_t len, int dfd,
		  const char *name, const char *dpath, struct err **errp);

/* feed dg a record for an entry of type ('f', 'd', 'l', ...) at absolute
 * path dpath; the content, link target, ... follow it */
void copytree_record(struct digest *dg, char type, const char *dpath,
		     mode_t perm, long uid, long gid, long long size);

/* the permission bits and owner an entry with source stat st gets */
mode_t copytree_perm(const struct copier *c, const struct stat *st);
long copytree_uid(const struct copier *c, const struct stat *st);
long copytree_gid(const struct copier *c, const struct stat *st);

#endif

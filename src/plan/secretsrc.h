#ifndef DF2NINJA_PLAN_SECRETSRC_H
#define DF2NINJA_PLAN_SECRETSRC_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/*
 * where the secrets (--secret) and ssh agents (--ssh) of a generation come
 * from, by reference only: a file's path, an environment variable's name,
 * a socket's path; never a value. The generator writes them to
 * <builddir>/secrets, apart from the plans, so that neither a secret's
 * value nor its source is part of a step's identity (as in BuildKit,
 * which keeps them on the client): the executor reads the value when the
 * step runs. One line per id, "secret\tID\tfile\tPATH",
 * "secret\tID\tenv\tNAME" or "ssh\tID\tsock\tPATH"; absolute paths.
 */
struct secretsrc_entry {
	bool is_ssh;
	char *id;
	bool is_env;	/* secret: ref names an environment variable */
	char *ref;	/* the path or the variable's name */
	char *opt;	/* the option as the args file records it */
};

struct secretsrc {
	struct secretsrc_entry *v;
	size_t n;
};

#define SECRETSRC_INIT { NULL, 0 }

/*
 * add a --secret value, as BuildKit's client reads it: CSV of id=,
 * src=|source=, env=, type=file|env; id alone is the environment
 * variable of that name when set, else the file of that name. A file
 * that cannot be read now is an error naming the option. A later id
 * replaces an earlier one.
 */
int secretsrc_add_secret(struct secretsrc *s, const char *opt,
			 struct err **errp);
/*
 * add a --ssh value: ID (the agent of $SSH_AUTH_SOCK) or ID=SOCKET; the
 * socket must exist now. Key files are refused (not supported yet).
 */
int secretsrc_add_ssh(struct secretsrc *s, const char *opt,
		      struct err **errp);
/* the entry of id, or NULL */
const struct secretsrc_entry *secretsrc_find(const struct secretsrc *s,
					     bool is_ssh, const char *id);
/* write s to path (only when changed) */
int secretsrc_write(const struct secretsrc *s, const char *path,
		    struct err **errp);
/* read path into s (empty when path does not exist) */
int secretsrc_read(struct secretsrc *s, const char *path, struct err **errp);
void secretsrc_fini(struct secretsrc *s);

#endif

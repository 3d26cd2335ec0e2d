#ifndef DF2NINJA_MNT_H
#define DF2NINJA_MNT_H

#include <stdbool.h>

struct err;
struct plan_strs;
struct state;
struct store;
struct stepplan;

/*
 * the executor's own view of a step's root filesystem, for the steps that
 * work on files without running a command (COPY, ADD, WORKDIR) and for
 * resolving users: an overlay mounted in a private mount namespace of the
 * executor, so it never shows on the host and goes away with the process.
 */
struct mnt {
	char *path;	/* <builddir>/tmp/<name>.<what> */
	int fd;		/* the root, O_DIRECTORY */
};

/*
 * mount s's layers at <builddir>/tmp/<flat>.<what> for the step of plan
 * p (stepplan.h); writable into upper
 * (with work) when upper is not NULL, else read-only. Enters a private
 * mount namespace the first time.
 */
int mnt_state(struct mnt *m, const struct stepplan *p,
	      const char *what, const struct state *s, const struct store *st,
	      const char *upper, const char *work, struct err **errp);
/* unmount and remove the mount point */
void mnt_fini(struct mnt *m);

/*
 * the files a command finds over /etc, as BuildKit prepares them: a copy
 * of the host's resolv.conf, and hosts naming the sandbox
 * "buildkitsandbox"; written (when changed) under <builddir>/etc. No
 * /etc/hostname: BuildKit binds none, so a RUN may write its own. For a
 * step with a network of its own (is_isolated), the copy of resolv.conf
 * names SANDBOX_ISOLATED_DNS instead of the host's nameservers. The
 * caller frees both paths.
 */
int mnt_etc_files(const char *builddir, bool is_isolated, char **resolv,
		  char **hosts, struct err **errp);
/* a hosts file as mnt_etc_files writes it, with the lines "ip\thost" of
 * add ("host=ip" each, a RUN's add_hosts) after it, in <builddir>/etc
 * (which mnt_etc_files made); the caller frees *hosts */
int mnt_etc_hosts_extra(const char *builddir, const struct plan_strs *add,
			char **hosts, struct err **errp);

#endif

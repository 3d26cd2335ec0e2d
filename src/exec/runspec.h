#ifndef DF2NINJA_RUNSPEC_H
#define DF2NINJA_RUNSPEC_H

#include <stdbool.h>

#include "sandbox/sandbox.h"
#include "util/strv.h"

struct err;
struct plan_strs;
struct run_plan;
struct state;
struct store;

/*
 * the sandbox a command runs in over a step's state. RUN and `df2ninja
 * shell` both build theirs here, so that a shell sees what a RUN of the
 * step would: the state's layers, its environment with HOME, its working
 * dir, BuildKit's files over /etc and the hostname "buildkitsandbox". The
 * caller adds what is its own (argv, upper dir, user, mounts, network,
 * log) to spec and runs it with sandbox_run.
 */
struct runspec {
	struct sandbox_spec spec;	/* points into the fields below */
	struct strv lowers;
	struct strv envp;
	char *resolv, *hosts;
	struct sandbox_rlimit *rlimits;
};

/* an empty spec: the hostname, output to fd 1, no log */
void runspec_init(struct runspec *rs);
/* Docker's /etc/resolv.conf and hosts, written in builddir
 * (mnt_etc_files); is_isolated: the step has a network of its own */
int runspec_etc(struct runspec *rs, const char *builddir, bool is_isolated,
		struct err **errp);
/* after runspec_etc: /etc/hosts gets the lines of add (a RUN's
 * add_hosts, "host=ip" each) too; nothing when add is empty */
int runspec_add_hosts(struct runspec *rs, const char *builddir,
		      const struct plan_strs *add, struct err **errp);
/*
 * what a RUN plan rp asks of the sandbox of a command over state s:
 * runspec_etc and runspec_add_hosts, its network, security and ulimits;
 * envp gets its proxy build args (unless s's env sets them)
 */
int runspec_run_plan(struct runspec *rs, const char *builddir, const struct run_plan *rp,
		     const struct state *s, struct strv *envp, struct err **errp);
/*
 * what the command sees of state s: its layers (flatten_lowerdirs) below
 * top when not NULL (a failed step's upper dir), its env with HOME=home
 * unless it sets HOME, then extra_env ("K=V" each, replacing the state
 * env's K; may be NULL), and its
 * working dir
 */
int runspec_state(struct runspec *rs, const struct state *s,
		  const struct store *st, const char *top, const char *home,
		  const struct strv *extra_env, struct err **errp);
void runspec_fini(struct runspec *rs);

#endif

#ifndef DF2NINJA_ULIMIT_H
#define DF2NINJA_ULIMIT_H

struct err;

/* one --ulimit, docker's "name=soft[:hard]" (go-units ParseUlimit) */
struct ulimit {
	const char *name;	/* "nofile", ... (static) */
	int resource;		/* RLIMIT_NOFILE, ... */
	long long soft, hard;	/* -1: unlimited */
};

/*
 * parse spec: a name of docker's list (core, cpu, data, fsize, locks,
 * memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime,
 * sigpending, stack), a soft limit and an optional hard one (default:
 * the soft one), integers, the soft one not above the hard one. The
 * message of a failure names spec.
 */
int ulimit_parse(const char *spec, struct ulimit *out, struct err **errp);
/* "name=soft:hard" of u; the caller frees it */
char *ulimit_format(const struct ulimit *u);

#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "emit.h"

/*
 * Writing 10,000 plans is mostly syscalls, so it takes as few as it can.
 * Each stage's directory is made and opened once and its files are
 * written relative to that fd: no mkdir -p and no walk of the whole path
 * per file. A directory made by this run is empty, so its files are
 * created without reading them first (see fs_write_if_changed_at).
 *
 * A thread of its own takes stage after stage while the caller makes the
 * build file; in emit_plans_wait the caller takes stages too, so on two
 * cores the plans cost about half what they would.
 */

/* a writer's stage directory below plans */
struct subdir {
	char *path;		/* plans/<stage id>, for messages */
	int fd;
	bool is_new;
};

/* what one writer came to: the first stage it failed on, and why */
struct outcome {
	size_t failed;		/* a stage index, or SIZE_MAX */
	struct err *err;
};

struct emit_plans_job {
	const struct graph *g;
	char *path;		/* <builddir>/plans */
	int fd;
	bool is_new;		/* made by this run */
	atomic_size_t next;	/* the next stage to take */
	pthread_t thread;
	bool threaded;
	struct outcome out[2];	/* [0] the caller's, [1] the thread's */
	struct err *setup_err;
};

static int
open_dir(int dirfd, const char *rel, const char *path, struct err **errp)
{
	int fd = openat(dirfd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	return fd;
}

static void
leave_sub(struct subdir *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	*c = (struct subdir){ .fd = -1 };
}

/* the part of st's name inside its stage's directory, or NULL */
static const char *
in_stage_dir(const struct stage *s, const struct step *st)
{
	size_t n = strlen(s->id);

	if (strncmp(st->name, s->id, n) != 0 || st->name[n] != '/' ||
	    strchr(st->name + n + 1, '/'))
		return NULL;
	return st->name + n + 1;
}

/* make plans/<stage id> and open it, once per stage */
static int
enter_stage(struct emit_plans_job *j, const struct stage *s,
	    struct subdir *c, struct err **errp)
{
	c->path = fs_join(j->path, s->id);
	if (fs_mkdirat_p(j->fd, j->path, s->id, &c->is_new, errp) < 0)
		return -1;
	c->fd = open_dir(j->fd, s->id, c->path, errp);
	return c->fd < 0 ? -1 : 0;
}

/* write the plans of stage s; rel is scratch */
static int
write_stage(struct emit_plans_job *j, const struct stage *s, struct buf *rel,
	    struct err **errp)
{
	struct subdir c = { .fd = -1 };
	const char *base;
	size_t i;
	int r = 0;

	for (i = 0; i < s->nsteps && r == 0; i++) {
		const struct step *st = &s->steps[i];

		if (!st->plan || !st->name) {
			r = err_make(errp, 0, "BUG: step %zu of stage '%s' "
				     "has no plan", i, s->id);
			break;
		}
		buf_reset(rel);
		/* graph.c names every step "<stage id>/<NN>" or "<stage id>/config" */
		base = in_stage_dir(s, st);
		if (!base) {
			r = err_make(errp, 0, "BUG: step '%s' is not named after "
				     "stage '%s'", st->name, s->id);
			break;
		}
		if (c.fd < 0 && enter_stage(j, s, &c, errp) < 0) {
			r = -1;
			break;
		}
		buf_puts(rel, base);
		buf_puts(rel, ".json");
		r = fs_write_if_changed_at(c.fd, c.path, buf_str(rel),
					   st->plan, strlen(st->plan),
					   c.is_new, NULL, errp);
	}
	leave_sub(&c);
	return r;
}

/* take stages until none are left or a writer failed */
static void
take_stages(struct emit_plans_job *j, struct outcome *o)
{
	const struct graph *g = j->g;
	struct buf rel = BUF_INIT;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < g->nstages) {
		if (!g->stages[i].needed)
			continue;
		if (write_stage(j, &g->stages[i], &rel, &o->err) < 0) {
			o->failed = i;
			/* the others stop at their next stage */
			atomic_store(&j->next, g->nstages);
			break;
		}
	}
	buf_fini(&rel);
}

static void *
thread_main(void *arg)
{
	struct emit_plans_job *j = arg;

	take_stages(j, &j->out[1]);
	return NULL;
}

struct emit_plans_job *
emit_plans_start(const struct graph *g, const char *builddir_path)
{
	struct emit_plans_job *j = xcalloc(1, sizeof(*j));

	j->g = g;
	j->fd = -1;
	j->out[0].failed = j->out[1].failed = SIZE_MAX;
	atomic_init(&j->next, 0);
	j->path = fs_join(builddir_path, "plans");
	if (!g->export_plan)
		return j;	/* emit_plans_wait says so */
	if (fs_mkdirat_p(AT_FDCWD, NULL, j->path, &j->is_new,
			 &j->setup_err) < 0)
		return j;
	j->fd = open_dir(AT_FDCWD, j->path, j->path, &j->setup_err);
	if (j->fd < 0)
		return j;
	/* without a thread, emit_plans_wait does it all */
	j->threaded = pthread_create(&j->thread, NULL, thread_main, j) == 0;
	return j;
}

static void
job_free(struct emit_plans_job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	err_free(j->out[0].err);
	err_free(j->out[1].err);
	err_free(j->setup_err);
	free(j->path);
	free(j);
}

/* move the error in *slot to *errp */
static void
hand_over(struct err **slot, struct err **errp)
{
	if (errp) {
		err_free(*errp);
		*errp = *slot;
	} else {
		err_free(*slot);
	}
	*slot = NULL;
}

int
emit_plans_wait(struct emit_plans_job *j, struct err **errp)
{
	const struct graph *g = j->g;
	const char *df = g->df && g->df->name ? g->df->name : "Dockerfile";
	struct buf where = BUF_INIT;
	struct outcome *first;
	size_t i, k;
	int r = -1;

	if (!g->export_plan) {
		job_free(j);
		return err_make(errp, 0, "BUG: the graph has no export plan");
	}
	if (j->setup_err) {
		hand_over(&j->setup_err, errp);
		goto out;
	}
	take_stages(j, &j->out[0]);
	if (j->threaded && pthread_join(j->thread, NULL) != 0)
		BUG("cannot join the plan writer");
	/* of two failures, the one the serial order would have met */
	first = j->out[1].failed < j->out[0].failed ? &j->out[1] : &j->out[0];
	if (first->err) {
		hand_over(&first->err, errp);
		goto out;
	}
	for (i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];

		for (k = 0; s->needed && k < s->nsteps; k++)
			buf_printf(&where, "%s\t%s:%d\t%d\n", s->steps[k].name, df,
				   s->steps[k].instr ?
				   s->steps[k].instr->line : 0, s->nnumbered);
	}
	if (fs_write_if_changed_at(j->fd, j->path, "export.json",
				   g->export_plan, strlen(g->export_plan),
				   j->is_new, NULL, errp) < 0 ||
	    fs_write_if_changed_at(j->fd, j->path, "where.tsv", buf_str(&where),
				   where.len, j->is_new, NULL, errp) < 0)
		goto out;
	r = 0;
out:
	buf_fini(&where);
	job_free(j);
	if (r < 0)
		err_wrap(errp, "writing the plans");
	return r;
}

int
emit_plans(const struct graph *g, const char *builddir_path,
	   struct err **errp)
{
	return emit_plans_wait(emit_plans_start(g, builddir_path), errp);
}

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "exec/packjobs.h"
#include "image/layer.h"
#include "util/alloc.h"
#include "util/err.h"

/* threads per core: a thread waits for its blob's sync most of the time */
#define THREADS_PER_CPU 2
#define MAX_THREADS 8

struct pack_run {
	const struct store *st;
	struct pack_job *jobs;
	struct err **errs;	/* one per job */
	size_t n;
	const time_t *clamp;
	atomic_size_t next;
};

static void *
worker(void *arg)
{
	struct pack_run *run = arg;
	size_t i;

	while ((i = atomic_fetch_add(&run->next, 1)) < run->n) {
		struct pack_job *j = &run->jobs[i];

		layer_pack_dir(run->st, j->dir, run->clamp, j->diff_id, j->digest,
			       &j->size, j->sum, &run->errs[i]);
	}
	return NULL;
}

static size_t
thread_count(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = cpus > 0 ? (size_t)cpus * THREADS_PER_CPU : THREADS_PER_CPU;

	if (t > MAX_THREADS)
		t = MAX_THREADS;
	return t < n ? t : n;
}

int
pack_jobs_run(const struct store *st, struct pack_job *jobs, size_t n,
	      const time_t *clamp, struct err **errp)
{
	struct pack_run run = { .st = st, .jobs = jobs, .n = n, .clamp = clamp };
	pthread_t threads[MAX_THREADS];
	size_t want = thread_count(n), started = 0;
	int r = 0;

	if (n == 0)
		return 0;
	run.errs = xcalloc(n, sizeof(*run.errs));
	atomic_init(&run.next, 0);
	/* the calling thread is one of the workers; a thread that cannot
	 * start leaves its share to the others */
	while (started + 1 < want &&
	       pthread_create(&threads[started], NULL, worker, &run) == 0)
		started++;
	worker(&run);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	for (size_t i = 0; i < n; i++) {
		if (!run.errs[i])
			continue;
		if (r == 0 && errp) {
			*errp = run.errs[i];
			run.errs[i] = NULL;
		}
		r = -1;
		err_free(run.errs[i]);
	}
	free(run.errs);
	return r;
}

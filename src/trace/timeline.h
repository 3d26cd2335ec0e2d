#ifndef DF2NINJA_TIMELINE_H
#define DF2NINJA_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

/* one edge of the last build as the pictures show it */
struct timeline_event {
	char *name;		/* "[build 2/3] RUN make", or "EXPORT build" */
	char *step;		/* short: "build/2", "build/config", "export";
				 * a --link copy "build/2 link", an ADD's git
				 * ref "build/2 ref" */
	long long start, end;	/* ms since the ninja run began */
	size_t *deps;		/* the events it waited for, as indexes */
	size_t ndeps;
	int slot;		/* 0-based track: events of one slot never
				 * overlap (timeline_slots) */
	bool is_critical;	/* on the critical path (critpath_find) */
};

struct timeline {
	struct timeline_event *ev;
	size_t n, cap;
	int nslots;
	size_t *path;		/* the critical path, first edge first */
	size_t npath;
	long long critical;	/* its length in ms: the sum of its durations */
};

#define TIMELINE_INIT { NULL, 0, 0, 0, NULL, 0, 0 }

/* add an event; takes ownership of name and step; returns its index */
size_t timeline_add(struct timeline *t, char *name, char *step,
		    long long start, long long end);
/* event i waited for event dep */
void timeline_dep(struct timeline *t, size_t i, size_t dep);
/* the first start and the last end of the events (0 when empty) */
long long timeline_begin(const struct timeline *t);
long long timeline_end(const struct timeline *t);
/*
 * give every event a track, greedily: in order of start, the lowest slot
 * whose last event has ended by then; sets nslots
 */
void timeline_slots(struct timeline *t);
void timeline_fini(struct timeline *t);

#endif

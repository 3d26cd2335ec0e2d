#include <stdlib.h>
#include <string.h>

#include "exec/cachekey.h"
#include "exec/state.h"
#include "exec/stepplan.h"
#include "util/alloc.h"

/* the format of the key: a new one when what it covers changes */
#define CACHEKEY_VERSION 1

bool
cachekey_step(const struct stepplan *p, const struct state *start,
	      const char *reads, char key[DIGEST_LEN])
{
	char from[DIGEST_LEN];
	json_t *plan, *o;
	char *text;

	if (p->sp.kind != PLAN_RUN || (p->sp.run.context && !reads))
		return false;
	for (size_t i = 0; i < p->sp.run.nmounts; i++)
		if (p->sp.run.mounts[i].type == PLAN_MOUNT_BIND &&
		    (p->sp.run.mounts[i].has_from || !reads))
			return false;
	state_portable_id(start, from);
	plan = json_deep_copy(p->j);
	json_object_del(plan, "proxy");
	/* where the step is: the start state says what came before it, so
	 * the same RUN on the same state shares across stages and files */
	json_object_del(plan, "parent");
	json_object_del(plan, "stage");
	json_object_del(plan, "step");
	/* the context dir's path: its content is in reads */
	json_object_del(plan, "context");
	json_object_del(plan, "context_own");
	json_object_del(plan, "dockerignore");
	o = json_pack("{sisoss}", "version", CACHEKEY_VERSION, "plan", plan, "from", from);
	if (reads)
		json_object_set_new(o, "reads", json_string(reads));
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	digest_buf(text, strlen(text), key);
	free(text);
	return true;
}

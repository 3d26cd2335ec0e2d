#ifndef DF2NINJA_STATE_H
#define DF2NINJA_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "image/config.h"
#include "oci/digest.h"
#include "util/vars.h"

struct err;
struct image;
struct store;
struct strv;

/*
 * what a step leaves for the steps after it: the image config, the state
 * env (ENV and ARG values, in which words are expanded and RUN commands
 * run), and the layers, bottom first. Saved as
 * <builddir>/state/<step name>.json; the step's stamp holds the state's
 * identity, the digest of everything in it but the history, so a step
 * that reran and made the same state leaves its stamp alone and ninja
 * (restat) skips what follows.
 *
 * The history is left out of the identity because it changes when an
 * instruction is only reworded (RUN echo a  > /f): the steps after such a
 * step keep their states, whose history still holds the old wording. So
 * each state records its parent and, in its file, only its own history
 * entries (history_from is then 0; a file an older df2ninja wrote holds the
 * whole history and where its own entries start), and the export
 * assembles the history from the chain (state_history). A state file thus
 * stays the same size however many steps come before it.
 */
/*
 * A base layer (from an image) is known by its diff id and blob, and is
 * unpacked in the store. A step's layer is its kept upper dir, known by
 * its sum (layer_sum.h): a step does not write a tar, so it has no diff id
 * or blob until the export packs it.
 */
struct state_layer {
	char diff_id[DIGEST_LEN];	/* "" for a step's layer */
	char digest[DIGEST_LEN];	/* the blob; "" for a step's layer */
	char *media_type;		/* of the blob, NULL for a step's layer */
	long long size;			/* of the blob */
	char sum[DIGEST_LEN];		/* a step's layer's sum, also kept for
					 * a base layer that was a step's on the
					 * machine that shared it (stepcache.h);
					 * else "" */
	char *dir;			/* a step's upper dir (relative to the
					 * cwd), NULL for a base layer */
};

struct state {
	char identity[DIGEST_LEN];
	struct image_config config;
	struct vars env;
	struct state_layer *layers;
	size_t nlayers, cap;
	char *parent;		/* the step this one built on, or NULL */
	size_t history_from;	/* config history entries from index
				 * history_from on are this step's own */
};

/* an empty state: FROM scratch, with Docker's default PATH */
void state_init(struct state *s);
void state_fini(struct state *s);
/* a base layer: one of an image's, unpacked in the store */
void state_add_layer(struct state *s, const char *diff_id, const char *digest,
		     const char *media_type, long long size);
/* every layer of img, as base layers */
void state_add_image_layers(struct state *s, const struct image *img);
/* a step's layer: its upper dir, kept as dir, and its sum */
void state_add_step_layer(struct state *s, const char *sum, const char *dir);
/* what names a layer in s: a step layer's sum or a base layer's diff id */
const char *state_layer_id(const struct state_layer *l);

/* from now on, state_load parses a state file once and copies it after
 * (a process that reads states many times over and writes few: the
 * export); state_save forgets what it rewrites */
void state_memo_start(void);

/* s, just loaded as the state of step parent, becomes the start of a
 * step built on it: its history so far is the parent's */
void state_set_parent(struct state *s, const char *parent);

/*
 * the identity of s that another machine computes for the same state: the
 * config (no history), the env, and the layers by content (a step layer's
 * sum, else the diff id), none of the paths of this build dir
 */
void state_portable_id(const struct state *s, char out[DIGEST_LEN]);

/* the ninja target of step name: "build/03" -> "build/3"; caller frees */
char *state_target(const char *name);
/* load the state of step name ("build/03") */
int state_load(const char *builddir, const char *name, struct state *s,
	       struct err **errp);
/* compute s->identity and write the state of step name (only when it
 * changed) */
int state_save(const char *builddir, const char *name, struct state *s,
	       struct err **errp);
/* write "<identity>\n" to the stamp path, only when it changed: the last
 * thing a step does */
int state_stamp(const struct state *s, const char *stamp, struct err **errp);

/*
 * the history of the image step name made, as a new JSON array: the own
 * entries of every state on the chain of parents, so that each one is as
 * its step last wrote it. *nbase gets the number of the first state's
 * (the base image's, which FROM took as they are).
 */
int state_history(const char *builddir, const char *name, json_t **history,
		  size_t *nbase, struct err **errp);

/* the overlay lower dirs of s, top-most first: step layers' dirs and base
 * layers' unpacked dirs in the store, one per layer (a layer an image
 * holds twice is there twice: flatten_lowerdirs gives what to mount) */
void state_lowerdirs(const struct state *s, const struct store *st,
		     struct strv *out);
/* the environment of a command, "K=V" each: the state env */
void state_envp(const struct state *s, struct strv *out);

#endif

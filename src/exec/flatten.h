#ifndef DF2NINJA_FLATTEN_H
#define DF2NINJA_FLATTEN_H

#include <stdbool.h>

#include "oci/digest.h"

struct err;
struct state;
struct store;
struct strv;

/*
 * the overlay lower dirs for s, top-most first, with long chains
 * flattened: the first look-up of a file through 100 overlay layers costs
 * ten times what it costs through one, so a stack deeper than
 * FLATTEN_MAX has its bottom layers replaced by one directory holding
 * their merged view: the largest multiple of FLATTEN_BLOCK layers that
 * leaves at least FLATTEN_KEEP on top, so a step mounts at most
 * FLATTEN_MAX + 1 dirs and a new copy is made once every FLATTEN_BLOCK
 * steps. The copy is cached in the store under the digest of the
 * flattened layers' diff ids (<store>/flat/<hex>), made once and shared
 * by every step and build whose stack starts with the same layers. The
 * layers themselves (and so the image) are unchanged: only how a step
 * mounts them. A layer the stack holds more than once is mounted once,
 * where it is top-most (out never names a dir twice).
 */
#define FLATTEN_MAX 32
#define FLATTEN_KEEP 16
#define FLATTEN_BLOCK 16

/* the key of s's flattened copy (<store>/flat/<hex of key>), true; false
 * when s is not deep enough to have one */
bool flatten_key(const struct state *s, char key[DIGEST_LEN]);
/* the dirs to mount for s, top-most first, once no overlay that wrote
 * one of them is still going away (storelock_mounts_wait) */
int flatten_lowerdirs(const struct state *s, const struct store *st,
		      struct strv *out, struct err **errp);

#endif

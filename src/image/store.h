#ifndef DF2NINJA_STORE_H
#define DF2NINJA_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "oci/digest.h"

struct err;

/*
 * The content-addressed store shared by every build of the user:
 *
 *   <root>/blobs/sha256/<hex>     blobs: compressed layers, configs, manifests
 *   <root>/layers/sha256/<hex>/   a layer unpacked for overlayfs, named by
 *                                 its diff id (digest of the uncompressed tar)
 *   <root>/diffids/sha256/<hex>   "sha256:<hex>\n": the diff id blob <hex> was
 *                                 seen to uncompress to (Docker's
 *                                 diffid-by-digest)
 *   <root>/tmp/                   staging; entries appear in blobs/ and
 *                                 layers/ only by rename(), complete
 *   <root>/flat/<hex>/            flattened bottoms of deep stacks
 *                                 (exec/flatten.h)
 *   <root>/cache/<id>/            RUN --mount=type=cache dirs
 *   <root>/builddirs/<hash>       the build dirs that used the store
 *                                 (storereg.h), for `df2ninja gc`
 *   <root>/gc.lock                held shared by every user of the store,
 *                                 exclusively by gc (storelock.h)
 *
 * root is $DF2NINJA_STORE, else $XDG_DATA_HOME/df2ninja, else
 * $HOME/.local/share/df2ninja. Nothing in blobs/ or layers/ is ever
 * modified in place, so concurrent builds can share it. The root is
 * private (fs_private_dir): layers hold setuid files and device nodes.
 */
struct store {
	char *root;
};

/* open (creating the directories if needed) the user's store; an
 * existing root open to other users is made private, or refused when it
 * is not ours; what dead builds left in tmp/ is removed */
int store_open(struct store *st, struct err **errp);
/* open the store at root, as store_open */
int store_open_at(struct store *st, const char *root, struct err **errp);
/*
 * open the store at root (NULL: store_open's) for `df2ninja gc`: the
 * store's lock (storelock.h) is held exclusively in *gcfd, which the
 * caller closes; without wait, 1 when builds hold it (nothing is open)
 */
int store_open_exclusive(struct store *st, const char *root, bool wait,
			 int *gcfd, struct err **errp);
void store_close(struct store *st);
/*
 * unpacked layers keep their owners as seen through one mapping of ids
 * (root, or a rootless user namespace): the store records the mapping it
 * was first used with (idmap, e.g. "root") and refuses another one with
 * an error that says so. A store from before this record, which has
 * unpacked layers, was root's.
 */
int store_check_idmap(const struct store *st, const char *idmap, struct err **errp);

/* path of blob "sha256:<hex>" (whether or not it exists); caller frees;
 * NULL when digest is not digest_valid(), so a name from the network can
 * never point outside the store */
char *store_blob_path(const struct store *st, const char *digest);
/* path of the unpacked layer with diff id "sha256:<hex>"; caller frees;
 * NULL when diff_id is not digest_valid() */
char *store_layer_path(const struct store *st, const char *diff_id);
/* false for an invalid digest */
bool store_has_blob(const struct store *st, const char *digest);
bool store_has_layer(const struct store *st, const char *diff_id);
/*
 * the diff id the blob digest was found to uncompress to: true with
 * diff_id filled, false when nothing is recorded (or digest is invalid)
 */
bool store_get_diff_id(const struct store *st, const char *digest,
		       char diff_id[DIGEST_LEN]);
/* record that the blob digest uncompresses to diff_id; only for a pair
 * that was checked by reading the blob */
int store_put_diff_id(const struct store *st, const char *digest,
		      const char *diff_id, struct err **errp);
/*
 * a new empty directory under <root>/tmp for staging, *out (caller
 * frees); *lockfd holds it locked against store_clean_tmp: close it once
 * the directory is renamed away or removed
 */
int store_tmpdir(const struct store *st, char **out, int *lockfd,
		 struct err **errp);
/*
 * remove from <root>/tmp what builds that died (killed, interrupted
 * while unpacking) left there: every entry no live process holds
 * locked; best effort, and nothing at all while another process is
 * making an entry. store_open does it.
 */
void store_clean_tmp(const struct store *st);

/*
 * copy fd (read to EOF) into the store as a blob, computing its digest;
 * when expect is not NULL the content must hash to it, else nothing is
 * kept and the error says "digest mismatch". The blob appears only once
 * complete. digest_out (may be NULL) receives "sha256:<hex>".
 */
int store_put_blob_fd(const struct store *st, int fd, const char *expect,
		      char *digest_out, long long *size, struct err **errp);
/* the same for a buffer */
int store_put_blob_buf(const struct store *st, const void *data, size_t len,
		       char *digest_out, struct err **errp);

/*
 * a blob written piece by piece (a download, a layer being compressed):
 * the bytes go to an anonymous file under <root>/tmp and are hashed as
 * they pass; commit links the file into blobs/ under its digest (dropping
 * it when that blob already exists). commit and abort free w; on any
 * failure nothing is left behind.
 */
struct store_blob;

int store_blob_begin(const struct store *st, struct store_blob **wp,
		     struct err **errp);
int store_blob_write(struct store_blob *w, const void *data, size_t len,
		     struct err **errp);
/* expect, digest_out and size as for store_put_blob_fd */
int store_blob_commit(struct store_blob *w, const char *expect,
		      char *digest_out, long long *size, struct err **errp);
/* drop an unfinished blob; accepts NULL */
void store_blob_abort(struct store_blob *w);

#endif

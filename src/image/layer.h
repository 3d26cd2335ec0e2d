#ifndef DF2NINJA_LAYER_H
#define DF2NINJA_LAYER_H

#include <stdbool.h>
#include <time.h>

#include "oci/digest.h"

struct err;
struct store;

/*
 * Layers: tar streams of filesystem changes (OCI image spec, "Image Layer
 * Filesystem Changeset"). A layer's diff id is the sha256 of its
 * uncompressed tar stream.
 *
 * Reading (layer_unpack, layer_apply_tar). The compression (gzip, bzip2,
 * xz, zstd, or none) is recognised from the content. One pass: libarchive
 * decompresses, every decompressed byte is hashed on its way to
 * libarchive's tar reader, so the diff id costs no second decompression
 * and no temporary file. Entries are written through directory fds:
 *   - a name with a ".." component is refused; a leading "/" is dropped
 *   - a symlink anywhere on the way to an entry is refused, whatever it
 *     points to (Docker, BuildKit and df2ninja never write such layers)
 *   - a hard link must name a path inside the tree, reached the same way
 *   - an existing entry at a name is replaced (a directory onto a
 *     directory merges); a file is always created anew, never written
 *     through what was there
 *   - kept: mode bits (setuid, setgid, sticky too), numeric owners, atime
 *     and mtime, symlinks, hard links, device nodes, fifos, xattrs; except
 *     trusted.overlay.* and user.overlay.*, overlayfs' own xattrs, which
 *     are never taken from a tar. Setting an xattr the filesystem or the
 *     namespace refuses (ENOTSUP, EPERM) is skipped, as Docker does
 *   - ".wh..wh.*" entries other than ".wh..wh..opq" (aufs bookkeeping) are
 *     skipped
 * Owners and device nodes need root (or, later, a user namespace).
 */

enum layer_flags {
	/* overlayfs will be mounted with "userxattr" (rootless): mark
	 * opaque directories with user.overlay.opaque */
	LAYER_USERXATTR = 1 << 0,
};

/*
 * Unpack the layer blob (a file) into the store as an overlayfs lower
 * directory, store_layer_path() of its diff id. ".wh.NAME" becomes a
 * character device 0:0 named NAME (unless this layer has NAME itself),
 * ".wh..wh..opq" sets overlay.opaque = "y" on its directory, and a
 * directory that replaces a whiteout in the same layer is made opaque.
 * The tree is built in a store_tmpdir() and renamed into layers/ complete
 * (after syncfs); when another process got there first, ours is dropped.
 * When expect_diff_id is given the stream must hash to it, else the error
 * says "diff id mismatch"; when that layer is already in the store the
 * stream is only decompressed and hashed, not unpacked again, so the
 * answer does not depend on what the store holds. diff_id (may be NULL)
 * receives the diff id.
 * flags: enum layer_flags. On any failure (corrupt, truncated, unsafe or
 * mismatching layer) nothing is left in layers/ or tmp/ and the error
 * names blob.
 */
int layer_unpack(const struct store *st, const char *blob,
		 const char *expect_diff_id, unsigned flags, char *diff_id,
		 struct err **errp);
/* the same, reading the blob from fd (read to its end, not closed);
 * label names the layer in errors */
int layer_unpack_fd(const struct store *st, int fd, const char *label,
		    const char *expect_diff_id, unsigned flags, char *diff_id,
		    struct err **errp);

/*
 * the layer of an image whose blob (digest, size bytes as its descriptor
 * says) is in the store, ready for overlayfs: the blob must have that
 * size and be the tar of diff_id (the config's), checked whether or not
 * the layer is unpacked already; it is unpacked when it is not. A blob
 * checked once is recorded with its diff id (store_put_diff_id) and not
 * read again. The error names the blob and what disagrees.
 */
int layer_unpack_blob(const struct store *st, const char *digest, long long size,
		      const char *diff_id, unsigned flags, struct err **errp);

/*
 * Apply the layer blob to dir, a plain directory holding the layers below
 * it (to export a rootfs as a directory): ".wh.NAME" deletes NAME and
 * ".wh..wh..opq" empties its directory, but only of what the layers below
 * put there, never of what this layer itself wrote. diff_id (may be NULL)
 * receives the diff id. On failure dir is left partly changed (the caller
 * throws it away) and the error names blob.
 */
int layer_apply_tar(const char *blob, const char *dir, char *diff_id,
		    struct err **errp);

/*
 * Writing (layer_digest_dir, layer_pack_dir): the tar of a directory, an
 * overlayfs upper directory left by a step, written from the entries
 * layer_walk gives (layer_walk.h), is deterministic: the same
 * tree with the same mtimes gives the same bytes whatever its atimes,
 * ctimes, inode numbers, readdir order or the caller's locale.
 *   - depth first; a directory's entries in strcmp (byte) order of their
 *     names in the tar, each directory right before its contents; names
 *     are relative ("etc/", "etc/passwd"); dir itself is not an entry
 *   - libarchive's "restricted pax": a ustar header, preceded by a pax
 *     header only for what ustar cannot hold (long or non-ASCII names,
 *     big ids, xattrs); numeric uid/gid, no user or group names, no
 *     atime or ctime
 *   - each entry's mtime, to the second (no pax header for the rest),
 *     as BuildKit keeps them; with a clamp (SOURCE_DATE_EPOCH), an mtime
 *     later than it becomes the clamp (BuildKit's rewrite-timestamp).
 *     The layer's sum leaves mtimes out (layer_sum.h)
 *   - mode bits with setuid, setgid and sticky; symlink targets; device
 *     numbers; a path whose inode was already written is a hard link to
 *     the first path
 *   - of the xattrs only security.capability is kept (as Docker)
 *   - an overlayfs whiteout (character device 0:0) becomes an empty file
 *     ".wh.NAME", a directory marked opaque (trusted.overlay.opaque or
 *     user.overlay.opaque = "y") is followed by an empty ".wh..wh..opq";
 *     both with mode 0, owner 0:0 and mtime 0 (containerd's since 2.0)
 *   - sockets are left out (tar cannot hold them; Docker does the same)
 *   - an entry overlayfs keeps partly in a lower layer (an overlay.redirect
 *     or overlay.metacopy xattr) is an error: the sandbox must mount with
 *     redirect_dir=off,metacopy=off
 *   - the stream ends with two zero blocks and no further padding, so an
 *     empty directory gives 1024 zero bytes, Docker's empty layer
 *     (sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef)
 */

/* the diff id of dir's tar, hashed as it is produced: no compression, no
 * temporary file. *empty (may be NULL) says whether dir has no entries at
 * all (the step changed nothing). clamp (may be NULL: none) is the latest
 * mtime an entry gets. */
int layer_digest_dir(const char *dir, const time_t *clamp, char diff_id[DIGEST_LEN],
		     bool *empty, struct err **errp);

/*
 * write dir's tar into the store as a gzip blob (zlib, level 6, no file
 * name, mtime 0: deterministic for a given zlib), hashing the tar and the
 * gzip in the same pass. diff_id is what layer_digest_dir() gives for dir
 * and clamp;
 * blob_digest and *blob_size (may be NULL) describe the blob; sum (may be
 * NULL) gets what layer_sum_dir() gives for dir, from the same walk.
 */
int layer_pack_dir(const struct store *st, const char *dir, const time_t *clamp,
		   char diff_id[DIGEST_LEN], char blob_digest[DIGEST_LEN],
		   long long *blob_size, char *sum, struct err **errp);

#endif

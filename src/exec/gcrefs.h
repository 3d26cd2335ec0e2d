#ifndef DF2NINJA_GCREFS_H
#define DF2NINJA_GCREFS_H

struct err;
struct strv;

/*
 * what in the store a build dir references, for `df2ninja gc`: append to
 * out the store-relative paths ("blobs/sha256/<hex>",
 * "layers/sha256/<hex>", "flat/<hex>") of
 *  - every state's base layers, unpacked and as blobs, and the flattened
 *    copy of its deep stack (state/ ... .json);
 *  - the manifest each tag record names, and its config and layer blobs
 *    (pulls/);
 *  - the blob of every download record (downloads/);
 *  - the blobs of the image the export wrote (image/, an OCI layout);
 *  - the blobs the export packed step layers into (out/packed-layers).
 * A step's own layer lives in the build dir, not the store. Paths may
 * repeat. A record
 * that cannot be read references nothing: best effort, never an error.
 */
void gcrefs_collect(const char *store_root, const char *builddir,
		    struct strv *out);

#endif

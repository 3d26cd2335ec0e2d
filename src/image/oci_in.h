#ifndef DF2NINJA_OCI_IN_H
#define DF2NINJA_OCI_IN_H

struct err;
struct image;
struct store;

/*
 * load an image from the OCI image layout in dir into the store and
 * describe it in img (which the caller later image_fini()s).
 *
 * The manifest is the one whose digest is digest (when not NULL), else
 * the one whose org.opencontainers.image.ref.name (or, failing that,
 * io.containerd.image.name) is tag; with neither, the only manifest of
 * the layout, or the one tagged "latest". An index on the way is
 * resolved to the manifest for platform ("linux/arm64"; NULL: the host's).
 *
 * Every blob is checked against its descriptor's digest and size before
 * anything is copied, so an image with a bad blob adds nothing to the
 * store; the error names the blob. Blobs the store already has are
 * checked all the same (an image is refused whatever the store holds),
 * but not copied again.
 *
 * With st NULL the image is only described: its index, manifest and
 * config are read and checked, its layers neither read nor stored (what
 * generation needs to know of a base image).
 */
int oci_in_load(const struct store *st, const char *dir, const char *tag,
		const char *digest, const char *platform, struct image *img,
		struct err **errp);

#endif

#ifndef DF2NINJA_IMAGE_CONFIG_H
#define DF2NINJA_IMAGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <jansson.h>

struct err;
struct store;
struct strv;

/*
 * an image config (OCI image-spec config.json, which Docker also reads):
 *
 *   {"architecture", "os", "variant"?, "created"?, "author"?,
 *    "config": {User, Env, Entrypoint, Cmd, WorkingDir, Labels,
 *               ExposedPorts, Volumes, StopSignal, Healthcheck, OnBuild,
 *               Shell},
 *    "rootfs": {"type": "layers", "diff_ids": [...]},
 *    "history": [{"created"?, "created_by", "comment"?, "empty_layer"?}]}
 *
 * It stays a jansson object so that fields we do not model (from a base
 * image, or from a newer spec) survive a round trip; the functions below
 * are the only ones that should touch it.
 *
 * Timestamps, as BuildKit's: RFC 3339 UTC to the second. A history entry
 * gets the time its step ran; the top-level "created" the time of the
 * export. With SOURCE_DATE_EPOCH the export sets "created" to it and
 * clamps the build's own history entries to it (a base image's keep
 * theirs), so that builds give the same digest. Every entry gets a date:
 * leaving the field out, which the spec allows, breaks tools that assume
 * it (umoci 0.4.7's `stat` dereferences a missing history date and
 * crashes).
 */
struct image_config {
	json_t *json;
};

/* configs are small; a larger blob is refused unread */
#define CONFIG_MAX (16 << 20)

/* a config for an empty image on the host platform (FROM scratch) */
void config_init(struct image_config *c);
/* parse a config blob; it must be an object whose rootfs, when present,
 * is {"type": "layers", "diff_ids": [digests]} */
int config_parse(struct image_config *c, const char *data, size_t len,
		 struct err **errp);
/* a deep copy of src into dst */
void config_copy(struct image_config *dst, const struct image_config *src);
/* release c; accepts a zeroed c */
void config_fini(struct image_config *c);

/* the canonical bytes: sorted keys, no whitespace; caller frees */
char *config_dump(const struct image_config *c, size_t *len);
/* store config_dump() as a blob; digest receives its digest, size (may be
 * NULL) its length */
int config_store(const struct image_config *c, const struct store *st,
		 char *digest, long long *size, struct err **errp);

/* value of K in Env, or NULL when unset */
const char *config_env_get(const struct image_config *c, const char *key);
/* set K=V in Env: an existing K is replaced in place, else appended
 * (Docker's ReplaceOrAppendEnvValues) */
void config_env_set(struct image_config *c, const char *key, const char *value);
/* append copies of every "K=V" of Env to out */
void config_env_list(const struct image_config *c, struct strv *out);
/* append copies of the OnBuild triggers to out; a trigger that is not a
 * string is -1 */
int config_onbuild_list(const struct image_config *c, struct strv *out);

/* a string field of "config" (User, WorkingDir, StopSignal), or NULL
 * when absent or empty */
const char *config_get_str(const struct image_config *c, const char *field);
/* set a string field of "config"; NULL removes it */
void config_set_str(struct image_config *c, const char *field,
		    const char *value);
/* set a boolean field of "config" (ArgsEscaped) */
void config_set_bool(struct image_config *c, const char *field, bool value);
/* drop what BuildKit's image struct has no member for: a base image's
 * legacy top-level fields ("container", "container_config",
 * "docker_version", "comment", ...) and config fields ("Image",
 * "Hostname", "AttachStdin", ...), which BuildKit does not carry into
 * the image it builds; and the members its struct leaves out when empty
 * (Go's omitempty: "User": "", "Entrypoint": null, "ArgsEscaped": false,
 * "author": "", ...), as BuildKit writes none of them */
void config_drop_legacy(struct image_config *c);
/* append copies of the string array field (Entrypoint, Cmd, Shell) to
 * out; returns false when the field is absent or null */
bool config_get_argv(const struct image_config *c, const char *field,
		     struct strv *out);
/* set a string array field to argv[0..n); argv NULL removes it */
void config_set_argv(struct image_config *c, const char *field,
		     const char *const *argv, size_t n);

/* the label K, or NULL */
const char *config_label_get(const struct image_config *c, const char *key);
/* set label K to V, replacing an earlier value */
void config_label_set(struct image_config *c, const char *key,
		      const char *value);
/* add "80/tcp" to ExposedPorts (a port without protocol gets "/tcp") */
void config_add_port(struct image_config *c, const char *port);
/* add a path to Volumes */
void config_add_volume(struct image_config *c, const char *path);
/* append an ONBUILD trigger ("RUN make") */
void config_add_onbuild(struct image_config *c, const char *trigger);
/* set Healthcheck to hc ({"Test": [...], "Interval": ns, ...}), taking
 * the reference; NULL removes it */
void config_set_healthcheck(struct image_config *c, json_t *hc);

/* number of layers in rootfs.diff_ids */
size_t config_n_diff_ids(const struct image_config *c);
/* the i-th diff id, or NULL past the end */
const char *config_diff_id(const struct image_config *c, size_t i);
/* append a layer's diff id to rootfs.diff_ids */
void config_add_diff_id(struct image_config *c, const char *diff_id);
/* append a history entry (comment may be NULL), created now; empty_layer
 * marks a step that left no layer */
void config_add_history(struct image_config *c, const char *created_by,
			const char *comment, bool empty_layer);
/* set "created" to *epoch, or to now when epoch is NULL, replacing a base
 * image's date */
void config_stamp_created(struct image_config *c, const time_t *epoch);
/* the history entries from index from on: a "created" later than epoch,
 * missing or not a date becomes epoch (BuildKit's clamp) */
void config_clamp_history(struct image_config *c, size_t from, time_t epoch);

#endif

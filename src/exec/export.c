#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "exec/dockerload.h"
#include "exec/outmode.h"
#include "exec/packjobs.h"
#include "exec/packmemo.h"
#include "exec/storegc.h"
#include "exec/state.h"
#include "exec/step.h"
#include "exec/stepplan.h"
#include "oci/digest.h"
#include "image/config.h"
#include "image/image.h"
#include "image/image_out.h"
#include "image/imgindex.h"
#include "image/oci_out.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "image/store.h"
#include "image/storereg.h"
#include "plan/names.h"
#include "registry/push.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/dirkeep.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/notify.h"
#include "util/path.h"

/*
 * the step layers of s as gzip blobs in the store, which gives their diff
 * ids, several at once (packjobs.h); the memo saves packing one again. The
 * pack computes the sum again from the same walk: a layer dir changed
 * since its step ran is an error.
 */
static int
pack_layers(const struct store *st, struct state *s, const time_t *clamp,
	    struct packmemo *memo, struct err **errp)
{
	struct pack_job *jobs = xcalloc(s->nlayers + 1, sizeof(*jobs));
	size_t *which = xcalloc(s->nlayers + 1, sizeof(*which)), n = 0, i;
	char **keys = xcalloc(s->nlayers + 1, sizeof(*keys));
	int r = -1;

	for (i = 0; i < s->nlayers; i++) {
		struct state_layer *l = &s->layers[i];

		if (!l->dir)
			continue;
		keys[i] = packmemo_key(l->dir, clamp);
		if (packmemo_find(memo, st, l->sum, keys[i], l->diff_id, l->digest, &l->size))
			continue;
		jobs[n].dir = l->dir;
		which[n++] = i;
	}
	/* its error names the dir */
	if (pack_jobs_run(st, jobs, n, clamp, errp) < 0)
		goto out;
	for (size_t k = 0; k < n; k++) {
		struct state_layer *l = &s->layers[which[k]];

		if (strcmp(jobs[k].sum, l->sum) != 0) {
			err_make(errp, 0, "the layer in '%s' changed since its step ran "
				 "(sum %s, expected %s); rerun its step", l->dir, jobs[k].sum, l->sum);
			goto out;
		}
		memcpy(l->diff_id, jobs[k].diff_id, DIGEST_LEN);
		memcpy(l->digest, jobs[k].digest, DIGEST_LEN);
		l->size = jobs[k].size;
	}
	for (i = 0; i < s->nlayers; i++) {
		struct state_layer *l = &s->layers[i];

		if (l->dir)
			packmemo_add(memo, l->sum, keys[i], l->diff_id, l->digest, l->size, l->dir);
	}
	r = 0;
out:
	for (i = 0; i < s->nlayers; i++)
		free(keys[i]);
	free(keys);
	free(which);
	free(jobs);
	return r;
}

/* dests of type=local that df2ninja itself wrote: only those it replaces */
static bool
local_dest_is_ours(const char *builddir, const char *dest, bool record)
{
	autofree char *path = xasprintf("%s/out/local-dests", builddir), *text = NULL;
	size_t n = strlen(dest);
	bool found = false;

	if (fs_read_file(path, &text, NULL, NULL) == 0) {
		for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
			if (strncmp(l, dest, n) == 0 && l[n] == '\n')
				found = true;
	}
	if (record && !found) {
		char *more = xasprintf("%s%s\n", text ? text : "", dest);

		fs_write_if_changed(path, more, strlen(more), NULL, NULL);
		free(more);
	}
	return found;
}

/* image_out_write, keeping the mtime of dest's dir when it lies in the
 * context (util/dirkeep.h) */
static int
write_output(struct store *st, struct image *img, enum image_out_kind kind,
	     const char *const *tv, size_t tn, const char *dest, unsigned flags,
	     bool in_context, struct err **errp)
{
	autofree char *clean = path_clean(dest, 0), *dir = fs_dirname(clean);
	const char *base = strrchr(clean, '/') ? strrchr(clean, '/') + 1 : clean;
	struct dirkeep keep = { NULL };
	int r;

	if (in_context)
		dirkeep_take(&keep, dir);
	r = image_out_write(st, img, kind, tv, tn, dest, flags, errp);
	dirkeep_restore(&keep, base);
	if (r < 0)
		err_wrap(errp, "writing the image to '%s'", dest);
	return r;
}

/* --metadata-file: buildx's keys for what df2ninja knows */
static int
write_metadata(const char *digest, const struct export_plan *ep,
	       const char *id, struct err **errp)
{
	json_t *o = json_object();
	struct buf names = BUF_INIT;
	char *text;
	int r;

	/* a multi-platform image has an index, no one config */
	if (id)
		json_object_set_new(o, "containerimage.config.digest", json_string(id));
	if (digest && digest[0])
		json_object_set_new(o, "containerimage.digest", json_string(digest));
	for (size_t i = 0; i < ep->tags.n; i++)
		buf_printf(&names, "%s%s", i ? "," : "", ep->tags.v[i]);
	if (ep->tags.n)
		json_object_set_new(o, "image.name", json_string(buf_str(&names)));
	text = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(o);
	buf_fini(&names);
	if (!text)
		return err_make(errp, ENOMEM, "writing --metadata-file");
	r = fs_write_named(ep->metadata_file, text, strlen(text), errp);
	free(text);
	return r < 0 ? err_wrap(errp, "writing --metadata-file") : 0;
}

/* -q, --iidfile, --metadata-file: the image ID, docker's: the digest of the config blob
 * (an export to a local dir alone writes none: its digest is taken from
 * the same bytes) */
static int
image_id(const struct image *img, const struct export_plan *ep, struct err **errp)
{
	char id[DIGEST_LEN];

	if (!ep->iidfile && !ep->quiet && !ep->metadata_file)
		return 0;
	if (img->config_digest[0]) {
		snprintf(id, sizeof(id), "%s", img->config_digest);
	} else {
		size_t n;
		autofree char *text = config_dump(&img->config, &n);

		digest_buf(text, n, id);
	}
	if (ep->iidfile && fs_write_named(ep->iidfile, id, strlen(id), errp) < 0)
		return err_wrap(errp, "writing --iidfile");
	if (ep->quiet && printf("%s\n", id) < 0)
		return err_make(errp, errno, "writing the image ID");
	return ep->metadata_file ? write_metadata(img->manifest_digest, ep, id, errp) : 0;
}

/*
 * the image a chain's last step left (last), its layers packed into the
 * store; its config's platform is the stage's (BuildKit's too: a
 * target pinned to $BUILDPLATFORM is listed under each target platform)
 */
static int
build_image(struct stepplan *p, struct store *st, const char *last,
	    struct image *img, char *identity, struct err **errp)
{
	const struct export_plan *ep = &p->ep;
	time_t epoch = (time_t)ep->epoch;
	const time_t *clamp = ep->has_epoch ? &epoch : NULL;
	struct packmemo memo = { NULL };
	struct state s;
	size_t i, nbase;
	json_t *history;
	int r = -1;

	if (state_load(p->builddir, last, &s, errp) < 0)
		return -1;
	snprintf(identity, DIGEST_LEN, "%s", s.identity);
	config_fini(&img->config);
	config_copy(&img->config, &s.config);
	/* what a step left empty (ENTRYPOINT [], a reset Cmd) BuildKit
	 * leaves out */
	config_drop_legacy(&img->config);
	/* --label: over the stage's own, no history entry (BuildKit's
	 * finalizeResultImage) */
	for (i = 0; i < ep->labels.n; i++) {
		const char *kv = ep->labels.v[i], *eq = strchr(kv, '=');
		autofree char *k = xstrndup(kv, (size_t)(eq - kv));

		config_label_set(&img->config, k, eq + 1);
	}
	/* the history as every step of the chain last wrote it (state.h) */
	if (state_history(p->builddir, last, &history, &nbase, errp) < 0)
		goto out;
	json_object_set_new(img->config.json, "history", history);
	/* a base image's dates are kept, as BuildKit keeps them */
	if (clamp)
		config_clamp_history(&img->config, nbase, epoch);
	json_object_set_new(img->config.json, "rootfs", json_pack("{s:s,s:[]}", "type", "layers", "diff_ids"));
	packmemo_load(&memo, p->builddir);
	if (pack_layers(st, &s, clamp, &memo, errp) < 0)
		goto out;
	for (i = 0; i < s.nlayers; i++) {
		struct state_layer *l = &s.layers[i];

		config_add_diff_id(&img->config, l->diff_id);
		image_add_layer(img, l->digest, l->diff_id,
				l->media_type ? l->media_type : MEDIA_OCI_LAYER_GZIP, l->size);
	}
	if (packmemo_save(&memo, errp) < 0)
		goto out;
	config_stamp_created(&img->config, clamp);
	r = image_check(img, errp);
out:
	packmemo_fini(&memo);
	state_fini(&s);
	return r;
}

/* BuildKit's platform-split local output: dest/linux_arm64 */
static char *
platform_dir(const char *dest, const char *platform)
{
	char *s = xasprintf("%s/%s", dest, platform), *c = s + strlen(dest) + 1;

	for (; *c; c++)
		if (*c == '/')
			*c = '_';
	return s;
}

/* one output of a multi-platform build: the index, or a dir per image */
static int
write_multi(struct stepplan *p, struct store *st, const struct plan_output *o,
	    struct image *const *imgs, const char *index, long long index_size,
	    struct err **errp)
{
	const struct export_plan *ep = &p->ep;
	const char *type = plan_name(&plan_output_names, o->type);

	switch (o->type) {
	case PLAN_OUTPUT_REGISTRY:
		if (registry_push_shown(st, index, o->name, errp) < 0)
			return -1;
		notify(NOTIFY_INFO, "image index %s: pushed to %s", index, o->name);
		return 0;
	case PLAN_OUTPUT_OCI:
		if (oci_out_write_index(st, imgs, ep->nplatforms, index, index_size,
					ep->tags.v, ep->tags.n, o->dest, errp) < 0)
			return -1;
		notify(NOTIFY_INFO, "image index %s (%zu platforms): oci at %s", index,
		       ep->nplatforms, o->dest);
		return 0;
	case PLAN_OUTPUT_LOCAL:
		for (size_t i = 0; i < ep->nplatforms; i++) {
			autofree char *dir = platform_dir(o->dest, ep->platforms[i].platform);
			unsigned flags = local_dest_is_ours(p->builddir, dir, false) ?
					 IMAGE_OUT_REPLACE : 0;

			if (write_output(st, imgs[i], IMAGE_OUT_LOCAL, NULL, 0, dir, flags,
					 o->in_context, errp) < 0)
				return -1;
			local_dest_is_ours(p->builddir, dir, true);
			notify(NOTIFY_INFO, "image: local at %s", dir);
		}
		return 0;
	case PLAN_OUTPUT_DOCKER:
		break;
	}
	return err_make(errp, 0, "--output type=%s: docker exporter does not "
			"currently support exporting manifest lists", type);
}

/* a multi-platform build: an image per platform, and their index */
static int
export_multi(struct stepplan *p, struct store *st, const char *out, struct err **errp)
{
	const struct export_plan *ep = &p->ep;
	size_t n = ep->nplatforms, i;
	struct image *imgs = xcalloc(n, sizeof(*imgs));
	struct image **ptrs = xcalloc(n, sizeof(*ptrs));
	const char **plats = xcalloc(n, sizeof(*plats));
	char index[DIGEST_LEN], identity[DIGEST_LEN], line[DIGEST_LEN + 1];
	long long size;
	int r = -1;

	for (i = 0; i < n; i++) {
		image_init(&imgs[i]);
		ptrs[i] = &imgs[i];
		plats[i] = ep->platforms[i].platform;
	}
	for (i = 0; i < n; i++)
		if (build_image(p, st, ep->platforms[i].last, &imgs[i], identity, errp) < 0)
			goto out;
	if (imgindex_store(st, ptrs, plats, n, index, &size, errp) < 0)
		goto out;
	for (i = 0; i < ep->noutputs; i++)
		if (write_multi(p, st, &ep->outputs[i], ptrs, index, size, errp) < 0)
			goto out;
	/* the image ID of a multi-platform image is its index's digest */
	if (ep->iidfile && fs_write_atomic(ep->iidfile, index, strlen(index), 0, errp) < 0)
		goto out;
	if (ep->metadata_file && write_metadata(index, ep, NULL, errp) < 0)
		goto out;
	if (ep->quiet && printf("%s\n", index) < 0) {
		err_make(errp, errno, "writing the image ID");
		goto out;
	}
	snprintf(line, sizeof(line), "%s\n", index);
	{
		autofree char *dir = fs_dirname(out);

		if (fs_mkdir_p(dir, errp) < 0 ||
		    fs_write_if_changed(out, line, strlen(line), NULL, errp) < 0)
			goto out;
	}
	r = 0;
out:
	for (i = 0; i < n; i++)
		image_fini(&imgs[i]);
	free(imgs);
	free(ptrs);
	free(plats);
	return r;
}

static int
export(struct stepplan *p, struct store *st, const char *out, struct err **errp)
{
	const struct export_plan *ep = &p->ep;
	struct image img;
	size_t i;
	char line[DIGEST_LEN + 1], identity[DIGEST_LEN];
	int r = -1;

	/* -q: what the export tells besides the ID is left out */
	if (ep->quiet)
		outmode_quiet_notify();
	image_init(&img);
	if (ep->nplatforms) {
		r = export_multi(p, st, out, errp);
		goto out;
	}
	if (build_image(p, st, ep->last, &img, identity, errp) < 0)
		goto out;
	for (i = 0; i < ep->noutputs; i++) {
		const struct plan_output *o = &ep->outputs[i];
		const char *type = plan_name(&plan_output_names, o->type);
		const char *dest = o->dest;
		enum image_out_kind kind;
		unsigned flags = 0;
		const char *const *tv = ep->tags.v;
		size_t tn = ep->tags.n;

		if (o->type == PLAN_OUTPUT_REGISTRY) {
			if (registry_push_image(st, &img, o->name, errp) < 0)
				goto out;
			notify(NOTIFY_INFO, "image %s: pushed to %s", img.manifest_digest,
			       o->name);
			continue;
		}
		if (image_out_kind_parse(type, &kind, errp) < 0)
			goto out;
		if (kind == IMAGE_OUT_LOCAL && local_dest_is_ours(p->builddir, dest, false))
			flags |= IMAGE_OUT_REPLACE;
		if (write_output(st, &img, kind, tv, tn, dest, flags, o->in_context, errp) < 0)
			goto out;
		if (kind == IMAGE_OUT_LOCAL)
			local_dest_is_ours(p->builddir, dest, true);
		/* docker's image ID (the config's digest, what `docker images`
		 * shows) and the manifest's; a local dir has neither */
		if (img.manifest_digest[0])
			notify(NOTIFY_INFO, "image ID %s (manifest %s): %s at %s",
			       img.config_digest, img.manifest_digest,
			       image_out_kind_name(kind), dest);
		else
			notify(NOTIFY_INFO, "image: %s at %s", image_out_kind_name(kind), dest);
		if (o->load) {
			const char *tool;

			if (dockerload_run(dest, &tool, errp) < 0)
				goto out;
			/* docker's image ID is the config's digest */
			notify(NOTIFY_INFO, "image ID %s: loaded into %s", img.config_digest,
			       tool);
		}
	}
	if (image_id(&img, ep, errp) < 0)
		goto out;
	snprintf(line, sizeof(line), "%s\n", img.manifest_digest[0] ? img.manifest_digest : identity);
	{
		autofree char *dir = fs_dirname(out);

		if (fs_mkdir_p(dir, errp) < 0 ||
		    fs_write_if_changed(out, line, strlen(line), NULL, errp) < 0)
			goto out;
	}
	/* the build's last line says where its picture is; drawing it costs
	 * nothing until asked for (src/trace/) */
	notify(NOTIFY_INFO, "trace: `df2ninja trace%s%s` writes %s/trace.json and "
	       "%s/trace.svg", strcmp(p->builddir, ".df2ninja") ? " -B " : "",
	       strcmp(p->builddir, ".df2ninja") ? p->builddir : "", p->builddir,
	       p->builddir);
	r = 0;
out:
	image_fini(&img);
	return r;
}

int
export_exec(const char *plan_path, const char *out, struct err **errp)
{
	struct store st = { NULL };
	struct stepplan p;
	int r, lock = -1;

	/* the history and the gc references read the same states */
	state_memo_start();
	if (stepplan_load(plan_path, &p, errp) < 0 ||
	    (!p.is_export &&
	     err_make(errp, 0, "plan '%s' is a step's, not the export's", plan_path) < 0) ||
	    (lock = buildlock_take(p.builddir, errp)) < 0 || store_open(&st, errp) < 0 ||
	    store_check_idmap(&st, userns_idmap(), errp) < 0 ||
	    storereg_add(&st, p.builddir, errp) < 0 ||
	    export(&p, &st, out, errp) < 0 ||
	    storegc_note_refs(&st, p.builddir, errp) < 0) {
		if (!*errp)
			err_make(errp, 0, "?");
		err_wrap(errp, "exporting the image");
		r = err_set_status(errp, 1);
	} else {
		r = 0;
	}
	store_close(&st);
	stepplan_fini(&p);
	if (lock >= 0)
		close(lock);
	return r;
}

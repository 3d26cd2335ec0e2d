#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/config.h"
#include "image/store.h"
#include "oci/digest.h"
#include "oci/platform.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/* length of the valid UTF-8 sequence at s, or 0 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * s as a JSON string. JSON holds UTF-8 only, and jansson refuses anything
 * else, so every byte that is not part of valid UTF-8 becomes U+FFFD, as
 * Go's encoding/json (and so Docker) does.
 */
static json_t *
jstr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	json_t *j = json_string(s);
	struct buf b = BUF_INIT;

	if (j)
		return j;
	while (*p) {
		size_t n = utf8_len(p);

		if (n) {
			buf_putn(&b, (const char *)p, n);
			p += n;
		} else {
			buf_puts(&b, "\xef\xbf\xbd");
			p++;
		}
	}
	j = json_string(buf_str(&b));
	buf_fini(&b);
	if (!j)
		BUG("json_string refused repaired UTF-8");
	return j;
}

/* o[key] = v with key repaired like jstr */
static void
set_member(json_t *o, const char *key, json_t *v)
{
	json_t *k;

	if (json_object_set_new(o, key, v) == 0)
		return;
	k = jstr(key);
	if (json_object_set_new(o, json_string_value(k), v) < 0)
		BUG("json_object_set_new failed");
	json_decref(k);
}

void
config_init(struct image_config *c)
{
	struct platform host;
	json_t *rootfs;

	platform_host(&host);
	c->json = json_object();
	json_object_set_new(c->json, "architecture", json_string(host.arch));
	json_object_set_new(c->json, "os", json_string(host.os));
	if (host.variant[0])
		json_object_set_new(c->json, "variant", json_string(host.variant));
	json_object_set_new(c->json, "config", json_object());
	rootfs = json_object();
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_object_set_new(rootfs, "diff_ids", json_array());
	json_object_set_new(c->json, "rootfs", rootfs);
	json_object_set_new(c->json, "history", json_array());
}

static int
check_rootfs(json_t *root, struct err **errp)
{
	json_t *rootfs = json_object_get(root, "rootfs"), *ids, *id;
	const char *type;
	size_t i;

	if (!rootfs)
		return 0;
	type = json_string_value(json_object_get(rootfs, "type"));
	if (!type || strcmp(type, "layers") != 0)
		return err_make(errp, 0, "rootfs.type is not \"layers\"");
	ids = json_object_get(rootfs, "diff_ids");
	if (ids && !json_is_array(ids))
		return err_make(errp, 0, "rootfs.diff_ids is not an array");
	json_array_foreach(ids, i, id) {
		const char *s = json_string_value(id);

		if (!s || !digest_valid(s))
			return err_make(errp, 0, "rootfs.diff_ids[%zu] is not a sha256 digest", i);
	}
	return 0;
}

int
config_parse(struct image_config *c, const char *data, size_t len,
	     struct err **errp)
{
	json_error_t je;
	json_t *root;

	c->json = NULL;
	root = json_loadb(data, len, 0, &je);
	if (!root)
		return err_make(errp, 0, "image config: %s at line %d", je.text, je.line);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_make(errp, 0, "image config is not a JSON object");
	}
	if (json_object_get(root, "config") &&
	    !json_is_object(json_object_get(root, "config")) &&
	    !json_is_null(json_object_get(root, "config"))) {
		json_decref(root);
		return err_make(errp, 0, "image config: \"config\" is not an object");
	}
	if (check_rootfs(root, errp) < 0) {
		json_decref(root);
		return err_wrap(errp, "image config");
	}
	c->json = root;
	return 0;
}

void
config_copy(struct image_config *dst, const struct image_config *src)
{
	dst->json = json_deep_copy(src->json);
	if (!dst->json)
		BUG("json_deep_copy failed");
}

void
config_fini(struct image_config *c)
{
	json_decref(c->json);
	c->json = NULL;
}

char *
config_dump(const struct image_config *c, size_t *len)
{
	char *s = json_dumps(c->json, JSON_SORT_KEYS | JSON_COMPACT);

	if (!s)
		BUG("json_dumps failed on an image config");
	if (len)
		*len = strlen(s);
	return s;
}

int
config_store(const struct image_config *c, const struct store *st, char *digest,
	     long long *size, struct err **errp)
{
	size_t len;
	autofree char *s = config_dump(c, &len);

	if (store_put_blob_buf(st, s, len, digest, errp) < 0)
		return err_wrap(errp, "storing image config");
	if (size)
		*size = (long long)len;
	return 0;
}

/* the "config" object, created when missing or null */
static json_t *
inner(struct image_config *c)
{
	json_t *o = json_object_get(c->json, "config");

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(c->json, "config", o);
	}
	return o;
}

void
config_set_bool(struct image_config *c, const char *field, bool value)
{
	json_object_set_new(inner(c), field, json_boolean(value));
}

/* the members of BuildKit's image struct (docker-image-spec's
 * DockerOCIImage and its config) */
static const char *const kept_top[] = {
	"architecture", "os", "os.version", "os.features", "variant", "created",
	"author", "config", "rootfs", "history", NULL,
};
static const char *const kept_config[] = {
	"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir",
	"Labels", "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell", NULL,
};

static bool
in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

static void
keep_only(json_t *o, const char *const *list)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(o, tmp, key, v) {
		if (!in_list(list, key))
			json_object_del(o, key);
	}
}

/* v is what Go's encoding/json leaves out of an omitempty member */
static bool
is_go_empty(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return true;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_REAL:
		return json_real_value(v) == 0;
	case JSON_TRUE:
		return false;
	}
	return false;
}

/* drop the members of o (but those of keep) Go would leave out */
static void
drop_empty(json_t *o, const char *const *keep)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(o, tmp, key, v) {
		if (!in_list(keep, key) && is_go_empty(v))
			json_object_del(o, key);
	}
}

void
config_drop_legacy(struct image_config *c)
{
	static const char *const always[] = {
		"architecture", "os", "config", "rootfs", "history", NULL,
	};
	static const char *const none[] = { NULL };
	json_t *in = json_object_get(c->json, "config");

	keep_only(c->json, kept_top);
	drop_empty(c->json, always);
	if (json_is_object(in)) {
		keep_only(in, kept_config);
		drop_empty(in, none);
	}
}

static json_t *
inner_get(const struct image_config *c, const char *field)
{
	return json_object_get(json_object_get(c->json, "config"), field);
}

/* the member field of "config" as an object, created when missing */
static json_t *
inner_object(struct image_config *c, const char *field)
{
	json_t *in = inner(c), *o = json_object_get(in, field);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(in, field, o);
	}
	return o;
}

/* the member field of object o as an array, created when missing */
static json_t *
array_member(json_t *o, const char *field)
{
	json_t *a = json_object_get(o, field);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(o, field, a);
	}
	return a;
}

/* "K=V" (or "K" alone) names key */
static bool
env_entry_is(const char *entry, const char *key)
{
	size_t n = strlen(key);

	return strncmp(entry, key, n) == 0 && (entry[n] == '=' || entry[n] == '\0');
}

const char *
config_env_get(const struct image_config *c, const char *key)
{
	json_t *env = inner_get(c, "Env"), *e;
	size_t i;

	json_array_foreach(env, i, e) {
		const char *s = json_string_value(e);

		if (s && env_entry_is(s, key))
			return s[strlen(key)] == '=' ? s + strlen(key) + 1 : "";
	}
	return NULL;
}

void
config_env_set(struct image_config *c, const char *key, const char *value)
{
	json_t *env = array_member(inner(c), "Env"), *e;
	autofree char *kv = xasprintf("%s=%s", key, value);
	size_t i;

	json_array_foreach(env, i, e) {
		const char *s = json_string_value(e);

		if (s && env_entry_is(s, key)) {
			json_array_set_new(env, i, jstr(kv));
			return;
		}
	}
	json_array_append_new(env, jstr(kv));
}

void
config_env_list(const struct image_config *c, struct strv *out)
{
	json_t *e;
	size_t i;

	json_array_foreach(inner_get(c, "Env"), i, e)
		if (json_is_string(e))
			strv_add(out, json_string_value(e));
}

int
config_onbuild_list(const struct image_config *c, struct strv *out)
{
	json_t *e;
	size_t i;

	json_array_foreach(inner_get(c, "OnBuild"), i, e) {
		if (!json_is_string(e))
			return -1;
		strv_add(out, json_string_value(e));
	}
	return 0;
}

const char *
config_get_str(const struct image_config *c, const char *field)
{
	const char *s = json_string_value(inner_get(c, field));

	return s && *s ? s : NULL;
}

void
config_set_str(struct image_config *c, const char *field, const char *value)
{
	if (value)
		json_object_set_new(inner(c), field, jstr(value));
	else
		json_object_del(inner(c), field);
}

bool
config_get_argv(const struct image_config *c, const char *field,
		struct strv *out)
{
	json_t *a = inner_get(c, field), *e;
	size_t i;

	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, e)
		strv_add(out, json_is_string(e) ? json_string_value(e) : "");
	return true;
}

void
config_set_argv(struct image_config *c, const char *field,
		const char *const *argv, size_t n)
{
	json_t *a;

	if (!argv) {
		json_object_del(inner(c), field);
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jstr(argv[i]));
	json_object_set_new(inner(c), field, a);
}

const char *
config_label_get(const struct image_config *c, const char *key)
{
	return json_string_value(json_object_get(inner_get(c, "Labels"), key));
}

void
config_label_set(struct image_config *c, const char *key, const char *value)
{
	set_member(inner_object(c, "Labels"), key, jstr(value));
}

void
config_add_port(struct image_config *c, const char *port)
{
	autofree char *p = strchr(port, '/') ? xstrdup(port)
					     : xasprintf("%s/tcp", port);

	set_member(inner_object(c, "ExposedPorts"), p, json_object());
}

void
config_add_volume(struct image_config *c, const char *path)
{
	set_member(inner_object(c, "Volumes"), path, json_object());
}

void
config_add_onbuild(struct image_config *c, const char *trigger)
{
	json_array_append_new(array_member(inner(c), "OnBuild"),
			      jstr(trigger));
}

void
config_set_healthcheck(struct image_config *c, json_t *hc)
{
	if (hc)
		json_object_set_new(inner(c), "Healthcheck", hc);
	else
		json_object_del(inner(c), "Healthcheck");
}

static json_t *
diff_ids(const struct image_config *c)
{
	return json_object_get(json_object_get(c->json, "rootfs"), "diff_ids");
}

size_t
config_n_diff_ids(const struct image_config *c)
{
	return json_array_size(diff_ids(c));
}

const char *
config_diff_id(const struct image_config *c, size_t i)
{
	return json_string_value(json_array_get(diff_ids(c), i));
}

void
config_add_diff_id(struct image_config *c, const char *diff_id)
{
	json_t *rootfs = json_object_get(c->json, "rootfs");

	if (!json_is_object(rootfs)) {
		rootfs = json_object();
		json_object_set_new(c->json, "rootfs", rootfs);
	}
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_array_append_new(array_member(rootfs, "diff_ids"), jstr(diff_id));
}

#define DATE_FORMAT "%Y-%m-%dT%H:%M:%SZ"

/*
 * the UTC calendar date of day d since 1970-01-01 (H. Hinnant's
 * civil_from_days). Not gmtime_r: glibc's reads the local time zone
 * (/etc/localtime) the first time, at every step, for a date with no
 * zone in it.
 */
static void
civil_from_days(long long d, long long *y, int *m, int *day)
{
	long long era, doe, yoe, doy, mp;

	d += 719468;
	era = (d >= 0 ? d : d - 146096) / 146097;
	doe = d - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* t as RFC 3339 UTC (DATE_FORMAT), as a new JSON string; t is within what
 * four digits of year hold (epoch_parse, or the clock) */
static json_t *
date_string(time_t t)
{
	long long days = (long long)t / 86400, secs = (long long)t % 86400, y;
	int m, d;
	char out[96];	/* what the fields could take */

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, sizeof(out), "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ", y, m, d,
		 secs / 3600, secs / 60 % 60, secs % 60);
	return json_string(out);
}

void
config_add_history(struct image_config *c, const char *created_by,
		   const char *comment, bool empty_layer)
{
	json_t *h = json_object();

	json_object_set_new(h, "created", date_string(time(NULL)));
	json_object_set_new(h, "created_by", jstr(created_by));
	if (comment)
		json_object_set_new(h, "comment", jstr(comment));
	if (empty_layer)
		json_object_set_new(h, "empty_layer", json_true());
	json_array_append_new(array_member(c->json, "history"), h);
}

void
config_stamp_created(struct image_config *c, const time_t *epoch)
{
	json_object_set_new(c->json, "created", date_string(epoch ? *epoch : time(NULL)));
}

/* the time a date of ours spells (DATE_FORMAT), false for anything else */
static bool
parse_date(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	const char *end = s ? strptime(s, DATE_FORMAT, &tm) : NULL;

	if (!end || *end)
		return false;
	*t = timegm(&tm);
	return true;
}

void
config_clamp_history(struct image_config *c, size_t from, time_t epoch)
{
	json_t *history = json_object_get(c->json, "history");

	for (size_t i = from; i < json_array_size(history); i++) {
		json_t *h = json_array_get(history, i);
		time_t t;

		if (!json_is_object(h))
			continue;
		if (!parse_date(json_string_value(json_object_get(h, "created")), &t) ||
		    t > epoch)
			json_object_set_new(h, "created", date_string(epoch));
	}
}

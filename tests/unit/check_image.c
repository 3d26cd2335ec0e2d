#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/config.h"
#include "image/docker_out.h"
#include "image/image.h"
#include "image/image_in.h"
#include "image/image_out.h"
#include "image/local_out.h"
#include "image/manifest.h"
#include "image/oci_out.h"
#include "image/store.h"
#include "oci/digest.h"
#include "oci/platform.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

static char tmpdir[] = "/tmp/check_image.XXXXXX";
static struct store st;

static void
setup(void)
{
	autofree char *root = NULL;
	struct err *e = NULL;

	strcpy(tmpdir, "/tmp/check_image.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	root = xasprintf("%s/store", tmpdir);
	setenv("DF2NINJA_STORE", root, 1);
	unsetenv("SOURCE_DATE_EPOCH");
	ck_assert_int_eq(store_open_at(&st, root, &e), 0);
}

static void
teardown(void)
{
	char *cmd = xasprintf("chmod -R u+w '%s' && rm -rf '%s'", tmpdir, tmpdir);

	store_close(&st);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *
tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static bool
have(const char *tool)
{
	autofree char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);

	return system(cmd) == 0;
}

/* run a shell command; print it and its output as TAP comments */
static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	autofree char *cmd = NULL, *full = NULL, *log = tmp("cmd.log");
	autofree char *out = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	full = xasprintf("{ %s ; } >'%s' 2>&1", cmd, log);
	r = system(full);
	printf("# $ %s\n", cmd);
	if (fs_read_file(log, &out, NULL, NULL) == 0) {
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
			printf("#   %s\n", line);
	}
	fflush(stdout);
	return r == -1 || !WIFEXITED(r) ? -1 : WEXITSTATUS(r);
}

/* the bytes of a tar of the entries in spec, NULL-terminated:
 * "etc/" is a directory, "etc/a=text" a file holding text */
static void
make_tar(const char *const *spec, char **out, size_t *len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = 1 << 16, used = 0;
	char *buf = xmalloc(cap);

	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	ck_assert_int_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (; *spec; spec++) {
		const char *eq = strchr(*spec, '=');
		autofree char *name = eq ? xstrndup(*spec, (size_t)(eq - *spec))
					 : xstrdup(*spec);
		size_t n = eq ? strlen(eq + 1) : 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, eq ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(e, eq ? 0644 : 0755);
		archive_entry_set_uid(e, getuid());
		archive_entry_set_gid(e, getgid());
		archive_entry_set_size(e, (la_int64_t)n);
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (n)
			ck_assert_int_eq(archive_write_data(a, eq + 1, n), (la_ssize_t)n);
	}
	archive_entry_free(e);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*out = buf;
	*len = used;
}

/* data gzip-compressed, through libarchive's raw format */
static void
gzip_buf(const char *data, size_t len, char **out, size_t *out_len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = len + 4096, used = 0;
	char *buf = xmalloc(cap);

	archive_write_set_format_raw(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	archive_write_set_bytes_in_last_block(a, 1);
	ck_assert_int_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "layer");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*out = buf;
	*out_len = used;
}

/* add a layer of the entries in spec (see make_tar) to img, its gzip
 * blob in the store */
static void
add_layer(struct image *img, const char *const *spec, const char *created_by)
{
	autofree char *tar = NULL, *gz = NULL;
	char digest[DIGEST_LEN], diff_id[DIGEST_LEN];
	struct err *e = NULL;
	size_t tar_len, gz_len;

	make_tar(spec, &tar, &tar_len);
	gzip_buf(tar, tar_len, &gz, &gz_len);
	digest_buf(tar, tar_len, diff_id);
	ck_assert_int_eq(store_put_blob_buf(&st, gz, gz_len, digest, &e), 0);
	config_add_diff_id(&img->config, diff_id);
	config_add_history(&img->config, created_by, NULL, false);
	image_add_layer(img, digest, diff_id, MEDIA_OCI_LAYER_GZIP, (long long)gz_len);
}

/* a one-layer image whose layer blob is in the store */
static void
make_image(struct image *img)
{
	static const char *const cmd[] = { "/bin/sh", "-c", "cat /etc/hello.txt" };
	static const char *const spec[] = {
		"etc/", "etc/hello.txt=hello from a layer\n", NULL
	};

	image_init(img);
	config_env_set(&img->config, "PATH", "/usr/bin:/bin");
	config_set_argv(&img->config, "Cmd", cmd, 3);
	config_label_set(&img->config, "org.example.test", "yes");
	add_layer(img, spec, "COPY hello.txt /etc/");
	config_stamp_created(&img->config, NULL);
}

static void
assert_same_image(const struct image *a, const struct image *b)
{
	ck_assert_str_eq(a->config_digest, b->config_digest);
	ck_assert_uint_eq(a->n_layers, b->n_layers);
	for (size_t i = 0; i < a->n_layers; i++) {
		ck_assert_str_eq(a->layers[i].diff_id, b->layers[i].diff_id);
		ck_assert_str_eq(a->layers[i].digest, b->layers[i].digest);
		ck_assert_int_eq(a->layers[i].size, b->layers[i].size);
		ck_assert_str_eq(a->layers[i].media_type, b->layers[i].media_type);
	}
	ck_assert_str_eq(config_env_get(&a->config, "PATH"),
			 config_env_get(&b->config, "PATH"));
}

static void
write_oci(struct image *img, const char *dir, const char *tag)
{
	const char *tags[] = { tag };
	struct err *e = NULL;

	if (oci_out_write(&st, img, tags, tag ? 1 : 0, dir, &e) < 0)
		ck_abort_msg("oci_out_write: %s", e->msg);
}

/* a new store under tmpdir, for imports that must not find the blobs */
static void
fresh_store(struct store *s, const char *name)
{
	autofree char *root = tmp(name);
	struct err *e = NULL;

	ck_assert_int_eq(store_open_at(s, root, &e), 0);
}

static size_t
count_blobs(const struct store *s)
{
	autofree char *dir = xasprintf("%s/blobs/sha256", s->root);
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

START_TEST(test_config_env)
{
	struct image_config c;
	struct strv env = STRV_INIT;
	autofree char *dump = NULL;

	config_init(&c);
	ck_assert_ptr_null(config_env_get(&c, "A"));
	config_env_set(&c, "A", "1");
	config_env_set(&c, "B", "2");
	config_env_set(&c, "AB", "x");
	config_env_set(&c, "A", "3");
	config_env_list(&c, &env);
	ck_assert_uint_eq(env.n, 3);
	ck_assert_str_eq(env.v[0], "A=3");	/* replaced in place */
	ck_assert_str_eq(env.v[1], "B=2");
	ck_assert_str_eq(env.v[2], "AB=x");
	ck_assert_str_eq(config_env_get(&c, "A"), "3");
	ck_assert_str_eq(config_env_get(&c, "AB"), "x");
	config_env_set(&c, "E", "");
	ck_assert_str_eq(config_env_get(&c, "E"), "");
	/* bytes that are not UTF-8 become U+FFFD, as Docker writes them */
	config_env_set(&c, "BAD", "a\xff");
	ck_assert_str_eq(config_env_get(&c, "BAD"), "a\xef\xbf\xbd");
	strv_fini(&env);

	config_label_set(&c, "b", "2");
	config_label_set(&c, "a", "1");
	config_label_set(&c, "b", "3");
	ck_assert_str_eq(config_label_get(&c, "b"), "3");
	config_add_port(&c, "80");
	config_add_port(&c, "53/udp");
	config_add_volume(&c, "/data");
	config_set_str(&c, "WorkingDir", "/app");
	config_set_str(&c, "User", "nobody");
	ck_assert_str_eq(config_get_str(&c, "WorkingDir"), "/app");
	config_set_str(&c, "User", NULL);
	ck_assert_ptr_null(config_get_str(&c, "User"));
	dump = config_dump(&c, NULL);
	ck_assert_ptr_nonnull(strstr(dump, "\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}}"));
	ck_assert_ptr_nonnull(strstr(dump, "\"Labels\":{\"a\":\"1\",\"b\":\"3\"}"));
	ck_assert_ptr_nonnull(strstr(dump, "\"Volumes\":{\"/data\":{}}"));
	ck_assert_ptr_null(strstr(dump, "created"));
	ck_assert_ptr_null(strchr(dump, '\n'));
	config_fini(&c);
}
END_TEST

START_TEST(test_config_created)
{
	struct image_config c, d;
	struct err *e = NULL;
	autofree char *a = NULL, *b = NULL;
	const time_t epoch = 1700000000;
	struct tm tm = { 0 };
	time_t before;
	json_t *base;

	config_init(&c);
	config_add_diff_id(&c, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
	ck_assert_ptr_null(json_object_get(c.json, "created"));
	/* no epoch: now */
	before = time(NULL);
	config_stamp_created(&c, NULL);
	ck_assert(strptime(json_string_value(json_object_get(c.json, "created")),
			   "%Y-%m-%dT%H:%M:%SZ", &tm));
	ck_assert_int_ge((long long)timegm(&tm), (long long)before);
	ck_assert_int_le((long long)timegm(&tm), (long long)time(NULL));
	config_stamp_created(&c, &epoch);
	ck_assert_str_eq(json_string_value(json_object_get(c.json, "created")),
			 "2023-11-14T22:13:20Z");
	/* every field two digits (the year four), as strftime's %Y-%m-%d etc */
	config_stamp_created(&c, &(const time_t){ 5 });
	ck_assert_str_eq(json_string_value(json_object_get(c.json, "created")),
			 "1970-01-01T00:00:05Z");
	config_stamp_created(&c, &(const time_t){ 253402300799 });
	ck_assert_str_eq(json_string_value(json_object_get(c.json, "created")),
			 "9999-12-31T23:59:59Z");
	/* the date gmtime_r and strftime make, leap days and centuries too */
	for (long long t = -86401; t < 253402300800LL; t += 7777777 + t % 86399) {
		static const long long days[] = { 11016, 11017, 11018, 47540, 47541, 47542 };
		char want[32];

		for (size_t i = 0; i <= countof(days); i++) {
			time_t u = i < countof(days) ? days[i] * 86400 + t % 86400 : t;

			ck_assert_ptr_nonnull(gmtime_r(&u, &tm));
			strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
			config_stamp_created(&c, &u);
			ck_assert_str_eq(json_string_value(json_object_get(c.json, "created")), want);
		}
	}
	config_stamp_created(&c, &epoch);
	/* a base image's entry, then one of ours (now), then one with a date
	 * that is none of ours: the clamp leaves the first and sets the others */
	base = json_pack("{s:s,s:s}", "created", "2024-01-01T00:00:00.123456789Z",
			 "created_by", "base");
	json_object_set_new(c.json, "history", json_pack("[o]", base));
	config_add_history(&c, "RUN true", "c", true);
	config_add_history(&c, "RUN early", "c", true);
	json_object_set_new(json_array_get(json_object_get(c.json, "history"), 2), "created",
			    json_string("2000-01-01T00:00:00Z"));
	config_add_history(&c, "RUN odd", "c", true);
	json_object_set_new(json_array_get(json_object_get(c.json, "history"), 3), "created",
			    json_string("soon"));
	config_clamp_history(&c, 1, epoch);
	a = config_dump(&c, NULL);
	ck_assert_ptr_nonnull(strstr(a, "\"created\":\"2024-01-01T00:00:00.123456789Z\""));
	ck_assert_ptr_nonnull(strstr(a, "{\"comment\":\"c\",\"created\":\"2023-11-14T22:13:20Z\","
				     "\"created_by\":\"RUN true\",\"empty_layer\":true}"));
	/* earlier than the epoch: kept */
	ck_assert_ptr_nonnull(strstr(a, "\"created\":\"2000-01-01T00:00:00Z\",\"created_by\":\"RUN early\""));
	ck_assert_ptr_nonnull(strstr(a, "\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"RUN odd\""));
	/* parse and dump again: the same bytes */
	ck_assert_int_eq(config_parse(&d, a, strlen(a), &e), 0);
	b = config_dump(&d, NULL);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(config_n_diff_ids(&d), 1);
	config_fini(&d);
	ck_assert_int_eq(config_parse(&d, "[1]", 3, &e), -1);
	err_free(e);
	e = NULL;
	{
		static const char bad[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"x\"]}}";

		ck_assert_int_eq(config_parse(&d, bad, strlen(bad), &e), -1);
	}
	ck_assert_ptr_nonnull(strstr(e->msg, "diff_ids"));
	err_free(e);
	unsetenv("SOURCE_DATE_EPOCH");
	config_fini(&c);
	config_fini(&d);
}
END_TEST

START_TEST(test_config_legacy)
{
	/* what `docker commit` and the legacy builder leave in a config */
	static const char legacy[] =
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"author\":\"a\","
		"\"container\":\"0123\",\"docker_version\":\"20.10.24\",\"comment\":\"c\","
		"\"container_config\":{\"Hostname\":\"0123\"},"
		"\"config\":{\"Env\":[\"A=1\"],\"Image\":\"sha256:00\",\"Hostname\":\"0123\","
		"\"Tty\":false,\"User\":\"u\"},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}";
	struct image_config c;
	struct err *e = NULL;
	autofree char *a = NULL;

	ck_assert_int_eq(config_parse(&c, legacy, strlen(legacy), &e), 0);
	config_drop_legacy(&c);
	config_set_bool(&c, "ArgsEscaped", true);
	a = config_dump(&c, NULL);
	ck_assert_str_eq(a, "{\"architecture\":\"amd64\",\"author\":\"a\","
			 "\"config\":{\"ArgsEscaped\":true,\"Env\":[\"A=1\"],\"User\":\"u\"},"
			 "\"history\":[],\"os\":\"linux\","
			 "\"rootfs\":{\"diff_ids\":[],\"type\":\"layers\"}}");
	config_fini(&c);

	/* what Go's omitempty leaves out goes, in config and at the top */
	static const char empties[] =
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"author\":\"\","
		"\"variant\":\"\",\"config\":{\"User\":\"\",\"Env\":[],"
		"\"Entrypoint\":null,\"Cmd\":[\"sh\"],\"Volumes\":{},\"WorkingDir\":\"\","
		"\"ArgsEscaped\":false,\"OnBuild\":null,\"Labels\":{\"k\":\"\"}},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}";

	free(a);
	ck_assert_int_eq(config_parse(&c, empties, strlen(empties), &e), 0);
	config_drop_legacy(&c);
	a = config_dump(&c, NULL);
	ck_assert_str_eq(a, "{\"architecture\":\"amd64\","
			 "\"config\":{\"Cmd\":[\"sh\"],\"Labels\":{\"k\":\"\"}},"
			 "\"history\":[],\"os\":\"linux\","
			 "\"rootfs\":{\"diff_ids\":[],\"type\":\"layers\"}}");
	config_fini(&c);
}
END_TEST

START_TEST(test_oci_roundtrip)
{
	autofree char *dir = tmp("oci"), *ref = NULL, *index = NULL;
	struct image img, back, back2;
	struct store st2;
	struct err *e = NULL;
	size_t len;

	make_image(&img);
	write_oci(&img, dir, "myimg:1.0");
	ck_assert(digest_valid(img.config_digest));
	ck_assert(digest_valid(img.manifest_digest));

	/* index.json: the tag as ref.name, the full name for containerd */
	{
		autofree char *p = xasprintf("%s/index.json", dir);

		ck_assert_int_eq(fs_read_file(p, &index, &len, &e), 0);
		ck_assert_ptr_nonnull(strstr(index, "\"org.opencontainers.image.ref.name\":\"1.0\""));
		ck_assert_ptr_nonnull(strstr(index, "\"io.containerd.image.name\":\"docker.io/library/myimg:1.0\""));
	}

	fresh_store(&st2, "store2");
	ref = xasprintf("oci-layout://%s:1.0", dir);
	/* described only: the same config, and nothing in the store */
	if (image_in_describe(NULL, ref, &back, &e) < 0)
		ck_abort_msg("describe: %s", e->msg);
	ck_assert_str_eq(back.config_digest, img.config_digest);
	ck_assert_str_eq(back.manifest_digest, img.manifest_digest);
	ck_assert(!store_has_blob(&st2, back.config_digest));
	ck_assert(!store_has_blob(&st2, back.layers[0].digest));
	image_fini(&back);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	assert_same_image(&img, &back);
	ck_assert_str_eq(img.manifest_digest, back.manifest_digest);
	ck_assert(store_has_blob(&st2, back.layers[0].digest));
	ck_assert(store_has_blob(&st2, back.config_digest));
	free(ref);

	/* the full name works too, as BuildKit's oci-layout:// lookup */
	ref = xasprintf("oci-layout://%s:myimg:1.0", dir);
	ck_assert_int_eq(image_in_load(&st2, ref, &back2, &e), 0);
	ck_assert_str_eq(back2.manifest_digest, img.manifest_digest);
	image_fini(&back2);
	free(ref);

	/* the only image of the layout needs no tag; a digest works too */
	ref = xasprintf("oci-layout://%s", dir);
	ck_assert_int_eq(image_in_load(&st2, ref, &back2, &e), 0);
	ck_assert_str_eq(back2.config_digest, img.config_digest);
	image_fini(&back2);
	free(ref);
	ref = xasprintf("oci-layout://%s@%s", dir, img.manifest_digest);
	ck_assert_int_eq(image_in_load(&st2, ref, &back2, &e), 0);
	ck_assert_str_eq(back2.config_digest, img.config_digest);
	image_fini(&back2);

	if (have("skopeo")) {
		ck_assert_int_eq(run("skopeo inspect oci:%s:1.0", dir), 0);
		ck_assert_int_eq(run("skopeo inspect --raw oci:%s:1.0", dir), 0);
	} else {
		printf("# skopeo not found: skipped\n");
	}
	if (have("umoci")) {
		ck_assert_int_eq(run("umoci ls --layout %s | grep -qx 1.0", dir), 0);
		ck_assert_int_eq(run("umoci stat --image %s:1.0 >/dev/null", dir), 0);
	} else {
		printf("# umoci not found: skipped\n");
	}
	image_fini(&back);
	image_fini(&img);
	store_close(&st2);
}
END_TEST

static json_t *
desc(const char *media_type, const char *digest, long long size,
     const char *arch, const char *variant)
{
	json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", media_type,
			      "digest", digest, "size", (json_int_t)size);

	if (arch)
		json_object_set_new(d, "platform", json_pack("{s:s, s:s}", "os",
							     "linux", "architecture", arch));
	if (arch && variant)
		json_object_set_new(json_object_get(d, "platform"), "variant",
				    json_string(variant));
	return d;
}

/* put j into the layout dir as a blob; its digest to digest */
static long long
put_layout_blob(const char *dir, json_t *j, char *digest)
{
	autofree char *s = json_dumps(j, JSON_COMPACT), *path = NULL;
	struct err *e = NULL;

	digest_buf(s, strlen(s), digest);
	path = xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
	ck_assert_int_eq(fs_write_if_changed(path, s, strlen(s), NULL, &e), 0);
	return (long long)strlen(s);
}

/* an index in the layout that leads through a multi-platform index */
START_TEST(test_oci_nested_index)
{
	autofree char *dir = tmp("oci"), *ref = NULL, *mpath = NULL, *ipath = NULL;
	struct platform host;
	const char *other;
	char list_digest[DIGEST_LEN], lonely_digest[DIGEST_LEN];
	long long list_size, lonely_size;
	struct image img, back;
	struct store st2;
	struct err *e = NULL;
	struct stat sb;
	json_t *list, *lonely, *index;

	platform_host(&host);
	other = strcmp(host.arch, "s390x") == 0 ? "riscv64" : "s390x";
	make_image(&img);
	write_oci(&img, dir, "myimg:1.0");
	mpath = xasprintf("%s/blobs/sha256/%s", dir, img.manifest_digest + 7);
	ck_assert_int_eq(stat(mpath, &sb), 0);

	list = json_pack("{s:i, s:s, s:[o, o]}", "schemaVersion", 2, "mediaType",
			 MEDIA_OCI_INDEX, "manifests",
			 desc(MEDIA_OCI_MANIFEST, "sha256:1111111111111111111111111111111111111111111111111111111111111111",
			      10, other, NULL),
			 desc(MEDIA_OCI_MANIFEST, img.manifest_digest, sb.st_size,
			      host.arch, host.variant[0] ? host.variant : NULL));
	list_size = put_layout_blob(dir, list, list_digest);
	lonely = json_pack("{s:i, s:s, s:[o]}", "schemaVersion", 2, "mediaType",
			   MEDIA_OCI_INDEX, "manifests",
			   desc(MEDIA_OCI_MANIFEST, img.manifest_digest, sb.st_size,
				other, NULL));
	lonely_size = put_layout_blob(dir, lonely, lonely_digest);
	index = json_pack("{s:i, s:[o, o]}", "schemaVersion", 2, "manifests",
			  desc(MEDIA_OCI_INDEX, list_digest, list_size, NULL, NULL),
			  desc(MEDIA_OCI_INDEX, lonely_digest, lonely_size, NULL, NULL));
	json_object_set_new(json_array_get(json_object_get(index, "manifests"), 0),
			    "annotations", json_pack("{s:s}", ANNOT_REF_NAME, "multi"));
	json_object_set_new(json_array_get(json_object_get(index, "manifests"), 1),
			    "annotations", json_pack("{s:s}", ANNOT_REF_NAME, "foreign"));
	ipath = xasprintf("%s/index.json", dir);
	ck_assert_int_eq(json_dump_file(index, ipath, JSON_COMPACT), 0);

	fresh_store(&st2, "store2");
	ref = xasprintf("oci-layout://%s:multi", dir);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	ck_assert_str_eq(back.manifest_digest, img.manifest_digest);
	assert_same_image(&img, &back);
	image_fini(&back);
	free(ref);
	ref = xasprintf("oci-layout://%s:foreign", dir);
	ck_assert_int_eq(image_in_load(&st2, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, other));
	ck_assert_ptr_nonnull(strstr(e->msg, host.arch));
	err_free(e);
	json_decref(list);
	json_decref(lonely);
	json_decref(index);
	image_fini(&img);
	store_close(&st2);
}
END_TEST

START_TEST(test_oci_deterministic)
{
	autofree char *d1 = tmp("a/oci"), *d2 = tmp("b/oci");
	autofree char *i1 = NULL, *i2 = NULL, *i3 = NULL;
	autofree char *p1 = xasprintf("%s/index.json", d1);
	autofree char *p2 = xasprintf("%s/index.json", d2);
	char m1[DIGEST_LEN];
	struct image img, img2;
	struct err *e = NULL;

	make_image(&img);
	write_oci(&img, d1, "myimg:1.0");
	memcpy(m1, img.manifest_digest, DIGEST_LEN);
	make_image(&img2);
	write_oci(&img2, d2, "myimg:1.0");
	ck_assert_str_eq(m1, img2.manifest_digest);
	ck_assert_int_eq(fs_read_file(p1, &i1, NULL, &e), 0);
	ck_assert_int_eq(fs_read_file(p2, &i2, NULL, &e), 0);
	ck_assert_str_eq(i1, i2);
	/* into the existing layout again: the entry is replaced, not added */
	write_oci(&img2, d1, "myimg:1.0");
	ck_assert_int_eq(fs_read_file(p1, &i3, NULL, &e), 0);
	ck_assert_str_eq(i1, i3);
	/* a second tag adds an entry and keeps the first */
	write_oci(&img2, d1, "other:2");
	free(i3);
	ck_assert_int_eq(fs_read_file(p1, &i3, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(i3, "\"1.0\""));
	ck_assert_ptr_nonnull(strstr(i3, "\"2\""));
	if (have("skopeo"))
		ck_assert_int_eq(run("skopeo inspect oci:%s:2 >/dev/null", d1), 0);
	/* untagged: the layout's tag "latest" alone, no image name, and it
	 * takes "latest" from every earlier entry */
	write_oci(&img2, d1, "myimg:latest");
	write_oci(&img2, d1, NULL);
	free(i3);
	ck_assert_int_eq(fs_read_file(p1, &i3, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(i3, "\"1.0\""));
	ck_assert_ptr_null(strstr(i3, "docker.io/library/myimg:latest"));
	ck_assert_ptr_null(strstr(i3, "docker.io/library/latest"));
	ck_assert_ptr_nonnull(strstr(i3, "{\"org.opencontainers.image.ref.name\":\"latest\"}"));
	image_fini(&img);
	image_fini(&img2);
}
END_TEST

START_TEST(test_docker_roundtrip)
{
	autofree char *tar = tmp("img.tar"), *tar2 = tmp("img2.tar");
	autofree char *ref = NULL, *copy = tmp("copy");
	const char *tags[] = { "myimg:1.0", "registry.example:5000/team/app" };
	struct image img, back;
	struct store st2;
	struct err *e = NULL;

	make_image(&img);
	if (docker_out_write(&st, &img, tags, 2, tar, &e) < 0)
		ck_abort_msg("docker_out_write: %s", e->msg);
	ck_assert_int_eq(docker_out_write(&st, &img, tags, 2, tar2, &e), 0);
	ck_assert_int_eq(run("cmp %s %s", tar, tar2), 0);
	ck_assert_int_eq(run("tar tvf %s", tar), 0);

	fresh_store(&st2, "store2");
	ref = xasprintf("docker-archive://%s:myimg:1.0", tar);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	assert_same_image(&img, &back);
	image_fini(&back);
	free(ref);
	ref = xasprintf("docker-archive://%s:registry.example:5000/team/app:latest", tar);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	assert_same_image(&img, &back);
	image_fini(&back);
	/* `docker save | gzip` is accepted by docker load, and here */
	ck_assert_int_eq(run("gzip -c %s > %s.gz", tar, tar), 0);
	free(ref);
	ref = xasprintf("docker-archive://%s.gz:docker.io/library/myimg:1.0", tar);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	assert_same_image(&img, &back);
	image_fini(&back);

	if (have("skopeo")) {
		ck_assert_int_eq(run("skopeo inspect docker-archive:%s:myimg:1.0", tar), 0);
		ck_assert_int_eq(run("skopeo copy -q docker-archive:%s:myimg:1.0 oci:%s:copied",
				     tar, copy), 0);
		free(ref);
		ref = xasprintf("oci-layout://%s:copied", copy);
		if (image_in_load(&st2, ref, &back, &e) < 0)
			ck_abort_msg("import of skopeo's copy: %s", e->msg);
		ck_assert_str_eq(back.layers[0].diff_id, img.layers[0].diff_id);
		image_fini(&back);
	}
	image_fini(&img);
	store_close(&st2);
}
END_TEST

/* a docker-archive written by skopeo: uncompressed layers, <hex>.json */
START_TEST(test_docker_archive_from_skopeo)
{
	autofree char *dir = tmp("oci"), *tar = tmp("skopeo.tar"), *ref = NULL;
	struct image img, back;
	struct store st2;
	struct err *e = NULL;

	if (!have("skopeo")) {
		printf("# skopeo not found: skipped\n");
		return;
	}
	make_image(&img);
	write_oci(&img, dir, "myimg:1.0");
	ck_assert_int_eq(run("skopeo copy -q oci:%s:1.0 docker-archive:%s:myimg:1.0",
			     dir, tar), 0);
	fresh_store(&st2, "store2");
	ref = xasprintf("docker-archive://%s", tar);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	ck_assert_uint_eq(back.n_layers, 1);
	ck_assert_str_eq(back.layers[0].diff_id, img.layers[0].diff_id);
	ck_assert_str_eq(back.layers[0].media_type, MEDIA_OCI_LAYER);
	ck_assert_str_eq(back.layers[0].digest, img.layers[0].diff_id);
	image_fini(&back);

	/* the layer named by skopeo's legacy symlink <id>/layer.tar, as
	 * docker save before Docker 25 names shared layers */
	ck_assert_int_eq(run("set -e; cd %s; mkdir x; cd x; tar xf ../skopeo.tar;"
			     " l=$(ls */layer.tar);"
			     " sed -i \"s|\\\"Layers\\\":\\[\\\"[^\\\"]*\\\"|\\\"Layers\\\":[\\\"$l\\\"|\" manifest.json;"
			     " cat manifest.json; tar cf ../legacy.tar *", tmpdir), 0);
	free(ref);
	ref = xasprintf("docker-archive://%s/legacy.tar:myimg:1.0", tmpdir);
	if (image_in_load(&st2, ref, &back, &e) < 0)
		ck_abort_msg("import: %s", e->msg);
	ck_assert_str_eq(back.layers[0].diff_id, img.layers[0].diff_id);
	image_fini(&back);
	image_fini(&img);
	store_close(&st2);
}
END_TEST

START_TEST(test_tampered_blob)
{
	autofree char *dir = tmp("oci"), *bad = tmp("bad"), *ref = NULL, *blob = NULL;
	struct image img, back;
	struct store st2;
	struct err *e = NULL;
	FILE *f;

	make_image(&img);
	write_oci(&img, dir, "myimg:1.0");
	/* a copy, so the store's blob (hard-linked into dir) stays intact */
	ck_assert_int_eq(run("cp -r %s %s", dir, bad), 0);
	blob = xasprintf("%s/blobs/sha256/%s", bad, img.layers[0].digest + 7);
	ck_assert_int_eq(unlink(blob), 0);
	f = fopen(blob, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%0*d", (int)img.layers[0].size, 0);	/* same size */
	fclose(f);

	fresh_store(&st2, "store2");
	ref = xasprintf("oci-layout://%s:1.0", bad);
	ck_assert_int_eq(image_in_load(&st2, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "digest mismatch"));
	ck_assert_ptr_nonnull(strstr(e->msg, img.layers[0].digest));
	ck_assert_ptr_nonnull(strstr(e->msg, bad));
	ck_assert_uint_eq(count_blobs(&st2), 0);
	err_free(e);
	e = NULL;
	/* the good layout still imports */
	free(ref);
	ref = xasprintf("oci-layout://%s:1.0", dir);
	ck_assert_int_eq(image_in_load(&st2, ref, &back, &e), 0);
	ck_assert_uint_eq(count_blobs(&st2), 3);
	image_fini(&back);
	image_fini(&img);
	store_close(&st2);
}
END_TEST


START_TEST(test_local)
{
	static const char *const second[] = {
		"etc/", "etc/.wh.hello.txt", "etc/world.txt=world\n", NULL
	};
	autofree char *dir = tmp("out/rootfs"), *hello = NULL, *world = NULL;
	autofree char *data = NULL;
	struct image img;
	struct err *e = NULL;

	make_image(&img);
	if (local_out_write(&st, &img, dir, false, &e) < 0)
		ck_abort_msg("local_out_write: %s", e->msg);
	hello = xasprintf("%s/etc/hello.txt", dir);
	world = xasprintf("%s/etc/world.txt", dir);
	ck_assert_int_eq(fs_read_file(hello, &data, NULL, &e), 0);
	ck_assert_str_eq(data, "hello from a layer\n");

	/* a second layer deletes hello.txt and adds world.txt */
	add_layer(&img, second, "RUN rm /etc/hello.txt && echo world > /etc/world.txt");
	ck_assert_int_eq(local_out_write(&st, &img, dir, false, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "not empty"));
	err_free(e);
	e = NULL;
	if (image_out_write(&st, &img, IMAGE_OUT_LOCAL, NULL, 0, dir,
			    IMAGE_OUT_REPLACE, &e) < 0)
		ck_abort_msg("image_out_write: %s", e->msg);
	ck_assert_int_eq(access(hello, F_OK), -1);
	ck_assert_int_eq(access(world, F_OK), 0);
	ck_assert_int_eq(run("ls -la %s/etc; ls -a %s/..", dir, dir), 0);
	image_fini(&img);
}
END_TEST

START_TEST(test_missing)
{
	autofree char *dir = tmp("oci"), *tar = tmp("img.tar"), *ref = NULL;
	const char *tags[] = { "myimg:1.0" };
	struct image img, back;
	struct err *e = NULL;

	make_image(&img);
	write_oci(&img, dir, "myimg:1.0");
	ck_assert_int_eq(docker_out_write(&st, &img, tags, 1, tar, &e), 0);

	ref = xasprintf("oci-layout://%s:nope", dir);
	ck_assert_int_eq(image_in_load(&st, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "'nope'"));
	ck_assert_ptr_nonnull(strstr(e->msg, dir));
	ck_assert_ptr_nonnull(strstr(e->msg, "1.0"));	/* the tags it has */
	err_free(e);
	e = NULL;
	free(ref);

	ref = xasprintf("docker-archive://%s:other:1.0", tar);
	ck_assert_int_eq(image_in_load(&st, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "'other:1.0'"));
	ck_assert_ptr_nonnull(strstr(e->msg, tar));
	err_free(e);
	e = NULL;
	free(ref);

	ref = xasprintf("oci-layout://%s/none:1.0", tmpdir);
	ck_assert_int_eq(image_in_load(&st, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "none"));
	ck_assert_ptr_nonnull(strstr(e->msg, "No such file"));
	err_free(e);
	e = NULL;
	free(ref);

	ref = xasprintf("docker-archive://%s/none.tar", tmpdir);
	ck_assert_int_eq(image_in_load(&st, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "none.tar"));
	err_free(e);
	e = NULL;
	free(ref);

	/* a docker-archive is not a layout and vice versa */
	ref = xasprintf("oci-layout://%s", tar);
	ck_assert_int_eq(image_in_load(&st, ref, &back, &e), -1);
	printf("# %s\n", e->msg);
	err_free(e);
	e = NULL;
	image_fini(&img);
}
END_TEST

static Suite *
image_suite(void)
{
	Suite *s = suite_create("image");
	struct {
		const char *name;
		const TTest *fn;
	} cases[] = {
		{ "config_env", test_config_env },
		{ "config_created", test_config_created },
		{ "config_legacy", test_config_legacy },
		{ "oci_roundtrip", test_oci_roundtrip },
		{ "oci_nested_index", test_oci_nested_index },
		{ "oci_deterministic", test_oci_deterministic },
		{ "docker_roundtrip", test_docker_roundtrip },
		{ "docker_archive_from_skopeo", test_docker_archive_from_skopeo },
		{ "tampered_blob", test_tampered_blob },
		{ "local", test_local },
		{ "missing", test_missing },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, cases[i].fn);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	return unit_run(image_suite());
}

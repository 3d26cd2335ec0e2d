#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/cachecfg.h"
#include "exec/cachekey.h"
#include "exec/state.h"
#include "exec/stepplan.h"
#include "util/err.h"
#include "unit.h"

/* --cache-from / --cache-to values: accepted, or refused with a reason */
static const struct {
	bool is_to;
	const char *spec;
	const char *err;	/* NULL: accepted */
} specs[] = {
	{ false, "type=registry,ref=127.0.0.1:5000/c", NULL },
	{ true, "type=registry,ref=127.0.0.1:5000/c:t,mode=max", NULL },
	{ false, "127.0.0.1:5000/c", NULL },
	{ true, "type=local,dest=/tmp/lc", NULL },
	{ false, "type=local,src=/tmp/lc", NULL },
	{ false, "type=gha", "cache type 'gha' is not supported" },
	{ true, "type=s3,bucket=b", "'bucket=b' is not supported" },
	{ true, "type=registry", "names no ref" },
	{ true, "type=local", "names no dest" },
	{ false, "type=local,dest=/x", "'dest=/x' is not supported" },
	{ false, "type=registry,ref=127.0.0.1:5000/c,mode=max", "'mode=max' is not supported" },
	{ true, "type=registry,ref=Bad Ref", "--cache-to" },
	{ true, "type=registry,ref=h:5000/c@sha256:" \
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "not a digest" },
};

START_TEST(test_specs)
{
	struct cachecfg c = { 0 };
	struct err *e = NULL;
	int r = cachecfg_add(&c, specs[_i].is_to, specs[_i].spec, &e);

	if (!specs[_i].err) {
		ck_assert_msg(r == 0, "%s: %s", specs[_i].spec, e ? e->msg : "");
		ck_assert(specs[_i].is_to ? cachecfg_has_to(&c) : cachecfg_has_from(&c));
	} else {
		ck_assert_int_lt(r, 0);
		ck_assert_msg(strstr(e->msg, specs[_i].err), "%s: '%s'", specs[_i].spec, e->msg);
		err_free(e);
	}
	cachecfg_fini(&c);
}
END_TEST

START_TEST(test_conf_round_trip)
{
	char dir[] = "/tmp/check_stepcache.XXXXXX";
	struct cachecfg c = { 0 }, back;
	struct err *e = NULL;
	char *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(cachecfg_add(&c, false, "type=registry,ref=h:1/a", &e), 0);
	ck_assert_int_eq(cachecfg_add(&c, false, "h:1/b", &e), 0);
	ck_assert_int_eq(cachecfg_add(&c, true, "type=local,dest=/d", &e), 0);
	ck_assert_int_eq(cachecfg_write(&c, dir, &e), 0);
	ck_assert_int_eq(cachecfg_load(&back, dir, &e), 0);
	ck_assert_int_eq((int)back.from_registry.n, 2);
	ck_assert_str_eq(back.from_registry.v[1], "h:1/b");
	ck_assert_int_eq((int)back.to_local.n, 1);
	ck_assert_str_eq(back.to_local.v[0], "/d");
	ck_assert_int_eq((int)back.to_registry.n + (int)back.from_local.n, 0);
	cachecfg_fini(&back);
	cachecfg_fini(&c);
	/* no option: no file, and an empty config */
	ck_assert_int_eq(cachecfg_write(&c, dir, &e), 0);
	path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/cache.conf", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(cachecfg_load(&back, dir, &e), 0);
	ck_assert(!cachecfg_has_from(&back) && !cachecfg_has_to(&back));
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_absolute)
{
	char *cwd = getcwd(NULL, 0), *want = malloc(strlen(cwd) + 64), *got;

	sprintf(want, "type=local,dest=%s/lc,mode=max", cwd);
	got = cachecfg_absolute("type=local,dest=lc,mode=max");
	ck_assert_str_eq(got, want);
	free(got);
	got = cachecfg_absolute("type=local,src=/abs");
	ck_assert_str_eq(got, "type=local,src=/abs");
	free(got);
	got = cachecfg_absolute("type=registry,ref=h/dest=x");
	ck_assert_str_eq(got, "type=registry,ref=h/dest=x");
	free(got);
	free(want);
	free(cwd);
}
END_TEST

#define SUM_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SUM_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIFF "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* a state whose one step layer, sum, is in dir */
static void
state_with(struct state *s, const char *sum, const char *dir, const char *history)
{
	state_init(s);
	state_add_layer(s, DIFF, DIFF, "application/vnd.oci.image.layer.v1.tar+gzip", 10);
	state_add_step_layer(s, sum, dir);
	json_object_set_new(s->config.json, "history", json_pack("[{ss}]", "created_by", history));
}

START_TEST(test_portable_id)
{
	struct state a, b, c, d;
	char ia[DIGEST_LEN], ib[DIGEST_LEN], ic[DIGEST_LEN], id[DIGEST_LEN];

	state_with(&a, SUM_A, ".df2ninja/layers/s/02.x", "RUN a");
	state_with(&b, SUM_A, "/elsewhere/build/layers/s/02.y", "RUN  a");
	state_with(&c, SUM_B, ".df2ninja/layers/s/02.x", "RUN a");
	/* what another machine took from the cache: a base layer with the sum */
	state_init(&d);
	state_add_layer(&d, DIFF, DIFF, "application/vnd.oci.image.layer.v1.tar+gzip", 10);
	state_add_layer(&d, DIFF, DIFF, "application/vnd.oci.image.layer.v1.tar+gzip", 20);
	strcpy(d.layers[1].sum, SUM_A);
	state_portable_id(&a, ia);
	state_portable_id(&b, ib);
	state_portable_id(&c, ic);
	state_portable_id(&d, id);
	ck_assert_str_eq(ia, ib);
	ck_assert_str_ne(ia, ic);
	ck_assert_str_eq(ia, id);
	vars_set(&b.env, "X", "1");
	state_portable_id(&b, ib);
	ck_assert_str_ne(ia, ib);
	state_fini(&a);
	state_fini(&b);
	state_fini(&c);
	state_fini(&d);
}
END_TEST

/* a RUN's plan as the executor holds it */
static void
run_plan(struct stepplan *p, const char *json)
{
	json_error_t jerr;

	memset(p, 0, sizeof(*p));
	p->sp.kind = PLAN_RUN;
	p->j = json_loads(json, 0, &jerr);
	ck_assert_ptr_nonnull(p->j);
}

START_TEST(test_key)
{
	struct stepplan p1, p2, p3;
	struct state s;
	struct plan_mount bind = { 0 };
	char k1[DIGEST_LEN], k2[DIGEST_LEN], k3[DIGEST_LEN];

	state_with(&s, SUM_A, ".df2ninja/layers/s/02.x", "RUN a");
	run_plan(&p1, "{\"kind\":\"run\",\"cmd\":[\"make\"],\"stage\":\"a\",\"step\":2,\"parent\":\"a/01\"}");
	run_plan(&p2, "{\"kind\":\"run\",\"cmd\":[\"make\"],\"stage\":\"b\",\"step\":5,\"parent\":\"b/04\","
		 "\"proxy\":[[\"HTTP_PROXY\",\"http://p\"]]}");
	run_plan(&p3, "{\"kind\":\"run\",\"cmd\":[\"make all\"],\"stage\":\"a\",\"step\":2,\"parent\":\"a/01\"}");
	ck_assert(cachekey_step(&p1, &s, NULL, k1));
	ck_assert(cachekey_step(&p2, &s, NULL, k2));
	ck_assert(cachekey_step(&p3, &s, NULL, k3));
	ck_assert_str_eq(k1, k2);
	ck_assert_str_ne(k1, k3);
	/* another start state, another key */
	strcpy(s.layers[1].sum, SUM_B);
	ck_assert(cachekey_step(&p1, &s, NULL, k2));
	ck_assert_str_ne(k1, k2);
	/* a bind mount reads what the key does not cover: no key */
	bind.type = PLAN_MOUNT_BIND;
	p1.sp.run.mounts = &bind;
	p1.sp.run.nmounts = 1;
	ck_assert(!cachekey_step(&p1, &s, NULL, k1));
	/* a bind of the context: keyed on what it reads, not on where
	 * the context is */
	bind.has_from = false;
	p3.sp.run.mounts = &bind;
	p3.sp.run.nmounts = 1;
	p3.sp.run.context = ".";
	ck_assert(!cachekey_step(&p3, &s, NULL, k3));
	ck_assert(cachekey_step(&p3, &s, SUM_A, k1));
	json_object_set_new(p3.j, "context", json_string("../elsewhere"));
	ck_assert(cachekey_step(&p3, &s, SUM_A, k2));
	ck_assert_str_eq(k1, k2);
	ck_assert(cachekey_step(&p3, &s, SUM_B, k2));
	ck_assert_str_ne(k1, k2);
	/* but not of a stage */
	bind.has_from = true;
	ck_assert(!cachekey_step(&p3, &s, SUM_A, k3));
	/* nor for a COPY */
	p3.sp.kind = PLAN_COPY;
	ck_assert(!cachekey_step(&p3, &s, NULL, k3));
	json_decref(p1.j);
	json_decref(p2.j);
	json_decref(p3.j);
	state_fini(&s);
}
END_TEST

static Suite *
stepcache_suite(void)
{
	Suite *s = suite_create("stepcache");

	UNIT_TCASE_TABLE(s, "cache option values", test_specs, specs);
	UNIT_TCASE(s, "cache.conf round trip", test_conf_round_trip);
	UNIT_TCASE(s, "local dirs made absolute", test_absolute);
	UNIT_TCASE(s, "portable state identity", test_portable_id);
	UNIT_TCASE(s, "step keys", test_key);
	return s;
}

int
main(void)
{
	return unit_run(stepcache_suite());
}

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli/genargs.h"
#include "util/err.h"
#include "unit.h"

/* parse the words of argv (NULL-terminated, without argv[0]) into a */
static int
parse(struct genargs *a, const char *const *words, struct err **e)
{
	char *argv[32] = { "df2ninja" };
	int argc = 1;

	while (*words)
		argv[argc++] = (char *)*words++;
	genargs_init(a);
	return genargs_parse(a, argc, argv, e);
}

/* an option and what it becomes */
static const struct {
	const char *args[4];
	const char *host;	/* add_hosts[0], or NULL */
	int pull;		/* -1: not looked at */
	const char *network;
	const char *progress;
	int quiet;
} good[] = {
	{ { "--add-host", "Web.Local:10.1.2.3" }, "web.local=10.1.2.3", -1, NULL, NULL, 0 },
	{ { "--add-host", "six=[::1]" }, "six=::1", -1, NULL, NULL, 0 },
	{ { "--add-host=v6:0:0::1" }, "v6=::1", -1, NULL, NULL, 0 },
	{ { "--pull" }, NULL, 1, NULL, NULL, 0 },
	{ { "--pull=false" }, NULL, 0, NULL, NULL, 0 },
	{ { "--pull=True" }, NULL, 1, NULL, NULL, 0 },
	{ { "--network", "default" }, NULL, -1, NULL, NULL, 0 },
	{ { "--network=host" }, NULL, -1, NULL, NULL, 0 },
	{ { "--network=none" }, NULL, -1, "none", NULL, 0 },
	{ { "--progress", "tty" }, NULL, -1, NULL, "auto", 0 },
	{ { "--progress=plain" }, NULL, -1, NULL, "plain", 0 },
	{ { "--progress=quiet" }, NULL, -1, NULL, "quiet", 1 },
	{ { "-q" }, NULL, -1, NULL, "quiet", 1 },
	{ { "--quiet" }, NULL, -1, NULL, "quiet", 1 },
	{ { "--rm=false", "--force-rm", "--compress" }, NULL, -1, NULL, NULL, 0 },
	{ { "--provenance=false", "--sbom=0", "--isolation=default" }, NULL, -1, NULL, NULL, 0 },
	{ { "--call", "build", "--disable-content-trust" }, NULL, -1, NULL, NULL, 0 },
};

START_TEST(test_good)
{
	struct genargs a;
	struct err *e = NULL;

	ck_assert_msg(parse(&a, good[_i].args, &e) == GENARGS_OK, "%s: %s",
		      good[_i].args[0], e ? e->msg : "?");
	if (good[_i].host) {
		ck_assert_uint_eq(a.add_hosts.n, 1);
		ck_assert_str_eq(a.add_hosts.v[0], good[_i].host);
	}
	if (good[_i].pull >= 0)
		ck_assert_int_eq(a.pull, good[_i].pull);
	if (good[_i].network)
		ck_assert_str_eq(a.network, good[_i].network);
	else
		ck_assert_ptr_null(a.network);
	if (good[_i].progress)
		ck_assert_str_eq(a.progress, good[_i].progress);
	else
		ck_assert_ptr_null(a.progress);
	ck_assert_int_eq(a.quiet, good[_i].quiet);
	genargs_fini(&a);
}
END_TEST

/* docker's RAMInBytes */
static const struct {
	const char *spec;
	long long bytes;
} shm[] = {
	{ "1024", 1024 }, { "64m", 64LL << 20 }, { "1G", 1LL << 30 }, { "2kb", 2048 },
	{ "1.5k", 1536 }, { "3 MiB", 3LL << 20 }, { "1t", 1LL << 40 },
};

START_TEST(test_shm)
{
	const char *args[] = { "--shm-size", shm[_i].spec, NULL };
	struct genargs a;
	struct err *e = NULL;

	ck_assert_msg(parse(&a, args, &e) == GENARGS_OK, "%s", e ? e->msg : "?");
	ck_assert_int_eq(a.shm_bytes, shm[_i].bytes);
	genargs_fini(&a);
}
END_TEST

START_TEST(test_lists)
{
	const char *const args[] = { "--no-cache-filter", "a,b", "--no-cache-filter=c",
				     "--label", "k=v", "--label", "bare", "--no-cache",
				     "--iidfile", "id", "--metadata-file", "m.json",
				     "--ulimit", "nofile=5", "--ulimit=core=-1:-1",
				     "--cache-from", "h/a", "--cache-from=type=registry,ref=h/b",
				     "--cache-to", "type=local,dest=d", NULL };
	struct genargs a;
	struct err *e = NULL;

	ck_assert_int_eq(parse(&a, args, &e), GENARGS_OK);
	ck_assert_uint_eq(a.no_cache_filter.n, 3);
	ck_assert_str_eq(a.no_cache_filter.v[0], "a");
	ck_assert_str_eq(a.no_cache_filter.v[2], "c");
	ck_assert_uint_eq(a.labels.n, 2);
	ck_assert_str_eq(a.labels.v[1], "bare");
	ck_assert(a.no_cache);
	ck_assert_str_eq(a.iidfile, "id");
	ck_assert_str_eq(a.metadata_file, "m.json");
	ck_assert_uint_eq(a.ulimits.n, 2);
	ck_assert_str_eq(a.ulimits.v[0], "nofile=5:5");
	ck_assert_str_eq(a.ulimits.v[1], "core=-1:-1");
	/* kept as given: generation checks them (exec/cachecfg.h) */
	ck_assert_uint_eq(a.cache_from.n, 2);
	ck_assert_str_eq(a.cache_from.v[1], "type=registry,ref=h/b");
	ck_assert_uint_eq(a.cache_to.n, 1);
	genargs_fini(&a);
}
END_TEST

/* refused, each with a reason naming the option */
static const struct {
	const char *args[3];
	const char *msg;
} bad[] = {
	{ { "--add-host", "x:host-gateway" }, "--add-host 'x:host-gateway': host-gateway" },
	{ { "--add-host", "x:1.2.3" }, "'1.2.3' is not an IP address" },
	{ { "--add-host", "x" }, "expected HOST:IP" },
	{ { "--pull=sometimes" }, "--pull 'sometimes': use true or false" },
	{ { "--network=bridge" }, "--network 'bridge'" },
	{ { "--progress=rawjson" }, "--progress rawjson: there is no BuildKit status" },
	{ { "--memory", "1g" }, "--memory '1g': resource limits" },
	{ { "-m", "1g" }, "--memory '1g': resource limits" },
	{ { "-c2" }, "--cpu-shares '2': resource limits" },
	{ { "--builder=x" }, "--builder 'x': there are no builder instances" },
	{ { "--squash" }, "--squash: squashing" },
	{ { "--provenance" }, "--provenance: provenance attestations" },
	{ { "--sbom=true" }, "--sbom 'true': SBOM" },
	{ { "--isolation=hyperv" }, "--isolation 'hyperv'" },
	{ { "--call=outline" }, "--call 'outline'" },
	{ { "--label", "=v" }, "--label '=v' has no name" },
	{ { "--shm-size", "0x10" }, "--shm-size '0x10': expected a size" },
	{ { "--ulimit", "nofile=2:1" }, "--ulimit 'nofile=2:1': the soft limit is above" },
	{ { "--ulimit", "files=1" }, "--ulimit 'files=1': unknown limit 'files'" },
	{ { "--ulimit", "nofile=x" }, "--ulimit 'nofile=x': the soft limit is not a number" },
	{ { "--ulimit", "nofile" }, "--ulimit 'nofile': expected NAME=SOFT[:HARD]" },
	{ { "--shm-size", "1q" }, "--shm-size '1q'" },
	{ { "--shm-size", "0" }, "--shm-size '0'" },
	{ { "--bogus" }, "unknown option '--bogus'" },
};

START_TEST(test_bad)
{
	struct genargs a;
	struct err *e = NULL;

	ck_assert_int_eq(parse(&a, bad[_i].args, &e), -1);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(strstr(e->msg, bad[_i].msg), "'%s' lacks '%s'", e->msg, bad[_i].msg);
	ck_assert_ptr_null(strchr(e->msg, '\n'));
	err_free(e);
	genargs_fini(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("genargs");

	UNIT_TCASE_TABLE(s, "good", test_good, good);
	UNIT_TCASE(s, "lists", test_lists);
	UNIT_TCASE_TABLE(s, "shm", test_shm, shm);
	UNIT_TCASE_TABLE(s, "bad", test_bad, bad);
	return unit_run(s);
}

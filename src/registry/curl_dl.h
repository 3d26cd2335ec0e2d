#ifndef DF2NINJA_CURL_DL_H
#define DF2NINJA_CURL_DL_H

#include <curl/curl.h>

struct err;

/*
 * libcurl, loaded the first time the registry client needs it.
 *
 * Every `df2ninja exec` is a process of its own, and most steps (RUN,
 * COPY, WORKDIR) never talk to a registry. Linked normally, libcurl and
 * the libraries it pulls in (GnuTLS, Kerberos, LDAP, ...) cost about 4 ms
 * at every start, measured here: almost half of a RUN step's overhead.
 * So the registry files use libcurl through this table, filled by
 * dlopen("libcurl.so.4") on first use. The names below are the real
 * libcurl functions (their types come from curl.h), so the code reads as
 * plain libcurl.
 */
struct curl_fns {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_escape) *easy_escape;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_free) *free;
	__typeof__(curl_getdate) *getdate;
	__typeof__(curl_multi_init) *multi_init;
	__typeof__(curl_multi_add_handle) *multi_add_handle;
	__typeof__(curl_multi_remove_handle) *multi_remove_handle;
	__typeof__(curl_multi_perform) *multi_perform;
	__typeof__(curl_multi_poll) *multi_poll;
	__typeof__(curl_multi_info_read) *multi_info_read;
	__typeof__(curl_multi_cleanup) *multi_cleanup;
	__typeof__(curl_share_init) *share_init;
	__typeof__(curl_share_setopt) *share_setopt;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_url_get) *url_get;
	__typeof__(curl_url_set) *url_set;
};

/* load libcurl now; an error says why it cannot be loaded */
int curl_dl_load(struct err **errp);
/* the table; every path into libcurl calls curl_dl_load first */
const struct curl_fns *curl_dl(void);

#ifndef CURL_DL_IMPLEMENTATION
/* curl.h's type-checking macros give way to the table */
#undef curl_easy_setopt
#undef curl_share_setopt
#undef curl_easy_getinfo
#define curl_global_init(...) (curl_dl()->global_init(__VA_ARGS__))
#define curl_easy_init(...) (curl_dl()->easy_init(__VA_ARGS__))
#define curl_easy_setopt(...) (curl_dl()->easy_setopt(__VA_ARGS__))
#define curl_easy_perform(...) (curl_dl()->easy_perform(__VA_ARGS__))
#define curl_easy_cleanup(...) (curl_dl()->easy_cleanup(__VA_ARGS__))
#define curl_easy_strerror(...) (curl_dl()->easy_strerror(__VA_ARGS__))
#define curl_easy_escape(...) (curl_dl()->easy_escape(__VA_ARGS__))
#define curl_easy_getinfo(...) (curl_dl()->easy_getinfo(__VA_ARGS__))
#define curl_free(...) (curl_dl()->free(__VA_ARGS__))
#define curl_getdate(...) (curl_dl()->getdate(__VA_ARGS__))
#define curl_multi_init(...) (curl_dl()->multi_init(__VA_ARGS__))
#define curl_multi_add_handle(...) (curl_dl()->multi_add_handle(__VA_ARGS__))
#define curl_multi_remove_handle(...) (curl_dl()->multi_remove_handle(__VA_ARGS__))
#define curl_multi_perform(...) (curl_dl()->multi_perform(__VA_ARGS__))
#define curl_multi_poll(...) (curl_dl()->multi_poll(__VA_ARGS__))
#define curl_multi_info_read(...) (curl_dl()->multi_info_read(__VA_ARGS__))
#define curl_multi_cleanup(...) (curl_dl()->multi_cleanup(__VA_ARGS__))
#define curl_share_init(...) (curl_dl()->share_init(__VA_ARGS__))
#define curl_share_setopt(...) (curl_dl()->share_setopt(__VA_ARGS__))
#define curl_slist_append(...) (curl_dl()->slist_append(__VA_ARGS__))
#define curl_slist_free_all(...) (curl_dl()->slist_free_all(__VA_ARGS__))
#define curl_url(...) (curl_dl()->url(__VA_ARGS__))
#define curl_url_cleanup(...) (curl_dl()->url_cleanup(__VA_ARGS__))
#define curl_url_get(...) (curl_dl()->url_get(__VA_ARGS__))
#define curl_url_set(...) (curl_dl()->url_set(__VA_ARGS__))
#endif

#endif

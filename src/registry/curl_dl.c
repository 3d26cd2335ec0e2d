#define CURL_DL_IMPLEMENTATION
#include <dlfcn.h>

#include "registry/curl_dl.h"
#include "util/err.h"

static struct curl_fns fns;
static void *handle;

#define LOAD(field, name) \
	do { \
		*(void **)&fns.field = dlsym(h, name); \
		if (!fns.field) \
			return err_make(errp, 0, "libcurl.so.4 lacks '%s'", name); \
	} while (0)

int
curl_dl_load(struct err **errp)
{
	void *h;

	if (handle)
		return 0;
	/* handle is set once the whole table is: curl_dl() relies on it */
	h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_make(errp, 0, "cannot load libcurl (install the Debian package "
				"libcurl4): %s", dlerror());
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(easy_escape, "curl_easy_escape");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(free, "curl_free");
	LOAD(getdate, "curl_getdate");
	LOAD(multi_init, "curl_multi_init");
	LOAD(multi_add_handle, "curl_multi_add_handle");
	LOAD(multi_remove_handle, "curl_multi_remove_handle");
	LOAD(multi_perform, "curl_multi_perform");
	LOAD(multi_poll, "curl_multi_poll");
	LOAD(multi_info_read, "curl_multi_info_read");
	LOAD(multi_cleanup, "curl_multi_cleanup");
	LOAD(share_init, "curl_share_init");
	LOAD(share_setopt, "curl_share_setopt");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(url, "curl_url");
	LOAD(url_cleanup, "curl_url_cleanup");
	LOAD(url_get, "curl_url_get");
	LOAD(url_set, "curl_url_set");
	handle = h;
	return 0;
}

const struct curl_fns *
curl_dl(void)
{
	/* a call through the table cannot fail: whoever starts talking to a
	 * server loads libcurl first, where the error can be returned */
	if (!handle)
		BUG("libcurl used before curl_dl_load");
	return &fns;
}

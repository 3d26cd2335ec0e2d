#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "registry/client.h"
#include "registry/http.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"

int
registry_client_open(struct registry_client *c, const char *host,
		     const char *repo, bool push, struct err **errp)
{
	struct http_request rq = { .method = "GET", .body_fd = -1 };
	struct http_response resp;
	autofree char *scope = xasprintf("repository:%s:%s", repo, push ? "pull,push" : "pull");
	autofree char *url = NULL;
	int r = -1;

	memset(c, 0, sizeof(*c));
	c->base = http_base_url(host);
	c->repo = xstrdup(repo);
	auth_init(&c->auth, host, scope);
	url = xasprintf("%s/v2/", c->base);
	rq.url = url;
	http_response_init(&resp, HTTP_SMALL_MAX);
	if (http_do(&rq, &resp, errp) < 0)
		goto out;
	if (resp.status == 401) {
		if (auth_answer(&c->auth, &resp, errp) < 0)
			goto out;
	} else if (resp.status != 200) {
		if (resp.status == 404)
			err_make(errp, 0, "'%s' is not a registry: GET %s answered 404", host, url);
		else
			registry_client_error(c, "GET", url, &resp, errp);
		goto out;
	}
	r = 0;
out:
	http_response_fini(&resp);
	if (r < 0)
		registry_client_close(c);
	return r;
}

void
registry_client_close(struct registry_client *c)
{
	free(c->base);
	free(c->repo);
	auth_fini(&c->auth);
	memset(c, 0, sizeof(*c));
}

char *
registry_client_url(const struct registry_client *c, const char *what,
		    const char *ref)
{
	return xasprintf("%s/v2/%s/%s/%s", c->base, c->repo, what, ref);
}

void
registry_client_headers(const struct registry_client *c,
			const struct strv *extra, struct strv *out)
{
	for (size_t i = 0; extra && i < extra->n; i++)
		strv_add(out, extra->v[i]);
	auth_add_header(&c->auth, out);
}

int
registry_client_do(struct registry_client *c, const struct http_request *rq,
		   struct http_response *resp, struct err **errp)
{
	struct http_request mine = *rq;
	int r = -1;

	for (int round = 0; round < 2; round++) {
		struct strv h = STRV_INIT;

		registry_client_headers(c, rq->headers, &h);
		mine.headers = &h;
		r = http_do(&mine, resp, errp);
		strv_fini(&h);
		if (r < 0 || resp->status != 401 || round == 1)
			break;
		if (auth_answer(&c->auth, resp, errp) < 0)
			return -1;
	}
	return r;
}

/* "CODE: message; CODE: message" from a distribution error body */
static void
error_messages(const struct http_response *resp, struct buf *out)
{
	json_t *j, *e;
	size_t i;

	if (!resp->body.len)
		return;
	j = json_loadb(resp->body.s, resp->body.len, 0, NULL);
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));

		buf_puts(out, out->len ? "; " : "");
		if (code)
			buf_printf(out, "%s", code);
		if (msg)
			buf_printf(out, "%s%s", code ? ": " : "", msg);
	}
	json_decref(j);
}

int
registry_client_error(const struct registry_client *c, const char *method,
		      const char *what, const struct http_response *resp,
		      struct err **errp)
{
	struct buf msg = BUF_INIT;

	error_messages(resp, &msg);
	if (resp->status == 401) {
		const char *from = c->auth.has_creds ? c->auth.creds.from : NULL;

		err_make(errp, 0, "%s %s: 401 Unauthorized%s%s%s%s%s%s", method, what,
			 msg.len ? " (" : "", buf_str(&msg), msg.len ? ")" : "",
			 from ? "; the credentials " : "", from ? from : "",
			 from ? " were refused" : "");
	} else
		err_make(errp, 0, "%s %s: HTTP %ld%s%s", method, what, resp->status,
			 msg.len ? ": " : "", buf_str(&msg));
	buf_fini(&msg);
	return -1;
}

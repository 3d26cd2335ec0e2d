#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth.h"
#include "registry/base64.h"
#include "registry/challenge.h"
#include "registry/http.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"

void
auth_init(struct auth *a, const char *host, const char *scope)
{
	memset(a, 0, sizeof(*a));
	a->host = xstrdup(host);
	a->scope = xstrdup(scope);
}

void
auth_fini(struct auth *a)
{
	free(a->host);
	free(a->scope);
	free(a->header);
	creds_fini(&a->creds);
	memset(a, 0, sizeof(*a));
}

void
auth_add_header(const struct auth *a, struct strv *h)
{
	if (a->header)
		strv_add(h, a->header);
}

static int
load_creds(struct auth *a, struct err **errp)
{
	int r;

	if (a->creds_looked_up)
		return 0;
	r = creds_lookup(a->host, &a->creds, errp);
	if (r < 0)
		return err_wrap(errp, "reading the credentials for '%s'", a->host);
	a->creds_looked_up = true;
	a->has_creds = r == 0;
	return 0;
}

static char *
basic_header(const struct creds *c)
{
	autofree char *plain = xasprintf("%s:%s", c->user, c->secret);
	autofree char *enc = base64_encode(plain, strlen(plain));

	memset(plain, 0, strlen(plain));
	return xasprintf("Authorization: Basic %s", enc);
}

/* only what can go into a header line */
static bool
header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* the realm must be http(s), plain http only where a registry may be */
static int
check_realm(const char *realm, struct err **errp)
{
	CURLU *u = curl_url();
	char *host = NULL, *scheme = NULL, *port = NULL;
	autofree char *hostport = NULL;
	int r = 0;

	if (!u || curl_url_set(u, CURLUPART_URL, realm, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		r = err_make(errp, 0, "the token realm '%s' is not a URL", realm);
	} else {
		/* "host:port" when the URL has a port, as the insecure list
		 * may name one */
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
			hostport = xasprintf("%s:%s", host, port);
		else
			hostport = xstrdup(host);
		if (strcmp(scheme, "https") != 0 &&
		    !(strcmp(scheme, "http") == 0 && http_host_is_insecure(hostport)))
			r = err_make(errp, 0, "the token realm '%s' is not https", realm);
	}
	curl_free(port);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return r;
}

static void
put_param(struct buf *b, const char *name, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);

	if (!esc) {
		fprintf(stderr, "df2ninja: out of memory\n");
		abort();
	}
	buf_printf(b, "%c%s=%s", strchr(buf_str(b), '?') ? '&' : '?', name, esc);
	curl_free(esc);
}

/* the form of an OAuth2 refresh-token request for a's scope (and the one
 * ch names), as Docker sends it with an identity token */
static void
refresh_form(const struct auth *a, const struct challenge *ch, struct buf *b)
{
	buf_puts(b, "?grant_type=refresh_token");
	put_param(b, "client_id", "df2ninja");
	if (ch->service)
		put_param(b, "service", ch->service);
	put_param(b, "scope", a->scope);
	if (ch->scope && strcmp(ch->scope, a->scope) != 0)
		put_param(b, "scope", ch->scope);
	put_param(b, "refresh_token", a->creds.secret);
}

/* a token from the realm of ch for our scope (and the one ch names):
 * GET, with the credentials as Basic auth when there are some, or POST
 * (OAuth2) with an identity token */
static int
fetch_token(struct auth *a, const struct challenge *ch, struct err **errp)
{
	struct http_request rq = { .method = "GET", .body_fd = -1 };
	struct http_response resp;
	struct buf url = BUF_INIT, form = BUF_INIT;
	struct strv h = STRV_INIT;
	bool oauth = a->has_creds && a->creds.is_identity_token;
	const char *tok;
	json_t *j = NULL;
	int r = -1;

	if (!ch->realm || !*ch->realm)
		return err_make(errp, 0, "'%s' asks for a bearer token but names no realm", a->host);
	if (check_realm(ch->realm, errp) < 0)
		return -1;
	buf_puts(&url, ch->realm);
	if (oauth) {
		refresh_form(a, ch, &form);
		rq.method = "POST";
		rq.body = buf_str(&form) + 1;
		rq.body_len = form.len - 1;
		strv_add(&h, "Content-Type: application/x-www-form-urlencoded");
	} else {
		if (ch->service)
			put_param(&url, "service", ch->service);
		put_param(&url, "scope", a->scope);
		if (ch->scope && strcmp(ch->scope, a->scope) != 0)
			put_param(&url, "scope", ch->scope);
	}
	if (a->has_creds && !oauth) {
		char *basic = basic_header(&a->creds);

		strv_push(&h, basic);
	}
	rq.url = buf_str(&url);
	rq.headers = &h;
	http_response_init(&resp, AUTH_TOKEN_MAX);
	if (http_do(&rq, &resp, errp) < 0)
		goto out;
	if (resp.status == 401 || resp.status == 403 || (oauth && resp.status == 400)) {
		err_make(errp, 0, "the token service '%s' refused %s (HTTP %ld)%s", ch->realm,
			 oauth ? "the identity token" : a->has_creds ? "the credentials" :
			 "an anonymous request", resp.status,
			 a->has_creds ? "" : "; log in first (credentials in $DOCKER_CONFIG/config.json)");
		goto out;
	}
	if (resp.status != 200) {
		err_make(errp, 0, "the token service '%s' answered %s HTTP %ld", ch->realm,
			 rq.method, resp.status);
		goto out;
	}
	j = json_loadb(resp.body.s ? resp.body.s : "", resp.body.len, 0, NULL);
	tok = json_string_value(json_object_get(j, "token"));
	if (!tok || !*tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok || !*tok || !header_safe(tok)) {
		err_make(errp, 0, "the token service '%s' sent no usable token", ch->realm);
		goto out;
	}
	free(a->header);
	a->header = xasprintf("Authorization: Bearer %s", tok);
	r = 0;
out:
	json_decref(j);
	http_response_fini(&resp);
	for (size_t i = 0; i < h.n; i++)
		memset(h.v[i], 0, strlen(h.v[i]));
	strv_fini(&h);
	if (form.s)
		memset(form.s, 0, form.len);
	buf_fini(&form);
	buf_fini(&url);
	return r;
}

int
auth_answer(struct auth *a, const struct http_response *resp,
	    struct err **errp)
{
	struct challenge best = { CHALLENGE_NONE, NULL, NULL, NULL, NULL };
	const char *v;
	size_t it = 0;
	int r = -1;

	while ((v = http_header_next(resp, "www-authenticate", &it))) {
		struct challenge ch;

		if (challenge_parse(v, &ch, errp) < 0)
			return err_wrap(errp, "'%s'", a->host);
		if (ch.scheme > best.scheme) {
			challenge_fini(&best);
			best = ch;
		} else {
			challenge_fini(&ch);
		}
	}
	if (load_creds(a, errp) < 0)
		goto out;
	switch (best.scheme) {
	case CHALLENGE_BEARER:
		r = fetch_token(a, &best, errp);
		break;
	case CHALLENGE_BASIC:
		if (!a->has_creds) {
			autofree char *path = creds_config_path();

			err_make(errp, 0, "'%s' needs a user name and password; none found in '%s'",
				 a->host, path ? path : "$DOCKER_CONFIG/config.json");
			break;
		}
		if (a->creds.is_identity_token) {
			err_make(errp, 0, "'%s' asks for Basic auth, but the credentials %s are an "
				 "identity token, which only a bearer token service takes",
				 a->host, a->creds.from);
			break;
		}
		free(a->header);
		a->header = basic_header(&a->creds);
		r = 0;
		break;
	case CHALLENGE_NONE:
		err_make(errp, 0, "'%s' answered 401 Unauthorized without a challenge "
			 "df2ninja can answer (Basic or Bearer)", a->host);
		break;
	}
out:
	challenge_fini(&best);
	return r;
}

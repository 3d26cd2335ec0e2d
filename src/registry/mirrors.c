#include <stdlib.h>
#include <string.h>

#include "registry/mirrors.h"
#include "util/alloc.h"
#include "util/strv.h"

void
mirrors_for(const char *domain, const char *api_host, struct strv *out)
{
	const char *list = getenv("DF2NINJA_REGISTRY_MIRRORS");
	autofree char *copy = xstrdup(list ? list : "");
	char *save = NULL;

	for (char *e = strtok_r(copy, ", \t", &save); e; e = strtok_r(NULL, ", \t", &save)) {
		char *eq = strchr(e, '='), *host = e;
		const char *for_domain = "docker.io";
		size_t n;

		if (eq) {
			*eq = '\0';
			for_domain = e;
			host = eq + 1;
		}
		if (strcmp(for_domain, domain) != 0)
			continue;
		if (strncmp(host, "https://", 8) == 0)
			host += 8;
		else if (strncmp(host, "http://", 7) == 0)
			host += 7;
		n = strlen(host);
		while (n > 0 && host[n - 1] == '/')
			n--;
		if (n == 0)
			continue;
		strv_push(out, xstrndup(host, n));
	}
	strv_add(out, api_host);
}

#ifndef DF2NINJA_REGISTRY_BASE64_H
#define DF2NINJA_REGISTRY_BASE64_H

#include <stddef.h>

/* standard base64 (RFC 4648) with padding, for HTTP Basic credentials and
 * the "auth" field of Docker's config.json */

/* encode len bytes of data; caller frees */
char *base64_encode(const void *data, size_t len);
/* decode s (padding optional, no whitespace) into a new NUL-terminated
 * buffer, its length in *len; -1 when s is not base64 */
int base64_decode(const char *s, char **out, size_t *len);

#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/alloc.h"
#include "util/err.h"
#include "digest.h"

struct digest {
	EVP_MD_CTX *ctx;
};

/* libcrypto fails here only when it cannot allocate; treat that like
 * every other allocation failure */
static void
crypto_failed(const char *what)
{
	BUG("libcrypto: %s failed", what);
}

/*
 * SHA-256, fetched once. libcrypto is started without reading
 * openssl.cnf: we need one digest, and loading the configuration took
 * about a millisecond of every step's start here.
 */
static const EVP_MD *
sha256(void)
{
	static EVP_MD *md;

	if (!md) {
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
		if (!md)
			crypto_failed("EVP_MD_fetch(SHA256)");
	}
	return md;
}

struct digest *
digest_new(void)
{
	struct digest *d = xmalloc(sizeof(*d));

	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx)
		crypto_failed("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(d->ctx, sha256(), NULL) != 1)
		crypto_failed("EVP_DigestInit_ex");
	return d;
}

void
digest_update(struct digest *d, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(d->ctx, data, len) != 1)
		crypto_failed("EVP_DigestUpdate");
}

void
digest_final(struct digest *d, char out[DIGEST_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1 || n != 32)
		crypto_failed("EVP_DigestFinal_ex");
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < n; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	out[DIGEST_LEN - 1] = '\0';
	digest_free(d);
}

void
digest_free(struct digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void
digest_buf(const void *data, size_t len, char out[DIGEST_LEN])
{
	struct digest *d = digest_new();

	digest_update(d, data, len);
	digest_final(d, out);
}

int
digest_file(const char *path, char out[DIGEST_LEN], long long *size,
	    struct err **errp)
{
	char chunk[1 << 16];
	struct digest *d;
	long long total = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	d = digest_new();
	for (;;) {
		n = TEMP_FAILURE_RETRY_INT(read(fd, chunk, sizeof(chunk)));
		if (n < 0) {
			int e = errno;

			digest_free(d);
			close(fd);
			return err_make(errp, e, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		digest_update(d, chunk, (size_t)n);
		total += n;
	}
	close(fd);
	digest_final(d, out);
	if (size)
		*size = total;
	return 0;
}

bool
digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

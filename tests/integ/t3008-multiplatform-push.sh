#!/bin/sh
# --platform with a list pushed to a registry (--push, type=registry):
# each platform's manifest (by digest), then the OCI image index under the
# tag, against Debian's docker-registry on 127.0.0.1; skopeo reads the
# index back and each manifest's config names its platform.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in docker-registry skopeo jq python3; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox

DF2NINJA_STORE=$TMP/store
HOME=$TMP/home
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export DF2NINJA_STORE HOME https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY
unset DOCKER_CONFIG DF2NINJA_PULL DF2NINJA_REGISTRY_MIRRORS DF2NINJA_INSECURE_REGISTRIES
mkdir -p "$HOME"

. "$TOP_SRCDIR/tests/integ/ports.sh"
PORT=$(free_port)
R=127.0.0.1:$PORT
{
	printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n'
	printf '    rootdirectory: %s\n' "$TMP/reg"
	printf 'http:\n  addr: 127.0.0.1:%s\n  secret: df2ninja-test\n' "$PORT"
} >"$TMP/reg.yml"
docker-registry serve "$TMP/reg.yml" >>"$TMP/reg.log" 2>&1 &
REG=$!
trap 'kill $REG 2>/dev/null; wait $REG 2>/dev/null; cleanup' EXIT
wait_port "$PORT" || { echo "Bail out! docker-registry did not start"; cat "$TMP/reg.log" >&2; exit 1; }

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM --platform=\$BUILDPLATFORM $BUSYBOX AS tool
ARG TARGETARCH
RUN echo "built for \$TARGETARCH" >/for.txt
FROM scratch
COPY --from=tool /for.txt /
DF
check "generate with --push" "$DF2NINJA" --platform linux/amd64,linux/arm64 \
	-t "$R/multi:1" --push .
check "build and push" ninja_logged
check "the export says it pushed the index" assert_file_has "$TMP/ninja.out" \
	"image index sha256:[0-9a-f]*: pushed to $R/multi:1"
skopeo inspect --raw --tls-verify=false "docker://$R/multi:1" >"$TMP/raw" 2>"$TMP/skopeo.err"
sed 's/^/#   /' "$TMP/skopeo.err"
check "the tag names an OCI image index" \
	test "$(jq -r .mediaType "$TMP/raw")" = application/vnd.oci.image.index.v1+json
check "... of two manifests" test "$(jq '.manifests | length' "$TMP/raw")" = 2
check "... linux/amd64 and linux/arm64" \
	test "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(",")' "$TMP/raw")" = \
	linux/amd64,linux/arm64
check "the same index as the local layout's" \
	test "sha256:$(sha256sum <"$TMP/raw" | cut -d' ' -f1)" = "$(cut -c1-71 .df2ninja/out/image.id)"
for a in amd64 arm64; do
	m=$(jq -r ".manifests[] | select(.platform.architecture == \"$a\") | .digest" "$TMP/raw")
	check "the $a manifest is in the registry" \
		skopeo inspect --raw --tls-verify=false "docker://$R/multi@$m"
	skopeo inspect --config --tls-verify=false "docker://$R/multi@$m" >"$TMP/config.$a" 2>/dev/null
	check "... its config names $a" test "$(jq -r .architecture "$TMP/config.$a")" = "$a"
done
rm -f .df2ninja/out/image.id
check "pushing again, everything there already" ninja_logged
check "... the export ran" exported
check "... saying the layers were there" assert_file_has "$TMP/ninja.out" "$R/multi@sha256:.*layer 1/1 sha256:.*exists"
check "... the tag still names the index" \
	test "$(skopeo inspect --raw --tls-verify=false "docker://$R/multi:1" | jq '.manifests | length')" = 2
done_testing

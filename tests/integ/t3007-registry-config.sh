#!/bin/sh
# The registry client's host configuration: a Docker credential helper
# (credHelpers, credsStore), mirrors from registries.conf and daemon.json,
# and a TLS registry whose CA (and client certificate) come from a certs.d
# directory; against Debian's docker-registry on 127.0.0.1. The config
# files are given by the DF2NINJA_* path variables, never written in /etc.
# Nothing here leaves 127.0.0.1: docker.io's own host goes through a dead
# local proxy, and the mirror tests check the mirror served the image.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in docker-registry skopeo jq htpasswd openssl python3; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox
BB=${BUSYBOX#oci-layout://}
BB=${BB%:latest}

DF2NINJA_STORE=$TMP/store
DF2NINJA_REGISTRY_RETRIES=0
HOME=$TMP/home
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
# no config of the host's: empty paths read nothing
DF2NINJA_REGISTRIES_CONF= DF2NINJA_DAEMON_JSON= DF2NINJA_CERTS_D=$TMP/none
export DF2NINJA_STORE DF2NINJA_REGISTRY_RETRIES HOME https_proxy HTTPS_PROXY \
	http_proxy HTTP_PROXY no_proxy NO_PROXY DF2NINJA_REGISTRIES_CONF DF2NINJA_DAEMON_JSON \
	DF2NINJA_CERTS_D
unset DOCKER_CONFIG DF2NINJA_PULL DF2NINJA_REGISTRY_MIRRORS DF2NINJA_INSECURE_REGISTRIES \
	REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
mkdir -p "$HOME"

. "$TOP_SRCDIR/tests/integ/ports.sh"

PIDS=
# start_registry NAME PORT [EXTRA-YAML-FOR-http:] [HTPASSWD]
start_registry() {
	{
		printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n'
		printf '    rootdirectory: %s\n' "$TMP/$1"
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: df2ninja-test\n' "$2"
		[ -z "${3:-}" ] || printf '%s\n' "$3"
		[ -z "${4:-}" ] || printf 'auth:\n  htpasswd:\n    realm: test\n    path: %s\n' "$4"
	} >"$TMP/$1.yml"
	docker-registry serve "$TMP/$1.yml" >>"$TMP/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$2" || { echo "Bail out! docker-registry $1 did not start"; cat "$TMP/$1.log" >&2; exit 1; }
}
stop_all() {
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null
	done
	wait
}
trap 'stop_all; cleanup' EXIT

# build DIR [ENV=VALUE...]: generate DIR/build.ninja for DIR/ctx and run
# ninja, all output in DIR/out
build() {
	_dir=$1
	shift
	(
		cd "$_dir" || exit 99
		"$DF2NINJA" -o build.ninja ctx >out 2>&1 && env "$@" "$NINJA" >>out 2>&1
	)
}
fails() {
	! "$@"
}
dockerfile() {
	rm -rf "$1"
	mkdir -p "$1/ctx"
	printf '%s\n' "$2" >"$1/ctx/Dockerfile"
}
# push REF [SKOPEO OPTIONS]: busybox to REF
push() {
	_ref=$1
	shift
	skopeo copy -q --dest-tls-verify=false "$@" "oci:$BB:latest" "docker://$_ref" >/dev/null 2>"$TMP/skopeo.err" ||
		{ echo "Bail out! skopeo cannot push $_ref"; cat "$TMP/skopeo.err" >&2; exit 1; }
}

PORT=$(free_port)
R=127.0.0.1:$PORT
start_registry reg "$PORT"
DEAD=127.0.0.1:$(free_port)

# --- credential helpers ---------------------------------------------------------

htpasswd -Bbn tester s3cret >"$TMP/htpasswd"
APORT=$(free_port)
A=127.0.0.1:$APORT
start_registry auth "$APORT" "" "$TMP/htpasswd"
push "$A/private:1" --dest-creds tester:s3cret
mkdir -p "$TMP/bin" "$TMP/cfg"
# the fake helper logs what it was asked and answers for $A only
cat >"$TMP/bin/docker-credential-fake" <<EOS
#!/bin/sh
[ "\$1" = get ] || exit 3
url=\$(cat)
printf '%s\n' "\$url" >>"$TMP/helper.log"
if [ "\$url" = "$A" ] && ! [ -e "$TMP/nocreds" ]; then
	pw=s3cret
	[ -e "$TMP/wrongpw" ] && pw=wrong
	printf '{"ServerURL":"%s","Username":"tester","Secret":"%s"}\n' "\$url" "\$pw"
else
	echo "credentials not found in native keychain"
	exit 1
fi
EOS
chmod +x "$TMP/bin/docker-credential-fake"
HPATH=$TMP/bin:$PATH

dockerfile c "FROM $A/private:1
RUN echo helped"
printf '{"credHelpers": {"%s": "fake"}, "auths": {"%s": {"auth": "%s"}}}\n' "$A" "$A" \
	"$(printf tester:wrong | base64)" >"$TMP/cfg/config.json"
check "credentials from the credHelpers entry's helper" build c DOCKER_CONFIG="$TMP/cfg" PATH="$HPATH"
check "... and RUN works" assert_file_has c/out '^helped$'
check "... the helper was asked for the host" assert_file_has "$TMP/helper.log" "^$A\$"
check "... the secret is in no output or build file" fails grep -rq s3cret c

dockerfile c2 "FROM $A/private:1
RUN echo stored"
printf '{"credsStore": "fake"}\n' >"$TMP/cfg/config.json"
check "credentials from the credsStore helper" build c2 DOCKER_CONFIG="$TMP/cfg" PATH="$HPATH"
check "... and RUN works" assert_file_has c2/out '^stored$'

: >"$TMP/wrongpw"
rm -rf c2/.df2ninja
check "a helper's wrong password is refused" fails build c2 DOCKER_CONFIG="$TMP/cfg" PATH="$HPATH"
check "... naming the helper" assert_file_has c2/out \
	"the credentials from credential helper 'docker-credential-fake' (named in '$TMP/cfg/config.json') were refused"
rm "$TMP/wrongpw"

printf '{"credHelpers": {"%s": "nosuch"}}\n' "$A" >"$TMP/cfg/config.json"
rm -rf c2/.df2ninja
check "a helper not in PATH fails the pull" fails build c2 DOCKER_CONFIG="$TMP/cfg" PATH="$HPATH"
check "... saying so" assert_file_has c2/out "credential helper 'docker-credential-nosuch' not found"

# a helper without credentials for the host: anonymous, as Docker
: >"$TMP/helper.log"
: >"$TMP/nocreds"
dockerfile c3 "FROM $A/private:1"
printf '{"credsStore": "fake"}\n' >"$TMP/cfg/config.json"
check "a helper without credentials leaves the pull anonymous" fails build c3 DOCKER_CONFIG="$TMP/cfg" PATH="$HPATH"
check "... the helper was asked" assert_file_has "$TMP/helper.log" "^$A\$"
check "... and the registry wanted a password" assert_file_has c3/out "'$A' needs a user name and password"
push "$R/public:1"

# --- identity tokens (OAuth2 refresh tokens) ------------------------------------

rm -f "$TMP/canned.port"
python3 "$TOP_SRCDIR/tests/integ/canned-registry.py" --layout "$BB" --port-file "$TMP/canned.port" \
	--log "$TMP/canned.req" --token tester:s3cret --refresh-token rt-5678 2>>"$TMP/canned.log" &
PIDS="$PIDS $!"
for _i in $(seq 100); do
	[ -f "$TMP/canned.port" ] && break
	sleep 0.1
done
[ -f "$TMP/canned.port" ] || { echo "Bail out! the canned registry did not start"; exit 1; }
K=127.0.0.1:$(cat "$TMP/canned.port")
printf '#!/bin/sh\ncat >/dev/null\nprintf %s\n' \
	"'{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"rt-5678\"}\\n'" \
	>"$TMP/bin/docker-credential-tok"
chmod +x "$TMP/bin/docker-credential-tok"
printf '{"credHelpers": {"%s": "tok"}}\n' "$K" >"$TMP/cfg/config.json"
dockerfile k "FROM $K/busybox:latest
RUN echo identity-token"
check "a helper's identity token gets a bearer token" build k DOCKER_CONFIG="$TMP/cfg" PATH="$HPATH"
check "... and RUN works" assert_file_has k/out '^identity-token$'
check "... by an OAuth2 refresh-token grant" \
	assert_file_has "$TMP/canned.req" '^POST /token form-keys=client_id,grant_type,refresh_token,scope,service$'
check "... the token is in no output or build file" fails grep -rq rt-5678 k
printf '{"auths": {"%s": {"identitytoken": "rt-wrong"}}}\n' "$K" >"$TMP/cfg/config.json"
dockerfile k2 "FROM $K/busybox:latest"
check "a wrong identity token is refused" fails build k2 DOCKER_CONFIG="$TMP/cfg"
check "... saying so" assert_file_has k2/out "refused the identity token (HTTP 401)"
printf '{"auths": {"%s": {"identitytoken": "rt-5678"}}}\n' "$K" >"$TMP/cfg/config.json"
check "an identitytoken entry of config.json is used" build k2 DOCKER_CONFIG="$TMP/cfg"
printf '{"auths": {"%s": {"identitytoken": "rt-5678"}}}\n' "$A" >"$TMP/cfg/config.json"
dockerfile k3 "FROM $A/private:1"
check "an identity token for a Basic auth registry is refused" fails build k3 DOCKER_CONFIG="$TMP/cfg"
check "... saying why" assert_file_has k3/out "asks for Basic auth, but the credentials in '$TMP/cfg/config.json' are an identity token"

# --- registries.conf mirrors ------------------------------------------------------

push "$R/mirrored/busybox-test:latest"
cat >"$TMP/registries.conf" <<EOS
unqualified-search-registries = ["docker.io"]

[[registry]]
prefix = "docker.io/library/busybox-test"
location = "$DEAD/nowhere"

[[registry.mirror]]
location = "$R/mirrored/busybox-test"
EOS
dockerfile m "FROM docker.io/library/busybox-test
RUN echo via-registries-conf"
check "a docker.io image from a registries.conf mirror" build m DF2NINJA_REGISTRIES_CONF="$TMP/registries.conf"
check "... and RUN works" assert_file_has m/out '^via-registries-conf$'
check "... the mirror served it" \
	assert_file_has "$TMP/reg.log" '"GET /v2/mirrored/busybox-test/manifests/latest HTTP/1.1" 200'
check "... recorded under its docker.io name" test -f m/.df2ninja/pulls/docker.io_library_busybox-test+latest.digest

printf '[[registry]]\nlocation = "%s"\nblocked = true\n' "$R" >"$TMP/blocked.conf"
dockerfile mb "FROM $R/public:1"
check "a blocked registry is refused" fails build mb DF2NINJA_REGISTRIES_CONF="$TMP/blocked.conf"
check "... saying so" assert_file_has mb/out "'$R/public' is blocked by registries.conf"

printf '[registries.search]\nregistries = ["docker.io"]\n' >"$TMP/v1.conf"
check "a version 1 registries.conf is refused" fails build mb DF2NINJA_REGISTRIES_CONF="$TMP/v1.conf"
check "... naming the file and line" assert_file_has mb/out "$TMP/v1.conf:1: the version 1 format"

# --- daemon.json mirrors ------------------------------------------------------------

push "$R/library/busybox-daemon:1"
printf '{"registry-mirrors": ["http://%s"], "debug": true}\n' "$R" >"$TMP/daemon.json"
dockerfile d "FROM busybox-daemon:1
RUN echo via-daemon-json"
check "a docker.io image from a daemon.json registry-mirror" build d DF2NINJA_DAEMON_JSON="$TMP/daemon.json"
check "... and RUN works" assert_file_has d/out '^via-daemon-json$'
check "... the mirror served it" \
	assert_file_has "$TMP/reg.log" '"GET /v2/library/busybox-daemon/manifests/1 HTTP/1.1" 200'
dockerfile d2 "FROM busybox-daemon:1"
check "without the mirror docker.io is not reached" fails build d2
check "... the pull failed at the dead proxy" assert_file_has d2/out "registry-1.docker.io"

# --- TLS with a CA from certs.d ---------------------------------------------------------

mkdir -p "$TMP/pki"
(
	cd "$TMP/pki" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
		-subj /CN=df2ninja-test-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt \
		-days 2 -extfile srv.ext &&
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=client &&
	openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.cert -days 2 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 -subj /CN=other
) >"$TMP/openssl.log" 2>&1 || { echo "Bail out! openssl failed"; cat "$TMP/openssl.log" >&2; exit 1; }
TPORT=$(free_port)
T=127.0.0.1:$TPORT
start_registry tls "$TPORT" "  tls:
    certificate: $TMP/pki/srv.crt
    key: $TMP/pki/srv.key"
push "$T/secure:1"

mkdir -p "$TMP/certs.d/$T" "$TMP/wrong.d/$T"
cp "$TMP/pki/ca.crt" "$TMP/certs.d/$T/ca.crt"
cp "$TMP/pki/other.crt" "$TMP/wrong.d/$T/ca.crt"
dockerfile t "FROM $T/secure:1
RUN echo over-tls"
check "a TLS registry whose CA is in certs.d" build t DF2NINJA_CERTS_D="$TMP/certs.d"
check "... and RUN works" assert_file_has t/out '^over-tls$'
check "... it spoke TLS (HTTP/2 needs it)" assert_file_has "$TMP/tls.log" '"GET /v2/secure/manifests/1 HTTP/2.0" 200 .*df2ninja'
dockerfile t2 "FROM $T/secure:1"
check "without its CA the TLS registry is refused" fails build t2 DF2NINJA_CERTS_D="$TMP/wrong.d"
check "... with the certificate problem" assert_file_has t2/out "$T.*certificate"

# a registry that asks for a client certificate
CPORT=$(free_port)
C=127.0.0.1:$CPORT
start_registry mtls "$CPORT" "  tls:
    certificate: $TMP/pki/srv.crt
    key: $TMP/pki/srv.key
    clientcas:
      - $TMP/pki/ca.crt"
mkdir -p "$TMP/certs.d/$C"
cp "$TMP/pki/ca.crt" "$TMP/certs.d/$C/ca.crt"
dockerfile u "FROM $C/secure:1"
check "without a client certificate the registry refuses the pull" fails build u DF2NINJA_CERTS_D="$TMP/certs.d"
cp "$TMP/pki/client.cert" "$TMP/pki/client.key" "$TMP/certs.d/$C/"
skopeo copy -q --dest-cert-dir "$TMP/certs.d/$C" "oci:$BB:latest" "docker://$C/secure:1" >/dev/null 2>"$TMP/skopeo.err" ||
	{ echo "Bail out! skopeo cannot push to $C"; cat "$TMP/skopeo.err" >&2; exit 1; }
dockerfile u2 "FROM $C/secure:1
RUN echo client-cert"
check "with certs.d's client.cert and client.key it pulls" build u2 DF2NINJA_CERTS_D="$TMP/certs.d"
check "... and RUN works" assert_file_has u2/out '^client-cert$'
rm "$TMP/certs.d/$C/client.cert"
dockerfile u3 "FROM $C/secure:1"
check "a client key without its certificate is refused" fails build u3 DF2NINJA_CERTS_D="$TMP/certs.d"
check "... naming the files" assert_file_has u3/out "client.key' has no certificate 'client.cert'"

done_testing

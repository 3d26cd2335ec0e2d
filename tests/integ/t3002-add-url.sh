#!/bin/sh
# ADD <url>: files downloaded from a small HTTP server on 127.0.0.1 land
# where the Dockerfile reference says, 0600 and root's, never unpacked;
# --checksum verifies (and pins: the step then runs once); without one the
# step runs on every build, asks the server again with If-Modified-Since or
# If-None-Match, and leaves the steps after it alone while the file is the
# same. Errors: a wrong checksum, a 404, a server that is not there, a
# scheme ADD cannot fetch. Nothing here leaves 127.0.0.1.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed (.ci/setup)"; exit 0; }
use_busybox

# a store of our own, so that no other test's blob hides a download or
# makes one look kept; short retries; a dead local proxy for anything
# that would leave loopback
DF2NINJA_STORE=$TMP/store
DF2NINJA_REGISTRY_RETRIES=0
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export DF2NINJA_STORE DF2NINJA_REGISTRY_RETRIES https_proxy HTTPS_PROXY \
	http_proxy HTTP_PROXY no_proxy NO_PROXY

# --- the server ------------------------------------------------------------------
# python's http.server answers If-Modified-Since with 304 from the files'
# mtimes; below /etag/ it sends an ETag (a digest of the content) instead
# and answers If-None-Match. Every request goes to www.log as
# "GET /path STATUS inm=<If-None-Match> ims=<If-Modified-Since>".
cat >serve.py <<'PY'
import hashlib, http.server, io, os, sys

root, port_file, log = sys.argv[1:4]

class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)

    def log_message(self, *a):
        pass

    def log_request(self, code="-", size="-"):
        with open(log, "a") as f:
            f.write("%s %s %s inm=%s ims=%s\n" % (
                self.command, self.path, int(code),
                self.headers.get("If-None-Match", ""),
                self.headers.get("If-Modified-Since", "")))

    def send_head(self):
        path = self.translate_path(self.path)
        if not self.path.startswith("/etag/") or not os.path.isfile(path):
            return super().send_head()
        data = open(path, "rb").read()
        tag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("ETag", tag)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
PY
mkdir -p www/files www/etag
python3 serve.py "$TMP/www" "$TMP/www.port" "$TMP/www.log" 2>"$TMP/www.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; cleanup' EXIT
for _i in $(seq 100); do
	[ -f "$TMP/www.port" ] && break
	sleep 0.1
done
[ -f "$TMP/www.port" ] || { echo "Bail out! the HTTP server did not start"; cat "$TMP/www.err" >&2; exit 1; }
PORT=$(cat "$TMP/www.port")
URL=http://127.0.0.1:$PORT

sha() { sha256sum "$TMP/$1" | cut -d' ' -f1; }
# put FILE TEXT DATE: a served file holding TEXT, modified at DATE
put() {
	printf '%s\n' "$2" >"$TMP/www/$1"
	touch -d "$3" "$TMP/www/$1"
}
put files/hello.txt "hello v1" "2020-01-01 00:00:00 UTC"
put files/pinned.txt "pinned" "2020-01-01 00:00:00 UTC"
put etag/e.txt "etag v1" "2020-01-01 00:00:00 UTC"
mkdir -p tarsrc
echo in-tar >tarsrc/in-tar.txt
tar -C tarsrc -cf www/files/data.tar in-tar.txt
PINNED=$(sha www/files/pinned.txt)

# mode FILE: "<octal mode> <uid> <gid>"
mode() { stat -c '%a %u %g' "$1"; }
content() { [ "$(cat "$1")" = "$2" ]; }
# requests PATTERN: the server's log lines since the last mark matching it
mark() { : >"$TMP/www.log"; }
requests() { grep -c -e "$1" "$TMP/www.log"; }

# --- a first build ---------------------------------------------------------------
mkdir -p main
cd main || exit 99
echo local >local.txt
cat >Dockerfile <<DF
FROM $BUSYBOX
ADD $URL/files/hello.txt /dl/
ADD --chmod=644 $URL/files/hello.txt?version=1 /named.txt
ADD $URL/files/data.tar /archives/
ADD --checksum=sha256:$PINNED $URL/files/pinned.txt /pinned.txt
ADD $URL/etag/e.txt local.txt /mixed/
RUN cat /dl/hello.txt /named.txt /mixed/e.txt > /all
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/main/root" .
# the edges of build.ninja, one per line
edges() {
	awk '{ line = cont ? line " " substr($0, match($0, /[^ ]/)) : $0
	       cont = sub(/ [$]$/, "", line); if (!cont) print line }' build.ninja
}
check "the URL steps without a checksum have the always-dirty input" \
	test "$(edges | grep -c '| $plans/stage-0/0[2346].json url-always$')" = 4
check "... the pinned one has not" \
	sh -c '! grep -q "stage-0/05.json url-always" build.ninja && grep -q "stage-0/05.json$" build.ninja'
check "... and there is one phony for it" \
	test "$(grep -c '^build url-always: phony$' build.ninja)" = 1
mark
check "ninja" ninja_logged
check "every step ran" expect_ran "$TMP/ninja.out" \
	"FROM [stage-0 1/7]" "ADD [stage-0 2/7]" "ADD [stage-0 3/7]" \
	"ADD [stage-0 4/7]" "ADD [stage-0 5/7]" "ADD [stage-0 6/7]" \
	"RUN [stage-0 7/7]"
check "dest/ takes the file name from the URL" content root/dl/hello.txt "hello v1"
check "... 0600, root's" test "$(mode root/dl/hello.txt)" = "600 0 0"
check "... with the Last-Modified time" \
	test "$(stat -c %Y root/dl/hello.txt)" = "$(date -d '2020-01-01 00:00:00 UTC' +%s)"
check "a dest without / is the file (the query is no part of the name)" \
	content root/named.txt "hello v1"
check "... --chmod applies" test "$(mode root/named.txt)" = "644 0 0"
check "a downloaded archive is not unpacked" test -f root/archives/data.tar
check "... it is the archive" cmp root/archives/data.tar "$TMP/www/files/data.tar"
check "... nothing came out of it" test ! -e root/archives/in-tar.txt
check "--checksum: the verified file" content root/pinned.txt pinned
check "a URL and a context file in one ADD" content root/mixed/e.txt "etag v1"
check "... both" content root/mixed/local.txt local
check "the RUN after them saw the files" content root/all "hello v1
hello v1
etag v1"
check "the validators are kept per URL" \
	sh -c 'grep -l "\"last_modified\": \"Wed, 01 Jan 2020 00:00:00 GMT\"" .df2ninja/downloads/*hello.txt-*.json'
check "... the ETag too" sh -c 'grep -q "\"etag\": \"\\\\\"" .df2ninja/downloads/*etag_e.txt-*.json'
check "no conditional request the first time" test "$(requests 'inm=[^ ]')$(requests 'ims=[^ ]')" = 00

# --- nothing changed ----------------------------------------------------------------
mark
check "unchanged: ninja" ninja_logged
check "unchanged: the URL steps without a checksum ran, nothing else" \
	expect_ran "$TMP/ninja.out" \
	"ADD [stage-0 2/7]" "ADD [stage-0 3/7]" "ADD [stage-0 4/7]" "ADD [stage-0 6/7]"
check "unchanged: no export" sh -c '! grep -q EXPORT "$1"' sh "$TMP/ninja.out"
check "unchanged: If-Modified-Since answered 304" \
	test "$(requests "^GET /files/hello.txt 304 inm= ims=Wed, 01 Jan 2020 00:00:00 GMT")" = 1
check "unchanged: If-None-Match answered 304" \
	test "$(requests '^GET /etag/e.txt 304 inm="')" = 1
check "unchanged: the pinned file was not asked for" test "$(requests pinned)" = 0

# --- newer, but the same bytes ----------------------------------------------------------
touch -d "2021-01-01 00:00:00 UTC" "$TMP/www/files/hello.txt"
mark
check "touched on the server: ninja" ninja_logged
check "touched: downloaded again" test "$(requests '^GET /files/hello.txt 200')" = 1
check "touched: the same bytes leave the steps after it alone" \
	expect_ran "$TMP/ninja.out" \
	"ADD [stage-0 2/7]" "ADD [stage-0 3/7]" "ADD [stage-0 4/7]" "ADD [stage-0 6/7]"
check "touched: no export" sh -c '! grep -q EXPORT "$1"' sh "$TMP/ninja.out"

# --- changed ------------------------------------------------------------------------------
put files/hello.txt "hello v2" "2022-01-01 00:00:00 UTC"
mark
check "changed: ninja" ninja_logged
check "changed: the steps after it ran, the pinned one too" expect_ran "$TMP/ninja.out" \
	"ADD [stage-0 2/7]" "ADD [stage-0 3/7]" "ADD [stage-0 4/7]" "ADD [stage-0 5/7]" \
	"ADD [stage-0 6/7]" "RUN [stage-0 7/7]"
check "changed: exported" exported
check "changed: the pinned step reran from the store, asking nothing" \
	test "$(requests pinned)" = 0
check "changed: the new file" content root/dl/hello.txt "hello v2"
check "changed: the RUN saw it" content root/all "hello v2
hello v2
etag v1"
put etag/e.txt "etag v2" "2020-01-01 00:00:00 UTC"
mark
check "changed behind an ETag: ninja" ninja_logged
check "changed behind an ETag: downloaded" test "$(requests '^GET /etag/e.txt 200 inm="')" = 1
check "changed behind an ETag: the RUN after it ran" expect_ran "$TMP/ninja.out" \
	"ADD [stage-0 2/7]" "ADD [stage-0 3/7]" "ADD [stage-0 4/7]" "ADD [stage-0 6/7]" \
	"RUN [stage-0 7/7]"
check "changed behind an ETag: the RUN saw it" content root/all "hello v2
hello v2
etag v2"
cd "$TMP" || exit 99
mkdir mk
cp main/Dockerfile main/local.txt mk/
check "make: the always-dirty prerequisite" sh -c \
	'cd mk && "$1" -G make . && grep -q "^url-always:$" Makefile && grep -q "^.PHONY: url-always$" Makefile' \
	sh "$DF2NINJA"

# --- errors ----------------------------------------------------------------------------
# fail_build NAME DOCKERFILE: generate and build it in $TMP/NAME; ninja fails
fail_build() {
	mkdir -p "$TMP/$1"
	printf '%s\n' "$2" >"$TMP/$1/Dockerfile"
	(cd "$TMP/$1" && "$DF2NINJA" . >out 2>&1 && "$NINJA" >>out 2>&1)
	_st=$?
	sed 's/^/#   /' "$TMP/$1/out"
	[ $_st != 0 ]
}

put files/other.txt "not what was pinned" "2020-01-01 00:00:00 UTC"
OTHER=$(sha www/files/other.txt)
WRONG=0000000000000000000000000000000000000000000000000000000000000000
check "--checksum mismatch: the build fails" fail_build mismatch "FROM $BUSYBOX
ADD --checksum=sha256:$WRONG $URL/files/other.txt /o.txt"
check "... naming the URL and both digests" assert_file_has mismatch/out \
	"'$URL/files/other.txt': digest mismatch: expected sha256:$WRONG, got sha256:$OTHER"
check "... nothing is kept in the store" test ! -e "$DF2NINJA_STORE/blobs/sha256/$OTHER"
check "... nor recorded" sh -c '! ls mismatch/.df2ninja/downloads/*other* 2>/dev/null'
check "a bad --checksum" fail_build badsum "FROM $BUSYBOX
ADD --checksum=sha256:ABC $URL/files/other.txt /o.txt"
check "... says what it should be" assert_file_has badsum/out \
	"invalid --checksum 'sha256:ABC': expected sha256:<64 lower-case hex digits>"

check "a 404 fails the build" fail_build missing "FROM $BUSYBOX
ADD $URL/files/nope.txt /n.txt"
check "... naming the URL and the status" assert_file_has missing/out \
	"cannot download '$URL/files/nope.txt': HTTP status 404"

DEAD=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
check "a server that is not there fails the build" fail_build dead "FROM $BUSYBOX
ADD http://127.0.0.1:$DEAD/f.txt /f.txt"
check "... clearly" assert_file_has dead/out \
	"cannot download 'http://127.0.0.1:$DEAD/f.txt': .*[Cc]onnect"

check "ADD of an ftp URL fails" fail_build ftp "FROM $BUSYBOX
ADD ftp://127.0.0.1:$DEAD/f.txt /f.txt"
check "... saying what ADD can download" assert_file_has ftp/out \
	"ADD can only download http and https URLs: 'ftp://127.0.0.1:$DEAD/f.txt'"
check "ADD of a Git repository fails" fail_build git "FROM $BUSYBOX
ADD http://127.0.0.1:$DEAD/repo.git /src"
check "... asking git for it, not the HTTP client (t3005)" assert_file_has git/out \
	"Git repository 'http://127.0.0.1:$DEAD/repo.git': git ls-remote"

done_testing

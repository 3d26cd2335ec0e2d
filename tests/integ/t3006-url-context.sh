#!/bin/sh
# A context that is no directory, as `docker build URL` takes one: a Git
# URL ("#ref:subdir") served over git's dumb HTTP protocol, an http URL
# of a tar.gz, a local tar file. Each is fetched into the build dir at
# generation, the Dockerfile read from inside it (or -f inside it); the
# image has the context's files; regeneration (ninja's regen edge, gen.args)
# reads the fetched copy; generating again at the same commit changes
# nothing, at a new one copies again. Refused: "-" (stdin), --context
# beside such a PATH, a download that is no archive, a missing ref.
# Nothing here leaves 127.0.0.1.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed (.ci/setup)"; exit 0; }
command -v git >/dev/null || { echo "1..0 # SKIP git is not installed (.ci/setup)"; exit 0; }
. "$TOP_SRCDIR/tests/integ/ports.sh"
use_busybox

DF2NINJA_STORE=$TMP/store
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
HOME=$TMP GIT_CONFIG_NOSYSTEM=1
export DF2NINJA_STORE https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY \
	HOME GIT_CONFIG_NOSYSTEM
git config --global user.email t@example.com
git config --global user.name t
git config --global init.defaultBranch main

# --- a repository whose app/ is a context ------------------------------------------
git init -q work
mkdir work/app
cat >work/app/Dockerfile <<DF
FROM $BUSYBOX
COPY hello.txt /hello.txt
DF
cat >work/app/Other.Dockerfile <<DF
FROM $BUSYBOX
COPY hello.txt /other.txt
DF
echo "hello v1" >work/app/hello.txt
echo "top" >work/top.txt
(cd work && git add . && git commit -q -m one && git tag v1)
mkdir srv
git clone -q --bare work srv/repo.git
git -C srv/repo.git update-server-info
publish() {
	git -C "$TMP/work" push -q "$TMP/srv/repo.git" main 2>&1 &&
		git -C "$TMP/srv/repo.git" update-server-info
}
# an archive of the same context
tar -C work/app -czf srv/ctx.tar.gz Dockerfile Other.Dockerfile hello.txt
tar -C work/app -cf ctx.tar Dockerfile Other.Dockerfile hello.txt
echo "FROM $BUSYBOX" >srv/Dockerfile.txt

PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$TMP/srv" "$PORT" \
	>/dev/null 2>"$TMP/www.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; cleanup' EXIT
wait_port "$PORT" || { echo "Bail out! the HTTP server did not start"; exit 1; }
URL=http://127.0.0.1:$PORT

# --- a Git context ---------------------------------------------------------------------
mkdir g
cd g || exit 99
check "generate from $URL/repo.git#main:app" \
	"$DF2NINJA" --output "type=local,dest=$TMP/g/root" "$URL/repo.git#main:app"
check "the context is the fetched subdir, in the build dir" \
	assert_file_has .df2ninja/gen.args '^\.df2ninja/git/[0-9a-f]*/[0-9a-f]\{40\}/app$'
check "ninja" ninja_logged
check "the image has the context's file" file_is root/hello.txt "hello v1"
check "nothing to do after it" sh -c '"$NINJA" -n -d explain 2>&1 | grep -q "no work to do"'
check "the regen edge reads the fetched copy" "$DF2NINJA" --args-file .df2ninja/gen.args
check "... and leaves the build as it was" sh -c '"$NINJA" -n 2>&1 | grep -q "no work to do"'
check "generating again at the same commit" \
	"$DF2NINJA" --output "type=local,dest=$TMP/g/root" "$URL/repo.git#main:app"
check "... changes nothing" sh -c '"$NINJA" -n 2>&1 | grep -q "no work to do"'
(cd "$TMP/work" && echo "hello v2" >app/hello.txt && git commit -q -am two)
check "a new commit: pushed" publish
check "generating again at a new commit" \
	"$DF2NINJA" --output "type=local,dest=$TMP/g/root" "$URL/repo.git#main:app"
check "... builds" ninja_logged
check "... copies again" expect_ran "$TMP/ninja.out" "COPY [stage-0 2/2]"
check "... the new file" file_is root/hello.txt "hello v2"
check "-f is taken inside the fetched context" \
	"$DF2NINJA" -f Other.Dockerfile --output "type=local,dest=$TMP/g/root2" "$URL/repo.git#v1:app"
check "... builds" ninja_logged
check "... the tag's file, by the other Dockerfile" file_is root2/other.txt "hello v1"

# --- tarballs ------------------------------------------------------------------------------
mkdir "$TMP/t" && cd "$TMP/t" || exit 99
check "generate from $URL/ctx.tar.gz" "$DF2NINJA" --output "type=local,dest=$TMP/t/root" "$URL/ctx.tar.gz"
check "the context is unpacked in the build dir" \
	assert_file_has .df2ninja/gen.args '^\.df2ninja/context/[0-9a-f]\{16\}$'
check "ninja" ninja_logged
check "the image has the archive's file" file_is root/hello.txt "hello v1"
mkdir "$TMP/l" && cd "$TMP/l" || exit 99
check "generate from a local tar file" "$DF2NINJA" --output "type=local,dest=$TMP/l/root" ../ctx.tar
check "ninja" ninja_logged
check "the image has the archive's file" file_is root/hello.txt "hello v1"
check "a regeneration by ninja" sh -c 'touch .df2ninja/context/*/Dockerfile && "$NINJA" >../l.out 2>&1 && grep -q REGEN ../l.out'

mkdir -p "$TMP/d/git@host:ctx" && cd "$TMP/d" || exit 99
printf 'FROM scratch\nCOPY f /f\n' >"git@host:ctx/Dockerfile"
touch "git@host:ctx/f"
check "a directory named like a Git URL is a directory" "$DF2NINJA" "git@host:ctx"
check "... the context" assert_file_has .df2ninja/gen.args '^git@host:ctx$'

# --- refused ---------------------------------------------------------------------------------
cd "$TMP" || exit 99
# (a Dockerfile on stdin is PATH -: t2038)
mkdir stdin && cd stdin || exit 99
check "a tar archive on stdin is refused" expect_fail 1 "stdin holds a tar archive" \
	sh -c '"$1" - <"$2"' sh "$DF2NINJA" "$TMP/ctx.tar"
cd "$TMP" || exit 99
check "--context beside a URL is refused" expect_fail 1 \
	"--context cannot be given with a context that is a URL or an archive" \
	"$DF2NINJA" --context . "$URL/ctx.tar.gz"
check "a download that is no archive is refused" expect_fail 1 \
	"fetching the context '$URL/Dockerfile.txt': '$URL/Dockerfile.txt' is no tar archive" \
	"$DF2NINJA" "$URL/Dockerfile.txt"
check "a missing ref fails, naming it" expect_fail 1 \
	"Git repository '$URL/repo.git#nope': no ref 'nope'" "$DF2NINJA" "$URL/repo.git#nope"

done_testing

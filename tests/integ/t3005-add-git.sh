#!/bin/sh
# ADD <git URL>: a repository served over git's dumb HTTP protocol by a
# static server on 127.0.0.1 lands at dest without .git (with it under
# --keep-git-dir), "#ref:subdir" picks a branch, tag or commit and a
# directory; an edge of its own (GITREF) asks the server for the ref's
# commit on every build and rewrites the step's .ref file only when it
# changed, so the step and those after it do not run while the commit is
# the same (nothing is fetched then); a new commit on the branch copies
# again. make gets the same edges. --checksum verifies the commit. Errors: a ref the remote lacks
# (at the step, naming the Dockerfile line), and what generation knows: a
# Git source for COPY, beside another source, with a query, a checksum
# that is no hex. Nothing here leaves 127.0.0.1.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed (.ci/setup)"; exit 0; }
command -v git >/dev/null || { echo "1..0 # SKIP git is not installed (.ci/setup)"; exit 0; }
. "$TOP_SRCDIR/tests/integ/ports.sh"
use_busybox

https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
# git of the test, not of the user
HOME=$TMP GIT_CONFIG_NOSYSTEM=1
export https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY HOME GIT_CONFIG_NOSYSTEM
git config --global user.email t@example.com
git config --global user.name t
git config --global init.defaultBranch main

# --- the repository -------------------------------------------------------------
git init -q work
cd work || exit 99
echo "main v1" >README
mkdir sub
echo "inner v1" >sub/inner.txt
printf '#!/bin/sh\necho hi\n' >run.sh
chmod 755 run.sh
git add . && git commit -q -m one
git tag -a v1 -m "tag v1"
V1=$(git rev-parse HEAD)
git checkout -q -b dev
echo "dev" >README
git commit -q -am dev
git checkout -q main
cd "$TMP" || exit 99
mkdir srv
git clone -q --bare work srv/repo.git
git -C srv/repo.git update-server-info
# push WHAT: the work tree's main to the served repository
publish() {
	git -C "$TMP/work" push -q "$TMP/srv/repo.git" main dev 2>&1 &&
		git -C "$TMP/srv/repo.git" update-server-info
}

PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$TMP/srv" "$PORT" \
	>/dev/null 2>"$TMP/www.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; cleanup' EXIT
wait_port "$PORT" || { echo "Bail out! the HTTP server did not start"; exit 1; }
REPO=http://127.0.0.1:$PORT/repo.git
mark() { : >"$TMP/www.log"; }
# fetched: the server was asked for objects since the last mark
fetched() { grep -q 'GET /repo.git/objects/' "$TMP/www.log"; }

# --- a first build -------------------------------------------------------------------
mkdir main
cd main || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
ADD $REPO /src
ADD $REPO#v1:sub /v1sub
ADD --keep-git-dir=true $REPO#dev /devb
ADD --checksum=$V1 $REPO#$V1 /pinned
RUN cat /src/README /v1sub/inner.txt /devb/README > /all
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/main/root" .
# the edges of build.ninja, one per line
edges() {
	awk '{ line = cont ? line " " substr($0, match($0, /[^ ]/)) : $0
	       cont = sub(/ [$]$/, "", line); if (!cont) print line }' build.ninja
}
check "each Git step without a checksum has a gitref edge, run on every build" \
	test "$(edges | grep -c '^build $steps/stage-0/0[234].ref: gitref | $plans/stage-0/0[234].json url-always$')" = 3
check "... whose .ref file the step reads, itself not always run" \
	test "$(edges | grep -c '| $plans/stage-0/0\([234]\).json $steps/stage-0/0\1.ref$')" = 3
check "... the pinned one has none" sh -c '! grep -q "stage-0/05.ref" build.ninja'
check "... and make has them too" sh -c 'mkdir ../mk && cp Dockerfile ../mk/ && cd ../mk &&
	"$1" -G make . && test "$(grep -c "^\$(steps)/stage-0/0[234].ref: \$(plans)/stage-0/0[234].json url-always$" Makefile)" = 3' sh "$DF2NINJA"
mark
check "ninja" ninja_logged
check "every step ran" expect_ran "$TMP/ninja.out" \
	"GITREF [stage-0 2/6]" "GITREF [stage-0 3/6]" "GITREF [stage-0 4/6]" \
	"FROM [stage-0 1/6]" "ADD [stage-0 2/6]" "ADD [stage-0 3/6]" \
	"ADD [stage-0 4/6]" "ADD [stage-0 5/6]" "RUN [stage-0 6/6]"
check "the remote's HEAD" file_is root/src/README "main v1"
check "... its directories" file_is root/src/sub/inner.txt "inner v1"
check "... without .git" test ! -e root/src/.git
check "... with git's modes, root's" \
	test "$(stat -c '%a %u %g' root/src/README root/src/run.sh | tr '\n' ' ')" = "644 0 0 755 0 0 "
check "#tag:subdir: the directory's content at the tag" file_is root/v1sub/inner.txt "inner v1"
check "... and nothing else" test ! -e root/v1sub/README
check "#branch" file_is root/devb/README "dev"
check "--keep-git-dir=true keeps .git" test -d root/devb/.git
check "... at the branch's commit" \
	test "$(git -C root/devb rev-parse HEAD)" = "$(git -C "$TMP/work" rev-parse dev)"
check "#commit with --checksum" file_is root/pinned/README "main v1"
check "the RUN saw them" test "$(cat root/all)" = "main v1
inner v1
dev"

# --- nothing changed ---------------------------------------------------------------
mark
check "unchanged: ninja" ninja_logged
check "unchanged: the refs were asked for, no step ran" \
	expect_ran "$TMP/ninja.out" "GITREF [stage-0 2/6]" "GITREF [stage-0 3/6]" "GITREF [stage-0 4/6]"
check "unchanged: nothing was fetched" sh -c '! grep -q "GET /repo.git/objects/" "$1"' sh "$TMP/www.log"
check "unchanged: the refs were asked for" grep -q 'GET /repo.git/info/refs' "$TMP/www.log"
check "unchanged: no export" sh -c '! grep -q EXPORT "$1"' sh "$TMP/ninja.out"

# --- a new commit on main -------------------------------------------------------------
(cd "$TMP/work" && echo "main v2" >README && git commit -q -am two)
check "a new commit: pushed" publish
mark
check "new commit: ninja" ninja_logged
check "new commit: fetched" fetched
check "new commit: the step and those after it ran" expect_ran "$TMP/ninja.out" \
	"GITREF [stage-0 2/6]" "GITREF [stage-0 3/6]" "GITREF [stage-0 4/6]" \
	"ADD [stage-0 2/6]" "ADD [stage-0 3/6]" "ADD [stage-0 4/6]" "ADD [stage-0 5/6]" \
	"RUN [stage-0 6/6]"
check "new commit: exported" exported
check "new commit: the new content" file_is root/src/README "main v2"
check "new commit: the tag's and the pinned commit's are as they were" \
	sh -c 'test "$(cat root/v1sub/inner.txt root/pinned/README)" = "inner v1
main v1"'
check "new commit: the RUN saw it" test "$(head -n 1 root/all)" = "main v2"
mark
check "after it: ninja" ninja_logged
check "after it: only the ref checks ran" \
	expect_ran "$TMP/ninja.out" "GITREF [stage-0 2/6]" "GITREF [stage-0 3/6]" "GITREF [stage-0 4/6]"
check "... the .ref file names the commit and the ref" \
	file_is .df2ninja/steps/stage-0/02.ref "$(git -C "$TMP/work" rev-parse main)	HEAD"

# --- git:// (git daemon), where a fetch can be shallow ---------------------------------
GPORT=$(free_port)
"$(git --exec-path)/git-daemon" --reuseaddr --export-all --base-path="$TMP/srv" \
	--listen=127.0.0.1 --port="$GPORT" "$TMP/srv" 2>"$TMP/daemon.log" &
DAEMON=$!
trap 'kill $SERVER $DAEMON 2>/dev/null; wait $SERVER $DAEMON 2>/dev/null; cleanup' EXIT
wait_port "$GPORT" || { echo "Bail out! git daemon did not start"; exit 1; }
mkdir "$TMP/gitproto" && cd "$TMP/gitproto" || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
ADD git://127.0.0.1:$GPORT/repo.git#v1:sub /v1
ADD --keep-git-dir=true git://127.0.0.1:$GPORT/repo.git#dev /d
DF
check "git://: generate" "$DF2NINJA" --output "type=local,dest=$TMP/gitproto/root" .
check "git://: ninja" ninja_logged
check "git://: the tag's subdir" file_is root/v1/inner.txt "inner v1"
check "git://: the branch" file_is root/d/README "dev"
check "git://: fetched shallow: one commit of the branch's two" \
	test "$(git -C root/d rev-list --count HEAD)/$(git -C "$TMP/work" rev-list --count dev)" = 1/2

# --- errors at the step ------------------------------------------------------------------
# fail_build NAME DOCKERFILE: generate and build it in $TMP/NAME; ninja fails
fail_build() {
	mkdir -p "$TMP/$1"
	printf '%s\n' "$2" >"$TMP/$1/Dockerfile"
	(cd "$TMP/$1" && "$DF2NINJA" . >out 2>&1 && "$NINJA" >>out 2>&1)
	_st=$?
	sed 's/^/#   /' "$TMP/$1/out"
	[ $_st != 0 ]
}
cd "$TMP" || exit 99
check "a ref the remote lacks fails the build" fail_build badref "FROM $BUSYBOX
ADD $REPO#nope /src"
check "... naming the Dockerfile line, the URL and the ref" assert_file_has badref/out \
	"Dockerfile:2.*Git repository '$REPO#nope': no ref 'nope'"
check "a subdir the commit lacks fails the build" fail_build badsub "FROM $BUSYBOX
ADD $REPO#main:nodir /src"
check "... naming it" assert_file_has badsub/out "no directory 'nodir' at commit"
check "a checksum of another commit fails the build" fail_build badsum "FROM $BUSYBOX
ADD --checksum=$V1 $REPO#main /src"
check "... saying both" assert_file_has badsum/out "expected checksum to match $V1, got [0-9a-f]\{40\}"
# a submodule naming a file of the host is not fetched
git init -q "$TMP/sm"
(cd "$TMP/sm" && echo x >f && git add f &&
	git -c protocol.file.allow=always submodule add -q "file://$TMP/srv/repo.git" inner &&
	git commit -q -m sm) >/dev/null 2>&1
git clone -q --bare "$TMP/sm" "$TMP/srv/sm.git" && git -C "$TMP/srv/sm.git" update-server-info
check "a submodule of the host's files fails the build" fail_build hostsub "FROM $BUSYBOX
ADD http://127.0.0.1:$PORT/sm.git /src"
check "... git's transport not allowed" assert_file_has hostsub/out "transport 'file' not allowed"
DEAD=$(free_port)
check "a server that is not there fails the build" fail_build dead "FROM $BUSYBOX
ADD http://127.0.0.1:$DEAD/repo.git /src"
check "... naming the URL" assert_file_has dead/out "Git repository 'http://127.0.0.1:$DEAD/repo.git': git ls-remote"

# a repository holding an executable ./git, and "." in PATH: git runs in
# the fetched tree, but df2ninja runs the PATH's absolute git only
git init -q "$TMP/evil" && (cd "$TMP/evil" &&
	printf '#!/bin/sh\ntouch %s/pwned\nexec /usr/bin/git "$@"\n' "$TMP" >git &&
	chmod 755 git && git add git && git commit -q -m evil) >/dev/null 2>&1
git clone -q --bare "$TMP/evil" "$TMP/srv/evil.git" && git -C "$TMP/srv/evil.git" update-server-info
mkdir -p "$TMP/evilb"
printf 'FROM %s\nADD http://127.0.0.1:%s/evil.git /src\n' "$BUSYBOX" "$PORT" >"$TMP/evilb/Dockerfile"
check "a ./git in the fetched tree, . in PATH: the build" \
	sh -c 'cd "$1/evilb" && PATH=".:$PATH" "$2" . && PATH=".:$PATH" "$3"' sh "$TMP" "$DF2NINJA" "$NINJA"
check "... never runs it" test ! -e "$TMP/pwned"

# --- errors at generation ---------------------------------------------------------------
# gen_fails NAME DOCKERFILE REGEX: generation fails with REGEX on stderr
gen_fails() {
	mkdir -p "$TMP/$1"
	printf '%s\n' "$2" >"$TMP/$1/Dockerfile"
	(cd "$TMP/$1" && expect_fail 1 "$3" "$DF2NINJA" .)
}
check "COPY of a Git URL is refused at generation" gen_fails copy "FROM $BUSYBOX
COPY $REPO /src" "Dockerfile:2.*source can't be a git ref for COPY"
check "a Git source beside another is refused" gen_fails mixed "FROM $BUSYBOX
ADD $REPO local.txt /src/" "Dockerfile:2.*ADD of a Git repository takes it as its only source"
check "a query is refused" gen_fails query "FROM $BUSYBOX
ADD $REPO?ref=main /src" "Dockerfile:2.*Git URL query parameters are not supported"
check "a checksum that is no hex is refused" gen_fails hexsum "FROM $BUSYBOX
ADD --checksum=sha256:00 $REPO /src" "Dockerfile:2.*invalid checksum sha256:00 for Git URL"
check "nothing ran git for them" test ! -e copy/.df2ninja/git

done_testing

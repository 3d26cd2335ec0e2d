#!/bin/sh
# The step server (src/run/run.c, src/exec/stepserver.c): the first step
# of a build starts it and runs itself; the later ones run in its forked
# workers; a client whose environment
# differs runs its step itself, as every step does with
# DF2NINJA_SERVER=0; SIGINT through ninja and SIGKILL of a client stop
# the step with no stamp left; the server ends with its build and clears
# what a killed server left; its dir is the owner's alone, and another
# user who reaches its socket is refused; a step keeps its client's
# rlimits; make -j uses it.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

# the two builds whose images are compared must be reproducible (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

RUN_BIN=$(dirname "$DF2NINJA")/df2ninja-run
tok=$(printf %07d $$)	# fixed width: no other pid is a prefix of it

# edge_run NN WORDS: step NN of stage-0 runs with `run = WORDS` (WORDS
# naming the file's own $run) instead of the file's
edge_run() {
	awk -v n="$1" -v l="  run = $2" '
		$0 ~ "^build .*stage-0/" n "\\.id:" { e = 1 }
		{ print }
		e && !/ \$$/ { print l; e = 0 }' build.ninja >b.tmp && mv b.tmp build.ninja
}

check "df2ninja-run is built beside df2ninja" test -x "$RUN_BIN"

cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo one >/one
RUN sleep 1 0.000${tok}3
RUN sleep 1 0.000${tok}4; echo four >/four
DF
"$DF2NINJA" . >/dev/null
check "build.ninja runs the steps through df2ninja-run" \
	assert_file_has build.ninja "^run = .*df2ninja-run \\\$builddir\$"

# step 4 with an environment of its own: the server refuses it
edge_run 04 'env DF2NINJA_T2048=1 $run'
"$NINJA" >ninja.out 2>&1 &
bg=$!
h3=$(how_runs "sleep 1 0.000${tok}3")
sock=$(ls .df2ninja/run 2>/dev/null | grep -v '\.lock$' | head -n 1)
h4=$(how_runs "sleep 1 0.000${tok}4")
wait $bg
st=$?
check "the build succeeds" test $st -eq 0
[ $st = 0 ] || sed 's/^/#   /' ninja.out
check "the second step runs in the server's worker" test "$h3" = served
check "its socket is in the build dir while the build runs" test -n "$sock"
check "a step with another environment runs itself" test "$h4" = direct
wait_servers_gone "$TMP"
check "the server ends with its build" test -z "$(servers_of "$TMP")"
check "and removes its socket and lock" test -z "$(ls .df2ninja/run)"
check "the server's dir is its owner's alone" \
	test "$(stat -c %a:%u .df2ninja/run)" = "700:$(id -u)"
digest=$(image_digest .df2ninja/image)

# DF2NINJA_SERVER=0: every step runs itself, no server starts
rm -rf .df2ninja/steps .df2ninja/out .df2ninja/run
DF2NINJA_SERVER=0 "$NINJA" >off.out 2>&1 &
bg=$!
h3=$(how_runs "sleep 1 0.000${tok}3")
wait $bg
check "DF2NINJA_SERVER=0: the build succeeds" test $? -eq 0
check "DF2NINJA_SERVER=0: the step runs itself" test "$h3" = direct
check "DF2NINJA_SERVER=0: no server was started" test ! -e .df2ninja/run
check "DF2NINJA_SERVER=0: the same image" test "$(image_digest .df2ninja/image)" = "$digest"

# a long step in a worker, stopped from outside
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo one >/one
RUN sleep 30 0.000${tok}9
DF
"$DF2NINJA" . >/dev/null
stamp=.df2ninja/steps/stage-0/03.id

# stop_with HOW: SIGINT to ninja, as Ctrl-C (ninja passes it to the
# steps' process groups), or SIGKILL to the step's df2ninja-run
stop_with() {
	rm -rf .df2ninja/steps .df2ninja/out
	"$NINJA" >stop.out 2>&1 &
	_bg=$!
	_h=$(how_runs "sleep 30 0.000${tok}9" 200)
	case $1 in
	int) kill -INT $_bg ;;
	kill)
		# this test's alone: other tests build a stage-0/03 too
		for _p in $(procs_in "$TMP" "df2ninja-run .*stage-0/03.json"); do
			kill -KILL "$_p"
		done ;;
	esac
	wait $_bg
	_st=$?
	_i=0
	while pgrep -f "sleep 30 0.000${tok}9" >/dev/null && [ $_i -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	check "$1: the step ran in a worker" test "$_h" = served
	check "$1: the build fails" test $_st -ne 0
	if pgrep -f "sleep 30 0.000${tok}9" >/dev/null; then
		not_ok "$1: the step's command stopped within 3 s"
		pkill -KILL -f "sleep 30 0.000${tok}9"
	else
		ok "$1: the step's command stopped within 3 s"
	fi
	check "$1: no stamp of the stopped step" test ! -e "$stamp"
	check "$1: no half-written stamp" sh -c "! ls .df2ninja/steps/stage-0 | grep -q '03.*tmp'"
}
stop_with int
stop_with kill

# a killed server leaves its socket and lock; the next build's server
# removes them, and the build's steps do not stall on the dead socket
rm -rf .df2ninja/steps .df2ninja/out
"$NINJA" >srv.out 2>&1 &
bg=$!
wait_for_process "sleep 30 0.000${tok}9" 200
for p in $(servers_of "$TMP"); do
	# the server, not its workers: its parent is not a server
	case $(tr '\0' ' ' <"/proc/$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f2)/cmdline") in
	*"exec serve"*) ;;
	*) kill -KILL "$p" ;;
	esac
done
pkill -KILL -f "sleep 30 0.000${tok}9"
wait $bg
dead=$(ls .df2ninja/run | grep -v '\.lock$' | head -n 1)
check "a killed server leaves its socket" test -n "$dead"
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo two >/two
RUN sleep 1 0.000${tok}7
DF
"$DF2NINJA" . >/dev/null
"$NINJA" >next.out 2>&1 &
bg=$!
h=$(how_runs "sleep 1 0.000${tok}7")
wait $bg
check "the next build succeeds" test $? -eq 0
check "the next build's step runs in a worker" test "$h" = served
check "the dead server's socket is gone" test ! -e ".df2ninja/run/$dead"

# make -j2 with the make fragment: the steps go to a server too
rm -rf .df2ninja
"$DF2NINJA" -G make -o image.mk . >/dev/null
make -j2 -f image.mk >make.out 2>&1 &
bg=$!
h=$(how_runs "sleep 1 0.000${tok}7")
wait $bg
st=$?
check "make -j2 builds the image" test $st -eq 0
[ $st = 0 ] || sed 's/^/#   /' make.out
check "make -j2: the step runs in a worker" test "$h" = served

# a step's client's nice value and rlimits go with it to the worker (a
# make recipe may set them): here the open files limit set before the
# client
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo one >/one
RUN sleep 1 0.000${tok}8; test "\$(ulimit -n)" = 517
DF
rm -rf .df2ninja
"$DF2NINJA" . >/dev/null
edge_run 03 "sh -c 'ulimit -n 517; exec \"\$\$0\" \"\$\$@\"' \$run"
"$NINJA" >limits.out 2>&1 &
bg=$!
h=$(how_runs "sleep 1 0.000${tok}8")
wait $bg
st=$?
check "rlimits: the step runs in a worker" test "$h" = served
check "rlimits: it has its client's open files limit" test $st -eq 0
[ $st = 0 ] || sed 's/^/#   /' limits.out

# another user is refused by the server's check of the peer's uid
# (SO_PEERCRED), even when the dirs that keep it out (.df2ninja/run is
# 0700) are opened up and the socket is writable by all, as here on
# purpose; the same request from the server's own user is served (the
# build's long step, ended once they are made, keeps its server up)
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo one >/one
RUN sleep 30 0.000${tok}5 || true
DF
rm -rf .df2ninja
"$DF2NINJA" . >/dev/null
"$NINJA" >uid.out 2>&1 &
bg=$!
h=$(how_runs "sleep 30 0.000${tok}5")
wait_for_process "exec serve --dir" 50
i=0
while [ -z "$(ls .df2ninja/run 2>/dev/null | grep -v '\.lock$')" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sock=$TMP/.df2ninja/run/$(ls .df2ninja/run | grep -v '\.lock$' | head -n 1)
chmod 755 "$TMP" .df2ninja .df2ninja/run
chmod 777 "$sock"
client=$TMP/run-client.py
cp "$TOP_SRCDIR/tests/integ/run-client.py" "$client"
# the server's environment, which a request must match
server=$(servers_of "$TMP" | head -n 1)
[ -z "$server" ] || cat "/proc/$server/environ" >server.env
chmod 644 "$client" server.env
# a plan that is not there: a served request fails in the worker
mine=$(/usr/bin/python3 "$client" "$sock" server.env "$DF2NINJA" \
	.df2ninja/plans/none.json none.id 2>/dev/null)
theirs=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \
	"$client" "$sock" server.env "$DF2NINJA" .df2ninja/plans/none.json none.id 2>&1)
# the step's sleep held the server up while the requests were made
pkill -KILL -x -f "sleep 30 0.000${tok}5"	# the sleep, not its shell
wait $bg
check "uid: the build succeeds" test $? -eq 0
check "uid: its step runs in a worker" test "$h" = served
check "uid: the server serves its own user" test "$mine" = "accept
status 1"
check "uid: the server refuses another user" test "$theirs" = refuse
[ "$theirs" = refuse ] || echo "# $theirs"
chmod 700 "$TMP"

done_testing

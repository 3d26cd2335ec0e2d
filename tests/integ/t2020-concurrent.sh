#!/bin/sh
# Two builds in one build dir at once (an editor's build-on-save beside a
# terminal's ninja) give the image one build alone gives, and the next
# ninja has nothing to do: the second build's steps wait while the
# first's run. The steps of one build still run side by side under -j.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
# the builds whose digests are compared must be reproducible: every
# time is SOURCE_DATE_EPOCH or earlier (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

tok=$(printf %07d $$)	# fixed width: no other pid is a prefix of it
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN i=0; while [ \$i -lt 200 ]; do echo \$i >/f\$i; i=\$((i + 1)); done; sleep 0.2 0.000$tok
RUN echo b >/b; sleep 0.2
RUN cat /b /f199 >/c
DF
want=$(reference_digest) || exit 1

# trial N: a fresh build dir, two ninjas started together
waited=0
trial() {
	rm -rf .df2ninja build.ninja
	"$DF2NINJA" . >/dev/null || return 1
	"$NINJA" >a.out 2>&1 &
	a=$!
	"$NINJA" >b.out 2>&1 &
	b=$!
	wait $a || { echo "# trial $1: the first ninja failed:"; sed 's/^/#   /' a.out; return 1; }
	wait $b || { echo "# trial $1: the second ninja failed:"; sed 's/^/#   /' b.out; return 1; }
	got=$(image_digest .df2ninja/image)
	[ "$got" = "$want" ] || { echo "# trial $1: image $got, not $want"; return 1; }
	"$NINJA" >c.out 2>&1 && grep -q 'no work to do' c.out ||
		{ echo "# trial $1: a third ninja had work to do:"; sed 's/^/#   /' c.out; return 1; }
	! grep -q 'waiting for another build' a.out b.out || waited=$((waited + 1))
}
bad=0
for n in 1 2 3 4 5 6 7 8; do
	trial $n || bad=$((bad + 1))
done
if [ $bad = 0 ]; then
	ok "8 of 8 pairs of concurrent ninjas give the reference image, then no work to do"
else
	not_ok "$bad of 8 pairs of concurrent ninjas went wrong"
fi
if [ $waited -gt 0 ]; then
	ok "the second build said it waited ($waited of 8 trials)"
else
	not_ok "no trial said 'waiting for another build'"
fi

# one build's steps find themselves the owner: the first step writes
# the lock's owner line (of one width, written in place), the rest leave
# the file alone (rewriting it would cost each step a disk write)
rm -rf .df2ninja build.ninja
"$DF2NINJA" . >/dev/null && "$NINJA" >a.out 2>&1
check "the lock holds one owner line of 40 bytes" \
	test "$(wc -c <.df2ninja/lock)" = 40
check "... \"pid start-time\", padded" \
	grep -qE '^[0-9]+ [0-9]+ +$' .df2ninja/lock
check "no step after the first rewrote the lock" \
	test -z "$(find .df2ninja/lock -newer .df2ninja/steps/stage-0/01.id)"

# a build that starts while another's step runs waits for it, saying so
rm -rf .df2ninja build.ninja
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN sleep 5 0.000$tok
DF
"$DF2NINJA" . >/dev/null
"$NINJA" >a.out 2>&1 &
a=$!
wait_for_process "sleep 5 0.000$tok" 600 || echo "# the step did not start"
"$NINJA" >b.out 2>&1
b=$?
wait $a
if [ $? = 0 ] && [ $b = 0 ] &&
	grep -q "waiting for another build in .df2ninja (pid $a)" b.out; then
	ok "a second ninja waits for the first's running step, naming its pid"
else
	not_ok "a second ninja waits for the first's running step, naming its pid"
	sed 's/^/#   a: /' a.out
	sed 's/^/#   b: /' b.out
fi

# a shell in a step's state holds the build dir: a ninja that would rerun
# a step waits until the shell exits, then builds
sed -i "s/sleep 5 0.000$tok/sleep 0.1 0.000$tok/" Dockerfile
"$DF2NINJA" . >/dev/null && "$NINJA" >/dev/null 2>&1
"$DF2NINJA" shell stage-0 -- sleep 5 0.000$tok >sh.out 2>&1 &
s=$!
wait_for_process "sleep 5 0.000$tok" 600 || echo "# the shell did not start"
echo 'RUN echo after >/after' >>Dockerfile
"$NINJA" >b.out 2>&1
b=$?
shell_alive=false
kill -0 $s 2>/dev/null && shell_alive=true
wait $s
if [ $b = 0 ] && ! $shell_alive &&
	grep -q "waiting for another build in .df2ninja" b.out; then
	ok "a ninja waits while a df2ninja shell is open on the build dir"
else
	not_ok "a ninja waits while a df2ninja shell is open on the build dir"
	sed 's/^/#   sh: /' sh.out
	sed 's/^/#   b: /' b.out
fi

# df2ninja clean waits for a running step, then removes the build dir;
# the build's next step, if any, fails naming the missing lock or plan
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN sleep 5 0.000$tok
RUN echo next >/next
DF
rm -rf .df2ninja build.ninja
"$DF2NINJA" . >/dev/null
"$NINJA" >a.out 2>&1 &
a=$!
wait_for_process "sleep 5 0.000$tok" 600 || echo "# the step did not start"
"$DF2NINJA" clean >clean.out 2>&1
c=$?
step_alive=false
pgrep -f "sleep 5 0.000$tok" >/dev/null && step_alive=true
wait $a
ar=$?
# (a next step that starts after the removal finds its plan gone; ninja
# makes its output's dirs again first, so empty dirs may be back, and the
# step's client starts a step server, which removes its files when it
# ends with the build)
wait_servers_gone "$TMP"
left=$(find .df2ninja ! -type d 2>/dev/null)
if [ $c = 0 ] && ! $step_alive && [ -z "$left" ] &&
	grep -q "waiting for another build in .df2ninja (pid $a)" clean.out &&
	{ [ $ar = 0 ] || grep -q "No such file or directory" a.out; }; then
	ok "df2ninja clean waits for the running step, then removes the build dir"
else
	not_ok "df2ninja clean waits for the running step, then removes the build dir"
	echo "#   clean's status $c, the step alive after it: $step_alive, left: $left"
	sed 's/^/#   clean: /' clean.out
	sed 's/^/#   a: /' a.out
fi

# one build's steps run at once: stage a's RUN returns only when stage
# b's RUN has connected to it (over the host network, the default)
# (b's nc reads a file, not a pipe: a's nc, whose stdin is /dev/null, shuts
# its side at once, and b's could see that before echo had written)
# a port nothing listens on (one made from the pid could be held by
# another test's connection: nc -l then fails)
. "$TOP_SRCDIR/tests/integ/ports.sh"
port=$(free_port)
rm -rf .df2ninja build.ninja
cat >Dockerfile <<DF
FROM $BUSYBOX AS a
RUN timeout 20 nc -l -p $port >/got && test -s /got
FROM $BUSYBOX AS b
RUN echo hi >/hi; i=0; until nc 127.0.0.1 $port </hi; do i=\$((i + 1)); [ \$i -lt 150 ] || exit 1; sleep 0.1; done
FROM $BUSYBOX
COPY --from=a /got /got
COPY --from=b /etc/passwd /b
DF
"$DF2NINJA" . >/dev/null
if "$NINJA" -j2 >j.out 2>&1; then
	ok "the steps of one build run side by side under -j2"
else
	not_ok "the steps of one build run side by side under -j2"
	sed 's/^/#   /' j.out
	for l in .df2ninja/logs/*; do sed "s|^|#   $l: |" "$l"; done
fi

done_testing

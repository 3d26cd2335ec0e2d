#!/bin/sh
# An interrupted build (Ctrl-C: SIGINT to ninja's process group) stops
# promptly and leaves nothing behind: no process, no mount, no stamp; the
# next build runs the step again from a clean upper dir. The same when the
# executor itself is killed with SIGKILL.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

# a command line no other test runs: busybox sleep adds up its arguments
tok=$(printf %07d $$)	# fixed width: no other pid is a prefix of it
nap="sleep 30 0.000$tok"

cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo partial >/partial; $nap; echo not reached
RUN echo done >/done
DF
check "generate" "$DF2NINJA" .

# start_ninja: ninja in the background, in a session of its own, so that its
# process group can be signalled as a terminal would; $bg is the waited-for
# process, $pgid the group
start_ninja() {
	rm -f pgid
	setsid -w sh -c 'echo $$ >pgid; exec "$0" >out 2>&1' "$NINJA" &
	bg=$!
	_i=0
	while [ ! -s pgid ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	pgid=$(cat pgid)
}

# wait_step: poll until the step's command runs (at most 20 s)
wait_step() {
	_i=0
	while ! pgrep -f "$nap" >/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ]; then
			echo "# the step never started:" >&2
			sed 's/^/#   /' out >&2
			return 1
		fi
		sleep 0.1
	done
}

# alive PID: PID runs (a zombie, exited but not waited for, does not)
alive() {
	[ -r "/proc/$1/stat" ] &&
		! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# wait_gone PID SECONDS: PID exits within SECONDS (else it is killed)
wait_gone() {
	_i=0
	while alive "$1"; do
		_i=$((_i + 1))
		if [ $_i -gt $(($2 * 10)) ]; then
			echo "# $1 still runs after $2 s" >&2
			kill -9 "$1" 2>/dev/null
			return 1
		fi
		sleep 0.1
	done
}

# no_mounts: nothing is mounted below the test dir
no_mounts() {
	if grep -F " $TMP" /proc/self/mountinfo >&2; then
		echo "# mounts left below $TMP" >&2
		return 1
	fi
}

# no_proc: no process of the step remains
no_proc() {
	if pgrep -af "$nap" >&2; then
		echo "# the step's processes remain" >&2
		pkill -9 -f "$nap"
		return 1
	fi
}

# --- SIGINT to ninja's process group (Ctrl-C) ----------------------------------

start_ninja
check "the step starts" wait_step
kill -INT "-$pgid"
check "ninja exits within 10 s of SIGINT" wait_gone "$bg" 10
wait "$bg"
st=$?
check "ninja's exit status is not 0" test "$st" != 0
check "ninja says it was interrupted" assert_file_has out 'interrupted'
check "no process of the step remains" no_proc
check "no mount remains below the test dir" no_mounts
check "no stamp for the interrupted step" test ! -e .df2ninja/steps/stage-0/02.id
check "nothing after it ran" test ! -e .df2ninja/steps/stage-0/03.id
check "FROM kept its stamp" test -f .df2ninja/steps/stage-0/01.id

# the next build, with the step changed to something quick
sed -i "s|^RUN echo partial.*|RUN echo quick >/quick|" Dockerfile
"$NINJA" >out2 2>&1
check "the next ninja succeeds" test $? = 0
check "it runs the changed step and what follows" expect_ran out2 "RUN [stage-0 2/3]" "RUN [stage-0 3/3]"
"$DF2NINJA" shell stage-0/3 -- sh -c 'ls /; cat /quick /done' >ls.out 2>&1
check "the step's result has its own file" assert_file_has ls.out '^quick$'
check "... and the next step's" assert_file_has ls.out '^done$'
check "... but not the interrupted step's" sh -c '! grep -q partial ls.out'
check "the kept layer has no trace of the interrupted step" \
	sh -c '! find .df2ninja/layers -name partial | grep -q .'
mkdir exp
"$DF2NINJA" --output "type=local,dest=$TMP/exp/rootfs" . >/dev/null 2>&1 &&
	"$NINJA" >out3 2>&1
check "export to a local dir" test -f exp/rootfs/quick
check "the exported rootfs has no /partial" test ! -e exp/rootfs/partial
check "no mount remains after the builds" no_mounts

# --- SIGKILL to the executor --------------------------------------------------

sed -i "s|^RUN echo quick.*|RUN echo partial >/partial; $nap|" Dockerfile
"$DF2NINJA" . >/dev/null 2>&1
# the step's stamp from the build above must not be rewritten
cp .df2ninja/steps/stage-0/02.id stamp.before
touch -d '2000-01-01' .df2ninja/steps/stage-0/02.id stamp.before
start_ninja
check "the step starts again" wait_step
# the executor: the top-most ancestor of the step's command that runs
# `$DF2NINJA exec` (below it is the sandbox's init, a fork of it; above it
# ninja's `sh -c`)
exe=
p=$(pgrep -f "$nap" | head -n 1)
while [ -n "$p" ] && [ "$p" -gt 1 ]; do
	if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "^$DF2NINJA exec "; then
		exe=$p
	elif [ -n "$exe" ]; then
		break
	fi
	p=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f2)
done
check "found the executor" test -n "$exe"
[ -n "$exe" ] && kill -9 "$exe"
check "ninja exits within 10 s of the executor's death" wait_gone "$bg" 10
wait "$bg"
st=$?
check "ninja's exit status is not 0" test "$st" != 0
# the command dies with the executor (the container's init goes with it)
_i=0
while pgrep -f "$nap" >/dev/null && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "no process of the step remains" no_proc
check "no mount remains below the test dir" no_mounts
check "the killed step's stamp is not rewritten" sh -c '
	s=.df2ninja/steps/stage-0/02.id
	! test -e $s || { cmp $s stamp.before && ! test $s -nt stamp.before; }' 
sed -i "s|^RUN echo partial.*|RUN echo again >/again|" Dockerfile
"$NINJA" >out4 2>&1
check "the next ninja succeeds" test $? = 0
"$DF2NINJA" shell stage-0/3 -- sh -c 'ls /' >ls2.out 2>&1
check "the result has the new step's file" assert_file_has ls2.out '^again$'
check "... but not the killed step's" sh -c '! grep -q partial ls2.out'

done_testing

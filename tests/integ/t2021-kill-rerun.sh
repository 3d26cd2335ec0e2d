#!/bin/sh
# SIGKILL to ninja's process group at a random moment, then at once a new
# ninja: the killed build's steps die with it (ninja runs each in a
# process group of its own, which the kill misses), the new build waits
# for any still stopping, and it gives the reference image, 20 of 20.
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
RUN i=0; while [ \$i -lt 300 ]; do echo \$i >/f\$i; i=\$((i + 1)); done; sleep 0.3 0.000$tok
RUN rm /f7; echo b >/b; sleep 0.2 0.000$tok
RUN cat /b /f299 >/c; sleep 0.1 0.000$tok
DF
want=$(reference_digest) || exit 1
"$DF2NINJA" . >/dev/null

# random_ms N: a number of milliseconds in [0, N)
random_ms() {
	echo $(($(od -An -N2 -tu2 /dev/urandom) % $1))
}

bad=0
for n in $(seq 20); do
	# every step to run again (the layers stay: the same results)
	rm -rf .df2ninja/steps .df2ninja/out
	rm -f pgid
	setsid sh -c 'echo $$ >pgid; exec "$0" >killed.out 2>&1' "$NINJA" &
	bg=$!
	ms=$(random_ms 1000)
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	i=0
	while [ ! -s pgid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	# (a build that has already ended is not killed)
	kill -KILL "-$(cat pgid)" 2>/dev/null
	wait $bg 2>/dev/null
	if ! "$NINJA" >rerun.out 2>&1; then
		echo "# round $n (killed after $ms ms): the rerun failed:"
		sed 's/^/#   /' rerun.out
		bad=$((bad + 1))
		continue
	fi
	got=$(image_digest .df2ninja/image)
	if [ "$got" != "$want" ]; then
		echo "# round $n (killed after $ms ms): image $got, not $want"
		bad=$((bad + 1))
	fi
done
if [ $bad = 0 ]; then
	ok "20 of 20 reruns right after a SIGKILL give the reference image"
else
	not_ok "$bad of 20 reruns right after a SIGKILL went wrong"
fi

# the step of a killed ninja is gone within a second, not left running
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN sleep 30 0.000$tok
DF
"$DF2NINJA" . >/dev/null
rm -f pgid
setsid sh -c 'echo $$ >pgid; exec "$0" >killed.out 2>&1' "$NINJA" &
bg=$!
wait_for_process "sleep 30 0.000$tok" 600 || echo "# the step did not start"
kill -KILL "-$(cat pgid)"
wait $bg 2>/dev/null
i=0
while pgrep -f "sleep 30 0.000$tok|exec step --plan .df2ninja/plans/stage-0/02" >/dev/null &&
	[ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
if pgrep -af "sleep 30 0.000$tok" >&2; then
	not_ok "the killed build's step stopped within 3 s"
	pkill -KILL -f "sleep 30 0.000$tok"
else
	ok "the killed build's step stopped within 3 s (after $((i * 100)) ms)"
fi

done_testing

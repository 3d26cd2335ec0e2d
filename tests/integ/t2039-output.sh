#!/bin/sh
# What a RUN step prints: its whole output goes to its log, ninja shows its
# last 10 lines (50 after a failure) and the log's path when clipped;
# DF2NINJA_PROGRESS=plain shows all, quiet nothing on success; on a
# terminal a step running past 2 s draws a status line (a long pull too:
# its progress). Also `df2ninja
# help` and the shell's hint after a failed step.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

# lines FROM TO: "line FROM" .. "line TO", as the steps print them
lines() { seq "$1" "$2" | sed 's/^/line /'; }

mkdir ok && cd ok || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS s
RUN seq 1 200 | sed 's/^/line /'
RUN echo short one; echo short two
DF
check "generate" "$DF2NINJA" .
"$NINJA" >out 2>&1
check "the build succeeds" test $? = 0
grep '^line ' out >shown
lines 191 200 >want
check "ninja shows the last 10 lines of the long step" test_cmp want shown
check "... and says where the rest is" \
	assert_file_has out '^\.\.\. 190 earlier lines, the whole log: \.df2ninja/logs/s-02\.log$'
lines 1 200 >want
check "the log holds all 200 lines" test_cmp want .df2ninja/logs/s-02.log
check "a short output is shown whole" assert_file_has out '^short one$'
check "... with no clipping line" sh -c '[ "$(grep -c "earlier line" out)" = 1 ]'

sed -i 's|/^/line /|/^/plain /|' Dockerfile
DF2NINJA_PROGRESS=plain "$NINJA" >out 2>&1
check "plain: the build succeeds" test $? = 0
check "plain: ninja shows all 200 lines" sh -c '[ "$(grep -c "^plain [0-9]*$" out)" = 200 ]'
check "plain: no clipping line" assert_file_lacks out 'earlier line'
sed -i 's|/^/plain /|/^/quiet /|' Dockerfile
DF2NINJA_PROGRESS=quiet "$NINJA" >out 2>&1
check "quiet: the build succeeds" test $? = 0
check "quiet: no output of the step" assert_file_lacks out '^quiet '
check "quiet: the log has it all" sh -c '[ "$(grep -c "^quiet " .df2ninja/logs/s-02.log)" = 200 ]'
sed -i 's|/^/quiet /|/^/bad /|' Dockerfile
DF2NINJA_PROGRESS=loud "$NINJA" >out 2>&1
check "an unknown DF2NINJA_PROGRESS fails the step" test $? != 0
check "... naming the variable" assert_file_has out "DF2NINJA_PROGRESS: unknown mode 'loud'"

# the generator's --progress: kept in the build dir, no step reruns for it
sed -i 's|/^/bad /|/^/gen /|' Dockerfile
"$NINJA" >/dev/null 2>&1
check "--progress plain generates" "$DF2NINJA" --progress plain .
"$NINJA" >out 2>&1
check "a changed --progress reruns no step" assert_file_lacks out 'RUN '
check "... and is kept in the build dir" file_is .df2ninja/progress plain
sed -i 's|/^/gen /|/^/gen2 /|' Dockerfile
"$NINJA" >out 2>&1
check "--progress plain: ninja shows all 200 lines" sh -c '[ "$(grep -c "^gen2 [0-9]*$" out)" = 200 ]'
sed -i 's|/^/gen2 /|/^/gen3 /|' Dockerfile
DF2NINJA_PROGRESS=quiet "$NINJA" >out 2>&1
check "DF2NINJA_PROGRESS overrides --progress" assert_file_lacks out '^gen3 '
check "--progress auto generates" "$DF2NINJA" --progress=auto .
check "... and the build dir's mode is auto again" file_is .df2ninja/progress auto
check "an unknown --progress is refused" expect_fail 2 "progress 'loud'" "$DF2NINJA" --progress loud .
cd "$TMP" || exit 99

# --- a failing step: the last 50 lines, the log, the shell ---------------

mkdir fail && cd fail || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN seq 1 200 | sed 's/^/line /'; exit 3
DF
check "generate the failing build" "$DF2NINJA" .
"$NINJA" >out 2>&1
check "ninja fails" test $? != 0
grep '^line ' out >shown
lines 151 200 >want
check "ninja shows the last 50 lines of the failed step" test_cmp want shown
check "... says how many came before" assert_file_has out '^\.\.\. 150 earlier lines'
check "... names the whole log" assert_file_has out 'the whole log: \.df2ninja/logs/stage-0-02\.log'
check "... and the exit status" assert_file_has out 'exit status 3'
lines 1 200 >want
check "the log holds all 200 lines" test_cmp want .df2ninja/logs/stage-0-02.log
check "shell without --failed: a hint naming the target and --failed" \
	expect_fail 1 'df2ninja shell stage-0/2 --failed' "$DF2NINJA" shell stage-0/2 -- true
check "... and ninja's real target" assert_file_has "$TMP/.err" '`ninja stage-0/2`'
check "... never the file name stage-0/02" assert_file_lacks "$TMP/.err" 'stage-0/02'
check "shell stage-0/02 gets the same hint" \
	expect_fail 1 'shell stage-0/2 --failed' "$DF2NINJA" shell stage-0/02 -- true
check "shell --failed enters it" "$DF2NINJA" shell stage-0/2 --failed -- true
cd "$TMP" || exit 99

# --- FROM with an ARG: the image as resolved, in ninja's line and errors -----

mkdir argfrom && cd argfrom || exit 99
printf 'ARG IMG=oci-layout://./nowhere:latest\nFROM ${IMG}\nRUN true\n' >Dockerfile
"$DF2NINJA" . >/dev/null
"$NINJA" >out 2>&1
check "a FROM of a missing layout fails" test $? != 0
check "ninja's line shows the image resolved" \
	assert_file_has out '\] FROM \[stage-0 1/2\] oci-layout://\./nowhere:latest$'
check "... as does the error" \
	assert_file_has out 'error: \[stage-0 1/2\] FROM oci-layout://\./nowhere:latest failed'
check "... never the unexpanded \${IMG}" assert_file_lacks out 'IMG'
cd "$TMP" || exit 99

# --- a step that has not run: the real target --------------------------

mkdir unbuilt && cd unbuilt || exit 99
printf 'FROM %s\nRUN true\n' "$BUSYBOX" >Dockerfile
"$DF2NINJA" . >/dev/null
check "shell on an unbuilt step names the ninja target" \
	expect_fail 1 'run ninja stage-0/2 first' "$DF2NINJA" shell stage-0/2 -- true
cd "$TMP" || exit 99

# --- live: a status line on the terminal ---------------------------------

if command -v script >/dev/null 2>&1; then
	mkdir live && cd live || exit 99
	cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo warming up; sleep 4; echo done
DF
	"$DF2NINJA" . >/dev/null
	# script gives ninja a terminal; the status line goes to /dev/tty
	script -qec "$NINJA" typescript >/dev/null 2>&1
	check "ninja on a terminal succeeds" test $? = 0
	check "a step past 2 s draws its status line" \
		assert_file_has typescript '\[stage-0 2/2\] RUN echo warming up.* ([234]s) warming up'
	check "... then its output" assert_file_has typescript '^done'
	cd "$TMP" || exit 99

	# a FROM that pulls for long (a slow registry of our own, a store of
	# its own): the pull's last progress line on the status line
	mkdir pull && cd pull || exit 99
	BB=${BUSYBOX#oci-layout://}
	BB=${BB%:latest}
	python3 "$TOP_SRCDIR/tests/integ/canned-registry.py" --layout "$BB" --port-file port \
		--log req --slow 2>canned.log &
	CPID=$!
	for _i in $(seq 100); do [ -f port ] && break; sleep 0.1; done
	printf 'FROM 127.0.0.1:%s/busybox:latest\n' "$(cat port)" >Dockerfile
	export DF2NINJA_STORE="$TMP/pullstore" no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
	check "generate a FROM of the slow registry" "$DF2NINJA" .
	# wide enough for the whole line
	setsid script -qec "stty cols 250; $NINJA" typescript >/dev/null 2>&1 &
	SPID=$!
	_re='\[stage-0 1/1\] FROM 127\.0\.0\.1:[0-9]*/busybox:latest ([0-9]*s) .*busybox:latest: layer [0-9]*/[0-9]* sha256:[0-9a-f]*: .* of '
	for _i in $(seq 150); do grep -q "$_re" typescript 2>/dev/null && break; sleep 0.2; done
	kill -INT "-$SPID" 2>/dev/null
	wait "$SPID"
	kill "$CPID" 2>/dev/null
	wait "$CPID"
	check "a long pull draws its progress on the status line" assert_file_has typescript "$_re"
	unset DF2NINJA_STORE
	cd "$TMP" || exit 99

else
	skip "live status line: no script(1)"
fi

# --- make: descriptions, commands under V=1 ---------------------------------

mkdir mk && cd mk || exit 99
cat >Dockerfile <<DF
ARG IMG=$BUSYBOX
FROM \${IMG}
RUN echo 'it''s' "\$HOME"
DF
check "generate a make file" "$DF2NINJA" -G make .
# not the V=1 of a `make check V=1` running this test
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u V make "$@"; }
mk >out 2>&1
check "make builds" test $? = 0
check "make prints the step's description" assert_file_has out "^RUN  \[stage-0 2/2\] echo 'it''s' \"\$HOME\"\$"
check "... the FROM with its image resolved" assert_file_has out "^FROM \[stage-0 1/2\] oci-layout://"
check "... and the export" assert_file_has out '^EXPORT \.df2ninja/out/image\.id$'
check "... and the step's output" assert_file_has out '^its /root$'
check "... but not the df2ninja commands" assert_file_lacks out 'exec step'
mk V=1 -B >out 2>&1
check "make V=1 builds" test $? = 0
check "make V=1 prints the commands" assert_file_has out 'df2ninja exec step --plan'
check "... and not the descriptions" assert_file_lacks out '^RUN  \['
cd "$TMP" || exit 99

# --- help -------------------------------------------------------------------

"$DF2NINJA" --help >help.out
check "--help lists the commands" sh -c 'for c in shell parse clean exec help; do grep -q "^  $c " help.out || exit 1; done'
check "--help says exec is internal" assert_file_has help.out 'internal'
"$DF2NINJA" help shell >h1.out
check "help shell prints the shell's usage" assert_file_has h1.out '^usage: df2ninja shell '
"$DF2NINJA" shell --help >h2.out
check "shell --help prints the same" test_cmp h1.out h2.out
for c in parse clean exec; do
	"$DF2NINJA" help $c >h.out
	check "help $c" assert_file_has h.out "^usage: df2ninja $c "
done
"$DF2NINJA" help >h.out
check "help alone prints the usage" assert_file_has h.out '^usage: df2ninja \[options\]'
check "help of an unknown command fails" expect_fail 2 "no command 'nope'" "$DF2NINJA" help nope

done_testing

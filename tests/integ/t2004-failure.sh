#!/bin/sh
# A failed step: what ninja and the message say, the whole log, no stamp,
# `df2ninja shell --failed`, and a rerun after the fix. Bad input (a missing
# or escaping COPY source, a corrupt or missing base image, an unknown
# user, a registry out of reach): a clear error naming the place, no stamp.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

# no_stamp STAMP: the step wrote no stamp
no_stamp() {
	if [ -e "$1" ]; then
		echo "# stamp '$1' was written" >&2
		return 1
	fi
}

# fails DIR [VAR=VALUE...]: ninja, with VARs in its environment, fails in
# DIR; its output goes to DIR/out
fails() {
	_d=$1
	shift
	(cd "$_d" && env "$@" "$NINJA" >out 2>&1)
	_st=$?
	if [ "$_st" = 0 ]; then
		echo "# ninja succeeded in $_d:" >&2
		sed 's/^/#   /' "$_d/out" >&2
		return 1
	fi
}

# --- a failing RUN -----------------------------------------------------------

mkdir fail && cd fail || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS s
RUN echo marker >/marker; seq 1 5000 | sed 's/^/line /'; exit 3
RUN echo after >/after
DF
check "generate" "$DF2NINJA" .
cd "$TMP" || exit 99
check "ninja fails on exit 3" fails fail
cd fail || exit 99
check "message names Dockerfile:2" assert_file_has out 'Dockerfile:2'
check "message names the stage and step" assert_file_has out '\[s 2/3\]'
check "message names the exit status" assert_file_has out 'exit status 3'
check "message names the log" assert_file_has out '\.df2ninja/logs/s-02\.log'
check "message names the shell command" assert_file_has out 'df2ninja shell s/2 --failed'
check "log file exists" test -f .df2ninja/logs/s-02.log
seq 1 5000 | sed 's/^/line /' >want.log
check "log holds all 5000 lines, unclipped" test_cmp want.log .df2ninja/logs/s-02.log
grep '^line [0-9]*$' out >shown
seq 4951 5000 | sed 's/^/line /' >want-tail
check "ninja shows the output's last 50 lines" test_cmp want-tail shown
check "... after saying how many came before" assert_file_has out '^\.\.\. 4950 earlier lines'
check "no stamp for the failed step" no_stamp .df2ninja/steps/s/02.id
check "step 1 has its stamp" test -f .df2ninja/steps/s/01.id
check "nothing after the failed step ran" no_stamp .df2ninja/steps/s/03.id

"$DF2NINJA" shell s/2 --failed -- cat /marker >shell.out 2>&1
check "shell --failed sees the file the failed command wrote" assert_file_has shell.out '^marker$'
check "a shell's changes: write a file" "$DF2NINJA" shell s/2 --failed -- sh -c 'echo x >/from-shell'
check "... is thrown away afterwards" "$DF2NINJA" shell s/2 --failed -- sh -c '! test -e /from-shell'
check "... and not left in the failed upper dir" sh -c '! test -e .df2ninja/failed/s/02/from-shell'
"$DF2NINJA" shell s/1 -- sh -c 'pwd; test -e /marker && echo has-marker; test -x /bin/sh && echo has-sh' >shell1.out 2>&1
check "shell s/1: the working dir step 1 left" assert_file_has shell1.out '^/root$'
check "shell s/1: the base image's files" assert_file_has shell1.out '^has-sh$'
check "shell s/1: not the failed step's files" assert_file_lacks shell1.out 'has-marker'
"$DF2NINJA" shell s/1 -- sh -c 'exit 7'
check "shell s/1 exits with the command's status" test $? = 7

sed -i 's/exit 3$/exit 0/' Dockerfile
"$NINJA" >out2 2>&1
check "after the fix ninja succeeds" test $? = 0
check "only the fixed step and what follows ran" expect_ran out2 "RUN [s 2/3]" "RUN [s 3/3]"
check "the fixed step has its stamp" test -f .df2ninja/steps/s/02.id
check "the fixed step's result" "$DF2NINJA" shell s/3 -- sh -c 'test -f /marker && test -f /after'
# a step that succeeds drops the upper dir its failure left, so that
# `shell --failed` never enters a stale state
check "after the fix there is no failed state to enter" \
	expect_fail 1 'no failed state' "$DF2NINJA" shell s/2 --failed -- true
cd "$TMP" || exit 99

# --- a step killed by a signal -----------------------------------------------

mkdir sig && cd sig || exit 99
printf 'FROM %s\nRUN kill -9 $$\n' "$BUSYBOX" >Dockerfile
"$DF2NINJA" . >/dev/null 2>&1
cd "$TMP" || exit 99
check "a step killed by SIGKILL fails" fails sig
check "the message names the signal" assert_file_has sig/out 'killed by signal 9 (SIGKILL)'
check "... at Dockerfile:2" assert_file_has sig/out 'Dockerfile:2.*\[stage-0 2/2\]'
check "no stamp for the killed step" no_stamp sig/.df2ninja/steps/stage-0/02.id

# --- a command that does not exist -------------------------------------------

mkdir nocmd && cd nocmd || exit 99
printf 'FROM %s\nRUN ["no-such-command", "x"]\n' "$BUSYBOX" >Dockerfile
"$DF2NINJA" . >/dev/null 2>&1
cd "$TMP" || exit 99
check "RUN of a missing command fails" fails nocmd
check "... naming the command" assert_file_has nocmd/out "Dockerfile:2.*exec 'no-such-command'.*No such file"
check "... and the log says it too" assert_file_has nocmd/.df2ninja/logs/stage-0-02.log "no-such-command"
check "... no stamp" no_stamp nocmd/.df2ninja/steps/stage-0/02.id

# --- bad input ---------------------------------------------------------------

# bad NAME DOCKERFILE-TEXT: a build in NAME/ctx that must fail
bad() {
	mkdir -p "$TMP/$1/ctx"
	printf '%s\n' "$2" >"$TMP/$1/ctx/Dockerfile"
	(cd "$TMP/$1/ctx" && "$DF2NINJA" . >gen.out 2>&1) || {
		echo "# generation failed:" >&2
		sed 's/^/#   /' "$TMP/$1/ctx/gen.out" >&2
	}
}

# a COPY source that does not exist
bad nosrc "FROM $BUSYBOX
COPY missing.txt /x"
check "COPY of a missing file fails" fails nosrc/ctx
check "... naming the file and the place" \
	assert_file_has nosrc/ctx/out "Dockerfile:2.*not found in build context.*missing.txt"
check "... no stamp" no_stamp nosrc/ctx/.df2ninja/steps/stage-0/02.id

# a source climbing out of the context: BuildKit drops the "..", so
# ../outside is the context's own file 'outside'
echo "outside the context" >"$TMP/outside"
echo "secret" >"$TMP/only-outside"
bad escape "FROM $BUSYBOX
COPY ../outside /x"
echo "inside the context" >escape/ctx/outside
echo "outside the context" >escape/outside
check "COPY ../outside builds" sh -c "cd escape/ctx && '$NINJA' >out 2>&1"
(cd escape/ctx && "$DF2NINJA" shell stage-0/2 -- cat /x) >escape/x 2>&1
check "... reads the context's own 'outside'" assert_file_has escape/x '^inside the context$'
(cd escape/ctx && "$NINJA" -t deps) >escape/deps 2>&1
check "... depends only on the context's file" assert_file_has escape/deps '^ *outside$'
check "... and on nothing outside the context" assert_file_lacks escape/deps '\.\./'
bad escape2 "FROM $BUSYBOX
COPY ../only-outside /x"
check "COPY ../only-outside (not in the context) fails" fails escape2/ctx
check "... as a file not found in the context" \
	assert_file_has escape2/ctx/out "Dockerfile:2.*not found in build context.*only-outside"
check "... no stamp" no_stamp escape2/ctx/.df2ninja/steps/stage-0/02.id

# a corrupt base layer, in a private store
bb=${BUSYBOX#oci-layout://}
bb=${bb%:latest}
cp -r "$bb" corrupt
chmod -R u+w corrupt
man=$(jq -r '.manifests[0].digest' corrupt/index.json)
layer=$(jq -r '.layers[0].digest' "corrupt/blobs/sha256/${man#sha256:}")
truncate -s 1000 "corrupt/blobs/sha256/${layer#sha256:}"
bad badlayer "FROM oci-layout://$TMP/corrupt:latest
RUN true"
check "FROM an image with a truncated layer fails" fails badlayer/ctx DF2NINJA_STORE="$TMP/store1"
check "... in the private store" test -d "$TMP/store1/blobs"
check "... naming the blob" assert_file_has badlayer/ctx/out "Dockerfile:1.*$layer"
check "... no stamp" no_stamp badlayer/ctx/.df2ninja/steps/stage-0/01.id
check "... no layer in the store" sh -c "! ls -A '$TMP/store1/layers/sha256' 2>/dev/null | grep -q ."
check "... no blob of it in the store" no_stamp "$TMP/store1/blobs/sha256/${layer#sha256:}"
check "... nothing left in the store's tmp" sh -c "! ls -A '$TMP/store1/tmp' 2>/dev/null | grep -q ."

# a blob whose digest is right but whose gzip stream is cut short: the
# import accepts it, unpacking fails, and no partial layer stays
cp -r "$bb" cut
chmod -R u+w cut
head -c 100000 "$bb/blobs/sha256/${layer#sha256:}" >cut/layer
rm "cut/blobs/sha256/${layer#sha256:}"
cutl=sha256:$(sha256sum cut/layer | cut -d' ' -f1)
mv cut/layer "cut/blobs/sha256/${cutl#sha256:}"
jq -c --arg d "$cutl" '.layers[0].digest = $d | .layers[0].size = 100000' \
	"cut/blobs/sha256/${man#sha256:}" >cut/man
rm "cut/blobs/sha256/${man#sha256:}"
cutm=sha256:$(sha256sum cut/man | cut -d' ' -f1)
mv cut/man "cut/blobs/sha256/${cutm#sha256:}"
jq -c --arg d "$cutm" --argjson s "$(stat -c %s "cut/blobs/sha256/${cutm#sha256:}")" \
	'.manifests[0].digest = $d | .manifests[0].size = $s' cut/index.json >cut/index.new
mv cut/index.new cut/index.json
bad cutlayer "FROM oci-layout://$TMP/cut:latest
RUN true"
check "FROM an image whose layer does not unpack fails" fails cutlayer/ctx DF2NINJA_STORE="$TMP/store2"
check "... naming the layer" assert_file_has cutlayer/ctx/out "Dockerfile:1.*layer 1 of 4.*${cutl#sha256:}"
check "... no stamp" no_stamp cutlayer/ctx/.df2ninja/steps/stage-0/01.id
check "... no partial layer in the store" sh -c "! ls -A '$TMP/store2/layers/sha256' 2>/dev/null | grep -q ."
check "... nothing left in the store's tmp" sh -c "! ls -A '$TMP/store2/tmp' 2>/dev/null | grep -q ."

# a missing base image
bad noimage "FROM oci-layout:///nonexistent
RUN true"
check "FROM a missing OCI layout fails" fails noimage/ctx
check "... naming it" assert_file_has noimage/ctx/out "Dockerfile:1.*/nonexistent.*No such file"
check "... no stamp" no_stamp noimage/ctx/.df2ninja/steps/stage-0/01.id

# an unknown user
bad nouser "FROM $BUSYBOX
USER nobody2
RUN true"
check "RUN as an unknown user fails" fails nouser/ctx
check "... naming the user and the place" assert_file_has nouser/ctx/out "Dockerfile:3.*\[stage-0 2/2\].*nobody2"
check "... no stamp" no_stamp nouser/ctx/.df2ninja/steps/stage-0/02.id
check "... the log it names exists" test -f nouser/ctx/.df2ninja/logs/stage-0-02.log
check "... and says why" assert_file_has nouser/ctx/.df2ninja/logs/stage-0-02.log nobody2

# a step's kept layer changed behind its back: the export packs it and
# checks its sum, so the image never holds what no step made
bad tamper "FROM $BUSYBOX
RUN echo made by the step >/f"
(cd tamper/ctx && "$NINJA" >out 2>&1)
check "a layer to tamper with is built" test $? = 0
kept=$(ls -d tamper/ctx/.df2ninja/layers/stage-0/02.*[0-9a-f] 2>/dev/null | head -n 1)
check "... kept under its sum" test -f "$kept/f"
echo "not made by any step" >"$kept/f"
rm -f tamper/ctx/.df2ninja/out/packed-layers tamper/ctx/.df2ninja/out/image.id
check "the export of a changed layer fails" fails tamper/ctx
check "... naming the layer dir and the rerun" assert_file_has tamper/ctx/out \
	"layer in '.*stage-0/02\.[0-9a-f]*' changed since its step ran.*rerun its step"
check "... no image stamp" no_stamp tamper/ctx/.df2ninja/out/image.id

# a registry reference with no way to the registry (a network namespace of
# its own): a prompt, clear error naming the image, nothing half-written
bad registry "FROM debian:bookworm
RUN true"
if unshare -n true 2>/dev/null; then
	(cd registry/ctx && DF2NINJA_STORE=$TMP/store3 unshare -n timeout 30 "$NINJA" >out 2>&1)
	check "FROM a registry reference with no network fails" test $? = 1
	check "... naming the place and the image" assert_file_has registry/ctx/out \
		"Dockerfile:1.*\[stage-0 1/2\].*debian:bookworm"
	check "... no stamp" no_stamp registry/ctx/.df2ninja/steps/stage-0/01.id
	check "... no layer in the store" sh -c "! ls -A '$TMP/store3/layers/sha256' 2>/dev/null | grep -q ."
	check "... nothing left in the store's tmp" sh -c "! ls -A '$TMP/store3/tmp' 2>/dev/null | grep -q ."
else
	skip "FROM a registry reference with no network (cannot unshare the network)"
fi

done_testing

#!/bin/sh
# RUN --mount=type=secret: from --secret's file or environment variable,
# at /run/secrets/<id> or a target, as env= instead (or as well with a
# target), mode 0400 root's unless mode/uid/gid; an optional one not
# given is absent, a required one refused at generation with its line;
# the value nowhere in the build dir, the store, the image, and not an
# input: a new value runs nothing again.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

VAL="s3cret-file-$$-qZx"
EVAL="s3cret-env-$$-wYv"
DVAL="s3cret-default-$$-kJu"
sum() { printf %s "$1" | md5sum | cut -d' ' -f1; }

mkdir ctx && cd ctx || exit 99
printf %s "$VAL" >"$TMP/tok.txt"
printf %s "$DVAL" >dflt
cat >Dockerfile <<DF
FROM $BUSYBOX AS unused
RUN --mount=type=secret,id=never,required true
FROM $BUSYBOX
RUN mkdir -m 777 /out
RUN --mount=type=secret,id=tok md5sum </run/secrets/tok | cut -d' ' -f1 >/out/file-sum && stat -c '%a %u %g' /run/secrets/tok >/out/file-stat && { echo x >/run/secrets/tok 2>/dev/null && echo rw || echo ro; } >/out/file-ro
RUN --mount=type=secret,id=etok,env=TOKEN printf %s "\$TOKEN" | md5sum | cut -d' ' -f1 >/out/env-sum && { test -e /run/secrets/etok && echo file || echo nofile; } >/out/env-file
RUN --mount=type=secret,id=tok,target=/etc/app/key,env=K,mode=0440,uid=1000,gid=1001,required=true stat -c '%a %u %g' /etc/app/key >/out/t-stat && printf %s "\$K" | md5sum | cut -d' ' -f1 >/out/t-env-sum
RUN --mount=type=secret,source=dflt,target=rel md5sum <rel | cut -d' ' -f1 >/out/default-sum
RUN --mount=type=secret,id=absent { test -e /run/secrets/absent && echo there || echo absent; } >/out/absent
RUN --mount=type=secret,id=absent,env=ABS { test -n "\${ABS+x}" && echo set || echo unset; } >/out/absent-env
USER 1000
RUN --mount=type=secret,id=tok,uid=1000 md5sum </run/secrets/tok | cut -d' ' -f1 >/out/user-sum
RUN --mount=type=secret,id=tok { cat /run/secrets/tok >/dev/null 2>&1 && echo read || echo denied; } >/out/user-denied
DF
MYTOK=$EVAL
export MYTOK
check "generate" "$DF2NINJA" --secret "id=tok,src=$TMP/tok.txt" \
	--secret id=etok,env=MYTOK --secret id=dflt \
	--output "type=local,dest=$TMP/root" --output "type=oci,dest=$TMP/oci" .
check "build" ninja_logged
O=$TMP/root/out
check "a file at /run/secrets/<id>" file_is "$O/file-sum" "$(sum "$VAL")"
check "... mode 0400, root's" file_is "$O/file-stat" "400 0 0"
check "... read-only" file_is "$O/file-ro" ro
check "env=: from --secret env=" file_is "$O/env-sum" "$(sum "$EVAL")"
check "... and no file" file_is "$O/env-file" nofile
check "target, mode, uid, gid" file_is "$O/t-stat" "440 1000 1001"
check "... and env= as well" file_is "$O/t-env-sum" "$(sum "$VAL")"
check "--secret id=X alone: the file X; relative target; source= is the id" \
	file_is "$O/default-sum" "$(sum "$DVAL")"
check "an optional secret not given is absent" file_is "$O/absent" absent
check "... and its env= unset" file_is "$O/absent-env" unset
check "uid=: a USER reads it" file_is "$O/user-sum" "$(sum "$VAL")"
check "... root's 0400 is not for a USER" file_is "$O/user-denied" denied
check "no /run/secrets in the image" test ! -e "$TMP/root/run/secrets"
check "no target stub in the image" test ! -e "$TMP/root/etc/app"
check "no relative target stub" test ! -e "$TMP/root/rel"

# the values are nowhere: build dir, build file, store, image
check "the OCI layout is there to search" test -f "$TMP/oci/index.json"
for v in "$VAL" "$EVAL" "$DVAL"; do
	check "value not in the build dir" sh -c '! grep -r -a -q -F "$0" .df2ninja build.ninja' "$v"
	check "value not in the store" sh -c '! grep -r -a -q -F "$0" "$DF2NINJA_STORE"' "$v"
	check "value not in the exported files" sh -c '! grep -r -a -q -F "$0" "$1"' "$v" "$TMP/root"
	check "value not in the image's blobs" sh -c '
		for b in "$1"/blobs/sha256/*; do
			{ gzip -dc "$b" 2>/dev/null || cat "$b"; } | grep -a -q -F "$0" && exit 1
		done; exit 0' "$v" "$TMP/oci"
done

# a secret is not an input: a new value runs nothing again
printf %s "other-$VAL" >"$TMP/tok.txt"
MYTOK=other
check "rebuild after the values changed" ninja_logged
check "... runs nothing" assert_file_has "$TMP/ninja.out" 'no work to do'
check "... the image keeps the first value's sum" file_is "$O/file-sum" "$(sum "$VAL")"
cd .. || exit 99

# refused at generation
mkdir gen && cd gen || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN true
RUN --mount=type=secret,id=needed,required=true true
DF
check "a required secret not given is refused" expect_fail 1 \
	"Dockerfile:3:.*secret 'needed' not found (required)" "$DF2NINJA" .
check "... given, it generates" "$DF2NINJA" --secret "id=needed,src=$TMP/tok.txt" .
check "a missing src= names the option" expect_fail 1 \
	"--secret 'id=needed,src=nope': cannot stat 'nope'" "$DF2NINJA" --secret id=needed,src=nope .
check "a bad --secret key" expect_fail 1 "unexpected key 'foo'" \
	"$DF2NINJA" --secret id=needed,foo=1 .
check "type=env reads src= as the variable" "$DF2NINJA" --secret id=needed,type=env,src=MYTOK .
check "... recorded as env=" assert_file_has .df2ninja/secrets "^secret	needed	env	MYTOK$"
# CSV as docker reads it: a quoted field keeps its commas
printf %s "$VAL" >"$TMP/a,b.txt"
check "a quoted src= with a comma" "$DF2NINJA" --secret "id=needed,\"src=$TMP/a,b.txt\"" .
check "... recorded whole" assert_file_has .df2ninja/secrets "^secret	needed	file	$TMP/a,b.txt$"
rm .df2ninja/secrets
check "... the regeneration reads it back" "$DF2NINJA" --args-file .df2ninja/gen.args
check "... still recorded whole" assert_file_has .df2ninja/secrets "^secret	needed	file	$TMP/a,b.txt$"
check "an unquoted comma splits, as docker's" expect_fail 1 "invalid field 'b.txt' must be a key=value" \
	"$DF2NINJA" --secret "id=needed,src=$TMP/a,b.txt" .
check "a quote not closed is refused" expect_fail 1 \
	"failed to parse csv secret: extraneous or missing \" in quoted-field" \
	"$DF2NINJA" --secret "id=needed,\"src=$TMP/a" .
cd .. || exit 99

# rootless (t2014): an unprivileged user's build gets its secret too
U=df2ninja-test
ensure_user "$U"
chmod 755 "$TMP"
mkdir rl && cd rl || exit 99
printf %s "$VAL" >tok
chmod 600 tok
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN --mount=type=secret,id=tok,required md5sum </run/secrets/tok | cut -d' ' -f1 >/sum && stat -c '%a %u %g' /run/secrets/tok >/stat
DF
chown -R "$U" .
mkdir "$TMP/rlhome" && chown "$U" "$TMP/rlhome" || exit 99
rl() { runuser -u "$U" -- env DF2NINJA_STORE="$TMP/rlhome/store" HOME="$TMP/rlhome" "$@"; }
check "rootless: generate" rl "$DF2NINJA" --secret id=tok --output "type=local,dest=$TMP/rl/root" .
check "rootless: build" rl "$NINJA" -j1
check "rootless: the secret" file_is root/sum "$(sum "$VAL")"
check "rootless: root's 0400" file_is root/stat "400 0 0"
check "rootless: value not in the store" sh -c '! grep -r -a -q -F "$0" "$1" .df2ninja' "$VAL" "$TMP/rlhome/store"
done_testing

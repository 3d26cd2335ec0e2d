#!/bin/sh
# `df2ninja shell STAGE/N` of a RUN step, built or failed (--failed), gets
# what the RUN had: its secret and ssh mounts (file and env=), its binds,
# tmpfs and cache mounts, --ulimit, --add-host and --network; nothing of
# the secret lands in the build dir.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

PING=${TOP_BUILDDIR:-$TOP_SRCDIR}/tests/probe/sockping
[ -x "$PING" ] || { echo "Bail out! no $PING (make check builds it)"; exit 1; }
command -v ssh-agent >/dev/null || { echo "Bail out! no ssh-agent (openssh-client)"; exit 1; }
AGENT=$(ssh-agent -s -a "$TMP/agent.sock" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p')
[ -n "$AGENT" ] || { echo "Bail out! ssh-agent did not start"; exit 1; }
trap 'kill "$AGENT" 2>/dev/null; cleanup' EXIT

VAL="shell-s3cret-$$-pQr"
printf %s "$VAL" >"$TMP/tok.txt"
mkdir ctx ctx/dir && cd ctx || exit 99
cp "$PING" sp
echo bound >dir/file
cat >Dockerfile <<DF
FROM $BUSYBOX AS s
RUN --mount=type=cache,id=pc,target=/c echo cached >/c/f
RUN --mount=type=secret,id=tok --mount=type=ssh --mount=type=bind,source=sp,target=/sp --mount=type=bind,source=dir,target=/b --mount=type=tmpfs,target=/t --mount=type=cache,id=pc,target=/c true
RUN --network=none --mount=type=secret,id=tok,env=TOK --mount=type=bind,source=dir,target=/b false
DF
check "generate" "$DF2NINJA" --secret "id=tok,src=$TMP/tok.txt" \
	--ssh "default=$TMP/agent.sock" --ulimit nofile=123:456 --add-host web.local:10.9.8.7 .
"$NINJA" >out 2>&1
check "the build fails at step 4" assert_file_has out 'df2ninja shell s/4 --failed'

# the built step 3
"$DF2NINJA" shell s/3 -- sh -c 'cat /run/secrets/tok; echo; /sp; ulimit -Sn; ulimit -Hn;
	cat /b/file; cat /c/f; grep " /t " /proc/mounts | cut -d" " -f3;
	grep web.local /etc/hosts; echo "$SSH_AUTH_SOCK"' >built.out 2>&1
sed 's/^/#   /' built.out
check "shell s/3: the secret at /run/secrets/tok" assert_file_has built.out "^$VAL\$"
check "... the ssh agent answers" assert_file_has built.out '^answer 12$'
check "... SSH_AUTH_SOCK names it" assert_file_has built.out '^/run/buildkit/ssh_agent.0$'
check "... --ulimit's soft limit" assert_file_has built.out '^123$'
check "... and hard limit" assert_file_has built.out '^456$'
check "... the bind from the context" assert_file_has built.out '^bound$'
check "... the cache" assert_file_has built.out '^cached$'
check "... the tmpfs" assert_file_has built.out '^tmpfs$'
check "... --add-host" assert_file_has built.out '10\.9\.8\.7[[:space:]]*web\.local'
check "... the bind is read-only, as RUN's" expect_fail 1 "" \
	"$DF2NINJA" shell s/3 -- sh -c 'echo x >/b/new'
check "... the secret mount leaves no stub behind" \
	"$DF2NINJA" shell s/2 -- sh -c '! test -e /run/secrets/tok && ! test -e /b'

# the failed step 4
"$DF2NINJA" shell s/4 --failed -- sh -c 'printf "%s\n" "$TOK"; cat /b/file;
	grep -c : /proc/net/dev; ulimit -Sn' >failed.out 2>&1
sed 's/^/#   /' failed.out
check "shell s/4 --failed: the secret's env=" assert_file_has failed.out "^$VAL\$"
check "... the bind" assert_file_has failed.out '^bound$'
check "... --network=none: only lo" assert_file_has failed.out '^1$'
check "... --ulimit" assert_file_has failed.out '^123$'

check "the secret is nowhere in the build dir" sh -c '! grep -r -q -F "$0" .df2ninja build.ninja' "$VAL"
check "a non-RUN step's shell has no mounts" \
	"$DF2NINJA" shell s/1 -- sh -c '! test -e /run/secrets/tok'
done_testing

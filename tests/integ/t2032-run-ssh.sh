#!/bin/sh
# RUN --mount=type=ssh: the agent of --ssh ID[=SOCKET] (default:
# $SSH_AUTH_SOCK) bound at /run/buildkit/ssh_agent.N or the target,
# SSH_AUTH_SOCK pointing at the first one unless the env sets it; with
# mode=, uid=, gid= a relay's socket of that owner and mode; an
# optional agent not given is absent, a required one refused at
# generation; nothing of it in the image; the socket is not an input;
# a rootless build reaches its user's agent.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

PING=${TOP_BUILDDIR:-$TOP_SRCDIR}/tests/probe/sockping
[ -x "$PING" ] || { echo "Bail out! no $PING (make check builds it)"; exit 1; }
command -v ssh-agent >/dev/null || { echo "Bail out! no ssh-agent (openssh-client)"; exit 1; }

AGENTS=
start_agent() { # start_agent SOCKET [runuser args...]: an ssh-agent on SOCKET
	_s=$1
	shift
	_pid=$("$@" ssh-agent -s -a "$_s" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p')
	[ -n "$_pid" ] || return 1
	AGENTS="$AGENTS $_pid"
}
trap 'for p in $AGENTS; do kill "$p" 2>/dev/null; done; cleanup' EXIT
start_agent "$TMP/one.sock" || { echo "Bail out! ssh-agent did not start"; exit 1; }
start_agent "$TMP/two.sock" || { echo "Bail out! ssh-agent did not start"; exit 1; }

mkdir ctx && cd ctx || exit 99
cp "$PING" sp
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN mkdir -m 777 /out
RUN --mount=type=ssh --mount=type=bind,source=sp,target=/sp /sp >/out/default && echo "\$SSH_AUTH_SOCK" >/out/env-default && { test -S /run/buildkit/ssh_agent.0 && echo socket; } >/out/is-socket
RUN --mount=type=ssh,id=other,target=/agent,required --mount=type=bind,source=sp,target=/sp /sp >/out/target && echo "\$SSH_AUTH_SOCK" >/out/env-target
RUN --mount=type=ssh,id=absent --mount=type=bind,source=sp,target=/sp { test -e /run/buildkit/ssh_agent.0 && echo there || echo absent; } >/out/absent
RUN --mount=type=ssh --mount=type=ssh,id=other --mount=type=bind,source=sp,target=/sp /sp /run/buildkit/ssh_agent.1 >/out/second && echo "\$SSH_AUTH_SOCK" >/out/env-two
RUN --mount=type=ssh --mount=type=bind,source=sp,target=/sp { touch /run/buildkit/ssh_agent.0 2>/dev/null && echo rw || echo ro; } >/out/ro
USER 1000
RUN --mount=type=ssh --mount=type=bind,source=sp,target=/sp { /sp 2>/dev/null || echo denied; } >/out/user
RUN --mount=type=ssh,uid=1000,gid=1001 --mount=type=bind,source=sp,target=/sp /sp >/out/user-uid && stat -c '%a %u %g' /run/buildkit/ssh_agent.0 >/out/user-uid-stat
RUN --mount=type=ssh,id=other,mode=0666,target=/a --mount=type=bind,source=sp,target=/sp /sp >/out/user-mode && stat -c '%a %u %g' /a >/out/user-mode-stat
USER root
ENV SSH_AUTH_SOCK=/mine
RUN --mount=type=ssh echo "\$SSH_AUTH_SOCK" >/out/env-set
DF
check "generate" env SSH_AUTH_SOCK="$TMP/one.sock" "$DF2NINJA" --ssh default \
	--ssh "other=$TMP/two.sock" --output "type=local,dest=$TMP/root" .
check "build" ninja_logged
O=$TMP/root/out
check "the default agent answers" file_is "$O/default" "answer 12"
check "... at /run/buildkit/ssh_agent.0, a socket" file_is "$O/is-socket" socket
check "... named by SSH_AUTH_SOCK" file_is "$O/env-default" /run/buildkit/ssh_agent.0
check "id= and target=" file_is "$O/target" "answer 12"
check "... SSH_AUTH_SOCK the target" file_is "$O/env-target" /agent
check "an optional agent not given is absent" file_is "$O/absent" absent
check "a second agent at ssh_agent.1" file_is "$O/second" "answer 12"
check "... SSH_AUTH_SOCK the first" file_is "$O/env-two" /run/buildkit/ssh_agent.0
check "the socket is bound read-only" file_is "$O/ro" ro
check "root's 0600 socket is not for a USER" file_is "$O/user" denied
check "uid=, gid=: a USER's agent" file_is "$O/user-uid" "answer 12"
check "... 0600 (default), 1000:1001" file_is "$O/user-uid-stat" "600 1000 1001"
check "mode=: anyone's" file_is "$O/user-mode" "answer 12"
check "... 0666, root's" file_is "$O/user-mode-stat" "666 0 0"
check "an ENV SSH_AUTH_SOCK is kept" file_is "$O/env-set" /mine
check "no /run/buildkit in the image" test ! -e "$TMP/root/run/buildkit"
check "no target stub in the image" test ! -e "$TMP/root/agent"
check "no socket path in a plan" sh -c '! grep -r -q -F "$0" .df2ninja/plans build.ninja' "$TMP/one.sock"

# the socket is not an input: another agent runs nothing again
check "regenerate with another socket" env SSH_AUTH_SOCK="$TMP/two.sock" "$DF2NINJA" \
	--ssh default --ssh "other=$TMP/one.sock" --output "type=local,dest=$TMP/root" .
check "... rebuild" ninja_logged
check "... runs nothing" assert_file_has "$TMP/ninja.out" 'no work to do'
cd .. || exit 99

# refused at generation
mkdir gen && cd gen || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN --mount=type=ssh,required true
DF
check "a required agent not given is refused" expect_fail 1 \
	"Dockerfile:2:.*no ssh agent 'default' (required)" "$DF2NINJA" .
check "--ssh default without SSH_AUTH_SOCK" expect_fail 1 "make sure SSH_AUTH_SOCK is set" \
	env -u SSH_AUTH_SOCK "$DF2NINJA" --ssh default .
check "--ssh with a missing socket" expect_fail 1 "cannot stat '$TMP/nope'" \
	"$DF2NINJA" --ssh "default=$TMP/nope" .
check "--ssh with a key file" expect_fail 1 "is not a socket" \
	"$DF2NINJA" --ssh "default=$TMP/gen/Dockerfile" .
check "... given, it generates" "$DF2NINJA" --ssh "default=$TMP/one.sock" .
printf 'FROM %s\nRUN --mount=type=ssh,source=x true\n' "$BUSYBOX" >Dockerfile
check "source= is refused" expect_fail 1 "Dockerfile:2:.*ssh does not support source" \
	"$DF2NINJA" --ssh "default=$TMP/one.sock" .
cd .. || exit 99

# rootless (t2014): the user's own agent
U=df2ninja-test
ensure_user "$U"
chmod 755 "$TMP"
mkdir rl && cd rl || exit 99
chown "$U" .
start_agent "$TMP/rl/agent.sock" runuser -u "$U" -- ||
	{ echo "Bail out! ssh-agent did not start as $U"; exit 1; }
cp "$PING" sp
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN --mount=type=ssh,required --mount=type=bind,source=sp,target=/sp /sp >/answer
DF
chown -R "$U" .
mkdir "$TMP/rlhome" && chown "$U" "$TMP/rlhome" || exit 99
rl() { runuser -u "$U" -- env DF2NINJA_STORE="$TMP/rlhome/store" HOME="$TMP/rlhome" \
	SSH_AUTH_SOCK="$TMP/rl/agent.sock" "$@"; }
check "rootless: generate" rl "$DF2NINJA" --ssh default --output "type=local,dest=$TMP/rl/root" .
check "rootless: build" rl "$NINJA" -j1
check "rootless: the agent answers" file_is root/answer "answer 12"
done_testing

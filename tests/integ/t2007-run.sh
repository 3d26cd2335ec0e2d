#!/bin/sh
# RUN: shell and exec form, SHELL, ENV and ARG in the command's env, WORKDIR,
# USER, --network=none, the files Docker puts in /etc (and keeps out of the
# layer), /proc and /dev, here-documents, and --mount=type=tmpfs|cache.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox


# ok_or_log DESC STATUS LOG: ok when STATUS is 0, else show LOG
ok_or_log() {
	if [ "$2" = 0 ]; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$3"
	fi
}


mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<'DF'
FROM BUSYBOX
RUN mkdir -m 1777 /out && echo shell form >/out/shell
RUN ["/bin/sh", "-c", "echo exec form >/out/exec"]
RUN ["echo", "no $HOME expansion in exec form"]
ENV FOO=bar
ARG A1=default
ARG A2
RUN env | sort >/out/env
ENV PATH=$PATH:/extra
RUN echo "$PATH" >/out/path
WORKDIR /new/deep
RUN pwd >/out/pwd
WORKDIR rel
RUN pwd >/out/pwd-rel
USER nobody
RUN id -u >/out/nobody-uid; id -g >/out/nobody-gid; echo "$HOME" >/out/nobody-home
WORKDIR /nobodys/dir
USER 1234:5678
RUN id -u >/out/num-uid; id -g >/out/num-gid
WORKDIR /numeric
USER root
WORKDIR /
RUN --network=none cat /proc/net/dev >/out/netdev-none
RUN cat /proc/net/dev >/out/netdev
RUN cat /etc/hosts >/out/hosts && cat /etc/resolv.conf >/out/resolv && \
    { test -e /etc/hostname || echo none >/out/hostname-file; } && hostname >/out/hostname
RUN head -n 1 /proc/self/status >/out/proc && echo gone >/dev/null && \
    head -c 4 /dev/zero | wc -c >/out/devzero && ls /dev >/out/devls
RUN <<EOF
echo one >/out/heredoc
echo two >>/out/heredoc
EOF
RUN <<EOF
#!/bin/awk -f
BEGIN { print "awk ran" > "/out/shebang" }
EOF
RUN --mount=type=tmpfs,target=/scratch echo t >/scratch/f && \
    grep ' /scratch tmpfs ' /proc/mounts >/dev/null && cat /scratch/f >/out/tmpfs
SHELL ["/bin/sh", "-ec"]
RUN echo "$-" >/out/shellflags
DF
sed -i "s|^FROM BUSYBOX|FROM $BUSYBOX|" Dockerfile
check "generate" "$DF2NINJA" --build-arg A2=fromcli --build-arg UNDECLARED=u \
	--build-arg http_proxy=http://proxy.invalid:3128 \
	--output "type=local,dest=$TMP/root" --output "type=oci,dest=$TMP/oci" .
"$NINJA" >out.log 2>&1
ok_or_log "ninja builds" $? out.log
cd "$TMP" || exit 99
O=$TMP/root/out

check "shell form" file_is "$O/shell" "shell form"
check "exec form" file_is "$O/exec" "exec form"
check "exec form: no shell, no expansion" \
	assert_file_has ctx/.df2ninja/logs/stage-0-04.log '^no \$HOME expansion in exec form$'
check "SHELL [\"/bin/sh\", \"-ec\"] is used" assert_file_has "$O/shellflags" e

# the environment
check "ENV of the base image in RUN" \
	assert_file_has "$O/env" '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$'
check "ENV instruction in RUN" assert_file_has "$O/env" '^FOO=bar$'
check "ARG default in RUN" assert_file_has "$O/env" '^A1=default$'
check "--build-arg in RUN" assert_file_has "$O/env" '^A2=fromcli$'
check "HOME of root" assert_file_has "$O/env" '^HOME=/root$'
check "an undeclared --build-arg is not in RUN" sh -c "! grep -q UNDECLARED '$O/env'"
check "a proxy build arg is in RUN undeclared" assert_file_has "$O/env" '^http_proxy=http://proxy.invalid:3128$'
check "ENV PATH=\$PATH:/extra expands the image's PATH" \
	file_is "$O/path" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/extra
image_config oci >config.json
check "the image config is readable" jq -e .config config.json
check "ENV is in the image config" sh -c "jq -r '.config.Env[]' config.json | grep -qx FOO=bar"
check "ARG is not in the image config" sh -c "! jq -r '.config.Env[]' config.json | grep -q '^A[12]='"
check "a proxy arg is not in the image config" sh -c "! grep -q proxy.invalid config.json"

# WORKDIR and USER
check "WORKDIR made and used as cwd" file_is "$O/pwd" /new/deep
check "relative WORKDIR" file_is "$O/pwd-rel" /new/deep/rel
check "WORKDIR is in the image" test -d "$TMP/root/new/deep/rel"
check "USER nobody: uid" file_is "$O/nobody-uid" 65534
check "USER nobody: gid" file_is "$O/nobody-gid" 65534
check "USER nobody: HOME from passwd" file_is "$O/nobody-home" /nonexistent
check "USER 1234:5678: uid" file_is "$O/num-uid" 1234
check "USER 1234:5678: gid" file_is "$O/num-gid" 5678
check "WORKDIR after USER nobody: the dirs made are nobody's" sh -c "
	test \"\$(stat -c %u:%g '$TMP/root/nobodys' '$TMP/root/nobodys/dir' | sort -u)\" = 65534:65534"
check "WORKDIR after USER 1234:5678" test "$(stat -c %u:%g "$TMP/root/numeric")" = 1234:5678

# network
sed -n 's/^ *\([^ :]*\):.*/\1/p' "$O/netdev-none" >ifs-none
check "--network=none sees only lo" file_is ifs-none lo
sed -n 's/^ *\([^ :]*\):.*/\1/p' /proc/net/dev | sort >ifs-host
sed -n 's/^ *\([^ :]*\):.*/\1/p' "$O/netdev" | sort >ifs-run
check "the default network is the host's" test_cmp ifs-host ifs-run

# /etc files: there while RUN runs, never in the layer
check "/etc/hosts in RUN" assert_file_has "$O/hosts" 'localhost'
check "/etc/resolv.conf in RUN is the host's" cmp /etc/resolv.conf "$O/resolv"
check "no /etc/hostname in RUN (BuildKit binds none)" file_is "$O/hostname-file" none
check "hostname in RUN" file_is "$O/hostname" buildkitsandbox
for f in etc/hosts etc/resolv.conf etc/hostname scratch; do
	check "/$f is not in the image" test ! -e "$TMP/root/$f"
done
# every path in the image is in the base or made by a step (/dev, /proc
# and /sys, which the base lacks, by the first RUN: t2029)
(cd "$TMP/root" && find . | sort) >paths
grep -v -e '^\./out' -e '^\./new' -e '^\./nobodys' -e '^\./numeric' \
	-e '^\./proc$' -e '^\./sys$' -e '^\./dev$' paths >paths-base
mkdir -p base && printf 'FROM %s\n' "$BUSYBOX" >base/Dockerfile
(cd base && "$DF2NINJA" --output "type=local,dest=$TMP/baseroot" . && "$NINJA") >base.log 2>&1
(cd "$TMP/baseroot" && find . | sort) >paths-want
check "the image has nothing the steps did not make" test_cmp paths-want paths-base
check "no mount point dir is left in the layers" \
	sh -c "! find ctx/.df2ninja/layers -name scratch -o -name pipes | grep -q ."

# /proc, /dev
check "/proc works" assert_file_has "$O/proc" '^Name:'
check "/dev/zero works" file_is "$O/devzero" 4
check "/dev/null is there" assert_file_has "$O/devls" '^null$'

# here-documents
printf 'one\ntwo\n' >want.hd
check "RUN <<EOF runs a multi-line script" test_cmp want.hd "$O/heredoc"
check "RUN <<EOF with #! runs the interpreter" file_is "$O/shebang" "awk ran"
check "... no script file is left in the image" test ! -e "$TMP/root/dev/pipes"

# tmpfs
check "RUN --mount=type=tmpfs" file_is "$O/tmpfs" t

# a #! here-document as the first step of a fresh build dir
mkdir script
cat >script/Dockerfile <<DF
FROM $BUSYBOX
RUN <<EOF
#!/bin/sh
echo "script \$0" >/ran
EOF
DF
(cd script && "$DF2NINJA" --output "type=local,dest=$TMP/script/root" . && "$NINJA") >script.log 2>&1
ok_or_log "a #! here-document first in a fresh build" $? script.log
check "... ran as /dev/pipes/EOF" file_is script/root/ran "script /dev/pipes/EOF"
check "... and left no script file behind" sh -c "! ls script/.df2ninja/tmp 2>/dev/null | grep -q ."

# the shell has what RUN has: HOME, /etc files, the hostname
(cd ctx && "$DF2NINJA" shell stage-0 -- sh -c 'echo "$HOME"; hostname; test -e /etc/hostname || echo no hostname file; grep -c '^127.0.0.1.*localhost' /etc/hosts') >shell.out 2>&1
printf '/root\nbuildkitsandbox\nno hostname file\n1\n' >want.shell
check "df2ninja shell: HOME, hostname, /etc files" test_cmp want.shell shell.out

# a cache mount outlives the build: two builds, one counter (in a store of
# their own, so the cache is this test's)
for b in 1 2; do
	mkdir "cache$b"
	cat >"cache$b/Dockerfile" <<DF
FROM $BUSYBOX
RUN --mount=type=cache,target=/cache,id=counter \\
    n=\$(cat /cache/n 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >/cache/n; echo \$n >/count; echo build $b
DF
	(cd "cache$b" && DF2NINJA_STORE=$TMP/store "$DF2NINJA" --output "type=local,dest=$TMP/cache$b/root" . &&
		DF2NINJA_STORE=$TMP/store "$NINJA") >"cache$b.log" 2>&1
	ok_or_log "cache build $b" $? "cache$b.log"
	check "cache build $b counts $b" file_is "cache$b/root/count" "$b"
	check "cache build $b: the cache is not in the image" test ! -e "cache$b/root/cache/n"
done

# cache options: a new cache gets mode, uid and gid; an id never leaves the
# store's cache dir; readonly; sharing=locked serialises two steps running
# at once, sharing=private gives the second its own instance
# (the two private steps meet through a shared cache, rv: each waits for
# the other to have started, so their private caches are held at once)
mkdir cache3
cat >cache3/Dockerfile <<DF
FROM $BUSYBOX AS seed
RUN --mount=type=cache,target=/c,id=pv echo seed >/c/seed
FROM $BUSYBOX AS a
RUN --mount=type=cache,target=/c,id=lk,sharing=locked \
    echo a-start >>/c/log; sleep 1; echo a-end >>/c/log
RUN --mount=type=cache,target=/c,id=pv,sharing=private --mount=type=cache,target=/rv,id=rv \
    ls /c >/seen; touch /rv/a; i=0; until [ -e /rv/b ] || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i + 1)); done
FROM $BUSYBOX AS b
RUN --mount=type=cache,target=/c,id=lk,sharing=locked \
    echo b-start >>/c/log; sleep 1; echo b-end >>/c/log
RUN --mount=type=cache,target=/c,id=pv,sharing=private --mount=type=cache,target=/rv,id=rv \
    ls /c >/seen; touch /rv/b; i=0; until [ -e /rv/a ] || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i + 1)); done
FROM $BUSYBOX
COPY --from=a /seen /a-seen
COPY --from=b /seen /b-seen
RUN --mount=type=cache,target=/c,id=lk cat /c/log >/log
RUN --mount=type=cache,target=/own,id=own,uid=1000,gid=1001,mode=0700 \
    stat -c '%u:%g %a' /own >/own-stat
RUN --mount=type=cache,target=/up,id=.. ls -a /up >/up-ls
RUN --mount=type=cache,target=/ro,readonly ! touch /ro/x 2>/dev/null && echo ro >/ro-ok
DF
(cd cache3 && export DF2NINJA_STORE="$TMP/store" &&
	"$DF2NINJA" --target seed . && "$NINJA" &&
	"$DF2NINJA" --output "type=local,dest=$TMP/cache3/root" . && "$NINJA" -j4) >cache3.log 2>&1
ok_or_log "cache build 3" $? cache3.log
C=cache3/root
check "sharing=locked: one step after the other" sh -c "
	printf 'a-start\na-end\nb-start\nb-end\n' >lk1
	printf 'b-start\nb-end\na-start\na-end\n' >lk2
	cmp -s lk1 $C/log || cmp -s lk2 $C/log || { sed 's/^/# /' $C/log; exit 1; }"
check "sharing=private: one step sees the cache, the other a new one" sh -c "
	cat $C/a-seen $C/b-seen | grep -c seed | grep -qx 1"
check "a new cache's mode, uid and gid" file_is "$C/own-stat" "1000:1001 700"
check "id=.. is a cache of its own, not the store" sh -c "! grep -q -e blobs -e layers $C/up-ls"
check "readonly cache" file_is "$C/ro-ok" ro
check "no private instance is left" sh -c "! ls -A '$TMP/store/cache/.private' 2>/dev/null | grep -q ."

# what a RUN leaves running is killed when the command exits, before the
# layer is read (the init kills and reaps every process, then reports,
# and the executor reads the upper dir while the init's exit unmounts):
# a writer that never stops, daemonized, writes nothing the layer or the
# export see change
cd "$TMP" && mkdir bg && cd bg || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN mkdir /bg && setsid sh -c ': t2007-$$; i=0; while :; do echo \$i >/bg/f\$((i % 50)); i=\$((i + 1)); done' \
	</dev/null >/dev/null 2>&1 & sleep 0.2; echo started >/started
RUN ls /bg | wc -l >/count
DF
("$DF2NINJA" --output "type=local,dest=$TMP/bg/root" . && "$NINJA") >bg.log 2>&1
ok_or_log "a RUN that leaves a writer running builds, its export reads the same layer" $? bg.log
# the writer may be killed between its truncate and its write: one file
# may be empty, never all
check "the writer ran" sh -c 'test -s root/started && test -e root/bg/f0 && find root/bg -type f -size +0 | grep -q .'
check "... and wrote nothing once the step ended" sh -c \
	'test "$(cat root/count)" = "$(ls root/bg | wc -l)"'
check "no writer is left on the host" sh -c "! pgrep -f ': t2007-$$[;] ' >/dev/null"

done_testing

#!/bin/sh
# RUN --mount=type=cache beyond t2007's: the default id is the target as
# written (cleaned), not the absolute one; from= seeds a new cache with a
# stage's files (source= a subpath of it, none: its whole rootfs; mode,
# uid or gid without source: an empty dir instead), and the cache then
# lives on; source= without from= mounts a subpath of the cache, never one
# a symlink leads out of; sharing=locked serialises two stages under
# ninja -j2; tmpfs size= limits the tmpfs.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
export DF2NINJA_STORE="$TMP/store"

mkdir ctx && cd ctx || exit 99
LONG=$(printf '%0300d' 0)
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN mkdir -p /data && echo staged >/data/f && chown 5:6 /data && chmod 0750 /data
FROM $BUSYBOX AS a
RUN --mount=type=cache,target=/c,id=lk,sharing=locked \
    echo a-start >>/c/log; sleep 1; echo a-end >>/c/log; echo a >/done
FROM $BUSYBOX AS b
RUN --mount=type=cache,target=/c,id=lk,sharing=locked \
    echo b-start >>/c/log; sleep 1; echo b-end >>/c/log; echo b >/done
FROM $BUSYBOX
COPY --from=a /done /a-done
COPY --from=b /done /b-done
RUN --mount=type=cache,target=/c,id=lk cat /c/log >/log
WORKDIR /w1
RUN --mount=type=cache,target=rel echo one >rel/f
RUN --mount=type=cache,target=/abs/ echo two >/abs/g
WORKDIR /w2
RUN --mount=type=cache,target=rel cat rel/f >/rel-seen
RUN --mount=type=cache,target=/abs cat /abs/g >/abs-seen
RUN --mount=type=cache,target=/w2/rel ls -A /w2/rel >/absrel-ls
RUN --mount=type=cache,from=base,source=/data,target=/c,id=seeded \
    cat /c/f >/seeded-f && stat -c '%u:%g %a' /c >/seeded-stat && echo more >/c/g
RUN --mount=type=cache,from=base,source=data,target=/c,id=seeded ls /c >/seeded-ls
RUN --mount=type=bind,from=base,source=/data,target=/d ls /d >/base-ls
RUN --mount=type=cache,id=seeded,target=/c ls -A /c >/plain-ls
RUN --mount=type=cache,from=base,target=/r,id=whole cat /r/data/f >/whole-f
RUN --mount=type=cache,from=base,target=/e,id=empty,uid=7,mode=0700 \
    stat -c '%u %a' /e >/empty-stat && ls -A /e >/empty-ls
RUN --mount=type=cache,id=sub,target=/c mkdir -p /c/sel && echo v >/c/sel/v
RUN --mount=type=cache,id=sub,source=sel,target=/s cat /s/v >/sel-v
RUN --mount=type=cache,id=$LONG,target=/l echo long >/l/f
RUN --mount=type=cache,id=$LONG,target=/l2 cat /l2/f >/long-f
RUN --mount=type=tmpfs,target=/t,size=1m mount | grep ' /t ' >/tmpfs-mount; \
    if dd if=/dev/zero of=/t/big bs=1024 count=2048 2>/dev/null; then echo wrote; else echo full; fi >/tmpfs-big
RUN --mount=type=tmpfs,target=/t dd if=/dev/zero of=/t/big bs=1024 count=2048 2>/dev/null && echo wrote >/tmpfs-nolimit
DF
# the store made by one step first (two FROMs making a new store at once
# race on its id mapping)
check "generate base" "$DF2NINJA" --target base .
check "build base" ninja_logged
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/root" .
check "build (ninja -j2)" ninja_logged -j2

R=$TMP/root
check "sharing=locked: two stages one after the other" sh -c "
	printf 'a-start\na-end\nb-start\nb-end\n' >lk1
	printf 'b-start\nb-end\na-start\na-end\n' >lk2
	cmp -s lk1 $R/log || cmp -s lk2 $R/log || { sed 's/^/# /' $R/log; exit 1; }"
check "default id: a relative target as written, whatever the WORKDIR" file_is "$R/rel-seen" one
check "default id: the target cleaned (/abs/ is /abs)" file_is "$R/abs-seen" two
check "default id: /w2/rel is not rel" test ! -s "$R/absrel-ls"
check "from= source=: a new cache holds the stage's files" file_is "$R/seeded-f" staged
check "... its top dir keeps the source's mode and owner" file_is "$R/seeded-stat" "5:6 750"
check "... and lives on (source= is cleaned, relative is the same)" file_is "$R/seeded-ls" "f
g"
check "... the stage is not written" file_is "$R/base-ls" f
check "... a cache of its own: the same id without from= is another" test ! -s "$R/plain-ls"
check "from= without source=: the whole rootfs" file_is "$R/whole-f" staged
check "from= with uid, mode and no source: an empty dir" file_is "$R/empty-stat" "7 700"
check "... with nothing of the stage" test ! -s "$R/empty-ls"
check "source= without from=: a subpath of the cache" file_is "$R/sel-v" v
check "an id too long for a file name is a cache all the same" file_is "$R/long-f" long
check "tmpfs size=: the mount has the limit" assert_file_has "$R/tmpfs-mount" 'size=1024k'
check "tmpfs size=: writing more fails" file_is "$R/tmpfs-big" full
check "tmpfs without size=: no such limit" file_is "$R/tmpfs-nolimit" wrote
for d in c r e s t l l2 abs w1/rel; do
	check "no /$d in the image" sh -c "test ! -e $R/$d || test -z \"\$(ls -A $R/$d)\""
done

# a source= that a symlink in the cache leads out of it never reaches the
# host's files (BuildKit's testCacheMountSourceEscape: the build fails)
mkdir ../esc && cd ../esc || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN --mount=type=cache,id=esc,target=/cache mkdir -p /cache/sel && echo benign >/cache/sel/b
RUN --mount=type=cache,id=esc,target=/cache rm -rf /cache/sel && ln -s /etc /cache/sel
RUN --mount=type=cache,id=esc,source=sel,target=/victim cat /victim/hostname
DF
check "generate (escape)" "$DF2NINJA" .
check "a source= through a symlink out of the cache fails" expect_fail 1 \
	"source 'sel' not found in the cache 'esc'" sh -c '"$NINJA" >&2'

# the same as a normal user (rootless): source= is pinned inside the
# cache from the user namespace, and the escape is refused all the same
U=df2ninja-test
ensure_user "$U"
chmod 755 "$TMP"
mkdir ../rl && cd ../rl || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN --mount=type=cache,id=rl,target=/cache mkdir -p /cache/sel && echo kept >/cache/sel/f
RUN --mount=type=cache,id=rl,source=sel,target=/s cat /s/f >/seen
RUN --mount=type=cache,id=rl,target=/cache rm -rf /cache/sel && ln -s /etc /cache/sel
RUN --mount=type=cache,id=rl,source=sel,target=/victim cat /victim/hostname
DF
chown -R "$U" .
mkdir "$TMP/rlhome" && chown "$U" "$TMP/rlhome" || exit 99
rl() { runuser -u "$U" -- env DF2NINJA_STORE="$TMP/rlhome/store" HOME="$TMP/rlhome" "$@"; }
check "rootless: generate" rl "$DF2NINJA" --output "type=local,dest=$TMP/rl/root" .
check "rootless: a source= through a symlink out of the cache fails" expect_fail 1 \
	"source 'sel' not found in the cache 'rl'" rl sh -c '"$1" >&2' sh "$NINJA"
check "rootless: ... after the pinned subpath was read (its step done)" \
	test -e .df2ninja/steps/stage-0/03.id

done_testing

#!/bin/sh
# What a RUN step looks up before its command, now read straight from the
# layers when nothing in them needs overlayfs to resolve (exec/layerfile.h),
# and by a mount otherwise: both give what the merged root holds.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
echo 1 >input
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN mkdir -m 777 /out && echo 'foo:x:4242:4343::/home/foo:/bin/sh' >>/etc/passwd
RUN echo 'extra:x:4444:foo' >>/etc/group
USER foo
RUN id -u >/out/uid && id -G >/out/groups && echo "\$HOME" >/out/home
USER root
RUN echo "root: \$HOME" >/out/root-home
RUN rm /etc/group
USER foo
RUN id -G >/out/groups-no-group-file
USER root
RUN echo 'foo:x:4343:4343::/elsewhere:/bin/sh' >/etc/passwd.new && ln -sf passwd.new /etc/passwd
USER foo
COPY input /input
RUN id -u >/out/uid-symlink && echo "\$HOME" >/out/home-symlink
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/root" .
check "build" ninja_logged

R=$TMP/root
check "a user added in a later layer" file_is "$R/out/uid" 4242
check "... its groups, one of them from /etc/group" file_is "$R/out/groups" "4343 4444"
check "... its HOME" file_is "$R/out/home" /home/foo
check "root's HOME from the base's passwd" file_is "$R/out/root-home" "root: /root"
check "/etc/group deleted (a whiteout): no extra group" file_is "$R/out/groups-no-group-file" 4343
check "/etc/passwd a symlink: the file it names" file_is "$R/out/uid-symlink" 4343
check "... and its HOME" file_is "$R/out/home-symlink" /elsewhere

# the steps after the COPY run again, over the work dir of their last run
echo 2 >input
check "rebuild after an edit" ninja_logged
reran() { test "$(ran_steps "$TMP/ninja.out" | cut -d ' ' -f 1 | tr '\n' ' ')" = "COPY RUN "; }
check "the COPY and the last step ran again" reran
check "... as before" file_is "$R/out/uid-symlink" 4343
check "no-op rebuild" ninja_logged
done_testing

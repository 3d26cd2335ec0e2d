#!/bin/sh
# Rootless mode: an unprivileged user builds with no set-up beyond the
# subordinate ids useradd gives, and gets the image a root build makes,
# digest for digest, from a Dockerfile whose files belong to several
# users and carry setuid bits. Without a subordinate range only root is
# mapped, and an image that needs another id says how to get a range.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
# the builds whose digests are compared must be reproducible: every
# time is SOURCE_DATE_EPOCH or earlier (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

U=df2ninja-test
ensure_user "$U"
# a user useradd gives no subordinate ids
U1=df2ninja-single
ensure_user "$U1" -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
chmod 755 "$TMP"

mkdir ctx
cat >ctx/Dockerfile <<DF
FROM $BUSYBOX
RUN mkdir -p /srv/a /srv/b && echo a >/srv/a/f && chown -R 1000:1000 /srv/a && \
    echo b >/srv/b/f && chown 33:44 /srv/b/f && chmod 4755 /srv/b/f && \
    chown 65534:65534 /srv/b && touch /srv/root-only && chmod 0600 /srv/root-only
COPY --chown=1234:5678 f /srv/copied
COPY --chown=1000 --chmod=2750 f /srv/sgid
USER 1000:1000
RUN touch /srv/a/by-1000 && rm /srv/a/f && mkdir /srv/a/new
USER root
RUN rm -rf /srv/b/f && ln -s /srv/copied /srv/link && mkfifo /srv/fifo
DF
echo data >ctx/f

# build LABEL [PREFIX...]: a copy of ctx built by PREFIX df2ninja and
# PREFIX ninja; the image digest in $LABEL.digest
build() {
	b_label=$1
	shift
	cp -r ctx "$TMP/$b_label"
	chown -R "${B_OWNER:-root}" "$TMP/$b_label"
	(cd "$TMP/$b_label" && "$@" "$DF2NINJA" . && "$@" "$NINJA") >"$TMP/$b_label.log" 2>&1
	b_st=$?
	sed 's/^/#   /' "$TMP/$b_label.log"
	image_digest "$TMP/$b_label/.df2ninja/image" >"$TMP/$b_label.digest"
	return $b_st
}

check "root builds the image" build root env DF2NINJA_STORE="$TMP/root-store"
B_OWNER=$U check "an unprivileged user builds it, rootless" \
	build user runuser -u "$U" -- env DF2NINJA_STORE="$TMP/user/.store" HOME="$TMP/user"
check "root builds it in rootless mode" \
	build root-rootless env DF2NINJA_ROOTLESS=1 DF2NINJA_STORE="$TMP/rr-store"
check "the root build has a digest" test -s "$TMP/root.digest"
check "the rootless build has a digest" test -s "$TMP/user.digest"
check "the rootless build's digest is the root build's" test_cmp "$TMP/root.digest" "$TMP/user.digest"
check "root's rootless build's digest is the root build's" \
	test_cmp "$TMP/root.digest" "$TMP/root-rootless.digest"
check "the unprivileged user's files are its own or its subordinate ids'" \
	sh -c "! find '$TMP/user' -uid 0 | grep -q ."

# the owners inside the exported layers, as a root build writes them
ublobs=$TMP/user/.df2ninja/image/blobs/sha256
for l in $(jq -r '.layers[].digest' "$ublobs/$(sed 's/sha256://' "$TMP/user.digest")"); do
	tar -tvf "$ublobs/${l#sha256:}" --numeric-owner
done >layer.list 2>&1
check "the rootless layers keep owner 33:44 and the setuid bit" assert_file_has layer.list '^-rwsr-xr-x 33/44 .*srv/b/f'
check "... owner 1000:1000" assert_file_has layer.list ' 1000/1000 .*srv/a/by-1000'
check "... and COPY --chown's 1234:5678" assert_file_has layer.list ' 1234/5678 .*srv/copied'

# the user cannot remove what the build left, df2ninja clean can
check "the build left files the user cannot remove directly" \
	sh -c "! runuser -u '$U' -- rm -rf '$TMP/user/.df2ninja' 2>/dev/null"
check "df2ninja clean removes them" runuser -u "$U" -- sh -c "cd '$TMP/user' && '$DF2NINJA' clean"
check "... all of them" test ! -e "$TMP/user/.df2ninja"

# a store keeps the mapping its layers were unpacked with
check "root's store refuses a rootless build" expect_fail 1 "maps them as 'rootless" \
	sh -c "cd '$TMP/root-rootless' && rm -rf .df2ninja/steps && env DF2NINJA_STORE='$TMP/root-store' DF2NINJA_ROOTLESS=1 '$NINJA' 1>&2"

# only root mapped: the image's other ids cannot be, and the message says
# how to get them; an image of root's files alone builds
mkdir "$TMP/single" "$TMP/single1"
cat >"$TMP/single1/Dockerfile" <<DF
FROM $BUSYBOX
RUN echo hi >/hi && cat /proc/self/uid_map
DF
cat >"$TMP/single/Dockerfile" <<DF
FROM $BUSYBOX
COPY --chown=1000 Dockerfile /x
DF
chown -R "$U1" "$TMP/single" "$TMP/single1"
check "a user without subordinate ids builds an image of root's files" \
	runuser -u "$U1" -- sh -c "cd '$TMP/single1' && export DF2NINJA_STORE='$TMP/single1/.store' && '$DF2NINJA' . && '$NINJA'"
check "... with only root mapped" runuser -u "$U1" -- sh -c "cd '$TMP/single1' && \
	DF2NINJA_STORE='$TMP/single1/.store' '$DF2NINJA' shell stage-0 -- cat /proc/self/uid_map | grep -q '^ *0 *[0-9]* *1$'"
check "another id fails with a hint about subordinate ids" expect_fail 1 "usermod --add-subuids" \
	runuser -u "$U1" -- sh -c "cd '$TMP/single' && export DF2NINJA_STORE='$TMP/single/.store' && '$DF2NINJA' . && '$NINJA' 1>&2"

# what a RUN leaves running is killed before the layer is read, in
# rootless mode too (t2007 as root): a daemonized writer that never
# stops writes nothing the export sees change
mkdir "$TMP/bg"
cat >"$TMP/bg/Dockerfile" <<DF
FROM $BUSYBOX
RUN setsid sh -c 'i=0; while :; do echo \$i >/f\$((i % 50)); i=\$((i + 1)); done' \
	</dev/null >/dev/null 2>&1 & sleep 0.2; echo started >/started
RUN ls / | grep -c '^f' >/count
DF
chown -R "$U" "$TMP/bg"
check "rootless: a RUN that leaves a writer running builds" \
	runuser -u "$U" -- sh -c "cd '$TMP/bg' && export DF2NINJA_STORE='$TMP/user/.store' HOME='$TMP/user' && \
		'$DF2NINJA' --output type=local,dest=root . && '$NINJA' >bg.log 2>&1 || { cat bg.log; exit 1; }"
# (killed between a truncate and a write, one file may be empty, never all)
check "rootless: the writer ran, and wrote nothing once the step ended" sh -c \
	"test -e '$TMP/bg/root/f0' && find '$TMP/bg/root' -name 'f*' -type f -size +0 | grep -q . && test \"\$(cat '$TMP/bg/root/count')\" = \"\$(ls '$TMP/bg/root' | grep -c '^f')\""

done_testing

#!/bin/sh
# What a RUN leaves in its layer of the sandbox's mount points, and of
# /etc, as BuildKit does: /dev, /proc and /sys that the base lacks land
# in the layer (root's, 0755, as runc makes them); /etc/hosts and
# /etc/resolv.conf are read-only binds that never do; /etc/hostname is
# not bound at all, so a RUN may write it; a --mount target the base
# lacks is a mount stub BuildKit (0.11 on) removes after the run.
# The expected layers are BuildKit's, checked with docker save on docker
# 20.10 (BuildKit 0.8) except where 0.11 changed them (read in its source:
# executor/stubs.go removes empty stub dirs recursively, and the overlay
# differ skips a copied-up dir whose mode and owner did not change): 0.8
# also lists etc/ in every RUN layer and keeps x/, x/y/, c/, c/d/, c/d/e/.
# A RUN that changes nothing makes the empty tar layer (gzipped: the
# diff id every BuildKit image holds for one).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN hostname >/uts
RUN echo myhost >/etc/hostname
RUN cat /etc/hostname >/seen && hostname >/uts2 && \
    { echo x >>/etc/hosts || echo ro >/hosts-ro; } && \
    { echo y >>/etc/resolv.conf || echo ro >/resolv-ro; }
RUN --mount=type=tmpfs,target=/x/y --mount=type=cache,target=/c/d/e \
    test -d /x/y && test -d /c/d/e
RUN true
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/root" \
	--output "type=oci,dest=$TMP/img" .
check "build" ninja_logged

# the layers of an OCI layout, one digest a line
layers() {
	_m=$(jq -r '.manifests[0].digest' "$1/index.json") &&
		jq -r '.layers[].digest' "$1/blobs/sha256/${_m#sha256:}" | sed 's/^sha256://'
}
layers "$TMP/img" >"$TMP/layers"
image_config "$TMP/img" >"$TMP/config"
n0=$(layers "$(busybox_image)" | wc -l)
# the layer of step K (1: the first after the base), as "MODE OWNER NAME"
layer() {
	_d=$(sed -n "$((n0 + $1))p" "$TMP/layers")
	test -n "$_d" &&
		tar -tvzf "$TMP/img/blobs/sha256/$_d" --numeric-owner >"$TMP/.tv" &&
		awk '{ print $1, $2, $6 }' "$TMP/.tv"
}

# BuildKit's layer of `RUN hostname` on this base: dev/, proc/ and sys/,
# root's, 0755, and nothing of /etc
layer 1 >"$TMP/l1" || echo "# cannot list the layer" >"$TMP/l1"
printf '%s\n' 'drwxr-xr-x 0/0 dev/' 'drwxr-xr-x 0/0 proc/' 'drwxr-xr-x 0/0 sys/' \
	'-rw-r--r-- 0/0 uts' | sort >"$TMP/want1"
sort "$TMP/l1" >"$TMP/l1s"
check "the first RUN's layer holds dev/, proc/, sys/ (0755 root) and its file" \
	test_cmp "$TMP/want1" "$TMP/l1s"
check "the hostname is buildkitsandbox" file_is "$TMP/root/uts" buildkitsandbox

# /etc/hostname is the RUN's own
layer 2 | sort >"$TMP/l2"
printf '%s\n' 'drwxr-xr-x 0/0 etc/' '-rw-r--r-- 0/0 etc/hostname' | sort >"$TMP/want2"
check "RUN echo myhost >/etc/hostname: in the layer" test_cmp "$TMP/want2" "$TMP/l2"
check "... in the image" file_is "$TMP/root/etc/hostname" myhost
check "... a later RUN sees it" file_is "$TMP/root/seen" myhost
check "... the uts hostname stays buildkitsandbox" file_is "$TMP/root/uts2" buildkitsandbox

# /etc/hosts and /etc/resolv.conf are read-only and never in a layer
check "/etc/hosts cannot be written" file_is "$TMP/root/hosts-ro" ro
check "/etc/resolv.conf cannot be written" file_is "$TMP/root/resolv-ro" ro
for f in etc/hosts etc/resolv.conf; do
	check "/$f is not in the image" test ! -e "$TMP/root/$f"
done
layer 3 | sort >"$TMP/l3"
printf '%s\n' '-rw-r--r-- 0/0 hosts-ro' '-rw-r--r-- 0/0 resolv-ro' \
	'-rw-r--r-- 0/0 seen' '-rw-r--r-- 0/0 uts2' | sort >"$TMP/want3"
check "that RUN's layer holds its files alone" test_cmp "$TMP/want3" "$TMP/l3"

# --mount targets: stubs, removed; dev, proc and sys now in the base: the
# RUN changed nothing, and, as in BuildKit, its layer is the empty tar, as
# is that of `RUN true`
check "a RUN with --mount targets the base lacks, then \`RUN true\`: a layer each" \
	test "$(wc -l <"$TMP/layers")" = $((n0 + 5))
for k in 4 5; do
	check "... step $k's is the empty tar" sh -c \
		'test "$(jq -r ".rootfs.diff_ids[$1]" "$2")" = \
		 sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef' \
		sh $((n0 + k - 1)) "$TMP/config"
done
for f in x c; do
	check "/$f is not in the image" test ! -e "$TMP/root/$f"
done
for f in dev proc sys; do
	check "/$f is in the image, 0755 root" \
		test "$(stat -c %a:%u:%g "$TMP/root/$f")" = 755:0:0
done

done_testing

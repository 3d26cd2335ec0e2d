#!/bin/sh
# The store and the build dir are private. Their unpacked layers hold an
# image's files as the image has them: a setuid-root program or a 0666
# device node there must not be within reach of another local user. A base
# image made from a tarball with both is built (its layer lands in the
# build dir's layers/) and then used by a second build (unpacked in the
# store); an unprivileged user must not run the program nor open the node
# in either place. A store and a build dir left open by an older df2ninja
# are made private by the next build; someone else's are refused.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root

TEST_USER=df2ninja-test
for t in busybox runuser useradd tar; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed"; exit 0; }
done
ensure_user "$TEST_USER" >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP cannot add the user $TEST_USER"; exit 0; }
as_user() { runuser -u "$TEST_USER" -- "$@"; }

# only df2ninja's modes may stand between the user and the files
chmod 755 "$TMP"
as_user test -x "$TMP" ||
	{ echo "1..0 # SKIP $TEST_USER cannot reach $TMP (set TMPDIR)"; exit 0; }
DF2NINJA_STORE=$TMP/store
export DF2NINJA_STORE

# the base image's tree: a setuid-root busybox, a setuid-root program that
# prints its euid (when a static one can be compiled) and /dev/null's twin
mkdir -p rootfs/bin rootfs/dev base
cp "$(command -v busybox)" rootfs/bin/busybox-suid
printf '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("%%d\\n", (int)geteuid()); return 0; }\n' >euid.c
has_euid=false
if ${CC:-cc} -static -o rootfs/bin/euid euid.c 2>/dev/null; then
	has_euid=true
fi
chown -R 0:0 rootfs
chmod 4755 rootfs/bin/*
mknod -m 666 rootfs/dev/x c 1 3
tar --numeric-owner -C rootfs -cf base/rootfs.tar .
printf 'FROM scratch\nADD rootfs.tar /\n' >base/Dockerfile

(cd base && "$DF2NINJA" --output "type=oci,dest=$TMP/base-image" . && "$NINJA") >base.out 2>&1
check "build the base image from the tarball" test $? = 0
sed 's/^/#   /' base.out

mkdir img
echo 1 >img/f
cat >img/Dockerfile <<DF
FROM oci-layout://$TMP/base-image:latest
COPY f /f
DF
(cd img && "$DF2NINJA" --output "type=oci,dest=$TMP/image" . && "$NINJA") >img.out 2>&1
check "build an image on it, unpacked in the store" test $? = 0
sed 's/^/#   /' img.out

mode() { stat -c %a "$1"; }
check "the store is 0700" test "$(mode store)" = 700
for d in base/.df2ninja img/.df2ninja; do
	check "the build dir $d is 0700" test "$(mode $d)" = 700
	check "its layers/ is 0700" test "$(mode $d/layers)" = 700
	check "its state/ is 0700" test "$(mode $d/state)" = 700
done

# where the files are, as root sees them
found() { find "$1" -path "*/$2" | head -n 1; }
store_layer=$(dirname "$(dirname "$(found store/layers bin/busybox-suid)")")
bd_layer=$(dirname "$(dirname "$(found base/.df2ninja/layers bin/busybox-suid)")")
check "root finds the layer in the store" test -n "$store_layer" -a -u "$store_layer/bin/busybox-suid"
check "and in the build dir" test -n "$bd_layer" -a -u "$bd_layer/bin/busybox-suid"
check "the layers have the device node" test -c "$store_layer/dev/x" -a -c "$bd_layer/dev/x"

# a copy the user can reach shows that the checks below would see a hole:
# unless $TMP is nosuid, the program runs with euid 0; unless nodev, the
# node opens
mkdir control
cp -a "$store_layer/bin" "$store_layer/dev" control/
chmod 755 control
can_suid=false
if $has_euid && [ "$(as_user "$TMP/control/bin/euid" 2>/dev/null)" = 0 ]; then
	can_suid=true
fi
can_dev=false
as_user sh -c ': <"$1"' sh "$TMP/control/dev/x" 2>/dev/null && can_dev=true

# denied WHERE LAYER: the user cannot run LAYER's setuid programs nor open
# its device node
denied() {
	_where=$1
	_l=$TMP/$2
	check "$_where: the user cannot run the setuid busybox" \
		sh -c '! runuser -u "$1" -- "$2/bin/busybox-suid" true' sh "$TEST_USER" "$_l"
	if $can_suid; then
		check "$_where: the user cannot run the setuid program" \
			sh -c '! runuser -u "$1" -- "$2/bin/euid"' sh "$TEST_USER" "$_l"
		check "$_where: the user never gets euid 0" \
			sh -c 'test "$(runuser -u "$1" -- "$2/bin/euid" 2>/dev/null)" != 0' sh "$TEST_USER" "$_l"
	else
		skip "$_where: setuid programs do not run from $TMP (nosuid, or no static cc)"
		skip "$_where: setuid programs do not run from $TMP (nosuid, or no static cc)"
	fi
	if $can_dev; then
		check "$_where: the user cannot open the device node" \
			sh -c '! runuser -u "$1" -- sh -c ": <\"\$1\"" sh "$2/dev/x"' sh "$TEST_USER" "$_l"
	else
		skip "$_where: device nodes do not open in $TMP (nodev)"
	fi
	check "$_where: the user cannot list the layer" \
		sh -c '! runuser -u "$1" -- ls "$2" >/dev/null 2>&1' sh "$TEST_USER" "$_l"
}
denied "store" "$store_layer"
denied "build dir" "$bd_layer"

# --- an open store and build dir are made private by the next build ---------
chmod 755 store img/.df2ninja
echo 2 >img/f
(cd img && "$NINJA") >again.out 2>&1
check "rebuild with an open store and build dir" test $? = 0
sed 's/^/#   /' again.out
check "the rebuild did not regenerate" assert_file_lacks again.out ' REGEN '
check "the store is 0700 again" test "$(mode store)" = 700
check "the build dir is 0700 again" test "$(mode img/.df2ninja)" = 700
denied "store, made private again" "$store_layer"

chmod 755 base/.df2ninja base/.df2ninja/layers base/.df2ninja/state
chmod 2775 store
(cd base && "$DF2NINJA" --output "type=oci,dest=$TMP/base-image" .) >regen.out 2>&1
check "regenerate over an open build dir" test $? = 0
sed 's/^/#   /' regen.out
check "the build dir is 0700 again" test "$(mode base/.df2ninja)" = 700
check "its layers/ is 0700 again" test "$(mode base/.df2ninja/layers)" = 700
check "its state/ is 0700 again" test "$(mode base/.df2ninja/state)" = 700
denied "build dir, made private again" "$bd_layer"
echo 3 >img/f
(cd img && "$NINJA") >again2.out 2>&1
check "a group-open store is made private, keeping setgid" test "$(mode store)" = 2700

# --- someone else's open store and build dir are refused --------------------
mkdir theirs theirs/bd
chown "$TEST_USER" theirs theirs/bd
chmod 755 theirs theirs/bd
echo 4 >img/f
(cd img && DF2NINJA_STORE=$TMP/theirs "$NINJA") >theirs.out 2>&1
check "a build with another user's open store fails" test $? != 0
check "naming the store" assert_file_has theirs.out "'$TMP/theirs'"
check "which is left as it was" test "$(mode theirs)" = 755
check "generating into another user's open build dir fails" \
	expect_fail 1 "'theirs/bd'" "$DF2NINJA" -B theirs/bd -o theirs.ninja img
check "which is left as it was" test "$(mode theirs/bd)" = 755

done_testing

#!/bin/sh
# Emulation: FROM --platform=linux/arm64 of a multi-platform OCI layout
# (samples/make-images --platform) picks the index's arm64 image, and its
# RUN steps run under QEMU user mode through the F-flag binfmt_misc
# entries of qemu-user-static: uname -m says aarch64, the config says
# arm64; root and rootless alike. Without a usable entry (simulated with
# DF2NINJA_BINFMT_DIR, the host's binfmt_misc is left alone) the step
# fails naming the package to install and runs nothing.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root

# the machine's set-up (.ci/setup does the same)
BM=/proc/sys/fs/binfmt_misc
[ -e "$BM/register" ] || mount -t binfmt_misc binfmt_misc "$BM" ||
	{ echo "Bail out! cannot mount binfmt_misc on $BM"; exit 1; }
[ -e "$BM/qemu-aarch64" ] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 ||
	{ echo "Bail out! no qemu-aarch64 binfmt_misc entry: apt-get install qemu-user-static binfmt-support"; exit 1; }

# the amd64 and arm64 busybox layout, made once under a lock
mkdir -p "$TEST_STATE/images/multi"
(
	flock 9
	if [ ! -f "$TEST_STATE/images/multi/busybox/index.json" ]; then
		DF2NINJA="$DF2NINJA" NINJA="$NINJA" "$TOP_SRCDIR/samples/make-images" busybox \
			--platform linux/amd64,linux/arm64 --dest "$TEST_STATE/images/multi" \
			>"$TEST_STATE/images/multi/make.log" 2>&1 ||
			{ cat "$TEST_STATE/images/multi/make.log" >&2; exit 1; }
	fi
) 9>"$TEST_STATE/images/multi/.lock" ||
	{ echo "Bail out! make-images --platform failed"; exit 1; }
L=$TEST_STATE/images/multi/busybox
chmod 755 "$TEST_STATE/images" "$TEST_STATE/images/multi"

blob() { echo "$L/blobs/sha256/${1#sha256:}"; }
IDX=$(blob "$(jq -r '.manifests[0].digest' "$L/index.json")")
check "make-images --platform: index.json tags an image index" \
	test "$(jq -r '.manifests[0].mediaType' "$L/index.json")" = application/vnd.oci.image.index.v1+json
check "... which lists amd64 and arm64" \
	test "$(jq -r '[.manifests[].platform.architecture] | join(",")' "$IDX")" = amd64,arm64
ARM_M=$(blob "$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' "$IDX")")
check "... the arm64 image's config says arm64" \
	test "$(jq -r .architecture "$(blob "$(jq -r .config.digest "$ARM_M")")")" = arm64
ARM_BASE=$(jq -r '.layers[0].digest' "$ARM_M")

# the e_machine of an ELF file: 183 for aarch64, 62 for x86_64
elf_machine() { od -An -tu2 -j18 -N2 "$1" | tr -d ' '; }

mkdir arm && cd arm || exit 99
cat >Dockerfile <<DF
FROM --platform=linux/arm64 oci-layout://$L:latest
RUN uname -m >/m && sh -c 'echo child' >/child && ls /bin | wc -l >/n
DF
"$DF2NINJA" --output "type=oci,dest=$TMP/arm/img" . >/dev/null
check "the arm64 build succeeds" ninja_logged
check "... its RUN says it is emulated" \
	assert_file_has "$TMP/ninja.out" 'linux/arm64 emulated by .*aarch64'
M=$(jq -r '.manifests[0].digest' img/index.json)
M=img/blobs/sha256/${M#sha256:}
C=$(jq -r .config.digest "$M")
check "the config says arm64" test "$(jq -r .architecture "img/blobs/sha256/${C#sha256:}")" = arm64
check "... and linux" test "$(jq -r .os "img/blobs/sha256/${C#sha256:}")" = linux
check "the base layer is the layout's arm64 one" test "$(jq -r '.layers[0].digest' "$M")" = "$ARM_BASE"
mkdir base && tar -xzf "img/blobs/sha256/$(jq -r '.layers[0].digest' "$M" | cut -d: -f2)" -C base bin/busybox
check "... whose busybox is an aarch64 binary" test "$(elf_machine base/bin/busybox)" = 183
mkdir top && tar -xzf "img/blobs/sha256/$(jq -r '.layers[-1].digest' "$M" | cut -d: -f2)" -C top
check "uname -m in the RUN said aarch64" file_is top/m aarch64
check "... and a child shell ran" file_is top/child child
tar -tzf "img/blobs/sha256/$(jq -r '.layers[-1].digest' "$M" | cut -d: -f2)" | sort >top.list
# (and the mount points the sandbox made, as every RUN layer: t2029)
printf 'child\ndev/\nm\nn\nproc/\nsys/\n' >top.want
check "the RUN's layer holds what it made only" test_cmp top.want top.list
cd "$TMP" || exit 99

# the same layout without --platform: the host's image, run natively
mkdir host && cd host || exit 99
cat >Dockerfile <<DF
FROM oci-layout://$L:latest
RUN uname -m >/m
DF
"$DF2NINJA" --output "type=local,dest=$TMP/host/root" . >/dev/null
check "the host build succeeds" ninja_logged
check "... it picked the host's image of the index" file_is root/m "$(uname -m)"
check "... and did not emulate" sh -c "! grep -q emulated '$TMP/ninja.out'"
cd "$TMP" || exit 99

# no usable entry: the step fails with what to do, and runs nothing
fails() { ! ninja_logged; }
mkdir -p bm/none bm/nof bm/off bm/unmounted
for d in none nof off; do echo enabled >bm/$d/status; done
sed 's/^flags: .*/flags: P/' "$BM/qemu-aarch64" >bm/nof/qemu-aarch64
sed '1s/.*/disabled/' "$BM/qemu-aarch64" >bm/off/qemu-aarch64
# another ELF machine's entry is no help
sed 's/^magic .*/magic 7f454c460201010000000000000000000200f300/' "$BM/qemu-aarch64" \
	>bm/none/qemu-riscv64
mkdir miss && cd miss || exit 99
cat >Dockerfile <<DF
FROM --platform=linux/arm64 oci-layout://$L:latest
RUN echo ran >/ran
DF
"$DF2NINJA" --output "type=local,dest=$TMP/miss/root" . >/dev/null
DF2NINJA_BINFMT_DIR=$TMP/bm/none
export DF2NINJA_BINFMT_DIR
check "no binfmt_misc entry for aarch64: the RUN fails" fails
check "... naming the packages to install" assert_file_has "$TMP/ninja.out" \
	'no binfmt_misc entry in .* runs aarch64 binaries: install QEMU user mode with `apt-get install qemu-user-static binfmt-support`'
check "... and nothing ran" test ! -e root/ran
DF2NINJA_BINFMT_DIR=$TMP/bm/unmounted
check "binfmt_misc not mounted: the RUN fails" fails
check "... saying how to mount it" assert_file_has "$TMP/ninja.out" \
	'binfmt_misc is not mounted on .*: mount it (`mount -t binfmt_misc binfmt_misc'
DF2NINJA_BINFMT_DIR=$TMP/bm/nof
check "an entry without the F flag: the RUN fails" fails
check "... naming the entry" assert_file_has "$TMP/ninja.out" 'entry .*/bm/nof/qemu-aarch64 lacks the F flag'
DF2NINJA_BINFMT_DIR=$TMP/bm/off
check "a disabled entry: the RUN fails" fails
check "... saying how to enable it" assert_file_has "$TMP/ninja.out" \
	'entry .*/bm/off/qemu-aarch64 is disabled: enable it (`update-binfmts --enable qemu-aarch64`)'
unset DF2NINJA_BINFMT_DIR
check "with the host's entries the same build succeeds" ninja_logged
check "... and the RUN ran" file_is root/ran ran
cd "$TMP" || exit 99

# the status line of a long emulated RUN says so
if command -v script >/dev/null 2>&1; then
	mkdir live && cd live || exit 99
	cat >Dockerfile <<DF
FROM --platform=linux/arm64 oci-layout://$L:latest
RUN echo warming up; sleep 3; echo done
DF
	"$DF2NINJA" . >/dev/null
	script -qec "$NINJA" typescript >/dev/null 2>&1
	check "a long emulated RUN draws its status line" \
		assert_file_has typescript '\[stage-0 2/2\] RUN \[arm64\] echo warming up.* ([23]s) warming up'
	cd "$TMP" || exit 99
fi

# from a registry's index: each stage gets its platform's manifest (and
# its own record of the tag), COPY --from takes the arm64 stage's file
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
	. "$TOP_SRCDIR/tests/integ/ports.sh"
	PORT=$(free_port)
	printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n  secret: t2045\n' \
		"$TMP/reg" "$PORT" >reg.yml
	docker-registry serve reg.yml >reg.log 2>&1 &
	REG_PID=$!
	trap 'kill $REG_PID 2>/dev/null; wait $REG_PID 2>/dev/null; cleanup' EXIT
	wait_port "$PORT" || { echo "Bail out! docker-registry did not start"; exit 1; }
	R=127.0.0.1:$PORT
	check "skopeo pushes the two-platform index" skopeo copy -q --all \
		--dest-tls-verify=false "oci:$L:latest" "docker://$R/bb:multi"
	mkdir regb && cd regb || exit 99
	cat >Dockerfile <<DF
FROM --platform=linux/arm64 $R/bb:multi AS arm
RUN uname -m >/m
FROM $R/bb:multi
COPY --from=arm /m /arm-m
RUN uname -m >/m
DF
	"$DF2NINJA" --output "type=local,dest=$TMP/regb/root" . >/dev/null
	check "FROM --platform of a registry index builds" ninja_logged
	check "... the arm64 stage ran on aarch64" file_is root/arm-m aarch64
	check "... the host's stage natively" file_is root/m "$(uname -m)"
	check "... each platform's tag has its own record" \
		sh -c 'ls .df2ninja/pulls/*bb+multi.digest .df2ninja/pulls/*bb+multi@linux_arm64.digest'
	check "... the arm64 record is the index's arm64 manifest" test \
		"$(cat .df2ninja/pulls/*bb+multi@linux_arm64.digest)" = \
		"$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' "$IDX")"
	cd "$TMP" || exit 99
fi

# rootless: an unprivileged user's build runs through the same entries
U=df2ninja-test
ensure_user "$U"
chmod 755 "$TMP"
mkdir user && cp arm/Dockerfile user/ && chown -R "$U" user
(cd user && runuser -u "$U" -- env DF2NINJA_STORE="$TMP/user/.store" HOME="$TMP/user" \
	sh -c '"$0" --output "type=local,dest=root" . && "$1"' "$DF2NINJA" "$NINJA") \
	>user.log 2>&1
check "rootless: the arm64 build succeeds" test $? = 0
sed 's/^/#   /' user.log
check "... uname -m said aarch64" file_is user/root/m aarch64
check "... and the image's busybox is the aarch64 one" test "$(elf_machine user/root/bin/busybox)" = 183

done_testing

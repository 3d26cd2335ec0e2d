# tests/integ/lib.sh: sourced by every integration test.
#
# Sets up a scratch directory ($TMP, removed on exit unless KEEP_TMP=1),
# points $DF2NINJA at the built binary, and prints TAP: call `plan N` first
# (or `done_testing` at the end), then `ok`/`not_ok`/`skip` per check.

set -u

: "${DF2NINJA:?run the tests through make check}"
: "${TOP_SRCDIR:?run the tests through make check}"
NINJA=${NINJA:-ninja}
SAMPLES="$TOP_SRCDIR/samples"
CONFORMANCE="$TOP_SRCDIR/tests/conformance"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/df2ninja-test.XXXXXX")
# resolved: tests compare it with the cwd /proc shows
TMP=$(cd "$TMP" && pwd -P) || exit 99
cleanup() {
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
cd "$TMP" || exit 99

_n=0
_failed=0

plan() { echo "1..$1"; }

ok() {
	_n=$((_n + 1))
	echo "ok $_n - $*"
}

not_ok() {
	_n=$((_n + 1))
	_failed=$((_failed + 1))
	echo "not ok $_n - $*"
}

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
}

# check DESCRIPTION CMD...: ok when CMD succeeds; shows its output otherwise
check() {
	_desc=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_desc"
	else
		not_ok "$_desc"
		printf '%s\n' "$_out" | sed 's/^/#   /'
	fi
}

# test_cmp EXPECTED ACTUAL: succeed when equal, print a diff otherwise
test_cmp() {
	diff -u "$1" "$2" | sed 's/^/# /' >&2
	cmp -s "$1" "$2"
}

# assert_file_has FILE REGEX
assert_file_has() {
	if grep -q -e "$2" "$1"; then
		return 0
	fi
	echo "# '$1' does not match '$2':" >&2
	sed 's/^/#   /' "$1" >&2
	return 1
}

# assert_file_lacks FILE REGEX
assert_file_lacks() {
	if grep -q -e "$2" "$1"; then
		echo "# '$1' matches '$2':" >&2
		grep -e "$2" "$1" | sed 's/^/#   /' >&2
		return 1
	fi
}

# ninja_logged [ARGS...]: ninja in the current directory, its output in
# $TMP/ninja.out and in the test's log; succeeds when ninja did
ninja_logged() {
	"$NINJA" "$@" >"$TMP/ninja.out" 2>&1
	_st=$?
	sed 's/^/#   /' "$TMP/ninja.out"
	return $_st
}

# exported: the last ninja_logged run exported the image
exported() { grep -q '^\[[0-9]*/[0-9]*\] EXPORT ' "$TMP/ninja.out"; }

# image_digest LAYOUT: the manifest digest the OCI layout LAYOUT lists first
image_digest() { sed -n 's/.*"digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$1/index.json" | head -n 1; }

# image_config LAYOUT: the image config of the OCI layout LAYOUT
image_config() {
	_m=$(jq -r '.manifests[0].digest' "$1/index.json") &&
		_c=$(jq -r '.config.digest' "$1/blobs/sha256/${_m#sha256:}") &&
		cat "$1/blobs/sha256/${_c#sha256:}"
}

# file_is FILE TEXT: FILE holds exactly the line TEXT
file_is() {
	printf '%s\n' "$2" >"$TMP/.want"
	test_cmp "$TMP/.want" "$1"
}

# expect_fail STATUS REGEX CMD...: CMD exits with STATUS and its stderr
# matches REGEX
expect_fail() {
	_want=$1
	_re=$2
	shift 2
	"$@" >"$TMP/.out" 2>"$TMP/.err"
	_got=$?
	if [ "$_got" != "$_want" ]; then
		echo "# exit status $_got, expected $_want; stderr:" >&2
		sed 's/^/#   /' "$TMP/.err" >&2
		return 1
	fi
	assert_file_has "$TMP/.err" "$_re"
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# --- executor tests -------------------------------------------------------

# every test shares one store (it is safe for concurrent builds) and one
# busybox base image, made once with samples/make-images under a lock
TEST_STATE=${TOP_BUILDDIR:-$TOP_SRCDIR}/tests
DF2NINJA_STORE=${DF2NINJA_STORE:-$TEST_STATE/store}
export DF2NINJA_STORE
# generation asks no registry for a base image's config (its ONBUILD
# triggers): tests name docker.io images they never pull; the tests of that
# lookup set DF2NINJA_GEN_PULL=1 against their local registry
DF2NINJA_GEN_PULL=0
export DF2NINJA_GEN_PULL

# need_root: skip the whole test unless we can make namespaces and overlays
need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (namespaces, overlayfs)"
		exit 0
	fi
}

# busybox_image: print the path of the shared busybox OCI layout
busybox_image() {
	mkdir -p "$TEST_STATE/images"
	(
		flock 9
		if [ ! -f "$TEST_STATE/images/busybox/index.json" ]; then
			DF2NINJA="$DF2NINJA" NINJA="$NINJA" \
				"$TOP_SRCDIR/samples/make-images" busybox \
				--dest "$TEST_STATE/images" >"$TEST_STATE/images/make.log" 2>&1 ||
				{ cat "$TEST_STATE/images/make.log" >&2; exit 1; }
		fi
	) 9>"$TEST_STATE/images/.lock" || return 1
	echo "$TEST_STATE/images/busybox"
}

# BUSYBOX: the FROM reference of the shared busybox image
use_busybox() {
	_bb=$(busybox_image) || { echo "Bail out! cannot make the busybox image"; exit 1; }
	BUSYBOX="oci-layout://$_bb:latest"
}

# reference_digest: the image digest of ./Dockerfile built alone, in ref/
reference_digest() {
	mkdir ref
	cp Dockerfile ref/
	if ! (cd ref && "$DF2NINJA" . >/dev/null && "$NINJA" >../ref.out 2>&1); then
		sed 's/^/#   /' ref.out >&2
		echo "Bail out! the reference build failed"
		return 1
	fi
	image_digest ref/.df2ninja/image
}

# wait_for_process PATTERN [TENTHS]: poll until a process whose command
# line matches PATTERN (pgrep -f) runs, at most TENTHS tenths of a second
# (default 100); false if none came
wait_for_process() {
	_w=0
	while ! pgrep -f "$1" >/dev/null; do
		[ $_w -lt "${2:-100}" ] || return 1
		sleep 0.1
		_w=$((_w + 1))
	done
}

# ensure_user NAME [USERADD-OPTIONS]: NAME exists, made with `useradd -m`
# if missing; under a lock, as tests run side by side and useradd locks
# /etc/passwd (and a user seen must have its /etc/subuid entry too)
ensure_user() {
	_u=$1
	shift
	mkdir -p "$TEST_STATE/images"
	(
		flock 9
		id "$_u" >/dev/null 2>&1 || useradd -m "$@" "$_u"
	) 9>"$TEST_STATE/images/.useradd.lock"
}

# procs_in DIR PATTERN: the processes matching PATTERN (pgrep -f) whose
# cwd is DIR, a test's own among those of the tests beside it
procs_in() {
	for _p in $(pgrep -f "$2"); do
		[ "$(readlink "/proc/$_p/cwd" 2>/dev/null)" = "$1" ] && echo "$_p"
	done
}

# servers_of DIR: the step servers whose cwd is DIR
servers_of() {
	procs_in "$1" "exec serve --dir"
}

# wait_servers_gone DIR: until no step server's cwd is DIR (5 s at most)
wait_servers_gone() {
	_w=0
	while [ -n "$(servers_of "$1")" ] && [ $_w -lt 50 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
}

# ancestors PID: the command lines of PID's ancestors, one per line
ancestors() {
	_p=$1
	while [ "$_p" -gt 1 ] 2>/dev/null; do
		_p=$(sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | cut -d' ' -f2) || break
		[ -n "$_p" ] && [ "$_p" -gt 1 ] || break
		tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null
		echo
	done
}

# how_runs PATTERN [TENTHS]: how PATTERN's process runs: "served" (under a
# server's worker), "direct" (under `df2ninja exec step`), or "none" (not
# seen within TENTHS tenths of a second, 600 unless given); its pid is
# taken once, as soon as it is seen
how_runs() {
	_w=0
	while _hp=$(pgrep -f "$1" | head -n 1) && [ -z "$_hp" ]; do
		[ $_w -lt "${2:-600}" ] || { echo none; return; }
		sleep 0.1
		_w=$((_w + 1))
	done
	_a=$(ancestors "$_hp")
	case $_a in
	*" exec serve "*) echo served ;;
	*" exec step "*) echo direct ;;
	*) echo "unknown: $_a" ;;
	esac
}

# ran_steps LOG: the descriptions of the edges a `ninja` run printed
# ("[3/7] RUN  [build 2/4] ..." -> "RUN [build 2/4]"), one per line
ran_steps() {
	sed -n 's/^\[[0-9]*\/[0-9]*\] \([A-Z]*\) *\(\[[^]]*\]\).*/\1 \2/p' "$1"
}

# expect_ran LOG EXPECTED...: exactly these steps ran (order-insensitive)
expect_ran() {
	_log=$1
	shift
	ran_steps "$_log" | sort >"$TMP/.ran"
	printf '%s\n' "$@" | sed '/^$/d' | sort >"$TMP/.want"
	test_cmp "$TMP/.want" "$TMP/.ran"
}

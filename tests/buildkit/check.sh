#!/bin/sh
# make check-buildkit: build every case of tests/conformance/buildkit-images/
# with BuildKit (docker build, DOCKER_BUILDKIT=1) and with df2ninja, and
# compare the two images: the merged filesystem, the config and the history
# (tests/buildkit/compare.py says exactly what). Prints a table and writes
# the details to the results dir. Opt-in: not part of tests/run.
#
#   tests/buildkit/check.sh [--results DIR] [--work DIR] [--keep] [--strict] [CASE...]
#
# Needs docker.io with dockerd running (skips, status 77, otherwise),
# docker-registry, skopeo, python3 and ninja. Nothing leaves 127.0.0.1:
# the base images (busybox from samples/make-images, and two images the
# legacy builder makes from it) are pushed to a docker-registry on
# 127.0.0.1 and pulled into dockerd from there, so that both builders read
# the same FROM text; the cases' Dockerfiles say @BUSYBOX@, @CONFIGURED@,
# @ONBUILD@ (image references) and @HTTP@ (a file server on 127.0.0.1 for
# ADD <url>), which are replaced in a copy of the case.
#
# A case is a directory: a Dockerfile and its context. Three files in it are
# not part of the context: _older (differences where docker 20.10's BuildKit
# is older than the current BuildKit df2ninja follows, "ASPECT<TAB>REASON"
# lines as in tests/buildkit/older.tsv, reported apart), _options (one option a line, given to both
# builders: -f NAME, --build-arg K=V, --target STAGE; and --readme-layout:
# df2ninja runs in the context as the README's `df2ninja && ninja` does,
# its build dir inside the context, once docker has built) and _setup.sh (run by
# sh in the copy of the context, for what git cannot hold: sockets, FIFOs,
# device nodes, hard links, modes, owners, mtimes, archives, empty dirs).
#
# Each builder builds the copy of the context; df2ninja's build dir is
# outside it. BuildKit's image is read with `docker save`; df2ninja's
# `--output type=docker` tarball is compared as it is, after `docker load`
# accepted it.
#
# --strict: exit 1 when a case is not identical (by default the status
# only says whether the check itself could run).
# Environment: DF2NINJA, NINJA, DOCKER (default /usr/bin/docker),
# TOP_SRCDIR, TOP_BUILDDIR (as make check-buildkit sets them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$here/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
DF2NINJA=${DF2NINJA:-$TOP_BUILDDIR/df2ninja}
NINJA=${NINJA:-ninja}
DOCKER=${DOCKER:-/usr/bin/docker}
CASES=$TOP_SRCDIR/tests/conformance/buildkit-images
results=$TOP_BUILDDIR/tests/buildkit-results
work=$TOP_BUILDDIR/tests/buildkit-work
keep=0
strict=0
only=
only_given=
while [ $# -gt 0 ]; do
	case $1 in
	--results) results=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--strict) strict=1; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "check-buildkit: unknown option '$1'" >&2; exit 2 ;;
	*) only="$only $1"; only_given=1; shift ;;
	esac
done

skip() { echo "check-buildkit: skipped: $*"; exit 77; }
[ -x "$DOCKER" ] || skip "$DOCKER is not installed (Debian's docker.io)"
"$DOCKER" info >/dev/null 2>&1 || skip "dockerd is not running (dockerd --iptables=false --ip6tables=false --bridge=none &)"
for t in docker-registry skopeo python3 "$NINJA"; do
	command -v "$t" >/dev/null || skip "$t is not installed"
done
[ -x "$DF2NINJA" ] || { echo "check-buildkit: no df2ninja at $DF2NINJA (make first)" >&2; exit 2; }

mkdir -p "$results" "$work" || exit 2
results=$(cd "$results" && pwd)
work=$(cd "$work" && pwd)
log=$results/harness.log
: >"$log"

# df2ninja's store is the check's own (its base images come from the
# registry below); a dead proxy for anything that would leave loopback
DF2NINJA_STORE=$work/store
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export DF2NINJA_STORE https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY
unset DF2NINJA_PULL DF2NINJA_REGISTRY_MIRRORS SOURCE_DATE_EPOCH

# image names of this run in the shared dockerd, removed at the end
ns=df2ninja-bk$$
PIDS=
TAGS=
cleanup() {
	for t in $TAGS; do "$DOCKER" rmi -f "$t" >/dev/null 2>&1; done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$TOP_SRCDIR/tests/integ/ports.sh"
die() { echo "check-buildkit: $*" >&2; echo "check-buildkit: see $log" >&2; exit 2; }

# --- base images -----------------------------------------------------------------

# busybox: the tests' shared OCI layout (samples/make-images), made once
mkdir -p "$TOP_BUILDDIR/tests/images"
(
	flock 9
	if [ ! -f "$TOP_BUILDDIR/tests/images/busybox/index.json" ]; then
		DF2NINJA="$DF2NINJA" NINJA="$NINJA" "$TOP_SRCDIR/samples/make-images" busybox \
			--dest "$TOP_BUILDDIR/tests/images" >"$TOP_BUILDDIR/tests/images/make.log" 2>&1 ||
			{ cat "$TOP_BUILDDIR/tests/images/make.log" >&2; exit 1; }
	fi
) 9>"$TOP_BUILDDIR/tests/images/.lock" || die "cannot make the busybox image"

port=$(free_port)
reg=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n  secret: df2ninja-bk\n' \
	"$work/registry" "$reg" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >>"$log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$port" || die "docker-registry did not start"

httpport=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$CASES/_http" "$httpport" >>"$log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$httpport" || die "the file server did not start"

BUSYBOX=$reg/busybox:latest
CONFIGURED=$reg/configured:latest
ONBUILD=$reg/onbuild:latest
HTTP=http://127.0.0.1:$httpport

subst() {
	sed -e "s|@BUSYBOX@|$BUSYBOX|g" -e "s|@CONFIGURED@|$CONFIGURED|g" \
		-e "s|@ONBUILD@|$ONBUILD|g" -e "s|@HTTP@|$HTTP|g" "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

echo "check-buildkit: base images in the registry at $reg" >&2
skopeo copy --dest-tls-verify=false "oci:$TOP_BUILDDIR/tests/images/busybox:latest" \
	"docker://$BUSYBOX" >>"$log" 2>&1 || die "skopeo could not push busybox"
"$DOCKER" pull "$BUSYBOX" >>"$log" 2>&1 || die "docker could not pull $BUSYBOX"
TAGS="$TAGS $BUSYBOX"
# two bases the legacy builder makes, with what such images carry (the
# top-level container_config, docker_version, ...) and a rich config
for b in configured onbuild; do
	rm -rf "$work/base-$b" && cp -R "$here/bases/$b" "$work/base-$b" && subst "$work/base-$b/Dockerfile" &&
		DOCKER_BUILDKIT=0 "$DOCKER" build --network=none --pull=false -t "$reg/$b:latest" \
			"$work/base-$b" >>"$log" 2>&1 || die "the legacy builder could not build the base $b"
	TAGS="$TAGS $reg/$b:latest"
	"$DOCKER" push "$reg/$b:latest" >>"$log" 2>&1 || die "docker could not push $b"
done

# --- the cases -------------------------------------------------------------------

if [ -z "$only" ]; then
	only=$(cd "$CASES" && for d in */; do
		d=${d%/}
		case $d in _*) continue ;; esac
		[ -f "$d/Dockerfile" ] || [ -f "$d/_options" ] || continue
		echo "$d"
	done)
fi

# first_error LOG: the line that says why a build failed
bk_error() {
	grep -E '^(error|ERROR|failed to|executor failed|.*error from sender|.*failed to solve)' "$1" |
		tail -n 1 | cut -c1-300
}
dn_error() {
	_l=$(grep -E '^df2ninja: .*(error|fail|refus|cannot|not supported)' "$1" | head -n 1)
	_whole=$(sed -n 's/^df2ninja: the whole log: //p' "$1" | head -n 1)
	if [ -n "$_whole" ] && [ -f "$2/$_whole" ]; then
		_l="$_l: $(grep -v '^$' "$2/$_whole" | tail -n 1)"
	fi
	printf '%s\n' "$_l" | cut -c1-300
}

for c in $only; do
	[ -f "$CASES/$c/Dockerfile" ] || [ -f "$CASES/$c/_options" ] || die "no case $c in $CASES"
done

table=$results/table.tsv
: >"$table"
start=$(date +%s)
n=0
for c in $only; do
	n=$((n + 1))
	src=$CASES/$c
	w=$work/cases/$c
	r=$results/$c
	rm -rf "$w" "$r" "$r.diff"
	mkdir -p "$w" "$r"
	cp -Rp "$src" "$w/ctx"
	rm -f "$w/ctx/_options" "$w/ctx/_setup.sh" "$w/ctx/_older"
	dockerfile=Dockerfile
	readme=0
	set --
	if [ -f "$src/_options" ]; then
		while read -r opt arg; do
			case $opt in
			''|'#'*) ;;
			-f) dockerfile=$arg ;;
			--readme-layout) readme=1 ;;
			--build-arg|--target) set -- "$@" "$opt" "$arg" ;;
			*) die "$c/_options: unknown option '$opt'" ;;
			esac
		done <"$src/_options"
	fi
	for f in "$w/ctx"/*Dockerfile*; do
		case $f in *.dockerignore) ;; *) [ -f "$f" ] && subst "$f" ;; esac
	done
	if [ -f "$src/_setup.sh" ]; then
		(cd "$w/ctx" && sh -e "$src/_setup.sh") >"$r/setup.log" 2>&1 || die "$c/_setup.sh failed (see $r/setup.log)"
	fi
	printf '%-32s' "$c" >&2

	bk=ok
	DOCKER_BUILDKIT=1 "$DOCKER" build --network=none --pull=false --no-cache --progress=plain \
		-f "$w/ctx/$dockerfile" -t "$ns/$c:buildkit" "$@" "$w/ctx" >"$r/buildkit.log" 2>&1 || bk=failed
	[ $bk = failed ] || TAGS="$TAGS $ns/$c:buildkit"
	[ $bk = failed ] || "$DOCKER" save -o "$w/buildkit.tar" "$ns/$c:buildkit" >>"$r/buildkit.log" 2>&1 || bk=failed

	dn=ok
	mkdir -p "$w/dn"
	if [ $readme = 1 ]; then
		# as the README's first command: build.ninja and .df2ninja in the context
		dndir=$w/ctx
		if ! (cd "$w/ctx" && "$DF2NINJA" -f "$dockerfile" --network none \
			--output "type=docker,dest=$w/df2ninja.tar" -t "$ns/$c:df2ninja" "$@") >"$r/df2ninja.log" 2>&1; then
			dn=failed
		elif ! "$NINJA" -C "$w/ctx" >>"$r/df2ninja.log" 2>&1; then
			dn=failed
		fi
	else
		dndir=$w/dn
		if ! "$DF2NINJA" -o "$w/dn/build.ninja" -B "$dndir/bd" -f "$w/ctx/$dockerfile" --network none \
			--output "type=docker,dest=$w/df2ninja.tar" -t "$ns/$c:df2ninja" "$@" "$w/ctx" >"$r/df2ninja.log" 2>&1; then
			dn=failed
		elif ! "$NINJA" -C "$w/dn" >>"$r/df2ninja.log" 2>&1; then
			dn=failed
		fi
	fi
	if [ "$dn" = failed ]; then
		:
	elif ! "$DOCKER" load -i "$w/df2ninja.tar" >"$r/docker-load.log" 2>&1; then
		dn="docker load failed: $(tail -n 1 "$r/docker-load.log")"
	else
		TAGS="$TAGS $ns/$c:df2ninja"
	fi

	aspects=
	times=
	if [ $bk = ok ] && [ "$dn" = ok ]; then
		set -- --older "$here/older.tsv"
		[ ! -f "$CASES/$c/_older" ] || set -- "$@" --older "$CASES/$c/_older"
		if python3 "$here/compare.py" "$@" --case "$c" --out "$results" "$w/buildkit.tar" "$w/df2ninja.tar" \
			>"$r/compare.json" 2>"$r/compare.err"; then
			aspects=$(python3 -c 'import json,sys; print("; ".join(json.load(sys.stdin)["aspects"]))' <"$r/compare.json")
			times=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["times"])' <"$r/compare.json")
			older=$(python3 -c 'import json,sys; print("; ".join(json.load(sys.stdin)["older"]))' <"$r/compare.json")
			if [ -n "$aspects" ]; then
				result=differs
			elif [ -n "$older" ]; then
				result="as current BuildKit"
				aspects="older BuildKit: $older"
			else
				result=identical
			fi
		else
			result="compare failed"
			aspects=$(tail -n 1 "$r/compare.err")
		fi
	elif [ $bk = failed ] && [ "$dn" = failed ]; then
		result="both failed"
		aspects="buildkit: $(bk_error "$r/buildkit.log") / df2ninja: $(dn_error "$r/df2ninja.log" "$dndir")"
	elif [ $bk = failed ]; then
		result="docker failed"
		aspects=$(bk_error "$r/buildkit.log")
	elif [ "$dn" = failed ]; then
		result="df2ninja failed"
		aspects=$(dn_error "$r/df2ninja.log" "$dndir")
	else
		result="df2ninja failed"
		aspects=$dn
	fi
	# messages without this run's paths and ports
	aspects=$(printf '%s\n' "$aspects" | sed -e "s|$w/ctx/||g" -e "s|$w/||g" -e "s|$reg|@REGISTRY@|g" \
		-e "s|127.0.0.1:$httpport|@HTTP@|g" | tr '\t' ' ')
	printf '%s\t%s\t%s\t%s\n' "$c" "$result" "$aspects" "$times" >>"$table"
	echo " $result${aspects:+: $aspects}" >&2

	for t in "$ns/$c:buildkit" "$ns/$c:df2ninja"; do "$DOCKER" rmi -f "$t" >/dev/null 2>&1; done
	[ $keep = 1 ] || rm -rf "$w"
done
elapsed=$(($(date +%s) - start))

# what ran: dockerd's version and the BuildKit it has built in (dockerd
# does not say which; Docker 20.10 vendors BuildKit v0.8), df2ninja's commit
dversion=$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null)
case $dversion in
20.10.*) bversion="Docker $dversion, its built-in BuildKit v0.8" ;;
*) bversion="Docker $dversion, its built-in BuildKit" ;;
esac
commit=$(git -C "$TOP_SRCDIR" rev-parse --short HEAD 2>/dev/null) || commit=unknown
if [ "$commit" != unknown ] && ! git -C "$TOP_SRCDIR" diff --quiet HEAD -- src 2>/dev/null; then
	commit="$commit with src/ modified"
fi
python3 "$here/table.py" "$table" "$results/RESULTS.md" "$bversion" "commit $commit" \
	"$(date -u '+%Y-%m-%d %H:%M UTC')" "$elapsed" || exit 2
echo
cat "$results/RESULTS.md"
echo
echo "check-buildkit: details in $results (CASE.diff, CASE/)"
# with every case run, say whether the table is the committed one
committed=$CASES/RESULTS.md
if [ -z "$only_given" ] && [ -f "$committed" ]; then
	sed -n '/^| case/,$p' "$committed" >"$results/committed.table"
	sed -n '/^| case/,$p' "$results/RESULTS.md" >"$results/now.table"
	if cmp -s "$results/committed.table" "$results/now.table"; then
		echo "check-buildkit: the same table as $committed"
	else
		echo "check-buildkit: the table differs from $committed:"
		diff -u "$results/committed.table" "$results/now.table" | sed -n '3,$p'
	fi
fi
if [ $strict = 1 ] && grep -qv "	identical	" "$table"; then
	exit 1
fi
exit 0

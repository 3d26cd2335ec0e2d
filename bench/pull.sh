#!/bin/sh
# Pull benchmark: the FROM step of a Dockerfile naming a Debian base image
# in a local registry (Debian's docker-registry on 127.0.0.1), next to
# `skopeo copy docker://... oci:DIR` of the same image. The FROM step also
# unpacks the layers for overlayfs, which skopeo does not do: it is timed
# once from an empty store (pull and unpack), then in each run with the
# unpacked layers kept and the blobs removed, so that it only pulls (the
# manifest, the config and the layers, each verified as it streams into
# the store; layer_unpack skips a layer the store has unpacked already).
# Each skopeo run starts from an empty destination.
#   bench/pull.sh [path/to/df2ninja] [runs]
# The image is samples/images/debian, made with samples/make-images debian
# when missing (DEBIAN_IMAGE=DIR names another OCI layout with a "bookworm"
# tag). The work directory is made by mktemp -d: set TMPDIR to choose its disk.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/df2ninja}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
runs=${2:-3}
NINJA=${NINJA:-ninja}
image=${DEBIAN_IMAGE:-$top/samples/images/debian}
for t in docker-registry skopeo python3 "$NINJA"; do
	command -v "$t" >/dev/null || { echo "pull.sh: $t is not installed" >&2; exit 1; }
done
if [ ! -f "$image/index.json" ]; then
	DF2NINJA=$bin NINJA=$NINJA "$top/samples/make-images" debian --dest "$(dirname "$image")"
fi

work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$top/tests/integ/ports.sh"
port=$(free_port)
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
  secret: bench
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pid=$!
wait_port "$port" || { echo "pull.sh: the registry did not start" >&2; exit 1; }
ref=127.0.0.1:$port/debian:bookworm
skopeo copy -q --dest-tls-verify=false "oci:$image:bookworm" "docker://$ref"
size=$(du -sb "$work/registry/docker/registry/v2/blobs" | cut -f1)

# milliseconds one run of "$@" takes, its output dropped
timed() {
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}

# "best B ms, mean M ms" for the numbers on stdin
summary() {
	awk '{ t += $1; if (NR == 1 || $1 < b) b = $1 }
	     END { printf "best %6d ms, mean %6d ms", b, t / NR }'
}

mkdir -p "$work/ctx"
printf 'FROM %s\n' "$ref" >"$work/ctx/Dockerfile"
from_step() {
	DF2NINJA_STORE=$work/store "$NINJA" -C "$work" stage-0/1
}
: >"$work/pull.ms"
: >"$work/skopeo.ms"
"$bin" -o "$work/build.ninja" "$work/ctx" >/dev/null
full=$(timed from_step)
for i in $(seq "$runs"); do
	rm -rf "$work/store/blobs" "$work/store/tmp" "$work/.df2ninja/steps" "$work/.df2ninja/pulls" "$work/oci"
	timed from_step >>"$work/pull.ms"
	timed skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$work/oci:bookworm" >>"$work/skopeo.ms"
done

echo "image: $ref, $((size / 1048576)) MiB of blobs, $runs runs"
echo "df2ninja FROM step, empty store (pull + unpack): $full ms"
echo "df2ninja FROM step, layers unpacked (pull):      $(summary <"$work/pull.ms")"
echo "skopeo copy docker:// oci:                       $(summary <"$work/skopeo.ms")"
awk -v a="$(sort -n "$work/pull.ms" | head -n 1)" -v b="$(sort -n "$work/skopeo.ms" | head -n 1)" 'BEGIN {
	printf "ratio (best): df2ninja pull / skopeo copy = %.2f\n", a / b
}'

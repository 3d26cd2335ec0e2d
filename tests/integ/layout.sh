# tests/integ/layout.sh: sourced (after lib.sh and use_busybox) by the
# tests that make OCI image layouts by hand: the shared busybox image with
# layers of their own on top, tagged in a layout of the test's. Needs jq.

BB=${BUSYBOX#oci-layout://}
BB=${BB%:latest}
BB_MANIFEST=$BB/blobs/sha256/$(jq -r '.manifests[0].digest' "$BB/index.json" | cut -c8-)
BB_CONFIG=$BB/blobs/sha256/$(jq -r '.config.digest' "$BB_MANIFEST" | cut -c8-)
# how many layers busybox has
BB_LAYERS=$(jq '.layers | length' "$BB_MANIFEST")

# layout_new DIR: a layout holding busybox's blobs and no image
layout_new() {
	mkdir -p "$1/blobs/sha256"
	cp "$BB"/blobs/sha256/* "$1/blobs/sha256/"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
	echo '{"schemaVersion":2,"manifests":[]}' >"$1/index.json"
}

# layout_blob DIR FILE: FILE into DIR's blobs; prints "DIGEST SIZE"
layout_blob() {
	_d=$(sha256sum "$2" | cut -d' ' -f1)
	cp "$2" "$1/blobs/sha256/$_d"
	echo "sha256:$_d $(wc -c <"$2")"
}

# layer_tar TAR DIR: the tar of DIR's contents, the same bytes every time
layer_tar() {
	tar --format=ustar --sort=name --numeric-owner --owner=0 --group=0 \
		--mtime=@0 -C "$2" -cf "$1" .
}

# layout_layer DIR TAR: TAR gzipped into DIR's blobs; prints
# "DIGEST,SIZE,DIFFID", a layer as layout_image takes it
layout_layer() {
	gzip -n -c "$2" >"$TMP/.layer.gz"
	set -- $(layout_blob "$1" "$TMP/.layer.gz") "$(sha256sum "$2" | cut -d' ' -f1)"
	echo "$1,$2,sha256:$3"
}

# layout_image DIR TAG LAYER...: tag in DIR an image of busybox's layers
# and config with the LAYERs ("DIGEST,SIZE,DIFFID": the manifest says
# DIGEST and SIZE, the config DIFFID) on top; prints its manifest digest
layout_image() {
	_dir=$1
	_tag=$2
	shift 2
	jq -n '$ARGS.positional | map(split(","))' --args "$@" >"$TMP/.specs"
	jq -c --slurpfile s "$TMP/.specs" \
		'.rootfs.diff_ids += ($s[0] | map(.[2])) |
		 .history += ($s[0] | map({created_by: "layout_image"}))' \
		"$BB_CONFIG" >"$TMP/.config"
	set -- $(layout_blob "$_dir" "$TMP/.config")
	jq -c --slurpfile s "$TMP/.specs" --arg d "$1" --argjson n "$2" \
		'.config.digest = $d | .config.size = $n |
		 .layers += ($s[0] | map({mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
					  digest: .[0], size: (.[1] | tonumber)}))' \
		"$BB_MANIFEST" >"$TMP/.manifest"
	set -- $(layout_blob "$_dir" "$TMP/.manifest")
	jq --arg d "$1" --argjson n "$2" --arg t "$_tag" \
		'.manifests += [{mediaType: "application/vnd.oci.image.manifest.v1+json",
				 digest: $d, size: $n,
				 annotations: {"org.opencontainers.image.ref.name": $t}}]' \
		"$_dir/index.json" >"$TMP/.index" && mv "$TMP/.index" "$_dir/index.json"
	echo "$1"
}

# layout_manifest DIR TAG: the path of the manifest tagged TAG in DIR
layout_manifest() {
	echo "$1/blobs/sha256/$(jq -r --arg t "$2" \
		'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$1/index.json" | cut -c8-)"
}

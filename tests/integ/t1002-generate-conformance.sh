#!/bin/sh
# Every conformance Dockerfile that names only known instructions, and whose
# FROM lines name images, generates a build.ninja that ninja -n accepts and
# a make file that make -n accepts.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

known='^(add|arg|cmd|copy|entrypoint|env|expose|from|healthcheck|label|maintainer|onbuild|run|shell|stopsignal|user|volume|workdir)$'
n=0
for d in "$CONFORMANCE"/buildkit-parser/testfiles/*/; do
	name=$(basename "$d")
	# the keywords the parser saw, from its own dump
	kws=$("$DF2NINJA" parse --dump "$d/Dockerfile" 2>/dev/null | sed -n 's/^(\([a-z]*\).*/\1/p' | sort -u)
	unknown=$(printf '%s\n' "$kws" | grep -Ev "$known" || true)
	if [ -n "$unknown" ]; then
		continue
	fi
	out="$TMP/$name"
	mkdir -p "$out"
	if "$DF2NINJA" -f "$d/Dockerfile" --context "$out" -o "$out/build.ninja" 2>"$TMP/err"; then
		check "$name: ninja -n" "$NINJA" -C "$out" -n
		check "$name: make file" "$DF2NINJA" -f "$d/Dockerfile" --context "$out" -G make -o "$out/image.mk"
		check "$name: make -n" make -n -C "$out" -f image.mk
		n=$((n + 1))
	else
		# refused: the message must name the Dockerfile and a line
		if grep -q "Dockerfile:[0-9]*:.*error: " "$TMP/err"; then
			ok "$name: refused with a located message: $(head -n 1 "$TMP/err")"
		else
			not_ok "$name: refused without a location"
			sed 's/^/#   /' "$TMP/err"
		fi
	fi
done
check "most conformance Dockerfiles generate (got $n)" test "$n" -ge 20
done_testing

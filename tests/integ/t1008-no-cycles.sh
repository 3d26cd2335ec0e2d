#!/bin/sh
# No two files of src/ call each other (docs/architecture.md): from the
# built objects, a file's calls into another file's functions are its
# edges, and a pair of files with an edge each way fails here, named.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
command -v nm >/dev/null || { echo "1..0 # SKIP needs nm"; exit 0; }

# pairs DIR: "a.o <-> b.o" for each pair of objects below DIR that call
# each other
pairs() {
	find "$1" -name '*.o' | sort | while IFS= read -r o; do
		nm "$o" | awk -v o="${o#"$1"/}" '
			$2 ~ /^[TDRB]$/ { print "D", o, $3 }
			$1 == "U" { print "U", o, $2 }'
	done | awk '
		$1 == "D" { owner[$3] = $2 }
		$1 == "U" { n++; user[n] = $2; sym[n] = $3 }
		END {
			for (i = 1; i <= n; i++) {
				o = owner[sym[i]]
				if (o != "" && o != user[i])
					edge[user[i] SUBSEP o] = 1
			}
			for (e in edge) {
				split(e, p, SUBSEP)
				if (p[1] < p[2] && ((p[2] SUBSEP p[1]) in edge))
					print p[1] " <-> " p[2]
			}
		}' | sort
}

pairs "$TOP_BUILDDIR/src" >cycles
check "the objects were found" sh -c \
	'test "$(find "$1" -name "*.o" | wc -l)" -gt 50' sh "$TOP_BUILDDIR/src"
check "no two files of src/ call each other" sh -c \
	'test ! -s cycles || { sed "s/^/#   /" cycles; exit 1; }'

# the check can fail: two made-up files that call each other are caught
mkdir -p fake/m
printf 'int b(void);\nint a(void) { return b(); }\n' >fake/m/a.c
printf 'int a(void);\nint b(void) { return a(); }\nint c(void) { return 0; }\n' >fake/m/b.c
printf 'int c(void);\nint d(void) { return c(); }\n' >fake/m/d.c
for f in a b d; do ${CC:-cc} -c -o fake/m/$f.o fake/m/$f.c || exit 99; done
pairs "$PWD/fake" >caught
check "and a made-up pair is caught, a one-way call is not" sh -c \
	'test "$(cat caught)" = "m/a.o <-> m/b.o" || { sed "s/^/#   /" caught; exit 1; }'

done_testing

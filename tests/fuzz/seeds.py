#!/usr/bin/env python3
"""Write the seed corpus of every fuzzer into tests/fuzz/corpus/<target>/.

The Dockerfiles come from tests/conformance/ (BuildKit's parser tests),
samples/ and the few below; the words from BuildKit's shell tests; the
.dockerignore cases and the layers are made here. Seeds are only added or
rewritten: regression inputs committed beside them stay.

usage: tests/fuzz/seeds.py [TOP]   (TOP: the source tree, default: ..)
"""
import gzip
import io
import os
import sys
import tarfile

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
corpus = os.path.join(top, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# Dockerfiles that reach what the conformance files do not: heredocs,
# mounts, stage references, ONBUILD, build args, the checksum of ADD
DOCKERFILES = {
    "heredoc": """# syntax=docker/dockerfile:1
FROM scratch AS base
RUN <<EOF
echo hello
EOF
COPY <<-"END" /etc/motd
\tno $expansion here
\tEND
RUN <<A cat /dev/stdin <<B
a
A
b
B
""",
    "mounts": """FROM busybox AS base
RUN mkdir /src
FROM base AS build
RUN --mount=type=cache,target=/root/.cache,sharing=locked \\
    --mount=type=bind,from=base,source=/src,target=/src \\
    --mount=type=tmpfs,target=/tmp --network=none make
RUN --mount=type=secret,id=tok,required=false --network=host true
""",
    "stages": """ARG BASE=busybox:1.36
ARG TAG
FROM ${BASE} AS one
ARG TAG=latest
ENV A=1 B="two words" C=${TAG:-none}
WORKDIR /w/${A}
COPY --chown=1:1 --chmod=0644 a b/ ./
COPY --exclude=*.md --link . /src/
FROM one AS two
ONBUILD RUN echo built
USER nobody:nogroup
FROM two
COPY --from=one /w /w
COPY --from=alpine:3 /etc/os-release /
ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef https://example.com/f.tar.gz /f
ADD --keep-git-dir=true https://example.com/x.git /x
LABEL a=b "c d"=e
EXPOSE 80/tcp 53/udp
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=3s CMD ["true"]
SHELL ["/bin/sh", "-ec"]
ENTRYPOINT ["/bin/app"]
CMD echo hi
""",
    "escape": """# escape=`
FROM scratch
COPY a `
     b /
RUN dir c:\\ `
  && echo done
""",
    "platform": """FROM --platform=$BUILDPLATFORM busybox AS b
ARG TARGETPLATFORM TARGETOS TARGETARCH
RUN echo $TARGETPLATFORM > /p
FROM scratch
COPY --from=b /p /
""",
    "onbuild": """FROM busybox AS base
ONBUILD COPY . /app
ONBUILD RUN make -C /app
FROM base
MAINTAINER someone
""",
}


# conformance files the resolver refuses: seeds of the parser only
NOT_GENERATED = {
    "empty_dockerfile", "env", "env_no_value", "escapes", "flags", "health",
    "json", "only_comments", "shykes-nested-json",
}


def dockerfiles():
    seeds = {}
    for sub in ("tests/conformance/buildkit-parser", "samples"):
        for dirpath, _, files in sorted(os.walk(os.path.join(top, sub))):
            if "Dockerfile" in files:
                with open(os.path.join(dirpath, "Dockerfile"), "rb") as f:
                    seeds[os.path.basename(dirpath)] = f.read()
    for name, text in DOCKERFILES.items():
        seeds[name] = text.encode()
    for name, data in seeds.items():
        put("parse", name, data)
        if name not in NOT_GENERATED and not name.startswith("jeztah-"):
            put("gen", name, data)


def words():
    n = 0
    shell = os.path.join(top, "tests", "conformance", "buildkit-shell")
    with open(os.path.join(shell, "envVarTest"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("|")
            if line.startswith("#") or len(parts) != 3 or parts[0].strip() == "W":
                continue
            n += 1
            if n % 6 == 0:  # a sample is enough: they share their shapes
                put("words", "envvar-%03d" % n, parts[1].strip())
    env = []
    n = 0
    with open(os.path.join(shell, "wordsTest"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#") or not line:
                continue
            if line.startswith("ENV "):
                env.append(line[4:])
                continue
            n += 1
            word = line.split(" | ")[0]
            put("words", "words-%02d" % n, "\n".join(env) + "\0" + word)
    for i, w in enumerate(["${a:-${b:+x}}", "${a/#p/r}${a//[a-z]/X}",
                           "${v%%*.}${v#*/}", "${x:?unset}", "$'\\x41'",
                           "\"$@ $* $# $1\"", "${KOREAN:1:2}${#KOREAN}"]):
        put("words", "extra-%d" % i, w)


IGNORE = [
    ("foo", "# comment\nfoo\n"),
    ("foo/bar/baz", "/foo/bar\n"),
    ("dir/x/y", "dir/\n"),
    ("somedir/temporary.txt", "*/temp*\n"),
    ("tempb/inner", "temp?\n"),
    ("b.txt", "[a-c].txt\n[^a-c].md\n"),
    ("*.txt", "\\*.txt\n"),
    ("x/y/z.go", "**/*.go\n"),
    ("a/x/y/b", "a/**/b\n"),
    ("README-secret.md", "*.md\n!README*.md\nREADME-secret.md\n"),
    ("dir/keep.txt", "dir\n!dir/keep.txt\n"),
    ("a/b/c.py", "**\n!**/*.py\n"),
    ("a/b", "a/b\n!a\n"),
    ("a+(b)c", "a+(b)*\n"),
    ("foo", "\xef\xbb\xbf" "foo\r\n  \n"),
    ("x/../y", "foo/../bar\n./x\n"),
    ("d/e", "[\n"),
]


def ignore():
    for i, (path, text) in enumerate(IGNORE):
        put("ignore", "case-%02d" % i, path + "\n" + text)


def layer_tar(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.mtime = 0
            for k in ("type", "mode", "uid", "gid", "linkname",
                      "devmajor", "devminor", "pax_headers"):
                if k in e:
                    setattr(info, k, e[k])
            data = e.get("data", b"")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data else None)
    # what the tar needs: two zero blocks, not tarfile's 10 KiB record
    data = buf.getvalue().rstrip(b"\0")
    data += b"\0" * (-len(data) % 512) + b"\0" * 1024
    return data


D, F, L, H = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
LAYERS = {
    "files": [{"name": "etc", "type": D, "mode": 0o755},
              {"name": "etc/passwd", "data": b"root:x:0:0::/root:/bin/sh\n"},
              {"name": "bin/sh", "mode": 0o4755, "data": b"#!"}],
    "links": [{"name": "a", "data": b"x"},
              {"name": "b", "type": H, "linkname": "a"},
              {"name": "c", "type": L, "linkname": "../../etc/shadow"},
              {"name": "d", "type": H, "linkname": "c"}],
    "symlink-on-the-way": [{"name": "c", "type": L, "linkname": "/tmp"},
                           {"name": "c/x", "data": b"through a symlink"}],
    "whiteouts": [{"name": "d", "type": D},
                  {"name": "d/.wh..wh..opq"},
                  {"name": "d/new", "data": b"n"},
                  {"name": ".wh.gone"},
                  {"name": ".wh.d"},
                  {"name": ".wh..wh.plnk"}],
    "replace": [{"name": "x", "data": b"file"},
                {"name": "x", "type": D},
                {"name": "x/y", "data": b"y"},
                {"name": ".wh.x"},
                {"name": "x", "type": L, "linkname": "y"}],
    "special": [{"name": "dev/null", "type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3},
                {"name": "dev/wh", "type": tarfile.CHRTYPE},
                {"name": "fifo", "type": tarfile.FIFOTYPE}],
    "pax": [{"name": "p/" + "long" * 40, "data": b"l",
             "pax_headers": {"SCHILY.xattr.user.a": "1",
                             "SCHILY.xattr.trusted.overlay.opaque": "y"}},
            {"name": "/abs/../../dotdot", "data": b"d"},
            {"name": "./", "type": D, "mode": 0o700}],
}


def layers():
    for name, entries in LAYERS.items():
        tar = layer_tar(entries)
        put("layer", name + ".tar", tar)
        put("layer", name + ".tar.gz", gzip.compress(tar, mtime=0))
    put("layer", "gnu.tar", layer_tar(LAYERS["files"], tarfile.GNU_FORMAT))
    put("layer", "empty.tar", b"\0" * 1024)


dockerfiles()
words()
ignore()
layers()

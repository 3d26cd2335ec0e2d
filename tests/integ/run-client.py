#!/usr/bin/env python3
"""A client of a step server (src/run/proto.h), for t2048: it sends one
request, PROGRAM exec step --plan PLAN --out OUT, over the socket SOCKET
with the hash of the environment in ENVFILE (NUL-separated, as
/proc/PID/environ: the server's, so that only what the test changes
differs) and this process's nice value, rlimits, stdin, stdout, stderr
and working dir, and
prints what the server answered: "accept" and then "status N", or
"refuse".

    run-client.py SOCKET ENVFILE PROGRAM PLAN OUT
"""
import array
import os
import resource
import socket
import struct
import sys

RUN_MAGIC = 0x646E3272
RUN_VERSION = 2
RUN_NLIMITS = 16


def env_hash(path):
    # FNV-1a over every NAME=value and its NUL, as the server hashes its
    # own environment
    h = 0xCBF29CE484222325
    with open(path, "rb") as f:
        for b in f.read():
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    path, envfile, program, plan, out = sys.argv[1:6]
    argv = [program, "exec", "step", "--plan", plan, "--out", out]
    strings = b"".join(a.encode() + b"\0" for a in argv)
    req = struct.pack("=IIQiIIIiI", RUN_MAGIC, RUN_VERSION, env_hash(envfile),
                      os.getppid(), 0o022, len(argv), 0,
                      os.getpriority(os.PRIO_PROCESS, 0), 0)
    for i in range(RUN_NLIMITS):
        cur, top = resource.getrlimit(i)
        req += struct.pack("=QQ", cur & 0xFFFFFFFFFFFFFFFF, top & 0xFFFFFFFFFFFFFFFF)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    cwd = os.open(".", os.O_PATH | os.O_DIRECTORY)
    fds = array.array("i", [0, 1, 2, cwd])
    s.sendmsg([req + strings], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    kind, _ = struct.unpack("=Ii", s.recv(8))
    if kind == 1:
        print("accept", flush=True)
        kind, value = struct.unpack("=Ii", s.recv(8))
        print("status %d" % value if kind == 3 else "no status")
    elif kind == 2:
        print("refuse")
    else:
        print("unknown %d" % kind)


main()

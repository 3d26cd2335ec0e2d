#!/usr/bin/env python3
"""A canned registry for tests/integ/t3001-registry.sh: the pull side of the
OCI distribution API over an OCI image layout, on 127.0.0.1 only, with the
faults a real registry cannot be made to show. Every request is recorded,
one line each: "METHOD PATH range=RANGE auth=AUTHORIZATION".

  canned-registry.py --layout DIR --port-file F --log F [--port N] [faults...]

It listens on 127.0.0.1:N (a free port by default) and writes the port to F.

faults:
  --token USER:PASS  /v2/ answers 401 with a Bearer challenge whose realm is
                     /token here; /token hands out a token for USER:PASS
                     (Basic), or "-" for anonymous requests
  --refresh-token RT POST /token also hands out the token for an OAuth2
                     refresh-token grant of RT (an identity token)
  --rate-limit N     the first N manifest GETs answer 429, Retry-After: 1
  --truncate         the first GET of each blob over 1 KiB sends half of it,
                     then drops the connection
  --no-range         ignore Range headers (always 200 with the whole blob)
  --slow             send blobs 4 KiB every 0.2 s
"""
import argparse
import base64
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "canned-token-1234"


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.rate_left = args.rate_limit
        self.truncated = set()
        self.log = open(args.log, "a", buffering=1)

    def record(self, line):
        with self.lock:
            self.log.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "canned-registry"

    def log_message(self, *a):
        pass

    @property
    def st(self):
        return self.server.state

    def send(self, status, body=b"", headers=None, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, msg, headers=None):
        body = json.dumps({"errors": [{"code": code, "message": msg}]}).encode()
        self.send(status, body, headers)

    def authorised(self):
        if not self.st.args.token:
            return True
        if self.headers.get("Authorization") == "Bearer " + TOKEN:
            return True
        port = self.server.server_address[1]
        self.error(401, "UNAUTHORIZED", "authentication required", {
            "WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/token",'
                                'service="canned"' % port})
        return False

    def token(self):
        want = self.st.args.token
        got = self.headers.get("Authorization", "")
        if want != "-":
            ok = got == "Basic " + base64.b64encode(want.encode()).decode()
        else:
            ok = True
        if not ok:
            self.error(401, "UNAUTHORIZED", "bad credentials")
            return
        self.send(200, json.dumps({"token": TOKEN, "expires_in": 300}).encode())

    def token_post(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        self.st.record("POST /token form-keys=%s" % ",".join(sorted(form)))
        rt = self.st.args.refresh_token
        if (not rt or form.get("grant_type") != ["refresh_token"]
                or form.get("refresh_token") != [rt]):
            self.error(401, "UNAUTHORIZED", "bad refresh token")
            return
        self.send(200, json.dumps({"access_token": TOKEN, "expires_in": 300}).encode())

    def blob_path(self, digest):
        if not digest.startswith("sha256:") or "/" in digest:
            return None
        p = os.path.join(self.st.args.layout, "blobs", "sha256", digest[7:])
        return p if os.path.isfile(p) else None

    def manifest(self, ref):
        layout = self.st.args.layout
        if ref.startswith("sha256:"):
            p = self.blob_path(ref)
            if not p:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            data = open(p, "rb").read()
            mt = json.loads(data).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            digest = ref
        else:
            index = json.load(open(os.path.join(layout, "index.json")))
            for d in index["manifests"]:
                if d.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref:
                    break
            else:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            digest, mt = d["digest"], d["mediaType"]
            data = open(self.blob_path(digest), "rb").read()
        with self.st.lock:
            limited = self.st.rate_left > 0
            if limited:
                self.st.rate_left -= 1
        if limited:
            return self.error(429, "TOOMANYREQUESTS", "slow down", {"Retry-After": "1"})
        self.send(200, data, {"Docker-Content-Digest": digest}, ctype=mt)

    def blob(self, digest):
        p = self.blob_path(digest)
        if not p:
            return self.error(404, "BLOB_UNKNOWN", "blob unknown")
        data = open(p, "rb").read()
        start = 0
        rng = self.headers.get("Range")
        if rng and not self.st.args.no_range and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
        status = 206 if start else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Docker-Content-Digest", digest)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        body = data[start:]
        with self.st.lock:
            cut = (self.st.args.truncate and len(data) > 1024 and
                   digest not in self.st.truncated)
            if cut:
                self.st.truncated.add(digest)
        if cut:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        step = 4096 if self.st.args.slow else len(body) or 1
        for i in range(0, len(body), step):
            self.wfile.write(body[i:i + step])
            self.wfile.flush()
            if self.st.args.slow:
                time.sleep(0.2)

    def handle_any(self):
        self.st.record("%s %s range=%s auth=%s" % (
            self.command, self.path, self.headers.get("Range", "-"),
            self.headers.get("Authorization", "-")))
        path = self.path.split("?", 1)[0]
        if path == "/token":
            return self.token_post() if self.command == "POST" else self.token()
        if not path.startswith("/v2/"):
            return self.error(404, "NOT_FOUND", "not found")
        if not self.authorised():
            return
        if path == "/v2/":
            return self.send(200, b"{}")
        parts = path[4:].rsplit("/", 2)
        if len(parts) == 3 and parts[1] == "manifests":
            return self.manifest(parts[2])
        if len(parts) == 3 and parts[1] == "blobs":
            return self.blob(parts[2])
        return self.error(404, "NOT_FOUND", "not found")

    def handle_safely(self):
        try:
            self.handle_any()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = handle_safely
    do_HEAD = handle_safely
    do_POST = handle_safely


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--token")
    ap.add_argument("--refresh-token")
    ap.add_argument("--rate-limit", type=int, default=0)
    ap.add_argument("--truncate", action="store_true")
    ap.add_argument("--no-range", action="store_true")
    ap.add_argument("--slow", action="store_true")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

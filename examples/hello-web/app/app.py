"""hello-web: a small web app as people write them, served by Python's standard library.

GET /            the page (index.html beside this file)
GET /api/hello   a small JSON document: greeting, host, version
GET /healthz     "ok" (what vz.yaml's health check asks)

PORT (default 8080) is where it listens. `app.py --selftest` starts it on 127.0.0.1, asks
each path once, prints the answers and exits: the run `vzbuild minify` traces, so every
file serving needs is in the minified image.
"""
import http.server
import json
import os
import signal
import socket
import sys
import threading
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = int(os.environ.get("PORT", "8080"))


def page():
    with open(os.path.join(HERE, "index.html"), "rb") as f:
        return f.read()


def hello():
    with open(os.path.join(HERE, "version.txt")) as f:
        version = f.read().strip()
    return {"greeting": "hello from vz", "host": socket.gethostname(), "version": version}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.answer(200, "text/html; charset=utf-8", page())
        elif self.path == "/api/hello":
            self.answer(200, "application/json", json.dumps(hello()).encode() + b"\n")
        elif self.path == "/healthz":
            self.answer(200, "text/plain", b"ok\n")
        else:
            self.answer(404, "text/plain", b"not found\n")

    def answer(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def selftest():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = False  # so server_close() joins the request threads too
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    for path in ("/", "/api/hello", "/healthz", "/missing"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}") as r:
                print(path, r.status, r.read().decode().strip().splitlines()[0])
        except urllib.error.HTTPError as e:
            print(path, e.code)
    # Every thread ends before Python does: one still running at exit would make glibc load
    # libgcc_s (pthread_exit) in some runs and not others, and the traced files would differ.
    server.shutdown()
    serving.join()
    server.server_close()


def main():
    if "--selftest" in sys.argv:
        selftest()
        return
    # As pid 1 of its container, Python would ignore SIGTERM and podman would wait 10 s to kill it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    print(f"hello-web {hello()['version']} listening on port {PORT}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

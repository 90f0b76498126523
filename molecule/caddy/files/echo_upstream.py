"""A stand-in for an app's Gunicorn: HTTP/1.1 on the app's Unix socket.

It answers every request with JSON describing what it received, so the tests
can see what Caddy forwards (client address, scheme, host, body size).
Usage: echo_upstream.py NAME SOCKET
"""

import json
import os
import signal
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"

    def _answer(self, body_size=0):
        payload = json.dumps({
            "app": self.server.app_name,
            "method": self.command,
            "path": self.path,
            "host": self.headers.get("Host"),
            "x_forwarded_for": self.headers.get("X-Forwarded-For"),
            "x_forwarded_proto": self.headers.get("X-Forwarded-Proto"),
            "body_size": body_size,
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Server", "lab-upstream")
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._answer()

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < length:
            chunk = self.rfile.read(min(65536, length - received))
            if not chunk:
                break
            received += len(chunk)
        self._answer(received)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    name, path = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    os.umask(0o007)
    server = Server(path, Handler)
    server.app_name = name
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()

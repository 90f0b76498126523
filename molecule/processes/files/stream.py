"""A bounded stream of HTTP requests to an app's live socket link, one
connection per request (what a proxy's new connection sees during a switch).

    python3 stream.py --socket PATH --out FILE --stop FILE [--max-seconds N] [--max-requests N]
    python3 stream.py --socket PATH --request METHOD PATH   one request, its body on stdout

Stops at the stop file, the time or the request bound, whichever first, and
writes a summary (requests, failures, the first failures) as JSON to --out.
"""

import argparse
import http.client
import json
import os
import socket
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True)
    parser.add_argument("--out")
    parser.add_argument("--stop")
    parser.add_argument("--request", nargs=2, metavar=("METHOD", "PATH"))
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--max-requests", type=int, default=200000)
    args = parser.parse_args()
    if args.request:
        conn = UnixConnection(args.socket)
        conn.request(args.request[0], args.request[1])
        answer = conn.getresponse()
        print(answer.read().decode())
        raise SystemExit(0 if answer.status == 200 else 1)
    started = time.monotonic()
    done, failed, failures, versions = 0, 0, [], {}
    while done < args.max_requests and time.monotonic() - started < args.max_seconds and not os.path.exists(args.stop):
        done += 1
        try:
            conn = UnixConnection(args.socket)
            conn.request("GET", "/", headers={"Connection": "close"})
            answer = conn.getresponse()
            body = answer.read()
            conn.close()
            if answer.status != 200:
                raise ValueError("status %d" % answer.status)
            version = json.loads(body)["version"]
            versions[version] = versions.get(version, 0) + 1
        except Exception as error:  # every failure counts, whatever it is
            failed += 1
            if len(failures) < 20:
                failures.append("%.3f %s" % (time.time(), error))
        time.sleep(0.01)
    with open(args.out, "w") as handle:
        json.dump({"requests": done, "failed": failed, "failures": failures, "versions": versions,
                   "seconds": round(time.monotonic() - started, 1)}, handle)


if __name__ == "__main__":
    main()

"""Bounded HTTPS load against the lab's sites, one JSON line per request.

python3 lab-load.py --out FILE --stop FILE --cafile PEM --max-seconds S --max-requests N
         [--threads T] [--pause SECONDS] [--field NAME ...] [--reopen-closed [--resend-on-close]]
         DOMAIN=ADDRESS ...

Each thread keeps one HTTPS connection to ADDRESS:443 (SNI and Host DOMAIN,
verified against the CA file), requests "/" and writes the start and end
time, the status and the release the app reports (and each --field of its
answer, such as a message naming the host that served), or the error.
Nothing is sent again: any error, including a keep-alive connection the
server closed, is a failed request. With --reopen-closed, a keep-alive
connection that the server has already closed while it was idle (a proxy
reloading its configuration does) is replaced by a new one before the next
request is sent, as urllib3 and browsers do; that request is marked
"reopened". A request sent is still never sent again, unless
--resend-on-close is given too: then a request that the server's close of
an idle keep-alive connection cut off before a byte of its answer (the
close and the request crossed on the wire, which a select cannot rule out)
is sent once more on a new connection, as RFC 9112 (9.3.1) allows for an
idempotent method and urllib3, Go and browsers do; the record is marked
"resent" with the first attempt's error, and a second failure is a failed
request. Stops when the stop file exists, after S seconds or N requests,
whichever comes first.
"""

import argparse
import http.client
import json
import os
import select
import socket
import ssl
import threading
import time


# How a keep-alive connection that the server closed as the request went out
# fails before any byte of the answer.
CLOSED_BEFORE_ANSWER = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ssl.SSLEOFError,
                        ssl.SSLZeroReturnError)


class Pinned(http.client.HTTPSConnection):
    """An HTTPS connection to a fixed address, with SNI and Host of the domain."""

    def __init__(self, domain, address, context):
        super().__init__(domain, 443, context=context, timeout=15)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, 443), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def worker(args, domain, address, context, out, lock, counter, deadline):
    conn = None
    while time.time() < deadline and not os.path.exists(args.stop):
        with lock:
            if counter[0] >= args.max_requests:
                return
            counter[0] += 1
        reopened = False
        if conn is not None and args.reopen_closed and conn.sock is not None and select.select([conn.sock], [], [], 0)[0]:
            # Readable while idle: the server closed it (or sent what was not asked for).
            conn.close()
            conn = None
            reopened = True
        if conn is None:
            conn = Pinned(domain, address, context)
        start = time.time()
        record = {"domain": domain, "start": start}
        if reopened:
            record["reopened"] = True
        reused = conn.sock is not None
        try:
            try:
                conn.request("GET", "/")
                answer = conn.getresponse()
            except CLOSED_BEFORE_ANSWER as error:
                if not (args.resend_on_close and reused):
                    raise
                record["resent"] = "%s: %s" % (type(error).__name__, error)
                conn.close()
                conn = Pinned(domain, address, context)
                conn.request("GET", "/")
                answer = conn.getresponse()
            body = answer.read()
            record["status"] = answer.status
            try:
                answer_fields = json.loads(body)
                record["release"] = answer_fields.get("release")
                for field in args.field:
                    record[field] = answer_fields.get(field)
            except ValueError:
                record["body"] = body[:200].decode("utf-8", "replace")
            if answer.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as error:
            record["error"] = "%s: %s" % (type(error).__name__, error)
            conn.close()
            conn = None
        record["end"] = time.time()
        with lock:
            out.write(json.dumps(record) + "\n")
        time.sleep(args.pause)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--stop", required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--max-requests", type=int, default=200000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.01)
    parser.add_argument("--field", action="append", default=[])
    parser.add_argument("--reopen-closed", action="store_true")
    parser.add_argument("--resend-on-close", action="store_true")
    parser.add_argument("sites", nargs="+")
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.cafile)
    deadline = time.time() + args.max_seconds
    lock = threading.Lock()
    counter = [0]
    with open(args.out, "w", encoding="utf-8", buffering=1) as out:
        threads = []
        for site in args.sites:
            domain, address = site.split("=", 1)
            for _index in range(args.threads):
                thread = threading.Thread(target=worker, args=(args, domain, address, context, out, lock, counter, deadline))
                thread.start()
                threads.append(thread)
        for thread in threads:
            thread.join()
    print(json.dumps({"requests": counter[0]}))


if __name__ == "__main__":
    main()

"""Clients of the slot app across a switch, as a proxy and browsers see it.

Through the app's live socket link, until the stop file exists or the time
is up, each in a thread:
- a WebSocket that sends a message every 0.2 s (the answer names the master);
- a server-sent event stream;
- one kept-alive HTTP connection, reopened when the server closes it (what a
  proxy's connection pool does);
- a new connection for each request, every 0.2 s.
Each event is a JSON line in the log: time, kind, the master (ppid) that
answered, or how the connection ended.
usage: python drain_client.py SOCKET LOG STOPFILE SECONDS
"""

import json
import os
import socket
import sys
import threading
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import unix_connect

SOCKET, LOG, STOP, SECONDS = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
DEADLINE = time.time() + SECONDS
LOCK = threading.Lock()
REQUEST = b"GET / HTTP/1.1\r\nHost: slots.example.test\r\n\r\n"


def log(kind, **fields):
    with LOCK, open(LOG, "a") as out:
        out.write(json.dumps(dict(t=time.time(), kind=kind, **fields)) + "\n")


def running():
    return time.time() < DEADLINE and not os.path.exists(STOP)


def connect():
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(10)
    conn.connect(SOCKET)
    return conn, conn.makefile("rb")


def read_response(reader):
    """One HTTP/1.1 response with a Content-Length: (status, headers, body)."""
    status = reader.readline()
    if not status:
        raise EOFError("closed before a response")
    headers = {}
    while True:
        line = reader.readline().strip()
        if not line:
            break
        name, _colon, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return int(status.split()[1]), headers, body


def websocket():
    try:
        with unix_connect(SOCKET, "ws://slots.example.test/ws") as ws:
            count = 0
            while running():
                ws.send(str(count))
                log("ws", ppid=json.loads(ws.recv(timeout=10))["ppid"])
                count += 1
                time.sleep(0.2)
            log("ws-end", reason="client")
    except ConnectionClosed as closed:
        log("ws-end", reason="closed", code=closed.rcvd.code if closed.rcvd else None)
    except Exception as error:  # what a browser would see as an error
        log("ws-end", reason="error", error=repr(error))


def events():
    try:
        conn, reader = connect()
        conn.sendall(b"GET /events HTTP/1.1\r\nHost: slots.example.test\r\n\r\n")
        while running():
            line = reader.readline()
            if not line:
                log("sse-end", reason="closed")
                return
            if line.startswith(b"data:"):
                log("sse", ppid=int(line.split()[1]))
        log("sse-end", reason="client")
    except Exception as error:
        log("sse-end", reason="error", error=repr(error))


def kept_alive():
    conn = reader = None
    while running():
        try:
            if conn is None:
                conn, reader = connect()
                log("keepalive-open")
            conn.sendall(REQUEST)
            status, headers, body = read_response(reader)
            log("keepalive", status=status, ppid=json.loads(body)["ppid"])
            if headers.get("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, EOFError, ValueError) as error:
            log("keepalive-closed", error=repr(error))
            conn = None
        time.sleep(0.2)


def new_connections():
    while running():
        try:
            conn, reader = connect()
            conn.sendall(REQUEST)
            status, _headers, body = read_response(reader)
            log("new", status=status, ppid=json.loads(body)["ppid"])
            conn.close()
        except (OSError, EOFError, ValueError) as error:
            log("new-error", error=repr(error))
        time.sleep(0.2)


threads = [threading.Thread(target=target) for target in (websocket, events, kept_alive, new_connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()

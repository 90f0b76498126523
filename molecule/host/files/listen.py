"""Listen on TCP and UDP ports behind the firewall's back, for a bounded time.

Usage: listen.py SECONDS tcp:8000 udp:9999 ...
TCP connections are accepted and closed; UDP datagrams are echoed.
"""
import selectors
import socket
import sys
import time


def main():
    seconds, specs = float(sys.argv[1]), sys.argv[2:]
    selector = selectors.DefaultSelector()
    for spec in specs:
        proto, port = spec.split(":")
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        sock = socket.socket(socket.AF_INET, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("0.0.0.0", int(port)))
        if proto == "tcp":
            sock.listen(16)
        selector.register(sock, selectors.EVENT_READ, proto)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _mask in selector.select(timeout=0.5):
            if key.data == "tcp":
                conn, _peer = key.fileobj.accept()
                conn.close()
            else:
                data, peer = key.fileobj.recvfrom(2048)
                key.fileobj.sendto(data[:64], peer)


if __name__ == "__main__":
    main()

"""Probe TCP and UDP ports of one address, as an outside client sees them.

Usage: probe.py ADDRESS tcp:22 tcp:8000 udp:443 ...
Prints one JSON object: {"tcp:22": "open", "udp:9999": "filtered", ...}.

TCP: "open" (connected), "closed" (refused: reached the host, nothing
listens), "filtered" (no answer: dropped). UDP: a QUIC long-header packet of an
unknown version, padded to 1200 bytes; "open" when something answers (a QUIC
server sends Version Negotiation, an echo server echoes), "closed" on an ICMP
port unreachable, "filtered" when nothing comes back.
"""
import json
import os
import socket
import sys

TIMEOUT = 2.0


def quic_probe():
    dcid, scid = os.urandom(8), os.urandom(8)
    # Long header, version 0x1a2a3a4a (reserved for version negotiation).
    packet = bytes([0xC0]) + bytes.fromhex("1a2a3a4a") + bytes([8]) + dcid + bytes([8]) + scid
    return packet + bytes(1200 - len(packet))


def probe(address, proto, port):
    """TCP: connect. UDP: send the QUIC probe and wait for any answer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    sock.settimeout(TIMEOUT)
    try:
        sock.connect((address, port))
        if proto == "udp":
            sock.send(quic_probe())
            sock.recv(2048)
        return "open"
    except ConnectionRefusedError:
        return "closed"
    except (socket.timeout, OSError):
        return "filtered"
    finally:
        sock.close()


def main():
    address, specs = sys.argv[1], sys.argv[2:]
    result = {}
    for spec in specs:
        proto, port = spec.split(":")
        result[spec] = probe(address, proto, int(port))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()

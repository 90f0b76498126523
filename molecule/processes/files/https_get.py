"""One HTTPS GET to Caddy on the target's loopback, as a browser of the
app's name would send it (SNI and Host jobs.example.test; Caddy's internal
CA is not verified). Prints JSON: status, headers (lower-cased names) and
the body in base64, undecoded.

    python3 https_get.py PATH [HEADER: VALUE ...]
"""

import base64
import http.client
import json
import socket
import ssl
import sys

NAME = "jobs.example.test"


def main():
    path, extra = sys.argv[1], sys.argv[2:]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", 443, timeout=10, context=context)
    # Connected here, so that the handshake names the app (SNI), not 127.0.0.1.
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", 443), timeout=10), server_hostname=NAME)
    headers = {"Host": NAME}
    headers.update(dict(header.split(": ", 1) for header in extra))
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    print(json.dumps({"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                      "body": base64.b64encode(body).decode()}))


if __name__ == "__main__":
    main()

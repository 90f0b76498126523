"""One HTTPS request to Caddy on the target's loopback, as a browser of the
app's name would send it (SNI and Host, jobs.example.test unless --name;
Caddy's internal CA is not verified). Prints JSON: status, headers
(lower-cased names) and the body in base64, undecoded.

    python3 https_get.py [--name NAME] [--post JSON] PATH [HEADER: VALUE ...]
"""

import base64
import http.client
import json
import socket
import ssl
import sys

NAME = "jobs.example.test"


def main():
    args, name, body = sys.argv[1:], NAME, None
    while args[0] in ("--name", "--post"):
        if args[0] == "--name":
            name = args[1]
        else:
            body = args[1].encode()
        args = args[2:]
    path, extra = args[0], args[1:]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", 443, timeout=10, context=context)
    # Connected here, so that the handshake names the app (SNI), not 127.0.0.1.
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", 443), timeout=10), server_hostname=name)
    headers = {"Host": name}
    if body is not None:
        headers["Content-Type"] = "application/json"
    headers.update(dict(header.split(": ", 1) for header in extra))
    conn.request("GET" if body is None else "POST", path, body=body, headers=headers)
    response = conn.getresponse()
    body = response.read()
    print(json.dumps({"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                      "body": base64.b64encode(body).decode()}))


if __name__ == "__main__":
    main()

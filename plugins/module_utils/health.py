# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health check of a new instance, asked directly on its own socket.

``wait_healthy`` asks again and again until the answer has the wanted status
(and body), the time is up, or the instance's systemd unit shows that it
exited (failed, stopped, or restarted by systemd since the check began): a
release that cannot even start is refused at once instead of after the
whole timeout.
"""

from __future__ import annotations

import http.client
import socket
import time

UNIT_PROPERTIES = ("ActiveState", "SubState", "NRestarts", "ExecMainStatus")


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket; the Host header is ``localhost``."""

    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def ask(path, socket_path=None, address=None, timeout=5.0):
    """One GET of ``path``; returns (status, body) or raises OSError/HTTPException."""
    if socket_path:
        conn = UnixHTTPConnection(socket_path, timeout)
    else:
        host, port = address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "fastapi-ops-health-check"})
        answer = conn.getresponse()
        return answer.status, answer.read(65536).decode("utf-8", "replace")
    finally:
        conn.close()


def unit_state(unit, output):
    """The systemd properties of ``unit`` that tell whether it is still up.

    ``output(argv)`` runs a command and returns its standard output (the
    module passes its ``run_command``).
    """
    text = output(["systemctl", "show", "--property=" + ",".join(UNIT_PROPERTIES), unit])
    state = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {name: state.get(name, "") for name in UNIT_PROPERTIES}


def exited(state, restarts_before):
    """Why the unit is no longer starting or running, or '' when it is."""
    if state["ActiveState"] in ("failed", "inactive", "deactivating") or state["SubState"] == "auto-restart":
        return "%s (%s)" % (state["ActiveState"], state["SubState"])
    if restarts_before is not None and state["NRestarts"].isdigit() and int(state["NRestarts"]) > restarts_before:
        return "restarted by systemd %d time(s)" % (int(state["NRestarts"]) - restarts_before)
    return ""


def wait_healthy(check, timeout, interval, state=None, clock=time.monotonic, sleep=time.sleep):
    """Ask ``check()`` until ``(ok, what)`` says ok, time is up, or ``state()`` says the unit exited.

    ``check`` returns (ok, description of the answer); ``state`` (optional)
    returns the unit's properties. Returns a dict: healthy, attempts,
    elapsed, last (the last answer or error), exited (why, or '').
    """
    start = clock()
    first = state() if state else None
    restarts_before = int(first["NRestarts"]) if first and first["NRestarts"].isdigit() else None
    attempts = 0
    last = ""
    while True:
        attempts += 1
        ok, last = check()
        if ok:
            return {"healthy": True, "attempts": attempts, "elapsed": round(clock() - start, 2), "last": last, "exited": ""}
        why = exited(state(), restarts_before) if state else ""
        if why or clock() - start + interval > timeout:
            return {"healthy": False, "attempts": attempts, "elapsed": round(clock() - start, 2), "last": last, "exited": why}
        sleep(interval)

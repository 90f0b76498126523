# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue/green slots of an app: two Gunicorn instances of one template unit.

Each slot is an instance of ``fastapi-NAME@.service`` serving the release its
symlink ``HOME/slots/SLOT`` points to, on a socket in a runtime directory of
its own (two instances sharing one RuntimeDirectory would remove it when
either stops). Caddy dials ``HOME/slots/live.sock``, a symlink to
``SLOT.sock``, itself a symlink to the slot's socket: a switch renames one
symlink over another (atomic), so Caddy's next connection goes to the new
slot without a reload, and no client connection is closed. The playbooks, the gunicorn role and the caddy role's
upstreams all take these names from here; docs/deploys.md describes them.
"""

from __future__ import annotations

from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT, app_layout

# Where the gunicorn role writes each app's configuration (gunicorn_config_dir).
DEFAULT_CONFIG_DIR = "/etc/fastapi-ops/gunicorn"

SLOTS = ("blue", "green")
# systemd's instance specifier: what the template unit itself writes.
INSTANCE = "%i"


class SlotError(ValueError):
    """An unknown slot name."""


def other_slot(slot):
    """The slot that is not ``slot`` (``blue`` when there is no live slot yet)."""
    if not slot:
        return SLOTS[0]
    if slot not in SLOTS:
        raise SlotError("slot must be one of %s, got %r" % (", ".join(SLOTS), slot))
    return SLOTS[1 - SLOTS.index(slot)]


def slot_layout(app, slot, root=DEFAULT_ROOT, config_dir=DEFAULT_CONFIG_DIR):
    """Return the unit, socket, release link and files of ``app`` in ``slot``.

    ``slot`` is one of SLOTS, or ``%i`` for the values as the template unit
    writes them. Each slot runs from its own copy of the app's environment
    file and Gunicorn configuration, made when the slot starts: a change
    written for the next release never reaches the live instance, not even
    when systemd restarts it.
    """
    if slot not in SLOTS and slot != INSTANCE:
        raise SlotError("slot must be one of %s (or %s in a unit template), got %r" % (", ".join(SLOTS), INSTANCE, slot))
    layout = app_layout(app, root)
    unit = "fastapi-%s" % layout["name"]
    runtime_dir = "%s-%s" % (unit, slot)
    socket = "/run/%s/gunicorn.sock" % runtime_dir
    return {
        "name": layout["name"],
        "slot": slot,
        "other": other_slot(slot) if slot in SLOTS else None,
        "template": unit + "@.service",
        "service": "%s@%s.service" % (unit, slot),
        "runtime_dir": runtime_dir,
        "socket": socket,
        "upstream": "unix/" + socket,
        "slots_dir": layout["home"] + "/slots",
        "link": "%s/slots/%s" % (layout["home"], slot),
        "socket_link": "%s/slots/%s.sock" % (layout["home"], slot),
        "live_socket": layout["home"] + "/slots/live.sock",
        "live_upstream": "unix/%s/slots/live.sock" % layout["home"],
        "previous_file": layout["home"] + "/slots/previous",
        "env_file": "/etc/fastapi-ops/%s.%s.env" % (layout["name"], slot),
        "config": "%s/%s.%s.conf.py" % (config_dir.rstrip("/"), layout["name"], slot),
    }


def app_upstreams(apps, root=DEFAULT_ROOT):
    """Map each app's name to the upstreams Caddy dials for it.

    An app on a Unix socket (the default) is dialled through its live socket
    link, which a switch moves; an app binding TCP (``gunicorn.bind``) at
    that address, a wildcard host becoming loopback.
    """
    upstreams = {}
    for app in apps:
        bind = (app.get("gunicorn") or {}).get("bind") or ""
        if bind:
            host, port = bind.rsplit(":", 1)
            host = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]", "": "127.0.0.1"}.get(host, host)
            upstreams[app["name"]] = ["%s:%s" % (host, port)]
        else:
            upstreams[app["name"]] = [slot_layout(app, SLOTS[0], root)["live_upstream"]]
    return upstreams


def unix_connections(proc_net_unix, path):
    """Count the connections a server has accepted on the Unix socket ``path``.

    ``proc_net_unix`` is the text of ``/proc/net/unix``. A socket a server
    accepted carries its listener's path, in state 03 (connected); the
    listener itself is in state 01, and the clients' ends have no path.
    """
    count = 0
    for line in proc_net_unix.splitlines()[1:]:
        fields = line.split(None, 7)
        if len(fields) == 8 and fields[5] == "03" and fields[7] == path:
            count += 1
    return count

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import unix_connections

SOCKET = "/run/fastapi-hello-blue/gunicorn.sock"
# /proc/net/unix of a host with the slot's listener (state 01), two accepted
# connections (03), the clients' ends (no path) and another app's connection.
TABLE = """Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 41001 /run/fastapi-hello-blue/gunicorn.sock
0000000000000000: 00000003 00000000 00000000 0001 03 41010 /run/fastapi-hello-blue/gunicorn.sock
0000000000000000: 00000003 00000000 00000000 0001 03 41011 /run/fastapi-hello-blue/gunicorn.sock
0000000000000000: 00000003 00000000 00000000 0001 03 41012
0000000000000000: 00000003 00000000 00000000 0001 03 41013
0000000000000000: 00000003 00000000 00000000 0001 03 41020 /run/fastapi-hello-green/gunicorn.sock
0000000000000000: 00000003 00000000 00000000 0001 03 41030 /run/fastapi-hello-blue/gunicorn.sock.old
"""


def test_the_accepted_connections_of_the_socket_are_counted():
    assert unix_connections(TABLE, SOCKET) == 2


def test_a_socket_without_connections_counts_none():
    assert unix_connections(TABLE, "/run/fastapi-shop-blue/gunicorn.sock") == 0
    assert unix_connections(TABLE.splitlines()[0], SOCKET) == 0

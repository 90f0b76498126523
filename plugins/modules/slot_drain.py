#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: slot_drain
short_description: Drain the old slot of an app after a blue/green switch
version_added: 0.2.0
description:
  - Sends C(SIGWINCH) to every process of O(unit). The collection's Gunicorn
    worker (C(fastapi_ops_worker.DrainingUvicornWorker), installed by the
    gunicorn role) then closes its idle HTTP connections at once and its busy
    ones after their response, so the proxy's next requests go to the new
    slot, while WebSockets, server-sent events and streaming responses carry
    on. Gunicorn's master ignores the signal.
  - Then waits until no connection to O(socket) is open any more, or
    O(timeout) seconds have passed, whichever comes first. The release engine
    stops the slot afterwards; what is still open then is closed by
    Uvicorn's graceful shutdown (WebSockets with code 1012).
  - Does nothing when O(timeout) is 0 or the unit is not running.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
attributes:
  check_mode:
    support: full
    description: In check mode nothing is signalled and nothing is waited for.
  diff_mode:
    support: none
    description: No diff.
options:
  unit:
    description: The systemd unit of the slot that is no longer live, such as C(fastapi-hello@blue.service).
    type: str
    required: true
  socket:
    description: The Unix socket the slot's Gunicorn listens on (C(/run/fastapi-NAME-SLOT/gunicorn.sock)).
    type: path
    required: true
  timeout:
    description: The longest wait for the open connections to end, in seconds (the app's C(gunicorn.drain_timeout)).
    type: int
    required: true
  interval:
    description: Seconds between two counts of the open connections.
    type: float
    default: 0.25
"""

EXAMPLES = r"""
- name: The old slot drains
  fastapi_ops.server.slot_drain:
    unit: fastapi-hello@blue.service
    socket: /run/fastapi-hello-blue/gunicorn.sock
    timeout: 30
"""

RETURN = r"""
open_at_start:
  description: Connections open on the socket when the drain began.
  returned: success
  type: int
  sample: 3
open_at_end:
  description: Connections still open when the wait ended (0 unless it timed out).
  returned: success
  type: int
  sample: 0
seconds:
  description: How long the wait took.
  returned: success
  type: float
  sample: 0.75
timed_out:
  description: Whether O(timeout) passed with connections still open.
  returned: success
  type: bool
  sample: false
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import unix_connections


def open_connections(socket):
    with open("/proc/net/unix") as table:
        return unix_connections(table.read(), socket)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            unit=dict(type="str", required=True),
            socket=dict(type="path", required=True),
            timeout=dict(type="int", required=True),
            interval=dict(type="float", default=0.25),
        ),
        supports_check_mode=True,
    )
    unit, socket, timeout = module.params["unit"], module.params["socket"], module.params["timeout"]
    result = dict(changed=False, open_at_start=0, open_at_end=0, seconds=0.0, timed_out=False)
    if timeout < 0:
        module.fail_json(msg="timeout: must be 0 or more seconds, got %d" % timeout, **result)
    systemctl = module.get_bin_path("systemctl", required=True)
    rc, _out, _err = module.run_command([systemctl, "is-active", "--quiet", unit])
    if timeout == 0 or rc != 0:
        module.exit_json(**result)
    result["changed"] = True
    if module.check_mode:
        module.exit_json(**result)
    result["open_at_start"] = open_connections(socket)
    module.run_command([systemctl, "kill", "--kill-whom=all", "--signal=SIGWINCH", unit], check_rc=True)
    started = time.monotonic()
    remaining = result["open_at_start"]
    while remaining and time.monotonic() - started < timeout:
        time.sleep(module.params["interval"])
        remaining = open_connections(socket)
    result.update(open_at_end=remaining, seconds=round(time.monotonic() - started, 2), timed_out=remaining > 0)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

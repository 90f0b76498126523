#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_health
short_description: Wait until a new app instance answers its health check on its own socket
version_added: 0.1.0
description:
  - Requests O(path) directly on the instance's Unix socket (or TCP address),
    again every O(interval) seconds, until the answer has the status
    O(status) and, when set, contains O(body).
  - Fails after O(timeout) seconds with the last answer or error, or as soon
    as the instance's systemd O(unit) shows that it exited (failed, stopped,
    or restarted by systemd since the check began), so that a release that
    cannot start is refused at once.
  - Changes nothing. Built for the collection's deploy playbooks, which run it
    on a new blue/green slot before Caddy's upstream switches to it.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
extends_documentation_fragment:
  - fastapi_ops.server.read_only
options:
  socket:
    description: Path of the instance's Unix socket. One of O(socket) and O(address) is required.
    type: path
  address:
    description: C(HOST:PORT) of an instance listening on TCP.
    type: str
  path:
    description: Path (and query) to request.
    type: str
    default: /
  status:
    description: The status a healthy instance answers.
    type: int
    default: 200
  body:
    description: Text a healthy answer's body contains; empty means any body.
    type: str
    default: ""
  timeout:
    description: Seconds the instance has to become healthy.
    type: float
    default: 30
  interval:
    description: Seconds between two requests.
    type: float
    default: 1
  request_timeout:
    description: Seconds one request may take.
    type: float
    default: 5
  unit:
    description: The instance's systemd unit, watched so that the wait ends when it exits; empty to not watch.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The green slot of hello answers its health check
  fastapi_ops.server.app_health:
    socket: /run/fastapi-hello-green/gunicorn.sock
    path: /health
    body: '"ok"'
    unit: fastapi-hello@green.service
    timeout: 20
"""

RETURN = r"""
attempts:
  description: Requests sent.
  returned: always
  type: int
  sample: 2
elapsed:
  description: Seconds the check took.
  returned: always
  type: float
  sample: 1.21
last:
  description: The last answer (status and the start of its body) or the last error.
  returned: always
  type: str
  sample: '200 {"status":"ok"}'
exited:
  description: Why the unit is no longer up, when that ended the wait; empty otherwise.
  returned: always
  type: str
  sample: activating (auto-restart)
"""

import http.client

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.health import ask, unit_state, wait_healthy


def main():
    module = AnsibleModule(
        argument_spec=dict(
            socket=dict(type="path"),
            address=dict(type="str"),
            path=dict(type="str", default="/"),
            status=dict(type="int", default=200),
            body=dict(type="str", default=""),
            timeout=dict(type="float", default=30),
            interval=dict(type="float", default=1),
            request_timeout=dict(type="float", default=5),
            unit=dict(type="str", default=""),
        ),
        required_one_of=[("socket", "address")],
        mutually_exclusive=[("socket", "address")],
        supports_check_mode=True,
    )
    params = module.params
    if params["address"] and ":" not in params["address"]:
        module.fail_json(msg="address must be HOST:PORT, got %r" % params["address"])
    if not params["path"].startswith("/"):
        module.fail_json(msg="path must start with /, got %r" % params["path"])

    def check():
        try:
            status, body = ask(params["path"], params["socket"], params["address"], params["request_timeout"])
        except (OSError, http.client.HTTPException) as error:
            return False, "%s: %s" % (type(error).__name__, error)
        ok = status == params["status"] and params["body"] in body
        return ok, "%d %s" % (status, body[:300].strip())

    def state():
        return unit_state(params["unit"], output=lambda argv: module.run_command(argv)[1])

    result = wait_healthy(check, params["timeout"], params["interval"], state if params["unit"] else None)
    where = params["socket"] or params["address"]
    if result.pop("healthy"):
        module.exit_json(changed=False, **result)
    if result["exited"]:
        msg = "%s exited before it answered its health check on %s: %s; last answer: %s" % (
            params["unit"], where, result["exited"], result["last"])
    else:
        msg = "no healthy answer (status %d%s) to GET %s on %s within %s s (%d tries); last answer: %s" % (
            params["status"], (", body containing %r" % params["body"]) if params["body"] else "",
            params["path"], where, params["timeout"], result["attempts"], result["last"])
    module.fail_json(msg=msg, **result)


if __name__ == "__main__":
    main()

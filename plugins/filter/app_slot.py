# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: app_slot
short_description: Unit, socket and release link of one blue/green slot of an app
version_added: 0.1.0
description:
  - With blue/green deploys (docs/deploys.md) each app has two slots, C(blue)
    and C(green), each an instance of the template unit C(fastapi-NAME@.service)
    serving the release its symlink C(HOME/slots/SLOT) points to, on a socket
    in a runtime directory of its own.
  - Caddy dials C(HOME/slots/live.sock), a symlink to the live slot's
    C(SLOT.sock) symlink; a switch replaces that one symlink atomically.
  - Computes those names for one app and slot, so the playbooks, the gunicorn
    role and the upstreams passed to the caddy role agree on them.
extends_documentation_fragment:
  - fastapi_ops.server.app_root
options:
  _input:
    description: One app of C(fastapi_apps).
    type: dict
    required: true
  slot:
    description: C(blue) or C(green); C(%i) gives the values as the template unit writes them.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show the socket of the green slot
  ansible.builtin.debug:
    msg: "{{ (item | fastapi_ops.server.app_slot('green')).socket }}"
  loop: "{{ fastapi_apps }}"
"""

RETURN = r"""
_value:
  description: The slot's layout.
  type: dict
  contains:
    name: {description: The app's name., type: str}
    slot: {description: The slot., type: str}
    other: {description: The other slot (null for C(%i))., type: str}
    template: {description: "The template unit, C(fastapi-NAME@.service).", type: str}
    service: {description: "The slot's unit, C(fastapi-NAME@SLOT.service).", type: str}
    runtime_dir: {description: "The slot's RuntimeDirectory under /run, C(fastapi-NAME-SLOT).", type: str}
    socket: {description: "The slot's Gunicorn socket, C(/run/fastapi-NAME-SLOT/gunicorn.sock).", type: str}
    upstream: {description: The socket as a Caddy dial address., type: str}
    slots_dir: {description: "C(HOME/slots).", type: str}
    link: {description: "Symlink to the release the slot serves, C(HOME/slots/SLOT).", type: str}
    socket_link: {description: "Symlink to the slot's socket, C(HOME/slots/SLOT.sock).", type: str}
    live_socket: {description: "Symlink to the live slot's C(SLOT.sock), C(HOME/slots/live.sock); Caddy dials it.", type: str}
    live_upstream: {description: The live socket link as a Caddy dial address., type: str}
    previous_file: {description: "File naming the release that was live before the last switch.", type: str}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import SlotError, slot_layout


def _app_slot(app, slot, root=DEFAULT_ROOT):
    if not isinstance(app, dict) or "name" not in app or "domain" not in app:
        raise AnsibleFilterError("app_slot expects one app of fastapi_apps (a mapping with name and domain)")
    try:
        return slot_layout(app, slot, root)
    except SlotError as error:
        raise AnsibleFilterError("app %s: %s" % (app["name"], error))


class FilterModule:
    def filters(self):
        return {"app_slot": _app_slot}

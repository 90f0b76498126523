# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: resolved_apps
short_description: The resolved model of each app - everything the roles derive from it
version_added: 0.1.0
description:
  - Takes apps of C(fastapi_apps) (without their secrets, see
    P(fastapi_ops.server.public_apps#filter)) and returns, for each, what
    every role and the release engine would otherwise derive on its own - the
    paths, user and units of P(fastapi_ops.server.app_layout#filter), both
    blue/green slots of P(fastapi_ops.server.app_slot#filter), where the app
    runs inside a release (C(workdir), from C(source.subdir)), whether it
    binds TCP, what Caddy dials, its health check with the defaults filled in,
    and each role's settings merged over the role-wide ones.
  - Roles resolve their apps once with this filter and loop over the result.
extends_documentation_fragment:
  - fastapi_ops.server.app_root
options:
  _input:
    description: Apps of C(fastapi_apps).
    type: list
    elements: dict
    required: true
  health_timeout:
    description: Seconds a health check waits when the app's C(health_check.timeout) is not set.
    type: int
    default: 30
  defaults:
    description:
      - Role-wide settings by role name (C(app), C(gunicorn), C(caddy), C(dns));
        an app's own mapping of that name overrides them key by key, in C(settings).
    type: dict
    default: {}
  config_dir:
    description: Where the gunicorn role writes each app's configuration (its C(gunicorn_config_dir)).
    type: str
    default: /etc/fastapi-ops/gunicorn
  all_apps:
    description:
      - The whole C(fastapi_apps) list, when the input is a part of it (C(-e app=NAME)).
        C(index) and C(where) then count in the whole list.
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: The apps are resolved once
  ansible.builtin.set_fact:
    _gunicorn_resolved: >-
      {{ gunicorn_apps | fastapi_ops.server.resolved_apps(root=gunicorn_app_root,
         defaults={'gunicorn': {'timeout': gunicorn_timeout}}) }}

- name: Each app's working directory inside its live release is shown
  ansible.builtin.debug:
    msg: "{{ _app.current_workdir }}"
  loop: "{{ _gunicorn_resolved }}"
  loop_control:
    loop_var: _app
    label: "{{ _app.name }}"
"""

RETURN = r"""
_value:
  description:
    - One mapping per app - every key of P(fastapi_ops.server.app_layout#filter)
      and the keys below.
  type: list
  elements: dict
  contains:
    index:
      description: The app's place in C(fastapi_apps).
      type: int
    where:
      description: "How messages name the app, for example C(fastapi_apps[1] (shop))."
      type: str
    asgi:
      description: The ASGI application, C(module:attribute).
      type: str
    source:
      description: The app's C(source) mapping.
      type: dict
    pre_start:
      description: The pre-start commands.
      type: list
      elements: str
    subdir:
      description: The source's sub-directory holding the app, empty for its root.
      type: str
    workdir:
      description: "Where the app runs, relative to a release: C(src) or C(src/SUBDIR)."
      type: str
    current_workdir:
      description: The working directory inside the release C(current) points to.
      type: str
    bind:
      description: "The app's C(gunicorn.bind) (C(HOST:PORT)), empty for a Unix socket."
      type: str
    tcp:
      description: Whether the app binds TCP instead of a Unix socket.
      type: bool
    upstreams:
      description: What Caddy dials for the app (see P(fastapi_ops.server.app_upstreams#filter)).
      type: list
      elements: str
    health:
      description: "The health check with its defaults: C(path), C(status), C(body), C(timeout)."
      type: dict
    settings:
      description: Each role's settings (C(app), C(gunicorn), C(caddy), C(dns)) merged over the role-wide ones.
      type: dict
    slots:
      description: The layout of the C(blue) and C(green) slots (see P(fastapi_ops.server.app_slot#filter)).
      type: dict
    template:
      description: "The slots' template unit, C(fastapi-NAME@.service)."
      type: str
    slot_template:
      description: "The slot layout as the template unit writes it (C(%i) for the slot)."
      type: dict
    slots_dir:
      description: "C(HOME/slots)."
      type: str
    live_socket:
      description: "The link Caddy dials, C(HOME/slots/live.sock)."
      type: str
    live_upstream:
      description: The live socket link as a Caddy dial address.
      type: str
    previous_file:
      description: File naming the release that was live before the last switch.
      type: str
    config:
      description: The Gunicorn configuration written for the next instance; each slot starts from its own copy (C(slots.SLOT.config)).
      type: str
    user_existing:
      description: The app runs as an existing account it names in C(user), which the collection never modifies.
      type: bool
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import ModelError, resolve_apps
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import DEFAULT_CONFIG_DIR


def resolved_apps(apps, root=DEFAULT_ROOT, health_timeout=30, defaults=None, all_apps=None, config_dir=DEFAULT_CONFIG_DIR):
    try:
        indexes = None
        if all_apps is not None:
            names = [app.get("name") if isinstance(app, dict) else None for app in all_apps]
            indexes = [names.index(app.get("name")) if isinstance(app, dict) and app.get("name") in names else None
                       for app in apps]
        return resolve_apps(apps, root, int(health_timeout), defaults, indexes, config_dir)
    except (ModelError, TypeError, ValueError) as error:
        raise AnsibleFilterError("resolved_apps: %s" % error)


class FilterModule:
    def filters(self):
        return {"resolved_apps": resolved_apps}

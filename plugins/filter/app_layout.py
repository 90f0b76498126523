# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: app_layout
short_description: Paths, user and unit names of one app on a host
version_added: 0.1.0
description:
  - Computes what every role of the collection must agree on for one entry of
    C(fastapi_apps) (see docs/apps.md) - the system user, the release
    directories, the state directory, the environment file, the Gunicorn
    socket and the systemd unit - so that no role guesses another's paths.
extends_documentation_fragment:
  - fastapi_ops.server.app_root
options:
  _input:
    description: One app of C(fastapi_apps).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show where the app lives
  ansible.builtin.debug:
    msg: "{{ (item | fastapi_ops.server.app_layout).socket }}"
  loop: "{{ fastapi_apps }}"
"""

RETURN = r"""
_value:
  description: The app's layout.
  type: dict
  contains:
    name: {description: The app's name., type: str}
    user: {description: "System user (and group) the app runs as: C(fastapi-NAME) unless the app sets C(user).", type: str}
    group: {description: The app's group., type: str}
    home: {description: "The app's directory, C(ROOT/NAME).", type: str}
    releases: {description: Directory holding one folder per release., type: str}
    current: {description: Symlink to the live release., type: str}
    state_dir: {description: The app's writable state directory., type: str}
    env_file: {description: Environment file with env and secrets (mode 0600)., type: str}
    runtime_dir: {description: Name of the systemd RuntimeDirectory under /run., type: str}
    socket: {description: Unix socket the proxy sends requests to., type: str}
    service: {description: The app's systemd service., type: str}
    syslog_identifier: {description: Identifier of the app's journal lines., type: str}
    domains: {description: The primary domain followed by the extra ones., type: list, elements: str}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT, app_layout


def _app_layout(app, root=DEFAULT_ROOT):
    if not isinstance(app, dict) or "name" not in app or "domain" not in app:
        raise AnsibleFilterError("app_layout expects one app of fastapi_apps (a mapping with name and domain)")
    return app_layout(app, root)


class FilterModule:
    def filters(self):
        return {"app_layout": _app_layout}

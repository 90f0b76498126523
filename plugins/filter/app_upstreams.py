# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: app_upstreams
short_description: What Caddy dials for each app
version_added: 0.1.0
description:
  - Maps each app's name to the list of upstreams the caddy role's
    C(caddy_app_upstreams) takes.
  - An app on a Unix socket (the default) is dialled through its live socket
    link C(HOME/slots/live.sock), which the blue/green switch moves from one
    slot to the other (docs/deploys.md); Caddy's configuration stays the same
    from one deploy to the next.
  - An app whose C(gunicorn.bind) is C(HOST:PORT) is dialled there, a wildcard
    host (C(0.0.0.0), C([::])) becoming loopback.
extends_documentation_fragment:
  - fastapi_ops.server.apps_list
  - fastapi_ops.server.app_root
"""

EXAMPLES = r"""
- name: Caddy in front of the apps
  ansible.builtin.include_role:
    name: fastapi_ops.server.caddy
  vars:
    caddy_apps: "{{ fastapi_apps | fastapi_ops.server.public_apps }}"
    caddy_app_upstreams: "{{ fastapi_apps | fastapi_ops.server.app_upstreams }}"
"""

RETURN = r"""
_value:
  description: "App name to a list of Caddy dial addresses, for example C(shop: [unix//srv/fastapi/shop/slots/live.sock])."
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import app_upstreams


def _app_upstreams(apps, root=DEFAULT_ROOT):
    if not isinstance(apps, list) or not all(isinstance(app, dict) and "name" in app and "domain" in app for app in apps):
        raise AnsibleFilterError("app_upstreams expects the fastapi_apps list (mappings with name and domain)")
    return app_upstreams(apps, root)


class FilterModule:
    def filters(self):
        return {"app_upstreams": _app_upstreams}

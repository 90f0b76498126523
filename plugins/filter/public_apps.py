# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: public_apps
short_description: The apps list without its secrets
version_added: 0.1.0
description:
  - Returns a copy of C(fastapi_apps) in which no app carries its C(secrets).
  - Only the C(app) role writes secrets (to each app's environment file); the
    other roles get the apps through this filter, so that a loop over the apps
    never shows a secret, not even at C(-v), where Ansible prints each loop
    item in full.
extends_documentation_fragment:
  - fastapi_ops.server.apps_list
"""

EXAMPLES = r"""
- name: Apps for a role that needs no secrets
  ansible.builtin.include_role:
    name: fastapi_ops.server.gunicorn
  vars:
    gunicorn_apps: "{{ fastapi_apps | fastapi_ops.server.public_apps }}"
"""

RETURN = r"""
_value:
  description: The apps, each without the C(secrets) key.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def public_apps(apps):
    if not isinstance(apps, list):
        raise AnsibleFilterError("public_apps expects the fastapi_apps list")
    return [
        {key: value for key, value in app.items() if key != "secrets"} if isinstance(app, dict) else app
        for app in apps
    ]


class FilterModule:
    def filters(self):
        return {"public_apps": public_apps}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: python_mismatches
short_description: The apps whose Python requirement a host's interpreter cannot meet
version_added: 0.1.0
description:
  - Compares each app's C(python) field (a PEP 440 specifier such as C(>=3.11),
    see docs/apps.md) with the version of the interpreter the host provides,
    and returns one message per app that cannot run on it, so a role can fail
    before it changes anything.
  - Apps without a C(python) field accept any interpreter.
extends_documentation_fragment:
  - fastapi_ops.server.apps_list
options:
  version:
    description: The host's interpreter version, such as C(3.11.2).
    type: str
    required: true
  host:
    description: A label for the interpreter in the messages, such as C(Debian 12).
    type: str
    default: this host
"""

EXAMPLES = r"""
- name: Every app's Python requirement is met by this host
  ansible.builtin.assert:
    that: _mismatches | length == 0
    fail_msg: "{{ _mismatches }}"
  vars:
    _mismatches: "{{ fastapi_apps | fastapi_ops.server.python_mismatches('3.11.2', 'Debian 12') }}"
"""

RETURN = r"""
_value:
  description: One message per app whose requirement is not met; empty when all are.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.python_spec import specifier_allows, specifier_problem


def python_mismatches(apps, version, host="this host"):
    if not isinstance(apps, list):
        raise AnsibleFilterError("python_mismatches expects the fastapi_apps list")
    messages = []
    for index, app in enumerate(apps):
        spec = app.get("python") if isinstance(app, dict) else None
        if spec is None:
            continue
        where = "fastapi_apps[%d] (%s).python" % (index, app.get("name"))
        problem = specifier_problem(spec) if isinstance(spec, str) else "not a PEP 440 specifier"
        if problem:
            messages.append("%s: %r: %s" % (where, spec, problem))
        elif not specifier_allows(spec, str(version)):
            messages.append("%s: %r cannot be met by the Python %s of %s" % (where, spec, version, host))
    return messages


class FilterModule:
    def filters(self):
        return {"python_mismatches": python_mismatches}

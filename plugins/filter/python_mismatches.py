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
  - With O(sources), the C(requires-python) each app's own project declares
    (its C(pyproject.toml), or the C(Requires-Python) of its wheel, as the
    P(fastapi_ops.server.app_source#module) module returns it) must be met too.
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
  sources:
    description:
      - The results of P(fastapi_ops.server.app_source#module), one per app
        in the same order; their C(requires_python) (and
        C(requires_python_from)) are checked like the C(python) field.
    type: list
    elements: dict
  all_apps:
    description:
      - The whole C(fastapi_apps) list when the apps are a part of it (such
        as with C(-e app=NAME)), so each message numbers the app as in the
        whole list.
    type: list
    elements: dict
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


def _index(app, position, all_apps):
    """The app's place in the whole fastapi_apps list."""
    if isinstance(all_apps, list) and isinstance(app, dict):
        for index, other in enumerate(all_apps):
            if isinstance(other, dict) and other.get("name") == app.get("name"):
                return index
    return position


def _judge(field, spec, version, host, label):
    problem = specifier_problem(spec) if isinstance(spec, str) else "not a PEP 440 specifier"
    if problem:
        return "%s: %s%r: %s" % (field, label, spec, problem)
    if not specifier_allows(spec, str(version)):
        return "%s: %s%r cannot be met by the Python %s of %s" % (field, label, spec, version, host)
    return None


def python_mismatches(apps, version, host="this host", sources=None, all_apps=None):
    if not isinstance(apps, list):
        raise AnsibleFilterError("python_mismatches expects the fastapi_apps list")
    if sources is not None and (not isinstance(sources, list) or len(sources) != len(apps)):
        raise AnsibleFilterError("python_mismatches: sources must hold one app_source result per app")
    messages = []
    for position, app in enumerate(apps):
        if not isinstance(app, dict):
            continue
        where = "fastapi_apps[%d] (%s)" % (_index(app, position, all_apps), app.get("name"))
        found = []
        if app.get("python") is not None:
            found.append(_judge(where + ".python", app["python"], version, host, ""))
        source = sources[position] if sources is not None else None
        if isinstance(source, dict) and source.get("requires_python"):
            label = "requires-python of %s " % (source.get("requires_python_from") or "the project")
            found.append(_judge(where + ".source", source["requires_python"], version, host, label))
        messages.extend(message for message in found if message)
    return messages


class FilterModule:
    def filters(self):
        return {"python_mismatches": python_mismatches}

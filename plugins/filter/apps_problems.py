# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: apps_problems
short_description: Every problem in a list of apps, one message each
version_added: 0.1.0
description:
  - Checks a C(fastapi_apps) list against the schema in docs/apps.md and
    returns one message per wrong field, naming the app and the field, so a
    preflight can report all of them at once before anything on a host changes.
  - An empty list means the apps are fine.
extends_documentation_fragment:
  - fastapi_ops.server.apps_list
"""

EXAMPLES = r"""
- name: The apps list is valid
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems }}"
    quiet: true
  vars:
    _problems: "{{ fastapi_apps | fastapi_ops.server.apps_problems }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the list is valid.
  type: list
  elements: str
"""

from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import apps_problems


class FilterModule:
    def filters(self):
        return {"apps_problems": apps_problems}

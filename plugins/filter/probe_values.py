# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: probe_values
short_description: What one probe command on the host printed, as a mapping
version_added: 0.1.0
description:
  - A role asks the host several small questions in one command and skips the tasks whose work is already done.
    Each line of the command's output is C(KEY VALUE); this returns the mapping (a key without a value maps to an
    empty string; the first line of a key wins).
options:
  _input:
    description: The command's standard output.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The probe's answers
  ansible.builtin.debug:
    msg: "{{ 'active active\nenabled enabled\n' | fastapi_ops.server.probe_values }}"
"""

RETURN = r"""
_value:
  description: Key to value.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.probe import probe_values


def _probe_values(text):
    try:
        return probe_values(text)
    except TypeError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {"probe_values": _probe_values}

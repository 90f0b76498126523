# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: processes_status
short_description: The status lines of an app's background processes and scheduled jobs
version_added: 0.1.0
description:
  - What C(status.yml) shows for one app's processes (instances running of
    those wanted) and jobs (last run, its result and exit status, next run,
    the timer's state), from what the M(fastapi_ops.server.process_state)
    module read.
options:
  _input:
    description: One resolved app (an item of P(fastapi_ops.server.resolved_apps#filter)).
    type: dict
    required: true
  state:
    description: That app's entry of the processes state M(fastapi_ops.server.process_state) returns.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The processes of shop are shown
  ansible.builtin.debug:
    msg: "{{ shop_model | fastapi_ops.server.processes_status(processes.state['shop']) }}"
"""

RETURN = r"""
_value:
  description: One line per process, then one per job (empty for an app without either).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import status_lines


def processes_status(app, state):
    if not isinstance(app, dict) or not isinstance(state, dict):
        raise AnsibleFilterError("processes_status expects one resolved app and its process_state entry")
    return status_lines(app, state)


class FilterModule:
    def filters(self):
        return {"processes_status": processes_status}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: processes_plans
short_description: Which background process instances of each app start, restart, stop, and which units go
version_added: 0.1.0
description:
  - The decision for each app's background processes (docs/apps.md), from
    what the M(fastapi_ops.server.process_state) module read, by app name.
  - Every wanted instance (C(@1) to C(@COUNT) of each process) that is not
    active or not enabled starts; with O(restart) (a new release, a changed
    unit or environment) every wanted instance restarts; an instance no
    process wants any more (a lowered count, a removed process) stops; a
    template unit the processes role wrote for a process that is gone is
    removed. Units without the role's marker never appear in the state, so
    never here.
options:
  _input:
    description: The resolved apps (P(fastapi_ops.server.resolved_apps#filter)).
    type: list
    elements: dict
    required: true
  state:
    description: The processes state by app name, as M(fastapi_ops.server.process_state) returns it.
    type: dict
    required: true
  restart:
    description: Names of the apps whose wanted instances all restart.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The plan of each app's processes is known
  ansible.builtin.set_fact:
    plans: "{{ apps | fastapi_ops.server.processes_plans(state.state, restart=['shop']) }}"
"""

RETURN = r"""
_value:
  description: The plan of each app, by name.
  type: dict
  contains:
    start:
      description: Instances to start (or restart) and enable on boot.
      type: list
      elements: str
    stop:
      description: Instances to stop and disable.
      type: list
      elements: str
    remove:
      description: Template units of processes that are gone, to remove.
      type: list
      elements: str
    restart:
      description: The instances in C(start) restart even when they run.
      type: bool
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import processes_plan


def processes_plans(apps, state, restart=None):
    if not isinstance(apps, list) or not isinstance(state, dict):
        raise AnsibleFilterError("processes_plans expects the resolved apps and the process_state by app name")
    restart = list(restart or [])
    return dict((app["name"], processes_plan(app, state.get(app["name"]) or {}, app["name"] in restart)) for app in apps)


class FilterModule:
    def filters(self):
        return {"processes_plans": processes_plans}

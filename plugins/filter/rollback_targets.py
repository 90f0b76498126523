# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rollback_targets
short_description: The release each app goes back to, and why one cannot
version_added: 0.1.0
description:
  - For a rollback (docs/deploys.md) - each app goes back to the release that
    was live before its last switch, or to O(release) when one is named.
  - A target must still be on the host (a complete release with
    C(release.json)); each app without one gets a message in C(problems).
options:
  _input:
    description: The apps to roll back, resolved (P(fastapi_ops.server.resolved_apps#filter)).
    type: list
    elements: dict
    required: true
  state:
    description: The apps' state, as M(fastapi_ops.server.app_state) returns it.
    type: dict
    required: true
  release:
    description: The release to go back to instead of the previous one.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The release to go back to is known for each app
  ansible.builtin.set_fact:
    rollback: "{{ apps | fastapi_ops.server.rollback_targets(app_state.state) }}"
"""

RETURN = r"""
_value:
  description: The targets and the problems.
  type: dict
  contains:
    targets:
      description: App name to the release it goes back to (empty when none is known).
      type: dict
    problems:
      description: One message per app that cannot go back; nothing is changed when there is any.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import rollback_targets as _rollback_targets


def rollback_targets(apps, state, release=""):
    if not isinstance(apps, list) or not isinstance(state, dict):
        raise AnsibleFilterError("rollback_targets expects the resolved apps and the app_state module's state")
    try:
        return _rollback_targets(apps, state, release or "")
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError("rollback_targets: %s" % error)


class FilterModule:
    def filters(self):
        return {"rollback_targets": rollback_targets}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: switched_back
short_description: The release each app of a stopped rollout goes back to
version_added: 0.1.0
description:
  - In the multi-host layout (docs/multi-host.md), a rollout that stopped at a failing app host sends every app the
    other app hosts switched in the run back to the release live before. An app without one (its first deploy) is
    left out.
options:
  _input:
    description: The switches of this run on the host, app name to the plan of its switch (C(from_release), C(release)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The releases to go back to
  ansible.builtin.debug:
    msg: "{{ {'shop': {'from_release': 'a1b2c3d4e5f6', 'release': '0f9e8d7c6b5a'}} | fastapi_ops.server.switched_back }}"
"""

RETURN = r"""
_value:
  description: App name to the release it goes back to.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.topology import switched_back


def _switched_back(switches):
    if not isinstance(switches, dict):
        raise AnsibleFilterError("switched_back expects a mapping of app name to its switch plan")
    return switched_back(switches)


class FilterModule:
    def filters(self):
        return {"switched_back": _switched_back}

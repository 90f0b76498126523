# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: slot_plan
short_description: How a release goes live for one app - which slot starts, how, and what is recorded
version_added: 0.1.0
description:
  - The deploy decision of the release engine (docs/deploys.md) for one app,
    from what runs on the host (the state the M(fastapi_ops.server.app_state)
    module reads) and the release to serve.
  - A first deploy starts slot C(blue); a new release, a changed unit or
    configuration, a stopped live instance or O(force) start the idle slot
    (blue/green), or restart the live slot in place when O(blue_green) is
    false (no room for two instances, or a TCP port only one can bind); the
    same release with nothing changed starts nothing and stops an idle slot
    left running.
options:
  _input:
    description: The app's state, as M(fastapi_ops.server.app_state) returns it for the app.
    type: dict
    required: true
  target:
    description: The release to serve; empty when there is none (nothing built, nothing current).
    type: str
    required: true
  changed:
    description: The app's unit or Gunicorn configuration changed in this run.
    type: bool
    default: false
  force:
    description: Start a new instance even for the release already live.
    type: bool
    default: false
  blue_green:
    description: A second instance fits beside the live one; else the live slot restarts in place.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: The plan of each app is known
  ansible.builtin.set_fact:
    plan: "{{ state.state.hello | fastapi_ops.server.slot_plan('3faa7beeaeda') }}"
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    needed:
      description: An instance starts.
      type: bool
    acts:
      description: An instance starts or stops (RV(_value.needed) or RV(_value.stop_idle)); otherwise the switch has nothing to do for the app.
      type: bool
    slot:
      description: The slot that starts (C(blue) or C(green)).
      type: str
    in_place:
      description: The live slot restarts in place.
      type: bool
    method:
      description: "C(first start), C(blue/green), C(in place), or C(none)."
      type: str
    idle:
      description: The slot that is not live (empty before the first switch).
      type: str
    stop_idle:
      description: Nothing starts, and the idle slot still runs and is stopped.
      type: bool
    retire_single:
      description: A single unit from before the slots runs or is enabled; it stops once a slot serves.
      type: bool
    from_slot:
      description: The live slot (empty before the first switch).
      type: str
    from_release:
      description: The release served before.
      type: str
    release:
      description: The release that goes live.
      type: str
    on_failure:
      description: What a failure message says keeps serving.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import slot_plan as _slot_plan
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import SlotError


def slot_plan(state, target, changed=False, force=False, blue_green=True):
    if not isinstance(state, dict):
        raise AnsibleFilterError("slot_plan expects an app's state from the app_state module, got %r" % (state,))
    try:
        return _slot_plan(state, target or "", boolean(changed), boolean(force), boolean(blue_green))
    except (SlotError, TypeError) as error:
        raise AnsibleFilterError("slot_plan: %s" % error)


class FilterModule:
    def filters(self):
        return {"slot_plan": slot_plan}

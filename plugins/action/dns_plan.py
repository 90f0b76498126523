# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The work of the dns_plan module (documented there), in the controller's own process."""

from __future__ import annotations

from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_tasks import PLAN_SPEC, plan_zone
from ansible_collections.fastapi_ops.server.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    argument_spec = PLAN_SPEC
    work = staticmethod(plan_zone)

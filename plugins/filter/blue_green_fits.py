# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: blue_green_fits
short_description: Whether the host's memory holds a second Gunicorn instance of each app during a deploy
version_added: 0.1.0
description:
  - A blue/green deploy (docs/deploys.md) runs the new release beside the live
    one until the switch, so for that moment the app's Gunicorn budget
    (workers x worker memory + master memory) is needed twice.
  - Uses the same arithmetic as P(fastapi_ops.server.worker_count#filter) - the
    memory the host (or its container) really has, minus the reserve - and
    answers, per app, whether the budgets of all apps plus a second one of
    this app fit. An app that does not fit is deployed by an in-place graceful
    restart instead, and C(reason) says why.
  - An app that binds a TCP port (C(gunicorn.bind)) never fits - only one
    instance can listen on the port.
extends_documentation_fragment:
  - fastapi_ops.server.apps_list
  - fastapi_ops.server.worker_memory
options:
  workers:
    description: The worker count of each app, by name (the result of P(fastapi_ops.server.worker_count#filter)).
    type: dict
    required: true
  machine:
    description: What the host reports (as for P(fastapi_ops.server.worker_count#filter)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show which apps get a blue/green deploy
  ansible.builtin.debug:
    msg: "{{ fastapi_apps | fastapi_ops.server.blue_green_fits(workers, machine) }}"
  vars:
    workers: {shop: 5}
    machine: {cpu_count: 2, cpu_quota: null, memory_total_mb: 4096, memory_limit_mb: null}
"""

RETURN = r"""
_value:
  description: Per app name, whether two instances fit and the arithmetic.
  type: dict
  contains:
    fits: {description: True when a second instance of the app fits beside all apps., type: bool}
    reason: {description: "The arithmetic, for the deploy's output.", type: str}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.worker_sizing import SizingError, as_number, budget_mb, machine_memory_mb


def blue_green_fits(apps, workers, machine, worker_memory_mb=256, master_memory_mb=96, reserve_mb=512, memory_total_mb=0):
    if not isinstance(apps, list) or not isinstance(workers, dict) or not isinstance(machine, dict):
        raise AnsibleFilterError("blue_green_fits expects the apps list, the workers by name and the machine facts")
    try:
        memory = machine_memory_mb(machine, memory_total_mb)
        reserve_mb = as_number(reserve_mb, "gunicorn_reserve_memory_mb", 0)
        available = memory - reserve_mb
    except SizingError as error:
        raise AnsibleFilterError(str(error))
    budgets = {}
    for app in apps:
        if not isinstance(app, dict) or app.get("name") not in workers:
            raise AnsibleFilterError("blue_green_fits: no worker count for app %r" % (app,))
        settings = app.get("gunicorn") or {}
        budgets[app["name"]] = budget_mb(
            int(workers[app["name"]]), int(settings.get("worker_memory_mb", worker_memory_mb)),
            int(settings.get("master_memory_mb", master_memory_mb)))
    total = sum(budgets.values())
    result = {}
    for app in apps:
        bind = (app.get("gunicorn") or {}).get("bind")
        if bind:
            result[app["name"]] = {"fits": False, "reason": "%s: binds TCP %s, where only one instance can listen" % (app["name"], bind)}
    for name, budget in budgets.items():
        if name in result:
            continue
        needed = total + budget
        fits = needed <= available
        result[name] = {
            "fits": fits,
            "reason": "%s: all apps %d MB + a second %s instance %d MB = %d MB %s %d MB for apps (%d MB memory - %d MB reserve)"
            % (name, total, name, budget, needed, "<=" if fits else ">", available, memory, reserve_mb),
        }
    return result


class FilterModule:
    def filters(self):
        return {"blue_green_fits": blue_green_fits}

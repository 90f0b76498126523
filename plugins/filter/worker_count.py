# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: worker_count
short_description: How many Gunicorn workers each app gets on a host
version_added: 0.1.0
description:
  - Sizes the Gunicorn workers of every app in C(fastapi_apps) to the machine,
    so that the workers' memory never exceeds what the host (or its container)
    has.
  - The CPUs counted are the cgroup CPU quota when one is set and lower than
    the CPU count (a container often reports the host's CPUs); the memory is
    the lower of MemTotal and the cgroup memory limit.
  - An app without an explicit count gets 2 x CPUs + 1 workers, lowered to
    what its memory share holds. Apps with an explicit count (C(gunicorn.workers))
    keep it, but their budget (workers x worker memory + master memory) must
    fit too. The memory left after the reserve and the explicit budgets is
    shared equally by the automatically sized apps.
  - When the budget does not fit, the filter fails with a message that shows
    the arithmetic, before anything on the host changes.
extends_documentation_fragment:
  - fastapi_ops.server.worker_memory
options:
  _input:
    description: The C(fastapi_apps) list; each app's C(gunicorn) mapping may set
      C(workers), C(worker_memory_mb) and C(master_memory_mb).
    type: list
    elements: dict
    required: true
  machine:
    description:
      - What the host reports, with keys C(cpu_count) (CPUs the process may run on),
        C(cpu_quota) (cgroup CPU quota in CPUs, or null), C(memory_total_mb) (MemTotal)
        and C(memory_limit_mb) (cgroup memory limit, or null).
    type: dict
    required: true
  workers:
    description: Workers of an app that does not set its own; C(0) sizes automatically.
    type: int
    default: 0
  cpu_count:
    description: When not C(0), the CPUs to count instead of what the machine reports.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Show each app's worker count
  ansible.builtin.debug:
    msg: "{{ fastapi_apps | fastapi_ops.server.worker_count(machine) }}"
  vars:
    machine: {cpu_count: 16, cpu_quota: 1.0, memory_total_mb: 4096, memory_limit_mb: null}
"""

RETURN = r"""
_value:
  description: The worker count of each app, by app name.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.worker_sizing import (
    SizingError,
    machine_cpus,
    machine_memory_mb,
    plan_workers,
)


def worker_count(apps, machine, workers=0, worker_memory_mb=256, master_memory_mb=96, reserve_mb=512, cpu_count=0, memory_total_mb=0):
    if not isinstance(apps, list):
        raise AnsibleFilterError("worker_count expects the list of apps")
    if not isinstance(machine, dict):
        raise AnsibleFilterError("worker_count expects machine facts (cpu_count, cpu_quota, memory_total_mb, memory_limit_mb)")
    requests = []
    for app in apps:
        if not isinstance(app, dict) or "name" not in app:
            raise AnsibleFilterError("worker_count expects apps with a name, got %r" % (app,))
        settings = app.get("gunicorn") or {}
        if not isinstance(settings, dict):
            raise AnsibleFilterError("app %s: gunicorn must be a mapping" % app["name"])
        requests.append({
            "name": app["name"],
            "workers": settings.get("workers", workers),
            "worker_memory_mb": settings.get("worker_memory_mb", worker_memory_mb),
            "master_memory_mb": settings.get("master_memory_mb", master_memory_mb),
        })
    try:
        return plan_workers(requests, machine_cpus(machine, cpu_count), machine_memory_mb(machine, memory_total_mb), reserve_mb)
    except SizingError as error:
        raise AnsibleFilterError(str(error))


class FilterModule:
    def filters(self):
        return {"worker_count": worker_count}

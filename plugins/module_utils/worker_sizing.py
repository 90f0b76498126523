# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How many Gunicorn workers fit on a host.

The numbers come from the machine as a container sees it (a cgroup CPU quota
or memory limit wins over what the host reports) and from each app's
per-worker memory estimate. Every refusal shows the arithmetic, so the
reader can see which number to change.
"""

from __future__ import annotations

import math


class SizingError(ValueError):
    """The apps' memory budget does not fit on the machine."""


def as_number(value, what, minimum=0, allow_float=False):
    """``value`` as a number (a string of digits too, as -e passes it), at least ``minimum``."""
    kinds = (int, float) if allow_float else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        else:
            raise SizingError("%s must be a number, got %r" % (what, value))
    if value < minimum:
        raise SizingError("%s must be at least %s, got %s" % (what, minimum, value))
    return value


def effective_cpus(cpu_count, cpu_quota=None):
    """CPUs the apps may use: the cgroup quota (in CPUs) when it is lower than the count."""
    cpus = as_number(cpu_count, "cpu_count", 1)
    if cpu_quota is not None:
        quota = as_number(cpu_quota, "cpu_quota", 0, allow_float=True)
        if quota > 0:
            cpus = min(cpus, quota)
    return cpus


def effective_memory_mb(memory_total_mb, memory_limit_mb=None):
    """Memory the apps may use: MemTotal or the cgroup memory limit, whichever is lower."""
    memory = as_number(memory_total_mb, "memory_total_mb", 1)
    if memory_limit_mb is not None:
        memory = min(memory, as_number(memory_limit_mb, "memory_limit_mb", 1))
    return memory


def machine_cpus(machine, override=0):
    """CPUs to size for: ``override`` when not 0 (a string of digits too), else the machine's."""
    return as_number(override, "gunicorn_cpu_count", 0) or effective_cpus(machine.get("cpu_count"), machine.get("cpu_quota"))


def machine_memory_mb(machine, override=0):
    """Memory to size for: ``override`` when not 0 (a string of digits too), else the machine's."""
    return (as_number(override, "gunicorn_memory_total_mb", 0)
            or effective_memory_mb(machine.get("memory_total_mb"), machine.get("memory_limit_mb")))


def budget_mb(workers, worker_mb, master_mb):
    """Memory of one Gunicorn instance: its workers and its master."""
    return workers * worker_mb + master_mb


def cpu_workers(cpus):
    """Gunicorn's usual default: two workers per CPU plus one (at least one CPU counted)."""
    return 2 * max(1, int(math.floor(cpus))) + 1


def _fmt(number):
    return ("%.2f" % number).rstrip("0").rstrip(".") if isinstance(number, float) else str(number)


def plan_workers(requests, cpus, memory_mb, reserve_mb):
    """Return {name: workers} for ``requests`` on a machine of ``cpus`` and ``memory_mb``.

    ``requests`` is a list of mappings with ``name``, ``workers`` (0 or None:
    size automatically), ``worker_memory_mb`` and ``master_memory_mb``.
    Apps with an explicit count take their budget first; the memory left is
    shared equally by the apps sized automatically, each getting the CPU
    formula (2 x CPUs + 1) or as many workers as its share holds, whichever
    is lower. Raises SizingError, with the arithmetic, when the explicit
    budgets do not fit or an app would get no worker at all.
    """
    reserve_mb = as_number(reserve_mb, "reserve_mb", 0)
    available = memory_mb - reserve_mb
    machine = "%s MB memory - %s MB reserve = %s MB for apps" % (_fmt(memory_mb), reserve_mb, _fmt(available))
    explicit, automatic = [], []
    for request in requests:
        name = request["name"]
        where = "app %s" % name
        workers = request.get("workers")
        workers = 0 if workers is None else as_number(workers, "%s: workers" % where, 0)
        worker_mb = as_number(request.get("worker_memory_mb"), "%s: worker_memory_mb" % where, 1)
        master_mb = as_number(request.get("master_memory_mb"), "%s: master_memory_mb" % where, 0)
        entry = (name, workers, worker_mb, master_mb)
        (explicit if workers else automatic).append(entry)

    plan = {}
    used = 0
    lines = []
    for name, workers, worker_mb, master_mb in explicit:
        budget = budget_mb(workers, worker_mb, master_mb)
        used += budget
        lines.append("%s: %d workers x %d MB + %d MB master = %d MB" % (name, workers, worker_mb, master_mb, budget))
        plan[name] = workers
    if used > available:
        raise SizingError(
            "Gunicorn workers do not fit in memory: %s; together %d MB, but this host has %s. "
            "Lower the workers or worker_memory_mb, or give the host more memory."
            % ("; ".join(lines), used, machine)
        )

    if automatic:
        share = (available - used) / float(len(automatic))
        wanted = cpu_workers(cpus)
        for name, _workers, worker_mb, master_mb in automatic:
            fitting = int(math.floor((share - master_mb) / worker_mb)) if share > master_mb else 0
            if fitting < 1:
                others = (" - %d MB for explicitly sized apps" % used) if used else ""
                raise SizingError(
                    "Gunicorn workers do not fit in memory: app %s needs at least 1 worker x %d MB + %d MB master = %d MB, "
                    "but this host has %s%s, shared by %d automatically sized app(s) = %s MB each. "
                    "Lower worker_memory_mb or the reserve, or give the host more memory."
                    % (name, worker_mb, master_mb, worker_mb + master_mb, machine, others, len(automatic), _fmt(share))
                )
            plan[name] = min(wanted, fitting)
    return plan

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print, as JSON, the CPUs and memory this host (or container) really has.

Run on the target by the gunicorn role (read-only). A container usually
reports the host's CPU count and MemTotal; the cgroup limits of the
process's own cgroup and of every ancestor tell what it may really use.
Works with cgroup v2 and v1, whether or not the cgroup namespace is private.
"""

from __future__ import annotations

import json
import os
import sys


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def _ancestors(mount, path):
    """The cgroup directory of ``path`` under ``mount`` and each parent up to the mount."""
    parts = [part for part in path.split("/") if part]
    for depth in range(len(parts), -1, -1):
        yield os.path.join(mount, *parts[:depth])


def own_cgroups(proc_root="/proc"):
    """{controller: path} of the current process, with key '' for cgroup v2."""
    cgroups = {}
    for line in (_read(os.path.join(proc_root, "self", "cgroup")) or "").splitlines():
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        for controller in fields[1].split(",") if fields[1] else [""]:
            cgroups[controller] = fields[2]
    return cgroups


def _v1_mount(sys_root, controller):
    for name in (controller, "cpu,cpuacct", "cpuacct,cpu"):
        mount = os.path.join(sys_root, "fs", "cgroup", name)
        if os.path.isdir(mount):
            return mount
    return None


def cgroup_limits(sys_root="/sys", proc_root="/proc"):
    """(cpu quota in CPUs or None, memory limit in MB or None): the lowest on the way to the root."""
    cgroups = own_cgroups(proc_root)
    quotas, memories = [], []
    unified = os.path.join(sys_root, "fs", "cgroup")
    if "" in cgroups and os.path.exists(os.path.join(unified, "cgroup.controllers")):
        for directory in _ancestors(unified, cgroups[""]):
            cpu_max = (_read(os.path.join(directory, "cpu.max")) or "").split()
            if len(cpu_max) == 2 and cpu_max[0] != "max" and int(cpu_max[1]) > 0:
                quotas.append(int(cpu_max[0]) / float(cpu_max[1]))
            memory_max = _read(os.path.join(directory, "memory.max"))
            if memory_max and memory_max.isdigit():
                memories.append(int(memory_max))
    else:
        mount = _v1_mount(sys_root, "cpu")
        if mount and "cpu" in cgroups:
            for directory in _ancestors(mount, cgroups["cpu"]):
                quota = _read(os.path.join(directory, "cpu.cfs_quota_us"))
                period = _read(os.path.join(directory, "cpu.cfs_period_us"))
                if quota and period and quota.lstrip("-").isdigit() and int(quota) > 0 and int(period) > 0:
                    quotas.append(int(quota) / float(period))
        mount = _v1_mount(sys_root, "memory")
        if mount and "memory" in cgroups:
            for directory in _ancestors(mount, cgroups["memory"]):
                limit = _read(os.path.join(directory, "memory.limit_in_bytes"))
                # v1 reports "no limit" as a huge number near 2**63.
                if limit and limit.isdigit() and int(limit) < 2 ** 60:
                    memories.append(int(limit))
    quota = min(quotas) if quotas else None
    memory = min(memories) // (1024 * 1024) if memories else None
    return quota, memory


def mem_total_mb(proc_root="/proc"):
    for line in (_read(os.path.join(proc_root, "meminfo")) or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return None


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def machine(sys_root="/sys", proc_root="/proc"):
    quota, memory = cgroup_limits(sys_root, proc_root)
    return {
        "cpu_count": cpu_count(),
        "cpu_quota": quota,
        "memory_total_mb": mem_total_mb(proc_root),
        "memory_limit_mb": memory,
    }


if __name__ == "__main__":
    json.dump(machine(), sys.stdout)
    sys.stdout.write("\n")

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: process_state
short_description: The background process units of each app and how their instances run
version_added: 0.1.0
description:
  - Reads, for each app, the unit files the processes role wrote (process
    templates C(fastapi-NAME.PROC@.service), job services and timers
    C(fastapi-NAME.JOB.service), C(fastapi-NAME.JOB.timer), in O(unit_dir),
    whose first line is the collection's marker; a unit without it is never
    reported, so never stopped or removed), and for each of their units (the
    ones the app wants, the ones systemd has loaded and the ones enabled)
    whether it is active, enabled, how often systemd restarted it, its main
    PID, and for jobs their last result and the timers' last and next run.
  - With O(settle), waits that many seconds first, so that an instance
    that crashes at start is seen failed or restarting, not active.
  - Returns structured data; it changes nothing. One call for every app.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
extends_documentation_fragment:
  - fastapi_ops.server.read_only
options:
  apps:
    description:
      - The apps, as the P(fastapi_ops.server.resolved_apps#filter) filter
        returns them; each needs C(name), C(process_unit_prefix) and C(processes) (and may have C(jobs)).
    type: list
    elements: dict
    required: true
  unit_dir:
    description: Where the processes role writes the units.
    type: path
    default: /etc/systemd/system
  settle:
    description: Seconds to wait before reading.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Each app's processes are known
  fastapi_ops.server.process_state:
    apps: "{{ fastapi_apps | fastapi_ops.server.public_apps | fastapi_ops.server.resolved_apps }}"
  register: processes
"""

RETURN = r"""
state:
  description: By app name, its process units and instances.
  returned: success
  type: dict
  sample:
    shop:
      units: [fastapi-shop.cleanup.service, fastapi-shop.cleanup.timer, fastapi-shop.worker@.service]
      instances:
        fastapi-shop.worker@1.service: {active: true, enabled: true, state: active, restarts: 0, pid: 1234}
        fastapi-shop.cleanup.timer: {active: true, enabled: true, state: active, next: "Thu 2026-12-03 00:00:00 UTC",
                                     last: "Wed 2026-12-02 00:00:00 UTC"}
        fastapi-shop.cleanup.service: {active: false, enabled: false, state: inactive, result: success, exit_status: 0}
"""

import glob
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import UNIT_MARKER, wanted_units


def _ours(path):
    try:
        with open(path) as handle:
            return handle.readline().rstrip("\n") == UNIT_MARKER
    except (OSError, UnicodeDecodeError):
        return False


def _show(module, units):
    """systemctl show of each unit: its ActiveState, NRestarts, MainPID, UnitFileState."""
    if not units:
        return {}
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return {}
    props = ["Id", "ActiveState", "NRestarts", "MainPID", "UnitFileState", "Result", "ExecMainStatus",
             "ExecMainExitTimestamp", "NextElapseUSecRealtime", "LastTriggerUSec"]
    rc, out, err = module.run_command([systemctl, "show", "--property", ",".join(props)] + list(units))
    shown = {}
    for block in out.strip().split("\n\n"):
        values = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if values.get("Id"):
            shown[values["Id"]] = values
    return dict((unit, shown.get(unit, {})) for unit in units)


def _loaded(module, prefix):
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return []
    rc, out, err = module.run_command([systemctl, "list-units", "--all", "--plain", "--no-legend", "--type=service,timer",
                                       prefix + "*"])
    return [line.split()[0] for line in out.splitlines() if line.strip().startswith(prefix)]


def _template(unit):
    """The file a unit comes from: its template for an instance."""
    if "@" in unit:
        name, rest = unit.split("@", 1)
        return name + "@." + rest.rsplit(".", 1)[-1]
    return unit


def _number(value):
    return int(value) if (value or "").isdigit() else 0


def read_state(module, apps, unit_dir):
    found = {}
    for app in apps:
        prefix = app["process_unit_prefix"]
        units = sorted(os.path.basename(path) for path in glob.glob(os.path.join(unit_dir, prefix + "*"))
                       if os.path.isfile(path) and _ours(path))
        wanted = wanted_units(app)
        files = set(units) | set(wanted["files"])
        candidates = set(wanted["running"]) | set(wanted["job_services"])
        candidates.update(os.path.basename(path) for path in glob.glob(os.path.join(unit_dir, "*.wants", prefix + "*")))
        candidates.update(_loaded(module, prefix))
        # Only units from files that are ours (or wanted).
        candidates = sorted(unit for unit in candidates if _template(unit) in files)
        found[app["name"]] = (units, candidates)
    shown = _show(module, sorted(set(unit for units, candidates in found.values() for unit in candidates)))
    state = {}
    for app in apps:
        units, candidates = found[app["name"]]
        instances = {}
        for unit in candidates:
            values = shown.get(unit) or {}
            seen = {
                "state": values.get("ActiveState", ""),
                "active": values.get("ActiveState") == "active",
                "enabled": values.get("UnitFileState") == "enabled",
                "restarts": _number(values.get("NRestarts")),
                "pid": _number(values.get("MainPID")),
            }
            if unit.endswith(".timer"):
                seen.update(next=values.get("NextElapseUSecRealtime", ""), last=values.get("LastTriggerUSec", ""))
            elif "@" not in unit:
                seen.update(result=values.get("Result", ""), exit_status=_number(values.get("ExecMainStatus")),
                            exited=values.get("ExecMainExitTimestamp", ""))
            instances[unit] = seen
        state[app["name"]] = {"units": units, "instances": instances}
    return state


def main():
    module = AnsibleModule(
        argument_spec=dict(
            apps=dict(type="list", elements="dict", required=True),
            unit_dir=dict(type="path", default="/etc/systemd/system"),
            settle=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    apps = module.params["apps"]
    for index, app in enumerate(apps):
        missing = [key for key in ("name", "process_unit_prefix", "processes") if key not in app]
        app.setdefault("jobs", [])
        if missing:
            module.fail_json(msg="apps[%d]: a resolved app needs name, process_unit_prefix and processes "
                                 "(the resolved_apps filter gives them); missing: %s" % (index, ", ".join(missing)))
    if module.params["settle"] > 0:
        time.sleep(module.params["settle"])
    module.exit_json(changed=False, state=read_state(module, apps, module.params["unit_dir"]))


if __name__ == "__main__":
    main()

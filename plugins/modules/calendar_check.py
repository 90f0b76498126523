#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: calendar_check
short_description: The calendar expressions of the apps' scheduled jobs, checked by the host's systemd
version_added: 0.1.0
description:
  - Runs C(systemd-analyze calendar) on the host for the C(on_calendar)
    of every job in the C(jobs) mapping of each app (docs/apps.md), so an
    expression the host's systemd does not accept is refused before any
    unit is written. Fails with one message per wrong expression, naming
    the field (C(fastapi_apps[0] (shop).jobs.cleanup.on_calendar)) and
    systemd's reason.
  - Returns each expression's normalized form and next elapse.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
extends_documentation_fragment:
  - fastapi_ops.server.read_only
options:
  apps:
    description: The apps (C(fastapi_apps)), best without their secrets (P(fastapi_ops.server.public_apps#filter)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Every job's calendar expression is one systemd accepts
  fastapi_ops.server.calendar_check:
    apps: "{{ fastapi_apps | fastapi_ops.server.public_apps }}"
"""

RETURN = r"""
calendars:
  description: Each expression checked, with the field that holds it and what systemd made of it.
  returned: always
  type: list
  elements: dict
  sample:
    - where: fastapi_apps[0] (shop).jobs.cleanup.on_calendar
      calendar: daily
      normalized: "*-*-* 00:00:00"
      next: "Thu 2026-12-03 00:00:00 UTC"
problems:
  description: One message per expression systemd refuses.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import calendars


def check(module, found):
    analyze = module.get_bin_path("systemd-analyze", required=True)
    checked, problems = [], []
    for entry in found:
        rc, out, err = module.run_command([analyze, "calendar", "--iterations=1", entry["calendar"]])
        values = dict(line.strip().split(": ", 1) for line in out.splitlines() if ": " in line)
        if rc != 0:
            reason = (err or out).strip().splitlines()[-1] if (err or out).strip() else "rc %d" % rc
            problems.append("%s: %r is not a calendar expression systemd accepts (systemd-analyze calendar: %s)"
                            % (entry["where"], entry["calendar"], reason))
            continue
        checked.append(dict(entry, normalized=values.get("Normalized form", ""), next=values.get("Next elapse", "")))
    return checked, problems


def main():
    module = AnsibleModule(
        argument_spec=dict(apps=dict(type="list", elements="dict", required=True)),
        supports_check_mode=True,
    )
    checked, problems = check(module, calendars(module.params["apps"]))
    if problems:
        module.fail_json(msg="\n".join(problems), problems=problems, calendars=checked)
    module.exit_json(changed=False, calendars=checked, problems=[])


if __name__ == "__main__":
    main()

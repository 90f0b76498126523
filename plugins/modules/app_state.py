#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_state
short_description: What runs on a host for each app - live slot, releases, instances
version_added: 0.1.0
description:
  - Reads, for each app, the blue/green state the release engine acts on
    (docs/deploys.md) - the live slot (where C(HOME/slots/live.sock) leads),
    the release each slot's link and C(current) point to, the release live
    before the last switch (C(HOME/slots/previous)), whether each slot's
    instance is active, whether a single unit from before the slots
    (C(fastapi-NAME.service)) is active or enabled, which complete
    releases (with C(release.json)) are on the host, the content id of the
    live release (from its C(release.json); release ids differ between
    hosts whose interpreters differ, the content id does not), and what the next
    instance would get that the live slot does not have (C(drift)) - the
    environment file or the Gunicorn configuration written for the next
    release differing from the live slot's own copy.
  - Returns structured data; it changes nothing. One call for every app.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
extends_documentation_fragment:
  - fastapi_ops.server.read_only
options:
  apps:
    description:
      - The apps, as the P(fastapi_ops.server.resolved_apps#filter) filter
        returns them; each needs C(name), C(home), C(releases), C(service)
        and C(slots) (with C(blue.service) and C(green.service)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Each app's slots, releases and instances are known
  fastapi_ops.server.app_state:
    apps: "{{ fastapi_apps | fastapi_ops.server.public_apps | fastapi_ops.server.resolved_apps }}"
  register: state
"""

RETURN = r"""
state:
  description: The state of each app, by app name.
  returned: success
  type: dict
  sample:
    hello:
      live: blue
      blue: 3faa7beeaeda
      green: 0c1d2e3f4a5b
      live_release: 3faa7beeaeda
      live_content: 5c2e9d0a7b1f4e6c8d3a2b1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e
      current: 3faa7beeaeda
      previous: 0c1d2e3f4a5b
      active: {blue: true, green: false}
      single: {active: false, enabled: false}
      releases: [0c1d2e3f4a5b, 3faa7beeaeda]
      drift: [environment]
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule


def _link(path):
    """The last part of where a symlink leads, '' when there is none."""
    try:
        return os.path.basename(os.readlink(path).rstrip("/"))
    except OSError:
        return ""


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _releases(directory):
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(name for name in names if os.path.isfile(os.path.join(directory, name, "release.json")))


def _content(releases, release):
    """The content id a release's release.json records, '' when there is none."""
    if not release:
        return ""
    try:
        with open(os.path.join(releases, release, "release.json")) as handle:
            described = json.load(handle)
    except (OSError, ValueError):
        return ""
    content = described.get("content_id") if isinstance(described, dict) else None
    return content if isinstance(content, str) else ""


def _digest(path):
    """sha256 of a file, '' when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def _drift(app, live):
    """What the next instance would get that the live slot does not have: the
    environment file and the Gunicorn configuration written for the next
    release, compared with the live slot's own copies."""
    if not live:
        return []
    slot = app["slots"][live]
    drift = []
    for what, wanted, running in (("environment", app.get("env_file"), slot.get("env_file")),
                                  ("configuration", app.get("config"), slot.get("config"))):
        if wanted and running and _digest(wanted) != _digest(running):
            drift.append(what)
    return drift


def _systemctl(module, verb, units):
    """One line per unit of `systemctl VERB UNIT...` (it exits non-zero when
    any unit is not active/enabled, and still prints every line)."""
    if not units:
        return {}
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return dict((unit, "") for unit in units)
    rc, out, err = module.run_command([systemctl, verb] + list(units))
    lines = out.splitlines()
    return dict((unit, lines[index].strip() if index < len(lines) else "") for index, unit in enumerate(units))


def read_state(module, apps):
    units = []
    for app in apps:
        units += [app["slots"]["blue"]["service"], app["slots"]["green"]["service"], app["service"]]
    active = _systemctl(module, "is-active", units)
    enabled = _systemctl(module, "is-enabled", [app["service"] for app in apps])
    state = {}
    for app in apps:
        slots_dir = os.path.join(app["home"], "slots")
        live = _link(os.path.join(slots_dir, "live.sock"))
        live = live[:-len(".sock")] if live.endswith(".sock") else ""
        links = dict((slot, _link(os.path.join(slots_dir, slot))) for slot in ("blue", "green"))
        state[app["name"]] = {
            "live": live,
            "blue": links["blue"],
            "green": links["green"],
            "live_release": links.get(live, ""),
            "live_content": _content(app["releases"], links.get(live, "")),
            "current": _link(os.path.join(app["home"], "current")),
            "previous": _read(os.path.join(slots_dir, "previous")),
            "active": dict((slot, active.get(app["slots"][slot]["service"]) == "active") for slot in ("blue", "green")),
            "single": {
                "active": active.get(app["service"]) == "active",
                "enabled": enabled.get(app["service"]) == "enabled",
            },
            "releases": _releases(app["releases"]),
            "drift": _drift(app, live),
        }
    return state


def main():
    module = AnsibleModule(
        argument_spec=dict(apps=dict(type="list", elements="dict", required=True)),
        supports_check_mode=True,
    )
    apps = module.params["apps"]
    for index, app in enumerate(apps):
        missing = [key for key in ("name", "home", "releases", "service", "slots") if key not in app]
        if missing or not all(slot in (app.get("slots") or {}) for slot in ("blue", "green")):
            module.fail_json(msg="apps[%d]: a resolved app needs name, home, releases, service and slots.blue/green "
                                 "(the resolved_apps filter gives them); missing: %s" % (index, ", ".join(missing) or "slots"))
    module.exit_json(changed=False, state=read_state(module, apps))


if __name__ == "__main__":
    main()

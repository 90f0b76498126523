# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_status
short_description: Each app's release and slot on every app host, and the hosts that disagree
version_added: 0.1.0
description:
  - What C(status.yml) shows once for a multi-host layout (docs/multi-host.md) - for each app, the live release, its
    content id and the live slot on every app host, and which hosts serve other content than most of them.
  - Hosts are compared by content id (recorded in each release's C(release.json)), not by release id - a release id
    also covers the interpreter, so the same code has different release ids on Debian 12 and Debian 13 hosts.
  - A host of O(app_hosts) that is not in O(answered), or has no C(release_state), is listed as giving no answer and is
    not compared; so is an app host with C(fastapi_drain) set (out of the edges' upstreams and of rollouts).
options:
  _input:
    description: The apps, each a mapping with C(name) (for example P(fastapi_ops.server.public_apps#filter)'s result) or a name.
    type: list
    elements: raw
    required: true
  hostvars:
    description:
      - Ansible's C(hostvars); only C(release_state) (published by the release role's C(state) tasks) and C(fastapi_drain) of
        the app hosts are read.
    type: dict
    required: true
  app_hosts:
    description: The app hosts, in inventory order.
    type: list
    elements: str
    required: true
  answered:
    description: The hosts whose state was read in this run (C(ansible_play_hosts)); default every host of O(app_hosts).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Each app's release on every app host is compared
  ansible.builtin.debug:
    msg: "{{ fastapi_apps | fastapi_ops.server.cluster_status(hostvars, groups['fastapi_app_hosts'], ansible_play_hosts)
             | map(attribute='lines') | flatten }}"
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - One entry per app - C(app), C(hosts) (per app host C(host), C(answered), C(release), C(content), C(slot),
      C(running), C(drained)), C(agree), C(reference) (what most hosts serve), C(disagree) (the hosts serving anything else),
      C(unknown) (the hosts without an answer) and C(lines) (the text C(status.yml) shows).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.fastapi_ops.server.plugins.module_utils.cluster_status import cluster_status as _cluster_status


def _name(app):
    if isinstance(app, dict) and isinstance(app.get("name"), str):
        return app["name"]
    if isinstance(app, str):
        return app
    raise AnsibleFilterError("cluster_status expects apps with a name, got %r" % (app,))


def _host_var(hostvars, host, name):
    try:
        host_vars = hostvars[host]
    except KeyError:
        return None
    return host_vars.get(name) if hasattr(host_vars, "get") else None


def cluster_status(apps, hostvars, app_hosts, answered=None):
    if not isinstance(apps, (list, tuple)) or not isinstance(app_hosts, (list, tuple)):
        raise AnsibleFilterError("cluster_status expects a list of apps and a list of app hosts")
    answered = list(app_hosts) if answered is None else list(answered)
    states = {}
    for host in app_hosts:
        state = _host_var(hostvars, host, "release_state") if host in answered else None
        if isinstance(state, dict):
            states[host] = state
    drained = [host for host in app_hosts if boolean(_host_var(hostvars, host, "fastapi_drain") or False, strict=False)]
    return _cluster_status([_name(app) for app in apps], list(app_hosts), states, drained)


class FilterModule:
    def filters(self):
        return {"cluster_status": cluster_status}

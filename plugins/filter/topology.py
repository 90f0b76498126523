# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: topology
short_description: What a host does in the layout - one server, or an edge and app hosts
version_added: 0.1.0
description:
  - Without the inventory groups C(fastapi_edge) and C(fastapi_app_hosts) every host is its own edge and app host (one
    server). With them, the edges run Caddy with the certificates and are what DNS points at, and the app hosts run the
    apps, each behind its own Caddy listening on its private address (docs/multi-host.md).
  - Fails naming every mistake - a group without hosts, a host in neither group, an unknown private address, a bad
    port.
options:
  _input:
    description: The host's inventory name (C(inventory_hostname)).
    type: str
    required: true
  groups:
    description: Ansible's C(groups).
    type: dict
    required: true
  hostvars:
    description:
      - Ansible's C(hostvars); only C(fastapi_private_address), C(fastapi_drain) and C(ansible_default_ipv4) of the two
        groups' hosts are read.
      - An app host with C(fastapi_drain) set is left out of the edges' upstreams and out of rollouts, before it leaves
        the inventory.
    type: dict
    required: true
  edge_group:
    description: The edges' inventory group.
    type: str
    default: fastapi_edge
  app_group:
    description: The app hosts' inventory group.
    type: str
    default: fastapi_app_hosts
  port:
    description: The port each app host's Caddy serves the apps on, on its private address.
    type: int
    default: 8080
"""

EXAMPLES = r"""
- name: What this host does
  ansible.builtin.set_fact:
    layout: "{{ inventory_hostname | fastapi_ops.server.topology(groups, hostvars) }}"
"""

RETURN = r"""
_value:
  description:
    - C(cluster) (the groups exist), C(edge) and C(app_host) (what this host is), C(edges) and C(app_hosts) (the groups'
      hosts), C(listen) (an app host's C(ADDRESS:PORT)), C(upstreams) (every serving app host's listener),
      C(edge_addresses) (the edges' private addresses) and C(drained) (this app host is being taken out, C(fastapi_drain)).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.fastapi_ops.server.plugins.module_utils.topology import (
    DEFAULT_APP_GROUP,
    DEFAULT_APP_PORT,
    DEFAULT_EDGE_GROUP,
    TopologyError,
    topology,
)


def _private_address(hostvars, host):
    """``fastapi_private_address`` of ``host``, else its default IPv4 address from its facts."""
    try:
        host_vars = hostvars[host]
    except KeyError:
        return ""
    explicit = host_vars.get("fastapi_private_address") if hasattr(host_vars, "get") else None
    if explicit:
        return str(explicit)
    facts = host_vars.get("ansible_default_ipv4") if hasattr(host_vars, "get") else None
    if isinstance(facts, dict) and facts.get("address"):
        return str(facts["address"])
    return ""


def _drained(hostvars, host):
    """Whether ``host`` has ``fastapi_drain`` set (an app host being taken out)."""
    try:
        host_vars = hostvars[host]
    except KeyError:
        return False
    value = host_vars.get("fastapi_drain") if hasattr(host_vars, "get") else False
    return boolean(value, strict=False)


def _topology(hostname, groups, hostvars, edge_group=DEFAULT_EDGE_GROUP, app_group=DEFAULT_APP_GROUP, port=DEFAULT_APP_PORT):
    if not isinstance(groups, dict):
        raise AnsibleFilterError("topology expects Ansible's groups")
    hosts = list(groups.get(edge_group) or []) + list(groups.get(app_group) or [])
    addresses = {host: _private_address(hostvars, host) for host in hosts}
    drained = [host for host in hosts if _drained(hostvars, host)]
    try:
        port = int(port)
    except (TypeError, ValueError):
        pass
    try:
        return topology(hostname, groups, addresses, edge_group=edge_group, app_group=app_group, port=port, drained=drained)
    except TopologyError as error:
        raise AnsibleFilterError("\n".join(error.problems))


class FilterModule:
    def filters(self):
        return {"topology": _topology}

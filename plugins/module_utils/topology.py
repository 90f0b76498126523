# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which host does what: one server, or edges in front of app hosts.

Without the two inventory groups every host is its own edge and app host
(one server, as the collection has always deployed). With them, the hosts of
the edge group run Caddy with the certificates and are what DNS points at,
and the hosts of the app group run the apps: each app host's own Caddy
serves every app over plain HTTP on the host's private address and one port,
dialling the live slot's socket link as on one server, so a deploy changes
nothing on the edges. The edges balance each app over those listeners with
health checks. docs/multi-host.md describes the layout.
"""

from __future__ import annotations

import ipaddress

DEFAULT_EDGE_GROUP = "fastapi_edge"
DEFAULT_APP_GROUP = "fastapi_app_hosts"
DEFAULT_APP_PORT = 8080
# Ports the app hosts' listener may not take: Caddy's public ones.
RESERVED_PORTS = (80, 443)


class TopologyError(ValueError):
    """The inventory's layout is wrong; ``problems`` lists each mistake."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problems))


def _is_port(value):
    return isinstance(value, int) and not isinstance(value, bool) and 1024 <= value <= 65535


def dial_address(address, port):
    """``ADDRESS:PORT``, an IPv6 address in brackets."""
    try:
        if ipaddress.ip_address(address).version == 6:
            return "[%s]:%d" % (address, port)
    except ValueError:
        pass
    return "%s:%d" % (address, port)


def _members(groups, name):
    hosts = groups.get(name) if isinstance(groups, dict) else None
    return list(hosts) if isinstance(hosts, (list, tuple)) else []


def topology(hostname, groups, addresses, edge_group=DEFAULT_EDGE_GROUP, app_group=DEFAULT_APP_GROUP, port=DEFAULT_APP_PORT, drained=()):
    """Return what ``hostname`` does and whom it talks to.

    ``groups`` is Ansible's ``groups`` (group name to host names);
    ``addresses`` maps each host of the two groups to its private address
    (``fastapi_private_address``, else the default IPv4 address from its
    facts; empty when unknown). Returns a mapping:

    * ``cluster``: the inventory has the groups (False: one server);
    * ``edge`` / ``app_host``: what this host is (both on one server);
    * ``edges`` / ``app_hosts``: the groups' hosts, in inventory order;
    * ``listen``: ``ADDRESS:PORT`` an app host's Caddy serves the apps on;
    * ``upstreams``: every app host's listener, which an edge balances over;
    * ``edge_addresses``: the edges' private addresses, the only sources an
      app host's listener accepts and believes as proxies;
    * ``drained``: this app host is being taken out (``fastapi_drain``): the
      edges leave it out of ``upstreams`` and a rollout leaves it as it is.

    ``drained`` lists the app hosts being taken out; at least one app host
    must stay.

    Raises TopologyError naming every mistake (a group without hosts, a
    host whose private address is unknown or not an IP address, a port
    outside 1024-65535 or one Caddy serves publicly).
    """
    edges = _members(groups, edge_group)
    app_hosts = _members(groups, app_group)
    if not edges and not app_hosts:
        return {
            "cluster": False,
            "edge": True,
            "app_host": True,
            "edges": [],
            "app_hosts": [],
            "listen": "",
            "upstreams": [],
            "edge_addresses": [],
            "drained": False,
        }
    problems = []
    if not edges:
        problems.append("inventory group %s: has no hosts, but group %s has; an edge is needed in front of the app hosts" % (edge_group, app_group))
    if not app_hosts:
        problems.append("inventory group %s: has no hosts, but group %s has; the edges need app hosts behind them" % (app_group, edge_group))
    if not _is_port(port) or port in RESERVED_PORTS:
        problems.append("fastapi_app_port: must be a port from 1024 to 65535 (80 and 443 are Caddy's public ports), got %r" % (port,))
    if hostname not in edges and hostname not in app_hosts:
        problems.append(
            "%s: is in neither inventory group %s nor %s; every host of a multi-host layout is an edge, an app host or both"
            % (hostname, edge_group, app_group)
        )
    known = {}
    for host in edges + app_hosts:
        if host in known:
            continue
        address = addresses.get(host) if isinstance(addresses, dict) else None
        if not address:
            problems.append(
                "%s: fastapi_private_address is not set and its facts have no default IPv4 address (gather its facts or set it)" % host
            )
            continue
        try:
            ipaddress.ip_address(str(address))
        except ValueError:
            problems.append("%s: fastapi_private_address must be an IP address, got %r" % (host, address))
            continue
        known[host] = str(address)
    for host in edges:
        if host in drained:
            problems.append("%s: fastapi_drain is set on an edge; only an app host that is no edge can be drained" % host)
    serving = [host for host in app_hosts if host not in drained]
    if app_hosts and not serving:
        problems.append("fastapi_drain: is set on every host of inventory group %s; at least one app host must keep serving" % app_group)
    if problems:
        raise TopologyError(problems)
    return {
        "cluster": True,
        "edge": hostname in edges,
        "app_host": hostname in app_hosts,
        "edges": edges,
        "app_hosts": app_hosts,
        "listen": dial_address(known[hostname], port) if hostname in app_hosts else "",
        "upstreams": [dial_address(known[host], port) for host in serving],
        "edge_addresses": list(dict.fromkeys(known[host] for host in edges)),
        "drained": hostname in drained and hostname in app_hosts,
    }


def switched_back(switches):
    """The release each app a stopped rollout switched on this host goes back to.

    ``switches`` maps an app's name to the plan of its switch in this run
    (``from_release``, ``release``). An app that had no release live before
    (its first deploy) has nothing to go back to and is left out.
    """
    targets = {}
    for name, plan in sorted((switches or {}).items()):
        before = (plan or {}).get("from_release") or ""
        if before and before != (plan or {}).get("release"):
            targets[name] = before
    return targets

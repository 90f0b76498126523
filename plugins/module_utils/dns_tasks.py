# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The work of the ``dns_plan`` and ``dns_wait`` modules and action plugins.

``plan_zone`` and ``wait_zone`` take the checked parameters (``PLAN_SPEC``,
``WAIT_SPEC``) and return the task's result, or raise ``TaskFailed``. The
DNS client is built from the parameters unless one is given, so the tests
pass a fake one.
"""

from __future__ import annotations

import sys

from ansible_collections.fastapi_ops.server.plugins.module_utils.controller_task import TaskFailed
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_query import (
    DNSPYTHON_IMPORT_ERROR,
    HAS_DNSPYTHON,
    DnsClient,
    failure_message,
    find_servers,
    wait_for,
)
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import conflict_message, plan

_QUERY_SPEC = dict(
    records=dict(type="list", elements="dict", required=True),
    nameservers=dict(type="list", elements="str", default=[]),
    port=dict(type="int", default=53),
    query_timeout=dict(type="int", default=3),
)
PLAN_SPEC = dict(
    _QUERY_SPEC,
    owner=dict(type="str", required=True),
    overwrite=dict(type="bool", default=False),
)
WAIT_SPEC = dict(
    _QUERY_SPEC,
    timeout=dict(type="int", default=300),
    interval=dict(type="int", default=5),
)


def _client(params):
    if not HAS_DNSPYTHON:
        raise TaskFailed(
            "Failed to import the required Python library (dnspython) on the controller, in the Python that runs"
            " Ansible (%s). Install it there: pip install dnspython" % sys.executable,
            exception=DNSPYTHON_IMPORT_ERROR,
        )
    return DnsClient(port=params["port"], timeout=params["query_timeout"])


def _servers(zones, params, client):
    try:
        return find_servers(zones, params["nameservers"], client.resolve)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        raise TaskFailed("cannot find the authoritative name servers: %s" % exc) from exc


def read_zone(client, servers, records):
    """Read every record set from the first server that answers all queries."""
    problems = []
    for server in servers:
        current = {}
        failed = None
        for rrset in records:
            answer = client.query(server["address"], rrset["name"], rrset["type"])
            if answer.get("error"):
                failed = "%s (%s): %s %s: %s" % (server["name"], server["address"], rrset["name"], rrset["type"], answer["error"])
                break
            current["%s %s" % (rrset["name"], rrset["type"])] = answer
        if failed is None:
            return server, current, problems
        problems.append(failed)
    return None, None, problems


def diff_of(changes):
    return [{
        "before_header": "%s %s" % (c["name"], c["type"]),
        "after_header": "%s %s" % (c["name"], c["type"]),
        "before": "".join("%s %s\n" % (c["before_ttl"], v) for v in c["before"]),
        "after": "".join("%s %s\n" % (c["ttl"], v) for v in c["values"]),
    } for c in changes]


def plan_zone(params, check_mode, command=None, client=None):
    """``dns_plan``: compare the wanted record sets with what the zone serves.

    Reads only, so check mode changes nothing.
    """
    del check_mode, command
    client = client or _client(params)
    records = params["records"]
    servers = _servers(sorted({r["zone"] for r in records}), params, client)
    if not records:
        return dict(changed=False, server=None, changes=[], conflicts=[], conflict_messages=[], unchanged=0)
    server, current, problems = read_zone(client, servers, records)
    if server is None:
        raise TaskFailed("no authoritative name server answered: %s" % "; ".join(problems))
    result = plan(records, current, params["owner"], params["overwrite"])
    return dict(
        changed=bool(result["changes"]),
        server=server,
        changes=result["changes"],
        conflicts=result["conflicts"],
        conflict_messages=[conflict_message(c) for c in result["conflicts"]],
        unchanged=len(result["unchanged"]),
        diff=diff_of(result["changes"]),
    )


def wait_zone(params, check_mode, command=None, client=None, **wait_options):
    """``dns_wait``: ask every authoritative server until all serve the records.

    Reads only, so check mode waits as well. ``wait_options`` (``clock``,
    ``sleep``) go to ``wait_for``.
    """
    del check_mode, command
    client = client or _client(params)
    records = params["records"]
    for rrset in records:
        if not all(key in rrset for key in ("name", "type", "values")):
            raise TaskFailed("each record needs name, type and values: %r" % (rrset,))
    servers = _servers(sorted({r.get("zone") or r["name"] for r in records}), params, client)
    result = wait_for(records, servers, client.query, params["timeout"], params["interval"], **wait_options)
    if not result["ok"]:
        raise TaskFailed(failure_message(result, params["timeout"]), servers=servers, **result)
    return dict(changed=False, servers=servers, elapsed=result["elapsed"], rounds=result["rounds"])

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_plan
short_description: Compare the apps' DNS records with what the zone serves
version_added: 0.1.0
description:
  - Asks the zone's authoritative name server (directly, without recursion)
    for every wanted record set and its owner marker, and sorts each into
    unchanged, to change, or conflicting.
  - A name is the role's own when its owner marker (a TXT record at
    C(_fastapi-ops.NAME)) carries O(owner). An existing record set with a
    different value at a name that is not owned is a conflict, unless
    O(overwrite) is true.
  - Changes nothing. Reports C(changed) when the zone differs from the wanted
    records, with the old and new values as diff, so C(--check --diff) shows
    what a run would do.
  - Built for the C(fastapi_ops.server.dns) role; runs on the controller.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
requirements:
  - dnspython
attributes:
  check_mode:
    support: full
    description: Reads only; behaves the same in check mode.
  diff_mode:
    support: full
    description: Returns the old and new values of each record set to change.
extends_documentation_fragment:
  - fastapi_ops.server.dns_query
options:
  records:
    description:
      - The wanted record sets, as returned by the P(fastapi_ops.server.dns_records#filter) filter.
      - Each has C(name), C(zone), C(type), C(values), C(ttl), C(apps).
    type: list
    elements: dict
    required: true
  owner:
    description: The owner written into (and expected in) the owner markers.
    type: str
    required: true
  overwrite:
    description: Turn conflicts (a different value the role does not own) into changes.
    type: bool
    default: false
  nameservers:
    description:
      - Addresses or names of the servers to ask, the first that answers is used.
      - Empty means the NS records of each record's zone, looked up through the controller's resolver.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Zone differences are known
  fastapi_ops.server.dns_plan:
    records: "{{ dns_records }}"
    owner: production
    nameservers: [192.0.2.53]
  register: plan
  delegate_to: localhost
"""

RETURN = r"""
server:
  description: The server whose answers were compared.
  returned: always
  type: dict
  sample: {name: ns1.example.com, address: 192.0.2.53}
changes:
  description:
    - Record sets to write, each the wanted record set plus C(before) (the values the zone serves),
      C(before_ttl) and C(reason) (C(create), C(update), C(ttl), C(overwrite) or C(owner)).
  returned: always
  type: list
  elements: dict
conflicts:
  description: Record sets the role may not replace, with C(current), C(wanted), C(reason) and C(apps).
  returned: always
  type: list
  elements: dict
conflict_messages:
  description: One line per conflict naming both values.
  returned: always
  type: list
  elements: str
unchanged:
  description: How many record sets already hold the wanted values.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_query import (
    DNSPYTHON_IMPORT_ERROR,
    HAS_DNSPYTHON,
    DnsClient,
    find_servers,
)
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import conflict_message, plan


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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            records=dict(type="list", elements="dict", required=True),
            owner=dict(type="str", required=True),
            overwrite=dict(type="bool", default=False),
            nameservers=dict(type="list", elements="str", default=[]),
            port=dict(type="int", default=53),
            query_timeout=dict(type="int", default=3),
        ),
        supports_check_mode=True,
    )
    if not HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib("dnspython"), exception=DNSPYTHON_IMPORT_ERROR)
    records = module.params["records"]
    client = DnsClient(port=module.params["port"], timeout=module.params["query_timeout"])
    zones = sorted({r["zone"] for r in records})
    try:
        servers = find_servers(zones, module.params["nameservers"], client.resolve)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        module.fail_json(msg="cannot find the authoritative name servers: %s" % exc)
    if not records:
        module.exit_json(changed=False, server=None, changes=[], conflicts=[], conflict_messages=[], unchanged=0)
    server, current, problems = read_zone(client, servers, records)
    if server is None:
        module.fail_json(msg="no authoritative name server answered: %s" % "; ".join(problems))
    result = plan(records, current, module.params["owner"], module.params["overwrite"])
    module.exit_json(
        changed=bool(result["changes"]),
        server=server,
        changes=result["changes"],
        conflicts=result["conflicts"],
        conflict_messages=[conflict_message(c) for c in result["conflicts"]],
        unchanged=len(result["unchanged"]),
        diff=diff_of(result["changes"]),
    )


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dns_records
short_description: The A, AAAA and owner records of every app on every host
version_added: 0.1.0
description:
  - Builds the record sets the C(fastapi_ops.server.dns) role publishes. Each
    app's names are its C(domain), its C(extra_domains) and the
    C(dns.extra_names) of its own settings; an app with C(dns.skip) gets none.
  - Every name gets an A record set (the hosts' IPv4 addresses) and an AAAA
    record set (their IPv6 addresses), and an owner marker, a TXT record at
    C(_fastapi-ops.NAME). Several hosts publishing one name share one record set.
  - Fails with every problem listed (a name outside its zone, a wrong TTL, an unknown key in C(dns)).
options:
  _input:
    description: One entry per host, C({host, apps, ipv4, ipv6}).
    type: list
    elements: dict
    required: true
  zone:
    description: The zone of the names, unless an app sets C(dns.zone).
    type: str
  ttl:
    description: TTL in seconds, unless an app sets C(dns.ttl).
    type: int
    default: 300
  owner:
    description: The owner written into the owner markers.
    type: str
    default: default
"""

EXAMPLES = r"""
- name: Record sets of the apps are known
  ansible.builtin.set_fact:
    records: >-
      {{ [{'host': inventory_hostname, 'apps': fastapi_apps, 'ipv4': '203.0.113.7', 'ipv6': none}]
         | fastapi_ops.server.dns_records(zone='example.com', ttl=300, owner='production') }}
"""

RETURN = r"""
_value:
  description: The record sets, sorted by name and type, owner markers last.
  type: list
  elements: dict
  contains:
    name: {description: Fully qualified name without the final dot., type: str}
    zone: {description: The zone the name lives in., type: str}
    relative: {description: The name relative to the zone (C(@) for the apex)., type: str}
    type: {description: "C(A), C(AAAA) or C(TXT).", type: str}
    values: {description: "The values, sorted.", type: list, elements: str}
    ttl: {description: TTL in seconds., type: int}
    hosts: {description: The hosts the values come from., type: list, elements: str}
    apps: {description: The apps the name belongs to., type: list, elements: str}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import DnsInputError, build_records


def dns_records(hosts, zone=None, ttl=300, owner="default"):
    try:
        return build_records(list(hosts or []), zone, ttl=ttl, owner=owner)
    except DnsInputError as exc:
        raise AnsibleFilterError("DNS records: %s" % "; ".join(exc.problems)) from exc


class FilterModule:
    def filters(self):
        return {"dns_records": dns_records}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dns_host_addresses
short_description: The IPv4 and IPv6 address a host publishes in DNS
version_added: 0.1.0
description:
  - Chooses, from a host's facts, the addresses the C(fastapi_ops.server.dns)
    role publishes as A and AAAA records - the address of the default route
    first, then any other address of the host - or takes the per-host override.
  - From facts, only global (public) addresses count unless O(private) is
    true; loopback, link-local and multicast addresses never count.
options:
  _input:
    description: The host's C(ansible_facts) (network subset at least).
    type: dict
    required: true
  ipv4:
    description: C(auto) (from facts), C(skip) (no A record), or an IPv4 address.
    type: str
    default: auto
  ipv6:
    description: C(auto) (from facts), C(skip) (no AAAA record), or an IPv6 address.
    type: str
    default: auto
  private:
    description: Also take private addresses (RFC 1918, ULA) from the facts, for labs and internal zones.
    type: bool
    default: false
  host:
    description: The host's name, used in messages.
    type: str
    default: host
"""

EXAMPLES = r"""
- name: Addresses of this host are chosen
  ansible.builtin.set_fact:
    addresses: "{{ ansible_facts | fastapi_ops.server.dns_host_addresses(ipv6='skip', host=inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The chosen addresses and the problems found.
  type: dict
  contains:
    ipv4: {description: The IPv4 address to publish (none when skipped or not found)., type: str}
    ipv6: {description: The IPv6 address to publish (none when skipped or not found)., type: str}
    problems: {description: One message per wrong override or missing address., type: list, elements: str}
"""

from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import select_addresses


def dns_host_addresses(facts, ipv4="auto", ipv6="auto", private=False, host="host"):
    return select_addresses(dict(facts or {}), ipv4=ipv4, ipv6=ipv6, private=private, host=host)


class FilterModule:
    def filters(self):
        return {"dns_host_addresses": dns_host_addresses}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dns_provider_args
short_description: Arguments of a DNS provider's module for record sets
version_added: 0.1.0
description:
  - Maps record sets (from P(fastapi_ops.server.dns_records#filter)) to the
    arguments of the module that writes them at the provider -
    C(community.general.nsupdate) (rfc2136), C(community.general.cloudflare_dns)
    (cloudflare), C(amazon.aws.route53) (route53),
    C(community.digitalocean.digital_ocean_domain_record) (digitalocean),
    C(hetzner.hcloud.zone_rrset) (hetzner).
  - Returns one mapping per module call. Modules that take one value per call
    (Cloudflare, DigitalOcean) get one call per value - the first replaces the
    record set, the next ones add to it.
  - Credentials are not part of the result; the role's task file adds them.
options:
  _input:
    description: The record sets to write.
    type: list
    elements: dict
    required: true
  provider:
    description: The provider.
    type: str
    required: true
    choices: [rfc2136, cloudflare, route53, digitalocean, hetzner, none]
"""

EXAMPLES = r"""
- name: Records exist at Cloudflare
  community.general.cloudflare_dns:
    zone: "{{ item.zone }}"
    record: "{{ item.record }}"
    type: "{{ item.type }}"
    value: "{{ item.value }}"
    ttl: "{{ item.ttl }}"
    solo: "{{ item.solo }}"
    proxied: "{{ item.proxied }}"
    api_token: "{{ cloudflare_token }}"
  loop: "{{ changes | fastapi_ops.server.dns_provider_args('cloudflare') }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: The module arguments, one mapping per call.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import DnsInputError, provider_args


def dns_provider_args(records, provider):
    calls = []
    try:
        for rrset in records or []:
            calls.extend(provider_args(rrset, provider))
    except DnsInputError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    return calls


class FilterModule:
    def filters(self):
        return {"dns_provider_args": dns_provider_args}

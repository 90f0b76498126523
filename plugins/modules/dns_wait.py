#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_wait
short_description: Wait until every authoritative name server serves the wanted records
version_added: 0.1.0
description:
  - Finds the authoritative name servers of each record's zone (its NS
    records, or the explicit O(nameservers)) and asks each of them directly,
    without recursion and without caches, for every record set, again and
    again until all of them answer exactly the wanted values.
  - Fails after O(timeout) seconds, naming for each record which server
    answered what.
  - Changes nothing. Built for the C(fastapi_ops.server.dns) role; runs on the
    controller, in the controller's own process (see the notes).
notes:
  - The action plugin of the same name does the module's work in the
    controller's own process, with the same options and the same result; the
    module is neither built nor started, and the task's host is not
    contacted, whatever C(delegate_to) names.
  - Python libraries it needs are those of the Python that runs Ansible.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
requirements:
  - dnspython
extends_documentation_fragment:
  - fastapi_ops.server.dns_query
  - fastapi_ops.server.read_only
options:
  records:
    description:
      - The record sets to wait for, each with C(name), C(type), C(values)
        and C(zone) (only needed without O(nameservers)).
    type: list
    elements: dict
    required: true
  nameservers:
    description:
      - Addresses or names of the servers to ask.
      - Empty means every address of every NS record of each record's zone.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds after which the wait fails.
    type: int
    default: 300
  interval:
    description: Seconds between two rounds of questions.
    type: int
    default: 5
"""

EXAMPLES = r"""
- name: Every authoritative server serves the app's address
  fastapi_ops.server.dns_wait:
    records:
      - {name: shop.example.com, zone: example.com, type: A, values: [203.0.113.7]}
    timeout: 120
  delegate_to: localhost
"""

RETURN = r"""
servers:
  description: The servers that were asked.
  returned: always
  type: list
  elements: dict
  sample: [{name: ns1.example.com, address: 192.0.2.53}]
elapsed:
  description: Seconds the wait took.
  returned: always
  type: float
rounds:
  description: How many rounds of questions were asked.
  returned: always
  type: int
pending:
  description: On failure, per server and record, what the server answered and what was wanted.
  returned: failure
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.controller_task import run_module
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_tasks import WAIT_SPEC, wait_zone


def main():
    run_module(AnsibleModule(argument_spec=WAIT_SPEC, supports_check_mode=True), wait_zone)


if __name__ == "__main__":
    main()

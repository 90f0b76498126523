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
  - Built for the C(fastapi_ops.server.dns) role; runs on the controller, in
    the controller's own process (see the notes).
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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.controller_task import run_module
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_tasks import PLAN_SPEC, plan_zone


def main():
    run_module(AnsibleModule(argument_spec=PLAN_SPEC, supports_check_mode=True), plan_zone)


if __name__ == "__main__":
    main()

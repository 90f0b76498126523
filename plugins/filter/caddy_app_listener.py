# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: caddy_app_listener
short_description: The address and port an app host's Caddy serves the apps on
version_added: 0.1.0
description:
  - Splits an app host's listener C(ADDRESS:PORT) (C([IPv6]:PORT)) into the address for Caddy's C(bind) and the port
    of its sites (docs/multi-host.md).
  - Fails unless it is an IP address and a port from 1024 to 65535.
options:
  _input:
    description: The listener, as the C(topology) filter's C(listen).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The listener's parts
  ansible.builtin.debug:
    msg: "{{ '10.0.0.11:8080' | fastapi_ops.server.caddy_app_listener }}"
"""

RETURN = r"""
_value:
  description: C(address) (without brackets) and C(port) (an integer).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.caddy_sites import CaddySitesError, app_listener


def _caddy_app_listener(listen):
    try:
        return app_listener(listen)
    except CaddySitesError as error:
        raise AnsibleFilterError("\n".join(error.problems))


class FilterModule:
    def filters(self):
        return {"caddy_app_listener": _caddy_app_listener}

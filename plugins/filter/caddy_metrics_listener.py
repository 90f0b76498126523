# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: caddy_metrics_listener
short_description: The checked address of Caddy's Prometheus metrics listener
version_added: 0.2.0
description:
  - Checks the address (C(caddy_metrics_listen) of the caddy role) on which Caddy serves its Prometheus metrics,
    and splits it into what the Caddyfile needs.
  - Only an IP address with a port is accepted. A wildcard address (V(0.0.0.0), V([::])) is refused, as it would
    publish the metrics on the public interface too; so are host names (they may resolve to anything) and the
    ports 80 and 443 of the apps' sites.
options:
  _input:
    description: C(ADDRESS:PORT), with an IPv6 address in brackets; empty for no metrics listener.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show where Prometheus scrapes Caddy
  ansible.builtin.debug:
    msg: "{{ ('127.0.0.1:9180' | fastapi_ops.server.caddy_metrics_listener).url }}"
"""

RETURN = r"""
_value:
  description: The listener, or V(None) when the input is empty.
  type: dict
  contains:
    bind:
      description: The IP address Caddy binds the listener to.
      type: str
    port:
      description: The TCP port.
      type: int
    url:
      description: "The URL a scraper on a host that reaches the address uses, such as V(http://127.0.0.1:9180/metrics)."
      type: str
    loopback:
      description: Whether the address is a loopback address (only the host itself reaches it).
      type: bool
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.caddy_metrics import MetricsListenError, metrics_listener


def _caddy_metrics_listener(listen):
    try:
        return metrics_listener(listen)
    except MetricsListenError as error:
        raise AnsibleFilterError("caddy_metrics_listen: %s" % error)


class FilterModule:
    def filters(self):
        return {"caddy_metrics_listener": _caddy_metrics_listener}

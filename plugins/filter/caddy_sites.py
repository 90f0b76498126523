# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: caddy_sites
short_description: One Caddy site per app, from the apps list and each app's caddy settings
version_added: 0.1.0
description:
  - Turns C(caddy_apps) (the apps list of docs/apps.md) into the sites the
    caddy role writes into its Caddyfile - one per app, with all its domains.
  - Fills in what an app's own C(caddy) mapping leaves out from the role-wide
    defaults; the default upstream is the app's Gunicorn socket, as computed by
    P(fastapi_ops.server.app_layout#filter).
  - Fails with one message per wrong setting (unknown key, bad size, bad
    upstream address), before anything on a host changes.
options:
  _input:
    description: The apps list.
    type: list
    elements: dict
    required: true
  max_body_size:
    description: Request body limit for apps that do not set C(caddy.max_body_size).
    type: str
    default: 10MB
  hsts_max_age:
    description: HSTS max-age in seconds for apps that do not set C(caddy.hsts_max_age).
    type: int
    default: 31536000
  tls_issuer:
    description: Certificate issuer for apps that do not set C(caddy.tls_issuer).
    type: str
    choices: [acme, internal]
    default: acme
  root:
    description: Directory under which each app has its home (as for P(fastapi_ops.server.app_layout#filter)).
    type: str
    default: /srv/fastapi
  upstreams:
    description:
      - Upstreams decided by the playbook, by app name (a list of dial addresses, or one address), for apps
        without C(caddy.upstreams) of their own; with blue/green deploys the live slot's socket
        (P(fastapi_ops.server.app_slot#filter)).
      - Apps in neither get their Gunicorn socket from P(fastapi_ops.server.app_layout#filter).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Show which upstreams each site proxies to
  ansible.builtin.debug:
    msg: "{{ item.domains | join(', ') }} -> {{ item.upstreams | join(' ') }}"
  loop: "{{ fastapi_apps | fastapi_ops.server.caddy_sites(max_body_size='20MB') }}"
"""

RETURN = r"""
_value:
  description: One site per app, in the order of the apps list.
  type: list
  elements: dict
  contains:
    name: {description: The app's name., type: str}
    domains: {description: "The primary domain followed by the extra ones, in lower case.", type: list, elements: str}
    upstreams: {description: "Caddy dial addresses; by default C(unix//run/fastapi-NAME/gunicorn.sock).", type: list, elements: str}
    max_body_size: {description: The request body limit., type: str}
    hsts_max_age: {description: HSTS max-age in seconds., type: int}
    tls_issuer: {description: C(acme) or C(internal)., type: str}
    snippet: {description: Raw Caddyfile lines added inside the site block (may be empty)., type: str}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT
from ansible_collections.fastapi_ops.server.plugins.module_utils.caddy_sites import CaddySitesError, caddy_sites


def _caddy_sites(apps, max_body_size="10MB", hsts_max_age=31536000, tls_issuer="acme", root=DEFAULT_ROOT, upstreams=None):
    try:
        return caddy_sites(apps, max_body_size=max_body_size, hsts_max_age=hsts_max_age, tls_issuer=tls_issuer,
                           root=root, upstreams=upstreams)
    except CaddySitesError as error:
        raise AnsibleFilterError("caddy settings of the apps are wrong:\n- " + "\n- ".join(error.problems))


class FilterModule:
    def filters(self):
        return {"caddy_sites": _caddy_sites}

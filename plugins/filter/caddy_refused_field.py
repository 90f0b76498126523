# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: caddy_refused_field
short_description: Name the setting behind the Caddyfile line that caddy validate refused
version_added: 0.2.0
description:
  - The caddy role renders the Caddyfile with a comment before each piece a
    user writes (an app's C(caddy.snippet), C(caddy_global_snippet),
    C(caddy_extra_snippet)) and before each app's site. C(caddy validate)
    names the line it refused; the nearest comment above it names the setting.
  - The caddy role puts the result on the first line of its refusal.
options:
  _input:
    description: The rendered Caddyfile (the candidate that C(caddy validate) refused).
    type: str
    required: true
  error:
    description: The output of C(caddy validate) (its standard error).
    type: str
    required: true
  apps:
    description: The caddy role's apps (C(caddy_apps)), for each app's place in C(fastapi_apps).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Show which setting Caddy refused
  ansible.builtin.debug:
    msg: "{{ candidate | fastapi_ops.server.caddy_refused_field(validate.stderr, caddy_apps) }}"
"""

RETURN = r"""
_value:
  description: "C(FIELD: Caddy refused it: MESSAGE), such as C(fastapi_apps[1] (shop).caddy.snippet: Caddy refused it: unrecognized directive: bogus)."
  type: str
"""

from ansible_collections.fastapi_ops.server.plugins.module_utils.caddy_refusal import refused_field


def caddy_refused_field(candidate, error, apps):
    return refused_field(candidate, error, apps)


class FilterModule:
    def filters(self):
        return {"caddy_refused_field": caddy_refused_field}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: account_current
short_description: Whether a system account already is what the group and user modules would make it
version_added: 0.1.0
description:
  - Reads the lines C(getent passwd NAME) and C(getent group GROUP) printed on the host. True when the account
    exists with O(group) as its primary group and exactly O(home), O(shell) and O(comment); the role then skips
    its C(group) and C(user) tasks, which would find nothing to change.
  - With O(name) omitted, tells only whether the group exists (the C(group) module with C(state=present) has
    nothing to do then).
options:
  _input:
    description: The C(getent passwd) line (empty when the account is missing); ignored without O(name).
    type: str
    required: true
  group_line:
    description: The C(getent group) line (empty when the group is missing).
    type: str
    required: true
  group:
    description: The group's name.
    type: str
    required: true
  name:
    description: The account's name.
    type: str
  home:
    description: Its home directory.
    type: str
  shell:
    description: Its shell.
    type: str
  comment:
    description: Its comment (GECOS field).
    type: str
"""

EXAMPLES = r"""
- name: Caddy's account needs no change
  ansible.builtin.debug:
    msg: >-
      {{ 'caddy:x:998:998:Caddy web server:/var/lib/caddy:/usr/sbin/nologin'
         | fastapi_ops.server.account_current('caddy:x:998:', 'caddy', name='caddy', home='/var/lib/caddy',
                                             shell='/usr/sbin/nologin', comment='Caddy web server') }}
"""

RETURN = r"""
_value:
  description: Whether the account (or, without O(name), the group) needs no change.
  type: bool
"""

from ansible_collections.fastapi_ops.server.plugins.module_utils.probe import account_current, group_exists


def _account_current(passwd_line, group_line, group, name=None, home=None, shell=None, comment=None):
    if name is None:
        return group_exists(group_line, group)
    return account_current(passwd_line, group_line, name, group, home, shell, comment)


class FilterModule:
    def filters(self):
        return {"account_current": _account_current}

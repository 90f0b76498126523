# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: env_file
short_description: The text of an environment file that systemd reads
version_added: 0.1.0
description:
  - Renders a mapping of environment variables as C(KEY="value") lines in the
    syntax of systemd's C(EnvironmentFile=), every value double-quoted and
    escaped so that any string reaches the app unchanged (quotes, dollars,
    backslashes, newlines).
  - Used for an app's C(env) and C(secrets); the task that writes the result
    must be C(no_log).
options:
  _input:
    description: Variable names and values.
    type: dict
    required: true
  header:
    description: A comment written at the top of the file.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Environment file holds the app's env and secrets
  ansible.builtin.copy:
    content: "{{ app.env | combine(app.secrets) | fastapi_ops.server.env_file('Managed by Ansible') }}"
    dest: /etc/fastapi-ops/shop.env
    mode: "0600"
  no_log: true
"""

RETURN = r"""
_value:
  description: The file's text, one C(KEY="value") line per variable, sorted by name.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.envfile import render


def env_file(variables, header=""):
    if not isinstance(variables, dict):
        raise AnsibleFilterError("env_file expects a mapping of NAME: value")
    try:
        return render(variables, header)
    except ValueError as error:
        raise AnsibleFilterError("env_file: %s" % error)


class FilterModule:
    def filters(self):
        return {"env_file": env_file}

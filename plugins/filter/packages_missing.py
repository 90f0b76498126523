# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: packages_missing
short_description: The packages that dpkg-query did not find installed
version_added: 0.1.0
description:
  - Reads what C(dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' PACKAGE...) printed on the host and
    returns the packages of O(packages) it did not report installed, in their order. A role installs
    them (or skips its C(package) task when none is missing); C(dpkg-query) needs no python3-apt, so this
    works under C(--check) on a fresh host.
  - Installed is the status C(i) without an error flag, wanted (C(ii)) or held (C(hi)). A package that
    C(dpkg-query) does not know prints nothing, and is missing. Other lines, such as a probe's
    C(KEY VALUE) answers, are ignored.
options:
  _input:
    description: The command's standard output.
    type: str
    required: true
  packages:
    description: The packages the role needs.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: What is left to install
  ansible.builtin.debug:
    msg: "{{ 'python3-venv ii \npython3-dev un \n' | fastapi_ops.server.packages_missing(['python3-venv', 'python3-dev', 'acl']) }}"
"""

RETURN = r"""
_value:
  description: The missing packages (here C(['python3-dev', 'acl'])).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.probe import packages_missing


def _packages_missing(text, packages):
    try:
        return packages_missing(text, packages)
    except TypeError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {"packages_missing": _packages_missing}

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: releases_to_prune
short_description: The release directories to remove so that an app keeps its newest releases
version_added: 0.1.0
description:
  - An app keeps O(keep) releases, the live one included. The release this run builds and the one that was
    live before it are never removed; the others go from the oldest (by their C(release.json)'s time).
  - While a deploy has not switched yet, the live and the new release both stay and O(keep) - 2 others with
    them, so a run right after the switch finds O(keep) releases and has nothing to remove.
options:
  _input:
    description: Each release's C(release.json), as M(fastapi_ops.server.files_state) finds it (C(path), C(mtime)).
    type: list
    elements: dict
    required: true
  release:
    description: The directory of the release this run builds.
    type: str
    required: true
  live:
    description: The directory C(current) led to before the run; empty when there was none.
    type: str
    required: true
  keep:
    description: How many releases to keep, at least 1.
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Only the newest releases and the live one are kept
  ansible.builtin.file:
    path: "{{ item }}"
    state: absent
  loop: "{{ files.found['/srv/fastapi/hello/releases'] | fastapi_ops.server.releases_to_prune(new_release, live_release, 5) }}"
"""

RETURN = r"""
_value:
  description: The release directories to remove, newest first.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import releases_to_prune


def _releases_to_prune(found, release, live, keep):
    try:
        return releases_to_prune(found, release, live or "", int(keep))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise AnsibleFilterError("releases_to_prune: %s" % error) from error


class FilterModule:
    def filters(self):
        return {"releases_to_prune": _releases_to_prune}

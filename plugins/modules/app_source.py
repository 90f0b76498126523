#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_source
short_description: Fetch an app's source on the controller, check its lock, and pack it as a release
version_added: 0.1.0
description:
  - "Runs on the controller (C(delegate_to: localhost)), in the controller's
    own process (see the notes); the target is not touched, so
    the role calls it in its preflight."
  - Brings one app's source to a cache directory - a git repository at a
    pinned ref (a tag or a commit; a branch is refused), a local directory,
    a local C(.tar.gz)/C(.tgz)/C(.tar)/C(.zip) archive, or a wheel or sdist of
    the app itself together with its requirements file.
  - "Finds the app's lock (C(uv.lock) next to C(pyproject.toml), else
    C(requirements.txt), else the C(uv.lock) of a uv workspace above
    C(source.subdir) whose members include it, or the file named by C(lock))
    and reports every
    requirement that is not pinned to one exact version as C(FILE:LINE: TEXT),
    and every pin of a server package outside its supported range
    (O(server_ranges)) or, without a range, other than the server stack's pin."
  - Packs the source into a tarball named by a hash of its content (owner
    root, normalised modes, fixed times), so the same content always gives the
    same C(content_id) and the role creates a new release only when something
    changed.
  - Always excluded from the content, for every kind of source - C(.env*)
    (local settings and secrets), C(.git), C(.hg), C(.svn), C(.venv),
    C(__pycache__), C(*.pyc), C(*.pyo), C(.pytest_cache), C(.mypy_cache),
    C(.ruff_cache), C(.tox), C(.nox), C(.coverage), C(.coverage.*),
    C(htmlcov), C(.DS_Store); and the patterns of the source's C(exclude)
    list. A pattern without C(/) matches a file or directory name at any
    depth, one with C(/) the path from the top of the source.
options:
  name:
    description: The app's name (used in file names and messages).
    type: str
    required: true
  source:
    description: The app's C(source) mapping (see docs/apps.md).
    type: dict
    required: true
  lock:
    description:
      - The lock to use. For git, path and archive sources a path relative to
        C(source.subdir) that stays inside the source (C(../uv.lock) names a
        workspace's lock above the subdir); for a package source a
        requirements file on the controller.
    type: str
  allow_unpinned:
    description: Accept requirements that are not pinned to one version.
    type: bool
    default: false
  server_packages:
    description: The server stack's pins (C(name==version)), installed for each server package the lock lacks.
    type: list
    elements: str
    default: []
  server_ranges:
    description:
      - The range of releases the collection supports for a server package, a PEP 440 specifier per
        package name (such as C(>=0.36,<1) for C(uvicorn)). A lock pinning such a package within its range
        decides its version; outside the range it is a problem. A server package without a range must be
        pinned as in O(server_packages) or not at all.
    type: dict
    default: {}
  base_dir:
    description: Directory that relative C(path), C(package) and package C(lock) paths are relative to.
    type: path
    required: true
  cache_dir:
    description: Controller directory for git mirrors, unpacked archives and the release tarballs.
    type: path
    required: true
author:
  - fastapi_ops.server contributors (@fastapi-ops)
notes:
  - The action plugin of the same name does the module's work in the
    controller's own process, with the same options and the same result; the
    module is neither built nor started, and the task's host is not
    contacted, whatever C(delegate_to) names.
  - Python libraries it needs are those of the Python that runs Ansible.
"""

EXAMPLES = r"""
- name: Source of shop is fetched and checked on the controller
  fastapi_ops.server.app_source:
    name: shop
    source: {git: "https://git.example.com/acme/shop.git", ref: v1.4.2}
    server_packages: [gunicorn==27.0.1]
    base_dir: "{{ playbook_dir }}"
    cache_dir: "~/.cache/fastapi-ops"
  delegate_to: localhost
  register: shop_source
"""

RETURN = r"""
problems:
  description: One message per problem (unpinned line, server conflict, missing lock, unknown ref); empty when the source is usable.
  type: list
  elements: str
  returned: always
content_id:
  description: SHA-256 of the packed content (file names, modes and contents).
  type: str
  returned: when the source could be read
archive:
  description: Controller path of the release tarball (unpacked into the release's C(src/)).
  type: str
  returned: when the source could be read
kind:
  description: C(requirements), C(uv) (pyproject.toml + uv.lock) or C(package).
  type: str
  returned: when the source could be read
lock:
  description: The lock's path inside the release's C(src/).
  type: str
  returned: when a lock was found
hashes:
  description: Whether every requirement carries C(--hash) (hash-checking mode).
  type: bool
  returned: always
exact:
  description: Whether every requirement is pinned, so the lock is installed exactly, without resolving.
  type: bool
  returned: always
constraints:
  description: The lock's pins as plain C(name==version) lines, to keep them while the server stack is added.
  type: list
  elements: str
  returned: always
package:
  description: File name of the wheel or sdist inside C(src/), for a package source.
  type: str
  returned: for a package source
projects:
  description:
    - The local projects the release installs, without their dependencies and not editable, as paths
      inside the release's C(src/) - for a uv.lock the app's own project (unless it is virtual, without a
      build system) and the workspace members and path dependencies it needs; for a package source the
      wheel or sdist. Empty for a requirements file.
  type: list
  elements: str
  returned: always
member:
  description: The name of the app's project when it is a member of a uv workspace whose lock is above it (C(uv export --package)).
  type: str
  returned: for a uv workspace member
commit:
  description: The commit the git ref resolved to.
  type: str
  returned: for a git source
server_packages:
  description:
    - The server stack to install beside the lock - the lock's own version of each server package it pins
      within its range (with the collection's extras), the collection's pin of each it lacks.
  type: list
  elements: str
  returned: when the lock could be read
requires_python:
  description: The C(requires-python) of the app's C(pyproject.toml) (or the C(Requires-Python) of its wheel).
  type: str
  returned: when the project declares one
requires_python_from:
  description: The file C(requires_python) was read from, relative to the source.
  type: str
  returned: when the project declares one
description:
  description: Where the content came from, for the release's C(release.json).
  type: str
  returned: when the source could be read
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.app_source import ARGUMENT_SPEC, run
from ansible_collections.fastapi_ops.server.plugins.module_utils.controller_task import run_module


def main():
    run_module(AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True), run)


if __name__ == "__main__":
    main()

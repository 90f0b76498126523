#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deploy_lock
short_description: Take or release the deploy locks of apps on a host, all at once
version_added: 0.1.0
description:
  - With O(state=present), takes the lock of every app in O(names), or none
    of them. A lock is a directory C(PATH/NAME) (made by C(mkdir), which is
    atomic) holding C(owner.json) with O(owner). When another run holds any of
    the locks, the locks this call took are released again and the module
    fails naming each holder.
  - With O(state=absent), removes the locks in O(names).
  - One call for what would take several tasks. The collection's playbooks
    take every app's lock at the start of a run and release them at its end.
  - Locks are kept in O(path), by default under C(/run), so a reboot clears
    them; a lock left by a run that was killed is removed by hand.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
attributes:
  check_mode:
    support: none
    description: >-
      A lock only means something when it is taken: the playbooks run this
      module with C(check_mode: false), so that a dry run does not overlap a
      deploy either.
  diff_mode:
    support: none
    description: No diff.
options:
  path:
    description: Directory of the locks, made (mode 0700) when missing.
    type: path
    required: true
  names:
    description: Names of the locks (the apps).
    type: list
    elements: str
    required: true
  state:
    description: C(present) takes the locks, C(absent) releases them.
    type: str
    choices: [present, absent]
    default: present
  owner:
    description: Who takes the locks (user, controller, playbook, time), written to each lock's C(owner.json).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Each app's deploy lock is taken by this run
  fastapi_ops.server.deploy_lock:
    path: /run/fastapi-ops/deploy-locks
    names: [hello, shop]
    owner:
      user: alice
      playbook: FastAPI apps behind Caddy
  register: locks

- name: The deploy locks this run took are released
  fastapi_ops.server.deploy_lock:
    path: /run/fastapi-ops/deploy-locks
    names: "{{ locks.taken }}"
    state: absent
"""

RETURN = r"""
taken:
  description: The locks this call took (O(state=present)) or removed (O(state=absent)).
  returned: success
  type: list
  elements: str
  sample: [hello, shop]
holders:
  description: For each lock another run holds, the text of its C(owner.json) (empty when unreadable).
  returned: failure
  type: dict
  sample: {hello: '{"user": "bob", "playbook": "Deploy"}'}
"""

import errno
import json
import os
import shutil

from ansible.module_utils.basic import AnsibleModule


def take(path, names, owner):
    """Take every lock in ``names`` or none; return (taken, holders)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    taken, holders = [], {}
    for name in names:
        lock = os.path.join(path, name)
        try:
            os.mkdir(lock, 0o700)
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise
            holders[name] = read_owner(lock)
            continue
        taken.append(name)
        fd = os.open(os.path.join(lock, "owner.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(owner, sort_keys=True) + "\n")
    if holders:
        release(path, taken)
        return [], holders
    return taken, holders


def read_owner(lock):
    try:
        with open(os.path.join(lock, "owner.json")) as handle:
            return handle.read().strip()
    except OSError:
        return ""


def release(path, names):
    removed = []
    for name in names:
        lock = os.path.join(path, name)
        if os.path.isdir(lock):
            shutil.rmtree(lock)
            removed.append(name)
    return removed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            names=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            owner=dict(type="dict", default={}),
        ),
        supports_check_mode=False,
    )
    params = module.params
    for name in params["names"]:
        if not name or "/" in name or name in (".", ".."):
            module.fail_json(msg="a lock name must be a plain file name, got %r" % name)
    if params["state"] == "absent":
        # Releasing is bookkeeping of this run, not a change of the host.
        module.exit_json(changed=False, taken=release(params["path"], params["names"]))
    taken, holders = take(params["path"], params["names"], params["owner"])
    if holders:
        owners = "; ".join(holders[name] or "(owner unknown)" for name in sorted(holders))
        module.fail_json(msg="Another deploy holds the deploy lock of %s: %s. Nothing was changed. If that deploy is no longer running, "
                             "remove %s/NAME and retry." % (", ".join(sorted(holders)), owners, params["path"]), holders=holders)
    module.exit_json(changed=False, taken=taken)


if __name__ == "__main__":
    main()

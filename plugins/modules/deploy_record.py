#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deploy_record
short_description: Record a deploy on the host in one call - the deploy log's line, and the live and previous release
version_added: 0.1.0
description:
  - Appends O(entry), one line of JSON with sorted keys, to the deploy log O(log) (as C(lineinfile) with
    C(create=true) would - not again when the same line is already there). The log's directory is root's, group
    C(adm), mode 0750; the log root's, group C(adm), mode 0640.
  - With O(current), also points that link at C(releases/RELEASE) (O(release); a new link renamed over the old
    one, so a reader never finds it missing), and with O(previous_file), writes O(previous) and a newline to that
    file (root's, mode 0644, renamed into place) - unless O(previous) is empty or the same release as O(release)
    (the file keeps naming the release before).
  - One call for what took six module calls (and as many round trips to the host) at the end of every switch.
    The release engine records each deploy with it, and the app role a deploy that stopped before its release
    could start.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
attributes:
  check_mode:
    support: full
    description: Tells what it would write, and writes nothing.
  diff_mode:
    support: none
    description: The result names each path it wrote (RV(wrote)).
options:
  log:
    description: The deploy log.
    type: path
    required: true
  entry:
    description: The line, as a mapping; written as JSON with sorted keys.
    type: dict
    required: true
  release:
    description: The release that is live now. Required with O(current) or O(previous_file).
    type: str
  current:
    description: A link to point at C(releases/RELEASE), such as an app's C(current).
    type: path
  previous_file:
    description: A file that names the release live before the switch.
    type: path
  previous:
    description: The release live before the switch (empty for a first deploy).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The switch of hello is recorded
  fastapi_ops.server.deploy_record:
    log: /var/log/fastapi-ops/deploys.jsonl
    entry: {app: hello, release: 0f9e8d7c6b5a, outcome: live}
    release: 0f9e8d7c6b5a
    current: /srv/fastapi/hello/current
    previous_file: /srv/fastapi/hello/slots/previous
    previous: 3faa7beeaeda
"""

RETURN = r"""
wrote:
  description: The paths written (or, in check mode, that would be), in the order written.
  returned: always
  type: list
  elements: str
  sample: [/srv/fastapi/hello/current, /srv/fastapi/hello/slots/previous, /var/log/fastapi-ops/deploys.jsonl]
line:
  description: The deploy log's line.
  returned: always
  type: str
"""

import grp
import json
import os
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule

LOG_GROUP = "adm"


def log_line(entry):
    """The deploy log's line for ``entry``: what ``to_json(sort_keys=true)`` writes."""
    return json.dumps(entry, sort_keys=True)


def _group_id(name):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return 0


def _owned(path, uid, gid, mode):
    """Whether ``path`` (not followed) has this owner, group and mode; False when missing."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    return info.st_uid == uid and info.st_gid == gid and stat.S_IMODE(info.st_mode) == mode


def _set(path, uid, gid, mode):
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def point_link(path, src, check):
    """Point the link ``path`` at ``src``; True when it changed."""
    try:
        if os.readlink(path) == src:
            return False
    except OSError:
        pass
    if not check:
        temp = "%s.deploy-record.%d" % (path, os.getpid())
        if os.path.lexists(temp):
            os.unlink(temp)
        os.symlink(src, temp)
        os.replace(temp, path)
    return True


def write_file(path, text, uid, gid, mode, check):
    """Write ``text`` to ``path`` (renamed into place) with this owner and mode; True when anything changed."""
    try:
        with open(path) as handle:
            same = handle.read() == text
    except OSError:
        same = False
    if same and _owned(path, uid, gid, mode):
        return False
    if not check:
        if same:
            _set(path, uid, gid, mode)
        else:
            handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".deploy-record.")
            try:
                with os.fdopen(handle, "w") as out:
                    out.write(text)
                _set(temp, uid, gid, mode)
                os.replace(temp, path)
            except BaseException:
                if os.path.exists(temp):
                    os.unlink(temp)
                raise
    return True


def append_line(path, line, uid, gid, check):
    """Append ``line`` to the log ``path`` unless it is there; its directory and the file get their owner and
    mode. True when anything changed."""
    directory = os.path.dirname(path)
    changed = False
    if not os.path.isdir(directory):
        changed = True
        if not check:
            os.makedirs(directory, 0o750, exist_ok=True)
    if os.path.isdir(directory) and not _owned(directory, uid, gid, 0o750):
        changed = True
        if not check:
            _set(directory, uid, gid, 0o750)
    present = False
    try:
        with open(path) as handle:
            present = any(existing.rstrip("\n") == line for existing in handle)
    except OSError:
        pass
    if not present:
        changed = True
        if not check:
            with open(path, "a") as out:
                out.write(line + "\n")
    if os.path.exists(path) and not _owned(path, uid, gid, 0o640):
        changed = True
        if not check:
            _set(path, uid, gid, 0o640)
    return changed


def record(params, check, uid=0, gid=0, log_gid=None):
    """Write what ``params`` asks, as ``uid`` (root); returns the paths written (or that would be)."""
    wrote = []
    if params["current"] and point_link(params["current"], "releases/" + params["release"], check):
        wrote.append(params["current"])
    previous = params["previous"] or ""
    if params["previous_file"] and previous and previous != params["release"]:
        if write_file(params["previous_file"], previous + "\n", uid, gid, 0o644, check):
            wrote.append(params["previous_file"])
    log_gid = _group_id(LOG_GROUP) if log_gid is None else log_gid
    if append_line(params["log"], log_line(params["entry"]), uid, log_gid, check):
        wrote.append(params["log"])
    return wrote


def main():
    module = AnsibleModule(
        argument_spec=dict(
            log=dict(type="path", required=True),
            entry=dict(type="dict", required=True),
            release=dict(type="str"),
            current=dict(type="path"),
            previous_file=dict(type="path"),
            previous=dict(type="str", default=""),
        ),
        required_by={"current": ["release"], "previous_file": ["release"]},
        supports_check_mode=True,
    )
    try:
        wrote = record(module.params, module.check_mode)
    except OSError as error:
        module.fail_json(msg="cannot record the deploy: %s" % error)
    module.exit_json(changed=bool(wrote), wrote=wrote, line=log_line(module.params["entry"]))


if __name__ == "__main__":
    main()

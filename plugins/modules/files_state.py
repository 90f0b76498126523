#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: files_state
short_description: Tell, in one call, which of a role's files and directories differ from what the role would make them
version_added: 0.1.0
description:
  - Compares each path in O(expect) with its expected type, owner, group,
    mode and (for files) SHA-1 checksum of the content, and returns the paths
    that differ in RV(differ).
  - The collection's roles call it once before their C(file), C(copy) and
    C(template) tasks and run only those whose path differs. Each of those
    modules would otherwise make one or two calls of its own to the host to
    find that nothing changed, so a re-run with nothing to do makes one call
    instead of a dozen.
  - The checksum of a template's rendering is computed on the controller
    (C(lookup('ansible.builtin.template', ...) | hash('sha1'))); when the
    rendering differs from the file, the path is in RV(differ) and the
    C(template) task writes it as usual.
  - Changes nothing.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
extends_documentation_fragment:
  - fastapi_ops.server.read_only
options:
  expect:
    description: The paths and what each should be.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      state:
        description: V(directory), V(file) or V(link).
        type: str
        choices: [directory, file, link]
        default: file
      owner:
        description: Owner's user name; empty for any.
        type: str
        default: ""
      group:
        description: Group name; empty for any.
        type: str
        default: ""
      mode:
        description: Octal mode such as V(0640); empty for any. Not compared for links.
        type: str
        default: ""
      checksum:
        description: SHA-1 of a file's content (hex); empty for any content.
        type: str
        default: ""
      src:
        description: Target of a link, as C(readlink) shows it.
        type: str
        default: ""
  links:
    description:
      - Links whose targets to read as well (RV(links)), such as the C(current) link of an app's releases.
    type: list
    elements: path
    default: []
  find:
    description:
      - Files to find as well (RV(found)), as a C(find) of O(find[].name) in O(find[].path) with depth 2 would -
        in the directory itself and in each of its subdirectories.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      name:
        description: The file name to look for.
        type: str
        required: true
"""

EXAMPLES = r"""
- name: The Caddy files that differ are known
  fastapi_ops.server.files_state:
    expect:
      - {path: /etc/caddy, state: directory, owner: root, group: caddy, mode: "0750"}
      - path: /etc/caddy/Caddyfile
        owner: root
        group: caddy
        mode: "0640"
        checksum: "{{ lookup('ansible.builtin.template', 'Caddyfile.j2') | hash('sha1') }}"
  register: caddy_files

- name: The Caddyfile is written
  ansible.builtin.template:
    src: Caddyfile.j2
    dest: /etc/caddy/Caddyfile
    owner: root
    group: caddy
    mode: "0640"
  when: "'/etc/caddy/Caddyfile' in caddy_files.differ"
"""

RETURN = r"""
differ:
  description: The paths of O(expect) that are missing or differ in type, owner, group, mode, content or link target, in the order given.
  returned: always
  type: list
  elements: str
  sample: [/etc/caddy/Caddyfile]
why:
  description: For each differing path, what differs.
  returned: always
  type: dict
  sample: {/etc/caddy/Caddyfile: [checksum]}
links:
  description: For each path of O(links), the link's target as C(readlink) shows it; empty when it is not a link.
  returned: always
  type: dict
  sample: {/srv/fastapi/shop/current: releases/0f9e8d7c6b5a}
found:
  description:
    - For each directory of O(find), the files found, each with its C(path) and C(mtime) (as C(find) returns
      them); empty when the directory is missing.
  returned: always
  type: dict
  sample: {/srv/fastapi/shop/releases: [{path: /srv/fastapi/shop/releases/0f9e8d7c6b5a/release.json, mtime: 1764950400.5}]}
"""

import grp
import hashlib
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule

KINDS = {"directory": stat.S_ISDIR, "file": stat.S_ISREG, "link": stat.S_ISLNK}


def name_of(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def sha1_of(path):
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def differences(expect):
    """What differs between ``expect`` (one suboption dict) and the path; [] when nothing."""
    path = expect["path"]
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ["missing"]
    kind = expect["state"] or "file"
    if not KINDS[kind](info.st_mode):
        return ["type"]
    why = []
    if expect["owner"] and name_of(pwd.getpwuid, info.st_uid) != expect["owner"]:
        why.append("owner")
    if expect["group"] and name_of(grp.getgrgid, info.st_gid) != expect["group"]:
        why.append("group")
    if kind != "link" and expect["mode"] and stat.S_IMODE(info.st_mode) != int(expect["mode"], 8):
        why.append("mode")
    if kind == "file" and expect["checksum"] and sha1_of(path) != expect["checksum"].lower():
        why.append("checksum")
    if kind == "link" and expect["src"] and os.readlink(path) != expect["src"]:
        why.append("src")
    return why


def link_target(path):
    """The target of the link at ``path``; '' when it is missing or not a link."""
    try:
        return os.readlink(path)
    except OSError:
        return ""


def find_files(directory, name):
    """Regular files called ``name`` in ``directory`` and its subdirectories, each as {path, mtime}."""
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return []
    candidates = [os.path.join(directory, name)]
    candidates += [os.path.join(directory, entry, name) for entry in entries
                   if entry != name and os.path.isdir(os.path.join(directory, entry))]
    found = []
    for path in candidates:
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append({"path": path, "mtime": info.st_mtime})
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            expect=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", choices=list(KINDS), default="file"),
                owner=dict(type="str", default=""),
                group=dict(type="str", default=""),
                mode=dict(type="str", default=""),
                checksum=dict(type="str", default=""),
                src=dict(type="str", default=""),
            )),
            links=dict(type="list", elements="path", default=[]),
            find=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="path", required=True),
                name=dict(type="str", required=True),
            )),
        ),
        supports_check_mode=True,
    )
    for item in module.params["expect"]:
        if item["mode"]:
            try:
                int(item["mode"], 8)
            except ValueError:
                module.fail_json(msg="mode of %s must be octal such as 0640, got %r" % (item["path"], item["mode"]))
    why = {}
    for item in module.params["expect"]:
        try:
            found = differences(item)
        except OSError as error:
            found = ["unreadable: %s" % error]
        if found:
            why[item["path"]] = found
    module.exit_json(changed=False, differ=[item["path"] for item in module.params["expect"] if item["path"] in why], why=why,
                     links={path: link_target(path) for path in module.params["links"]},
                     found={item["path"]: find_files(item["path"], item["name"]) for item in module.params["find"]})


if __name__ == "__main__":
    main()

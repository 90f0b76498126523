#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_accounts
short_description: Whether each app's account may be created, managed or reused - never taken over
version_added: 0.1.0
description:
  - Reads the account each app runs as (C(user), default C(fastapi-NAME))
    from the host's account database and decides, before anything is written,
    what the app role may do with it.
  - An account the collection created (its comment is
    C(fastapi_ops.server app NAME), or, from earlier versions, the default
    C(fastapi-NAME) with the app's state directory as home) is managed. A
    missing account is created. An account that exists and was not created by
    the collection is refused, unless the app sets C(user_existing) - then it
    is reused as it is and never modified. C(user_existing) for a missing
    account, and an account with uid 0, are refused.
  - Fails naming the field (C(fastapi_apps[N] (NAME).user)) and the reason.
  - For a managed account, also tells whether it is already exactly what the
    app role makes it (C(current) in RV(accounts)) - its group exists and is
    the user's primary group, the comment is the collection's, the home is the
    app's state directory, the shell C(/usr/sbin/nologin) and the password
    locked with no hash. The role then skips its C(group) and C(user) tasks,
    which would find nothing to change.
extends_documentation_fragment:
  - fastapi_ops.server.read_only
author:
  - fastapi_ops.server contributors (@fastapi-ops)
options:
  apps:
    description:
      - The apps, as the P(fastapi_ops.server.resolved_apps#filter) filter returns
        them; each needs C(name), C(where), C(user), C(group), C(state_dir) and C(user_existing).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: No app takes over an account the collection did not create
  fastapi_ops.server.app_accounts:
    apps: "{{ fastapi_apps | fastapi_ops.server.public_apps | fastapi_ops.server.resolved_apps }}"
  register: accounts
"""

RETURN = r"""
accounts:
  description: Per app name, what the app role does with its account.
  returned: success
  type: dict
  sample:
    shop: {user: fastapi-shop, action: manage, group: fastapi-shop, current: true}
    blog: {user: www-blog, action: reuse, group: www-data, current: false}
"""

import grp
import pwd

from ansible.module_utils.basic import AnsibleModule

MARKER = "fastapi_ops.server app %s"
SHELL = "/usr/sbin/nologin"
SHADOW = "/etc/shadow"


def account_plan(app, entry):
    """What to do with the app's account: (action, problem). ``entry`` is the
    account's pwd entry or None."""
    where = "%s.user" % app["where"]
    user = app["user"]
    if entry is None:
        if app["user_existing"]:
            return None, "%s: user_existing is set, but the account %s does not exist on this host" % (where, user)
        return "create", None
    if entry.pw_uid == 0:
        return None, "%s: %s has uid 0; an app never runs as root" % (where, user)
    ours = entry.pw_gecos == MARKER % app["name"] or (
        user == "fastapi-%s" % app["name"] and entry.pw_dir == app["state_dir"] and entry.pw_gecos == "")
    if ours:
        return "manage", None
    if app["user_existing"]:
        return "reuse", None
    return None, ("%s: the account %s exists and was not created by fastapi_ops.server; it is left untouched. "
                  "Set user_existing: true to run the app as it (it is then never modified), or name another user."
                  % (where, user))


def account_current(app, entry, group_entry, password):
    """Whether a managed account already is what the app role's group and
    user tasks make it (so they would change nothing). ``group_entry`` is the
    grp entry of the app's group or None; ``password`` the account's field of
    /etc/shadow, or None when it cannot be read."""
    if entry is None or group_entry is None or password is None:
        return False
    return (entry.pw_gid == group_entry.gr_gid
            and entry.pw_gecos == MARKER % app["name"]
            and entry.pw_dir == app["state_dir"]
            and entry.pw_shell == SHELL
            # Locked with no hash: what `password: "!"` with `password_lock` leaves.
            and password != "" and password.strip("!") == "")


def shadow_password(user, path=SHADOW):
    """The password field of ``user`` in the shadow file, or None."""
    try:
        with open(path) as handle:
            for line in handle:
                fields = line.rstrip("\n").split(":")
                if fields[0] == user and len(fields) > 1:
                    return fields[1]
    except OSError:
        return None
    return None


def main():
    module = AnsibleModule(
        argument_spec=dict(apps=dict(type="list", elements="dict", required=True)),
        supports_check_mode=True,
    )
    accounts, problems = {}, []
    for app in module.params["apps"]:
        try:
            entry = pwd.getpwnam(app["user"])
        except KeyError:
            entry = None
        group = app["user"]
        if entry is not None:
            try:
                group = grp.getgrgid(entry.pw_gid).gr_name
            except KeyError:
                group = str(entry.pw_gid)
        action, problem = account_plan(app, entry)
        if problem:
            problems.append(problem)
        current = False
        if action == "manage":
            try:
                group_entry = grp.getgrnam(app.get("group") or app["user"])
            except KeyError:
                group_entry = None
            current = account_current(app, entry, group_entry, shadow_password(app["user"]))
        accounts[app["name"]] = {"user": app["user"], "action": action, "group": group,
                                 "comment": MARKER % app["name"], "current": current}
    if problems:
        module.fail_json(msg="\n".join(problems) + "\nNothing was changed.", accounts=accounts)
    module.exit_json(changed=False, accounts=accounts)


if __name__ == "__main__":
    main()

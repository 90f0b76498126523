#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_pre_start
short_description: Run an app's pre-start commands in a new release, as the app's user, with its environment
version_added: 0.1.0
description:
  - Runs each command with C(/bin/sh -c) in C(chdir), as C(user) (the module
    itself runs as root and drops to the user's uid, gid and groups), with the
    variables of the app's environment file - read on the host, so secrets
    never pass through Ansible's arguments - on top of C(env).
  - Stops at the first command that fails; the failure names the command, its
    exit status and its output (stdout and stderr together).
  - Values of the variables named in C(secret_names) are replaced by
    C(********) wherever they appear in the commands and outputs returned.
  - In check mode nothing runs.
options:
  commands:
    description: The commands, run in order.
    type: list
    elements: str
    required: true
  chdir:
    description: Working directory (the new release's source directory).
    type: path
    required: true
  user:
    description: The system user that runs the commands.
    type: str
    required: true
  env_file:
    description: An environment file in systemd's C(EnvironmentFile=) syntax, read as root.
    type: path
  env:
    description: Variables set before those of C(env_file) (for example C(PATH) with the release's virtualenv first).
    type: dict
    default: {}
  secret_names:
    description: Variables whose values are masked in what the module returns.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds each command may run before it is stopped and counted as failed.
    type: int
    default: 900
author:
  - fastapi_ops.server contributors (@fastapi-ops)
"""

EXAMPLES = r"""
- name: Database is migrated by the new release
  fastapi_ops.server.app_pre_start:
    commands: [alembic upgrade head]
    chdir: /srv/fastapi/shop/releases/0123456789ab/src
    user: fastapi-shop
    env_file: /etc/fastapi-ops/shop.env
    env:
      PATH: /srv/fastapi/shop/releases/0123456789ab/venv/bin:/usr/local/bin:/usr/bin:/bin
    secret_names: [DATABASE_URL]
"""

RETURN = r"""
results:
  description: One entry per command that ran, with C(command), C(rc) and C(output) (secrets masked).
  type: list
  elements: dict
  returned: always
"""

import errno
import grp
import os
import pwd
import threading
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.envfile import parse

MASK = "********"
MAX_OUTPUT = 8000


def masker(environment, secret_names):
    secrets = sorted((str(environment[n]) for n in secret_names if environment.get(n) and len(str(environment[n])) >= 3),
                     key=len, reverse=True)

    def mask(text):
        for value in secrets:
            text = text.replace(value, MASK)
        return text
    return mask


def identity(user):
    """The uid, gid and supplementary groups the commands run with."""
    entry = pwd.getpwnam(user)
    groups = sorted({g.gr_gid for g in grp.getgrall() if user in g.gr_mem} | {entry.pw_gid})
    return dict(uid=entry.pw_uid, gid=entry.pw_gid, groups=groups)


def run(module, command, chdir, environment, account, timeout):
    """Run ``command`` as ``account`` under coreutils' timeout, which makes it
    a process group of its own and, when ``timeout`` passes, stops the whole
    group (the command and everything it started): SIGTERM, then SIGKILL 5
    seconds later. util-linux's setpriv drops to the app's user and groups;
    env -u removes the module's own variables by name, so the command sees
    exactly ``environment`` (its values reach it through the environment,
    never on a command line other users could read). Returns (rc, output)."""
    if not os.path.isdir(chdir):
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), chdir)
    argv = [module.get_bin_path("setpriv", required=True), "--reuid=%d" % account["uid"],
            "--regid=%d" % account["gid"], "--groups=" + ",".join(str(gid) for gid in account["groups"]),
            "--", module.get_bin_path("env", required=True)]
    inherited = set(os.environ) | set(module.run_command_environ_update or {})
    for name in sorted(inherited - set(environment)):
        argv += ["-u", name]
    argv += [module.get_bin_path("timeout", required=True), "--kill-after=5", "--signal=TERM", str(timeout),
             "/bin/sh", "-c", "exec </dev/null 2>&1; " + command]
    # Should the timeout process itself hang, it is killed 30 seconds later.
    guard = {}

    def arm(process):
        def fire():
            guard["fired"] = True
            process.kill()
        guard["timer"] = threading.Timer(timeout + 30, fire)
        guard["timer"].daemon = True
        guard["timer"].start()

    started = time.monotonic()
    try:
        rc, output, _stderr = module.run_command(
            argv, cwd=chdir, environ_update=environment, umask=0o027, expand_user_and_vars=False,
            before_communicate_callback=arm, handle_exceptions=False, errors="replace")
    finally:
        if "timer" in guard:
            guard["timer"].cancel()
    if "fired" in guard:
        return -1, output + "\n(stopped after %d s)" % timeout
    # 124: stopped by SIGTERM; killed (-9, or 137) after ignoring it.
    if rc in (124, 137, -9) and time.monotonic() - started >= timeout:
        return -1, output + "\n(stopped after %d s, with every process it started)" % timeout
    return rc, output


def main():
    module = AnsibleModule(
        argument_spec=dict(
            commands=dict(type="list", elements="str", required=True),
            chdir=dict(type="path", required=True),
            user=dict(type="str", required=True),
            env_file=dict(type="path"),
            env=dict(type="dict", default={}),
            secret_names=dict(type="list", elements="str", default=[], no_log=False),
            timeout=dict(type="int", default=900),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if module.check_mode:
        module.exit_json(changed=bool(p["commands"]), results=[], msg="check mode: pre-start commands not run")
    try:
        account = identity(p["user"])
    except KeyError:
        module.fail_json(msg="pre-start: user %s does not exist" % p["user"], results=[])
    environment = {"LANG": "C.UTF-8"}
    environment.update({str(k): str(v) for k, v in p["env"].items()})
    if p["env_file"]:
        try:
            with open(p["env_file"], encoding="utf-8") as handle:
                environment.update(parse(handle.read()))
        except (OSError, ValueError) as error:
            module.fail_json(msg="pre-start: cannot read %s: %s" % (p["env_file"], error), results=[])
    mask = masker(environment, p["secret_names"])
    results = []
    for command in p["commands"]:
        try:
            rc, output = run(module, command, p["chdir"], environment, account, p["timeout"])
        except OSError as error:
            rc, output = -1, str(error)
        output = mask(output)
        if len(output) > MAX_OUTPUT:
            output = "...\n" + output[-MAX_OUTPUT:]
        entry = dict(command=mask(command), rc=rc, output=output)
        results.append(entry)
        if rc != 0:
            module.fail_json(
                msg="pre-start command `%s` failed with exit status %d in %s as %s; its output:\n%s"
                    % (entry["command"], rc, p["chdir"], p["user"], output.rstrip() or "(no output)"),
                results=results, command=entry["command"], rc=rc, output=output,
            )
    module.exit_json(changed=bool(results), results=results)


if __name__ == "__main__":
    main()

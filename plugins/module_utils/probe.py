# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one command on the host found, read on the controller.

A role asks the host several small questions in one command (an account, a
service's state, a link's target) instead of one module call each, and skips
the tasks whose work is already done. Each line of the command's output is
``KEY VALUE``; this turns it into a mapping, tells whether an account
already is what the ``group`` and ``user`` modules would make it, and which
packages ``dpkg-query`` did not find installed.
"""

from __future__ import annotations


def probe_values(text):
    """``KEY VALUE`` lines to a mapping (a key without a value maps to '').
    The first line of a key wins; blank lines are ignored."""
    if not isinstance(text, str):
        raise TypeError("probe output must be text, not %s" % type(text).__name__)
    values = {}
    for line in text.splitlines():
        key, _sep, value = line.strip().partition(" ")
        if key and key not in values:
            values[key] = value.strip()
    return values


def packages_missing(text, packages):
    """The ``packages`` that ``dpkg-query -W -f '${Package} ${db:Status-Abbrev}\\n'``
    did not report installed, in their order. Installed is the status ``i``
    with no error flag, whether the package is wanted (``ii``) or held
    (``hi``); ``dpkg-query`` prints nothing for a package it does not know.
    Other lines (a probe's ``KEY VALUE`` answers) are ignored."""
    if not isinstance(text, str):
        raise TypeError("dpkg-query output must be text, not %s" % type(text).__name__)
    status = probe_values(text)
    return [package for package in packages if not (len(status.get(package, "")) == 2 and status[package][1] == "i")]


def _fields(line, count):
    parts = line.split(":") if line else []
    return parts if len(parts) == count else None


def group_exists(group_line, name):
    """Whether ``getent group NAME`` printed the group ``name``."""
    fields = _fields(group_line, 4)
    return fields is not None and fields[0] == name


def account_current(passwd_line, group_line, name, group, home, shell, comment):
    """Whether the account ``name`` exists with ``group`` as its primary group
    and exactly this home, shell and comment: then the ``user`` module with
    these options (and ``create_home: false``) has nothing to change."""
    user = _fields(passwd_line, 7)
    grp = _fields(group_line, 4)
    if user is None or grp is None or user[0] != name or grp[0] != group:
        return False
    return user[3] == grp[2] and user[4] == comment and user[5] == home and user[6] == shell

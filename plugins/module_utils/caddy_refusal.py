# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which setting a line of the Caddyfile that ``caddy validate`` refused comes from.

The caddy role renders the Caddyfile with a comment before each piece a user
writes (``# caddy.snippet of NAME``, ``# caddy_global_snippet``,
``# caddy_extra_snippet``) and before each app's site (``# App NAME``).
Caddy names the file and line it refused (``FILE:LINE: message``); the
nearest comment above that line names the setting.
"""

from __future__ import annotations

import re

MARKER_RE = re.compile(
    r"^\s*# (?:caddy\.snippet of (?P<snippet>\S+)|(?P<role>caddy_global_snippet|caddy_extra_snippet)|App (?P<site>\S+))\s*$"
)
ERROR_RE = re.compile(r":(?P<line>\d+): (?P<message>.+)$")


def refused_line(error):
    """(line, Caddy's message) from the output of ``caddy validate``, or (None, last line)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("Error:"):
            match = ERROR_RE.search(line)
            if match:
                return int(match.group("line")), match.group("message")
            return None, line[len("Error:"):].strip()
    return None, lines[-1] if lines else ""


def refused_field(candidate, error, apps):
    """Name the setting behind the Caddyfile line Caddy refused.

    ``candidate`` is the rendered Caddyfile, ``error`` the output of
    ``caddy validate``, ``apps`` the caddy role's apps (for each app's place
    in ``fastapi_apps``). Returns ``FIELD: Caddy's message``: the field is an
    app's ``caddy.snippet``, a role variable, an app's site (its settings),
    or ``the Caddyfile`` when no comment precedes the line.
    """
    number, message = refused_line(error)
    field = "the Caddyfile"
    if number is not None:
        places = {app.get("name"): index for index, app in enumerate(apps or []) if isinstance(app, dict)}
        for line in reversed(str(candidate).splitlines()[:number]):
            match = MARKER_RE.match(line)
            if not match:
                continue
            name = match.group("snippet") or match.group("site")
            if match.group("role"):
                field = match.group("role")
            elif name in places:
                field = "fastapi_apps[%d] (%s)%s" % (places[name], name, ".caddy.snippet" if match.group("snippet") else "")
            break
    return "%s: Caddy refused it: %s" % (field, message)

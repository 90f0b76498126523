# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Caddy site per app: the checked, completed ``caddy:`` settings of each app.

The caddy role renders its Caddyfile from this list, so every decision about
an app's site (its names, where requests go, its limits and headers) is made
here, where it is unit-tested, and the template stays a plain loop.
"""

from __future__ import annotations

import re

from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT, app_layout
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import HEALTH_DEFAULTS
from ansible_collections.fastapi_ops.server.plugins.module_utils.static import static_problems, static_routes

SITE_KEYS = ("max_body_size", "upstreams", "hsts_max_age", "snippet", "tls_issuer")
TLS_ISSUERS = ("acme", "internal")
# Caddy reads sizes with go-humanize: 10MB, 1.5GiB, 512KB, or plain bytes.
SIZE_RE = re.compile(r"^[0-9]+(\.[0-9]+)?(B|[KMGT]i?B)?$", re.IGNORECASE)
# A dial address: unix//absolute/path, host:port, [v6]:port, http(s)://host:port.
UPSTREAM_RE = re.compile(
    r"^(unix//[^\s{}\"'#]+"
    r"|(https?://)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?)$"
)


class CaddySitesError(ValueError):
    """The apps' caddy settings are wrong; ``problems`` lists each mistake."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problems))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_size(where, value, problems):
    if _is_int(value) and value > 0:
        return str(value)
    if isinstance(value, str) and SIZE_RE.match(value.strip()):
        return value.strip()
    problems.append("%s.max_body_size: %r is not a size such as 10MB, 512KB or 1GiB" % (where, value))
    return None


def caddy_sites(apps, max_body_size="10MB", hsts_max_age=31536000, tls_issuer="acme", root=DEFAULT_ROOT, upstreams=None):
    """Return one site per app: name, domains, upstreams and its settings.

    ``max_body_size``, ``hsts_max_age`` and ``tls_issuer`` are the role-wide
    defaults an app's own ``caddy:`` mapping may override. ``root`` is the
    apps' root (as for app_layout); ``upstreams`` maps an app's name to the
    upstreams the playbook decided (the live blue/green slot's socket), used
    when the app sets no ``caddy.upstreams`` of its own. Raises
    CaddySitesError naming every wrong setting.
    """
    problems = []
    if not isinstance(apps, list):
        raise CaddySitesError(["caddy_apps: must be a list of apps (see docs/apps.md)"])
    if upstreams is None:
        upstreams = {}
    if not isinstance(upstreams, dict):
        raise CaddySitesError(["caddy_app_upstreams: must be a mapping of app name to a list of upstreams"])
    decided = upstreams
    sites = []
    for index, app in enumerate(apps):
        if not isinstance(app, dict) or not app.get("name") or not app.get("domain"):
            problems.append("caddy_apps[%d]: must be an app with at least name and domain" % index)
            continue
        where = "caddy_apps[%d] (%s).caddy" % (index, app["name"])
        settings = app.get("caddy")
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            problems.append("%s: must be a mapping of caddy settings" % where)
            continue
        for key in sorted(set(settings) - set(SITE_KEYS), key=str):
            problems.append("%s.%s: unknown key (known: %s)" % (where, key, ", ".join(SITE_KEYS)))
        layout = app_layout(app, root)

        size = _check_size(where, settings.get("max_body_size", max_body_size), problems)

        hsts = settings.get("hsts_max_age", hsts_max_age)
        if not _is_int(hsts) or hsts < 0:
            problems.append("%s.hsts_max_age: %r must be a whole number of seconds (0 or more)" % (where, hsts))

        issuer = settings.get("tls_issuer", tls_issuer)
        if issuer not in TLS_ISSUERS:
            problems.append("%s.tls_issuer: %r must be one of %s" % (where, issuer, ", ".join(TLS_ISSUERS)))

        upstreams = settings.get("upstreams")
        if upstreams is None:
            upstreams = decided.get(app["name"]) or ["unix/" + layout["socket"]]
            if isinstance(upstreams, str):
                upstreams = [upstreams]
            where_upstreams = "caddy_app_upstreams.%s" % app["name"] if app["name"] in decided else where + ".upstreams"
        else:
            where_upstreams = where + ".upstreams"
        if not isinstance(upstreams, list) or not upstreams:
            problems.append("%s: must be a non-empty list of addresses" % where_upstreams)
            upstreams = []
        for upstream in upstreams:
            if not isinstance(upstream, str) or not UPSTREAM_RE.match(upstream):
                problems.append(
                    "%s: %r is not an address such as 10.0.0.5:8000, http://app:8000 or unix//run/app.sock"
                    % (where_upstreams, upstream)
                )

        snippet = settings.get("snippet", "")
        if snippet is None:
            snippet = ""
        if not isinstance(snippet, str):
            problems.append("%s.snippet: must be Caddyfile text" % where)
            snippet = ""

        # Directories of the live release Caddy serves itself; the apps
        # preflight checked them already, this keeps the role safe alone.
        health = app.get("health_check") if isinstance(app.get("health_check"), dict) else {}
        static = app.get("static")
        static_issues = static_problems("caddy_apps[%d] (%s)" % (index, app["name"]), static,
                                        (app.get("health_check") or {}).get("path") or "/")
        problems.extend(static_issues)

        sites.append({
            "name": layout["name"],
            "domains": [domain.lower() for domain in layout["domains"]],
            "upstreams": list(upstreams),
            "max_body_size": size,
            "hsts_max_age": hsts,
            "tls_issuer": issuer,
            "snippet": snippet.strip("\n"),
            "static": [] if static_issues else static_routes(app, layout["current"]),
            # What an edge's active health checks ask each app host.
            "health": {
                "path": health.get("path") or HEALTH_DEFAULTS["path"],
                "status": health.get("status") or HEALTH_DEFAULTS["status"],
            },
        })
    if problems:
        raise CaddySitesError(problems)
    return sites


LISTEN_RE = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<v4>[0-9.]+)):(?P<port>[0-9]{1,5})$")


def app_listener(listen):
    """Split an app host's listener ``ADDRESS:PORT`` (``[V6]:PORT``) for Caddy's ``bind``.

    Returns ``{"address", "port"}``; raises CaddySitesError when it is not an
    IP address and a port from 1024 to 65535.
    """
    match = LISTEN_RE.match(listen) if isinstance(listen, str) else None
    port = int(match.group("port")) if match else 0
    if not match or not 1024 <= port <= 65535:
        raise CaddySitesError(["caddy_app_listen: must be IP:PORT or [IPv6]:PORT with a port from 1024 to 65535, got %r" % (listen,)])
    return {"address": match.group("v6") or match.group("v4"), "port": port}

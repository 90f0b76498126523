# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared description of the apps on a host: its layout and its checks.

Every role gets the same ``fastapi_apps`` list from the playbook. What the
roles must agree on (users, paths, sockets, unit names) is computed here and
nowhere else; docs/apps.md documents the schema.
"""

from __future__ import annotations

import posixpath
import re

from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import jobs_problems, processes_problems
from ansible_collections.fastapi_ops.server.plugins.module_utils.python_spec import specifier_problem
from ansible_collections.fastapi_ops.server.plugins.module_utils.static import static_problems

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
DOMAIN_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
ASGI_RE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(\(\))?$")
ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GIT_COMMIT_RE = re.compile(r"^[0-9a-f]{7,40}$")

SOURCE_KINDS = ("git", "path", "package")
COMMON_KEYS = {
    "name", "domain", "extra_domains", "source", "asgi", "python", "lock",
    "allow_unpinned", "env", "secrets", "pre_start", "pre_start_local", "pre_start_timeout", "health_check", "user", "user_existing",
    # Sub-dictionaries owned by one role each; that role validates them.
    "app", "gunicorn", "caddy", "dns",
    # Background processes and scheduled jobs (module_utils/processes.py validates them).
    "processes", "jobs",
    # Directories of the release Caddy serves itself (module_utils/static.py validates them).
    "static",
}
SOURCE_KEYS = {"git", "ref", "path", "package", "subdir", "exclude"}
HEALTH_KEYS = {"path", "status", "body", "timeout"}
# The gunicorn role's per-app settings (roles/gunicorn/README.md), each with
# the smallest value it takes.
GUNICORN_NUMBERS = {
    "workers": 0, "worker_memory_mb": 1, "master_memory_mb": 0, "timeout": 1, "graceful_timeout": 0,
    "keepalive": 0, "max_requests": 0, "max_requests_jitter": 0, "drain_timeout": 0,
}
GUNICORN_KEYS = set(GUNICORN_NUMBERS) | {"bind", "forwarded_allow_ips", "log_level"}
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
BIND_RE = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):([0-9]{1,5})$")
# A POSIX account name useradd accepts (Debian's default NAME_REGEX).
USER_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# Accounts an app never runs as.
RESERVED_USERS = ("root", "daemon", "bin", "sys", "sync", "nobody", "www-data", "caddy")
# The `app` role's own settings (roles/app/README.md).
APP_ROLE_KEYS = {"installer", "keep_releases"}
INSTALLERS = ("uv", "pip")

DEFAULT_ROOT = "/srv/fastapi"


def app_layout(app, root=DEFAULT_ROOT):
    """Return the paths, names and identities every role uses for ``app``."""
    name = app["name"]
    user = app.get("user") or "fastapi-%s" % name
    home = "%s/%s" % (root.rstrip("/"), name)
    unit = "fastapi-%s" % name
    return {
        "name": name,
        "user": user,
        "group": user,
        "home": home,
        "releases": home + "/releases",
        "current": home + "/current",
        "state_dir": "/var/lib/%s" % unit,
        "env_file": "/etc/fastapi-ops/%s.env" % name,
        "runtime_dir": unit,
        "socket": "/run/%s/gunicorn.sock" % unit,
        "service": unit + ".service",
        "syslog_identifier": unit,
        "domains": [app["domain"]] + list(app.get("extra_domains") or []),
    }


def _is_domain(value):
    if not isinstance(value, str) or len(value) > 253 or "." not in value:
        return False
    return all(DOMAIN_LABEL_RE.match(label) for label in value.lower().rstrip(".").split("."))


def _check_source(where, source, problems):
    if not isinstance(source, dict):
        problems.append("%s.source: must be a mapping with one of %s" % (where, ", ".join(SOURCE_KINDS)))
        return
    for key in sorted(set(source) - SOURCE_KEYS):
        problems.append("%s.source.%s: unknown key (known: %s)" % (where, key, ", ".join(sorted(SOURCE_KEYS))))
    kinds = [kind for kind in SOURCE_KINDS if source.get(kind)]
    if len(kinds) != 1:
        problems.append(
            "%s.source: give exactly one of %s (got %s)" % (where, ", ".join(SOURCE_KINDS), ", ".join(kinds) or "none")
        )
    if source.get("git") and not source.get("ref"):
        problems.append("%s.source.ref: a git source needs a pinned ref (a tag or a commit)" % where)
    if source.get("ref") and not source.get("git"):
        problems.append("%s.source.ref: only a git source takes a ref" % where)
    subdir = source.get("subdir")
    if subdir is not None and (not isinstance(subdir, str) or subdir.startswith("/") or ".." in subdir.split("/")):
        problems.append("%s.source.subdir: must be a relative path inside the source" % where)
    exclude = source.get("exclude")
    if exclude is not None and (not isinstance(exclude, list) or not all(isinstance(p, str) and p.strip("/ ") for p in exclude)):
        problems.append("%s.source.exclude: must be a list of file name or path patterns (such as 'node_modules' or 'docs/*.pdf')" % where)


def _check_mapping_of_strings(where, key, value, problems):
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append("%s.%s: must be a mapping of NAME: value" % (where, key))
        return
    for name in value:
        if not isinstance(name, str) or not ENV_KEY_RE.match(name):
            problems.append("%s.%s.%s: not a valid environment variable name" % (where, key, name))


def _check_install(where, app, problems):
    """The fields the `python` and `app` roles read: python, lock,
    allow_unpinned and the `app` mapping."""
    python = app.get("python")
    if python is not None:
        reason = specifier_problem(python) if isinstance(python, str) else "must be a string such as '>=3.11'"
        if reason:
            problems.append("%s.python: %r: %s" % (where, python, reason))
    lock = app.get("lock")
    if lock is not None:
        source = app.get("source") if isinstance(app.get("source"), dict) else {}
        base = lock.rsplit("/", 1)[-1] if isinstance(lock, str) else ""
        if not isinstance(lock, str) or not (base == "uv.lock" or base.endswith(".txt")):
            problems.append("%s.lock: %r must name a requirements file (*.txt) or a uv.lock" % (where, lock))
        elif not source.get("package") and (lock.startswith("/") or posixpath.normpath(
                posixpath.join(source.get("subdir") if isinstance(source.get("subdir"), str) else ".", lock)).startswith("..")):
            problems.append("%s.lock: %r must be a relative path inside the source" % (where, lock))
        elif source.get("package") and base == "uv.lock":
            problems.append("%s.lock: a package source takes a requirements file, not a uv.lock" % where)
    if app.get("allow_unpinned") is not None and not isinstance(app.get("allow_unpinned"), bool):
        problems.append("%s.allow_unpinned: must be true or false" % where)
    settings = app.get("app")
    if isinstance(settings, dict):
        for key in sorted(set(settings) - APP_ROLE_KEYS, key=str):
            problems.append("%s.app.%s: unknown key (known: %s)" % (where, key, ", ".join(sorted(APP_ROLE_KEYS))))
        if "installer" in settings and settings["installer"] not in INSTALLERS:
            problems.append("%s.app.installer: %r must be one of %s" % (where, settings["installer"], ", ".join(INSTALLERS)))
        keep = settings.get("keep_releases", 1)
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
            problems.append("%s.app.keep_releases: %r must be a whole number of at least 1" % (where, keep))


def _is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_gunicorn(where, settings, problems):
    """The `gunicorn:` mapping: known keys, whole numbers with their
    minimum, a HOST:PORT bind on an unprivileged port, a list of addresses,
    a log level."""
    if not isinstance(settings, dict):
        return
    for key in sorted(set(settings) - GUNICORN_KEYS, key=str):
        problems.append("%s.gunicorn.%s: unknown key (known: %s)" % (where, key, ", ".join(sorted(GUNICORN_KEYS))))
    for key, least in sorted(GUNICORN_NUMBERS.items()):
        value = settings.get(key)
        if value is not None and (not _is_whole(value) or value < least):
            problems.append("%s.gunicorn.%s: must be a whole number of at least %d, got %r" % (where, key, least, value))
    bind = settings.get("bind")
    if bind is not None:
        match = BIND_RE.match(bind) if isinstance(bind, str) else None
        if not match:
            problems.append("%s.gunicorn.bind: must be HOST:PORT (such as 127.0.0.1:8001 or [::1]:8001), got %r" % (where, bind))
        elif not 1024 <= int(match.group(2)) <= 65535:
            problems.append(
                "%s.gunicorn.bind: port %s is not one the app's user may bind (1024-65535; Caddy serves 80 and 443)"
                % (where, match.group(2)))
    allowed = settings.get("forwarded_allow_ips")
    if allowed is not None and (not isinstance(allowed, list) or not all(isinstance(a, str) and a for a in allowed)):
        problems.append("%s.gunicorn.forwarded_allow_ips: must be a list of addresses, got %r" % (where, allowed))
    level = settings.get("log_level")
    if level is not None and level not in LOG_LEVELS:
        problems.append("%s.gunicorn.log_level: %r must be one of %s" % (where, level, ", ".join(LOG_LEVELS)))


def _check_health(where, health, problems):
    if not isinstance(health, dict):
        problems.append("%s.health_check: must be a mapping (path, status, body, timeout)" % where)
        return
    for key in sorted(set(health) - HEALTH_KEYS, key=str):
        problems.append("%s.health_check.%s: unknown key" % (where, key))
    path = health.get("path", "/")
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append("%s.health_check.path: %r must start with '/'" % (where, path))
    status = health.get("status", 200)
    if not _is_whole(status) or not 100 <= status <= 599:
        problems.append("%s.health_check.status: %r is not an HTTP status code" % (where, status))
    timeout = health.get("timeout")
    if timeout is not None and (not _is_whole(timeout) or timeout < 1):
        problems.append("%s.health_check.timeout: must be a whole number of seconds of at least 1, got %r" % (where, timeout))
    body = health.get("body")
    if body is not None and not isinstance(body, str):
        problems.append("%s.health_check.body: must be text the answer contains, got %r" % (where, body))


def _check_user(where, user, problems):
    if user is None:
        return
    if not isinstance(user, str) or not USER_RE.match(user):
        problems.append(
            "%s.user: %r is not an account name (a-z, 0-9, '_' and '-', starting with a letter or '_', at most 32)"
            % (where, user))
    elif user in RESERVED_USERS:
        problems.append("%s.user: %r is a system account; an app runs as an account of its own" % (where, user))


def apps_problems(apps):
    """Return one human-readable message per problem in the apps list."""
    if not isinstance(apps, list):
        return ["fastapi_apps: must be a list of apps (see docs/apps.md)"]
    problems = []
    names = {}
    domains = {}
    for index, app in enumerate(apps):
        where = "fastapi_apps[%d]" % index
        if not isinstance(app, dict):
            problems.append("%s: must be a mapping" % where)
            continue
        name = app.get("name")
        if isinstance(name, str) and name:
            where = "fastapi_apps[%d] (%s)" % (index, name)
        for key in sorted(set(app) - COMMON_KEYS, key=str):
            problems.append("%s.%s: unknown key (see docs/apps.md)" % (where, key))
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.append(
                "%s.name: %r must start with a letter and use only a-z, 0-9 and '-' (at most 24 characters)" % (where, name)
            )
        elif name in names:
            problems.append("%s.name: %r is also the name of fastapi_apps[%d]" % (where, name, names[name]))
        else:
            names[name] = index
        app_domains = [app.get("domain")] + list(app.get("extra_domains") or [])
        for domain in app_domains:
            if not _is_domain(domain):
                problems.append("%s.domain: %r is not a fully qualified domain name" % (where, domain))
            elif domain.lower() in domains:
                problems.append("%s.domain: %s is already served by %s" % (where, domain, domains[domain.lower()]))
            else:
                domains[domain.lower()] = name
        _check_source(where, app.get("source"), problems)
        asgi = app.get("asgi")
        if asgi is None:
            problems.append("%s.asgi: missing; name the ASGI application, such as 'package.module:app'" % where)
        elif not isinstance(asgi, str) or not ASGI_RE.match(asgi):
            problems.append("%s.asgi: %r must look like 'package.module:app'" % (where, asgi))
        _check_user(where, app.get("user"), problems)
        if app.get("user_existing") is not None:
            if not isinstance(app["user_existing"], bool):
                problems.append("%s.user_existing: must be true or false" % where)
            elif app["user_existing"] and not app.get("user"):
                problems.append("%s.user_existing: names no account; set user to the existing account to reuse" % where)
        _check_mapping_of_strings(where, "env", app.get("env"), problems)
        _check_mapping_of_strings(where, "secrets", app.get("secrets"), problems)
        env, secrets = app.get("env"), app.get("secrets")
        overlap = set(env) & set(secrets) if isinstance(env, dict) and isinstance(secrets, dict) else set()
        for key in sorted(overlap):
            problems.append("%s: %s is set in both env and secrets" % (where, key))
        for key in ("pre_start", "pre_start_local"):
            commands = app.get(key)
            if commands is not None and (
                not isinstance(commands, list) or not all(isinstance(c, str) and c.strip() for c in commands)
            ):
                problems.append("%s.%s: must be a list of commands" % (where, key))
        timeout = app.get("pre_start_timeout")
        if timeout is not None and (not _is_whole(timeout) or timeout < 1):
            problems.append("%s.pre_start_timeout: must be a whole number of seconds of at least 1, got %r" % (where, timeout))
        if app.get("health_check") is not None:
            _check_health(where, app["health_check"], problems)
        _check_install(where, app, problems)
        for key in ("app", "gunicorn", "caddy", "dns"):
            if app.get(key) is not None and not isinstance(app.get(key), dict):
                problems.append("%s.%s: must be a mapping of %s role settings" % (where, key, key))
        _check_gunicorn(where, app.get("gunicorn"), problems)
        problems.extend(processes_problems(where, app.get("processes")))
        problems.extend(jobs_problems(where, app.get("jobs"), app.get("processes")))
        health = app.get("health_check") if isinstance(app.get("health_check"), dict) else {}
        problems.extend(static_problems(where, app.get("static"), health.get("path") or "/"))
    return problems

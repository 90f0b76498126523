# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One resolved model of each app, and the deploy decision for it.

``resolve_app`` takes one entry of ``fastapi_apps`` (without its secrets) and
the host-wide settings, and returns everything the roles and the release
engine derive from it: paths, users, units, both blue/green slots, where the
app runs from inside a release, how it is dialled, its health check with the
defaults filled in, and each role's settings merged over the role-wide ones.
Roles resolve their apps once and read only this; no template or task
computes a path or a default of its own.

``slot_plan`` is the deploy decision for one app: given what runs on the
host (the ``app_state`` module) and the release to serve, which slot starts,
how, and what a success or a failure records.
"""

from __future__ import annotations

from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import DEFAULT_ROOT, app_layout
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import process_unit_prefix, resolve_jobs, resolve_processes
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import (
    DEFAULT_CONFIG_DIR,
    INSTANCE,
    SLOTS,
    app_upstreams,
    other_slot,
    slot_layout,
)
from ansible_collections.fastapi_ops.server.plugins.module_utils.static import release_workdir, source_subdir, static_release_paths, static_routes

# Health check defaults of an app that sets no `health_check` (docs/apps.md);
# the timeout comes from the host-wide setting.
HEALTH_DEFAULTS = {"path": "/", "status": 200, "body": ""}
# Sub-mappings of an app that one role owns: each is merged over that role's
# role-wide defaults.
ROLE_SETTINGS = ("app", "gunicorn", "caddy", "dns")


class ModelError(ValueError):
    """The app cannot be resolved (not an app of fastapi_apps)."""


def resolve_app(app, root=DEFAULT_ROOT, index=None, health_timeout=30, defaults=None, config_dir=DEFAULT_CONFIG_DIR):
    """Return the resolved model of one app.

    ``index`` is the app's place in the full ``fastapi_apps`` list, for
    messages (``where``); ``defaults`` maps a role name (``app``,
    ``gunicorn``, ...) to its role-wide settings, which the app's own
    mapping of that name overrides key by key; ``config_dir`` is where the
    gunicorn role writes the app's configuration.
    """
    if not isinstance(app, dict) or not app.get("name") or not app.get("domain"):
        raise ModelError("expected one app of fastapi_apps (a mapping with name and domain), got %r" % (app,))
    defaults = defaults or {}
    model = app_layout(app, root)
    subdir = source_subdir(app)
    workdir = release_workdir(app)
    settings = {}
    for role in ROLE_SETTINGS:
        merged = dict(defaults.get(role) or {})
        merged.update({key: value for key, value in (app.get(role) or {}).items() if value is not None})
        settings[role] = merged
    bind = (app.get("gunicorn") or {}).get("bind") or ""
    health = dict(HEALTH_DEFAULTS, timeout=health_timeout)
    health.update({key: value for key, value in (app.get("health_check") or {}).items() if value is not None})
    slots = {slot: slot_layout(app, slot, root, config_dir) for slot in SLOTS}
    template = slot_layout(app, INSTANCE, root, config_dir)
    model.update({
        "index": index,
        "where": "fastapi_apps[%s] (%s)" % ("?" if index is None else index, app["name"]),
        "asgi": app.get("asgi"),
        "source": app.get("source") or {},
        "pre_start": list(app.get("pre_start") or []),
        "pre_start_local": list(app.get("pre_start_local") or []),
        "subdir": subdir,
        # Where the app runs, relative to a release (or to a slot's link).
        "workdir": workdir,
        "current_workdir": "%s/%s" % (model["current"], workdir),
        "bind": bind,
        "tcp": bool(bind),
        "upstreams": app_upstreams([app], root)[app["name"]],
        "health": health,
        "settings": settings,
        "slots": slots,
        "template": template["template"],
        "slot_template": template,
        "slots_dir": template["slots_dir"],
        "live_socket": template["live_socket"],
        "live_upstream": template["live_upstream"],
        "previous_file": template["previous_file"],
        # What the next instance gets; each slot runs from its own copy.
        "config": "%s/%s.conf.py" % (config_dir.rstrip("/"), app["name"]),
        "user_existing": bool(app.get("user_existing")),
        # Background processes and scheduled jobs (module_utils/processes.py):
        # run from `current` with the environment of the live slot, copied here.
        "processes": resolve_processes(app),
        "jobs": resolve_jobs(app),
        "background": bool(app.get("processes") or app.get("jobs")),
        "process_unit_prefix": process_unit_prefix(app["name"]),
        # Directories of the live release that Caddy serves itself (module_utils/static.py).
        "static": static_routes(app, model["current"]),
        "static_release": static_release_paths(app),
        "processes_env_file": "/etc/fastapi-ops/%s.processes.env" % app["name"],
    })
    return model


def resolve_apps(apps, root=DEFAULT_ROOT, health_timeout=30, defaults=None, indexes=None, config_dir=DEFAULT_CONFIG_DIR):
    """Resolve every app of a list; ``indexes`` gives each one's place in the
    full ``fastapi_apps`` list when ``apps`` is a part of it."""
    if not isinstance(apps, list):
        raise ModelError("expected the fastapi_apps list, got %r" % (type(apps).__name__,))
    indexes = list(indexes) if indexes is not None else list(range(len(apps)))
    if len(indexes) != len(apps):
        raise ModelError("indexes must give one place per app")
    return [resolve_app(app, root, index, health_timeout, defaults, config_dir) for app, index in zip(apps, indexes)]


def empty_state():
    """What ``app_state`` reports for an app that never ran on the host."""
    return {
        "live": "", "blue": "", "green": "", "live_release": "", "current": "", "previous": "",
        "active": {"blue": False, "green": False}, "single": {"active": False, "enabled": False}, "releases": [],
        "drift": [],
    }


def slot_plan(state, target, changed=False, force=False, blue_green=True):
    """Decide how ``target`` goes live for one app.

    ``state`` is the app's state as ``app_state`` reads it; ``target`` the
    release to serve ('' when there is none: nothing built, nothing current);
    ``changed`` says the app's unit changed (the template unit both slots
    share); a ``drift`` in the state (the environment or the Gunicorn
    configuration written for the next instance differs from the live
    slot's copy) counts the same; ``force``
    redeploys the same release; ``blue_green`` is false where a second
    instance does not fit (memory, a TCP port), and the live slot restarts in
    place instead.

    Returns ``needed`` (start an instance), ``slot`` (the slot that starts),
    ``in_place``, ``method`` (first start, blue/green, in place), ``idle`` and
    ``stop_idle`` (an idle slot still running when nothing is deployed),
    ``retire_single`` (a single unit from before the slots still runs),
    ``from_slot``/``from_release``/``release`` for the switch and the deploy
    log, ``on_failure``: what the failure message says keeps serving, and
    ``acts`` (an instance starts or stops: the switch has work for the app).
    """
    live = state.get("live") or ""
    if live not in SLOTS:
        live = ""
    active = state.get("active") or {}
    live_release = state.get("live_release") or ""
    single = state.get("single") or {}
    idle = other_slot(live) if live else ""
    needed = bool(target) and (
        not live or live_release != target or not active.get(live, False) or bool(changed) or bool(force)
        or bool(state.get("drift"))
    )
    if not live:
        slot, method = SLOTS[0], "first start"
    elif blue_green:
        slot, method = idle, "blue/green"
    else:
        slot, method = live, "in place"
    from_release = live_release or (state.get("current") or "" if single.get("active") else "")
    if live and live_release:
        on_failure = "the live release %s in slot %s keeps serving" % (live_release, live)
    elif from_release:
        on_failure = "the live release %s keeps serving" % from_release
    else:
        on_failure = "nothing was live"
    stop_idle = not needed and bool(idle) and bool(active.get(idle, False))
    return {
        "needed": needed,
        "acts": needed or stop_idle,
        "slot": slot,
        "in_place": needed and slot == live,
        "method": method if needed else "none",
        "idle": idle,
        "stop_idle": stop_idle,
        "retire_single": needed and not live and bool(single.get("active") or single.get("enabled")),
        "from_slot": live,
        "from_release": from_release,
        "release": target,
        "on_failure": on_failure,
    }


def rollback_targets(apps, state, release=""):
    """The release each app goes back to: the one live before the last
    switch, or ``release``. ``apps`` are resolved apps. Returns
    ``{"targets": {name: release}, "problems": [message, ...]}``; a target
    must still be on the host."""
    targets, problems = {}, []
    for app in apps:
        name = app["name"]
        app_state = state.get(name) or empty_state()
        target = release or app_state.get("previous") or ""
        targets[name] = target
        if not target:
            problems.append("%s: no earlier release is known (nothing was switched yet); nothing was changed." % name)
        elif target not in (app_state.get("releases") or []):
            problems.append("%s: release %s is not (or no longer) in %s; nothing was changed." % (name, target, app["releases"]))
    return {"targets": targets, "problems": problems}


def releases_to_prune(found, release, live, keep):
    """The release directories to remove so that ``keep`` releases stay, the
    live one included: ``found`` is each release's ``release.json`` as
    ``files_state`` finds it (``path``, ``mtime``), ``release`` the directory
    of the release this run builds, ``live`` the one ``current`` led to
    before the run (empty when none). Neither is ever removed. While a
    deploy has not switched yet, the live release and the new one both stay
    and only ``keep - 2`` others are kept with them, so a run after the
    switch finds ``keep`` releases and has nothing to remove (with
    ``keep`` 1 the previous live one goes on that run)."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValueError("keep must be a whole number of at least 1, not %r" % (keep,))
    newest = sorted(found, key=lambda entry: entry["mtime"], reverse=True)
    dirs = [entry["path"].rsplit("/", 1)[0] for entry in newest]
    live_counts = bool(live) and live != release and live in dirs
    others = [path for path in dirs if path not in (release, live)]
    return others[max(keep - 1 - int(live_counts), 0):]

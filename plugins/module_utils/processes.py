# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Background processes of an app: its `processes` mapping, checked and resolved.

An app may run processes beside its web instances (a task queue worker, a
consumer): ``processes: {worker: {command: "python -m shop.worker", count: 2}}``.
Each process is a systemd template unit ``fastapi-NAME.PROC@.service`` (the
dot cannot occur in an app name, so no process unit is ever taken for
another app's web unit) with one instance per count, ``@1`` to ``@COUNT``,
running from the app's live release (``current``) with the environment of
its live slot, as its user. The processes role writes the units; the
release engine restarts them on a new release once the web switch succeeded
(docs/apps.md, docs/deploys.md).
"""

from __future__ import annotations

import re

PROCESS_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
PROCESS_KEYS = {"command", "count", "stop_timeout"}
JOB_KEYS = {"command", "on_calendar", "timeout"}
DEFAULT_JOB_TIMEOUT = 3600
# Instances per process: a worker that needs more runs its own concurrency.
MAX_COUNT = 32
DEFAULT_COUNT = 1
DEFAULT_STOP_TIMEOUT = 30
# The first line of every unit file the processes role writes: what it may
# stop and remove again. A unit without it is never touched.
UNIT_MARKER = "# fastapi_ops.server process unit"


def _is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def command_problem(command):
    """Why ``command`` is not a command (a string, or a list of strings), or ''."""
    if isinstance(command, str):
        if not command.strip():
            return "must not be empty"
        if "\n" in command or "\r" in command:
            return "must be one line"
        return ""
    if isinstance(command, list):
        if not command:
            return "must not be empty"
        if not all(isinstance(arg, str) and "\n" not in arg and "\r" not in arg for arg in command):
            return "must be a list of one-line strings"
        if not command[0].strip():
            return "the program (first item) must not be empty"
        return ""
    return "must be a string (run by /bin/sh) or a list of arguments"


def _entries(where, kind, entries, keys, shape, what, taken=()):
    """The entries of a ``processes`` or ``jobs`` mapping that have a valid
    name and are mappings, as ``(at, spec)``, after one message per wrong
    name, unknown key or command; ``taken`` are names the other mapping
    uses already."""
    problems, valid = [], []
    if entries is None:
        return problems, valid
    if not isinstance(entries, dict):
        return ["%s.%s: must be a mapping of NAME: {%s}" % (where, kind, ", ".join(shape))], valid
    for name in sorted(entries, key=str):
        spec = entries[name]
        at = "%s.%s.%s" % (where, kind, name)
        if not isinstance(name, str) or not PROCESS_NAME_RE.match(name):
            problems.append("%s: the name must start with a letter and use only a-z, 0-9 and '-' (at most 24 characters)" % at)
            continue
        if name in taken:
            problems.append("%s: %s is also the name of a process; a job and a process need names of their own" % (at, name))
        if not isinstance(spec, dict):
            problems.append("%s: must be a mapping with %s (and optionally %s)" % (at, " and ".join(shape[:-1]), shape[-1]))
            continue
        for key in sorted(set(spec) - keys, key=str):
            problems.append("%s.%s: unknown key (known: %s)" % (at, key, ", ".join(sorted(keys))))
        if "command" not in spec:
            problems.append("%s.command: missing; the command the %s runs" % (at, what))
        else:
            reason = command_problem(spec["command"])
            if reason:
                problems.append("%s.command: %s, got %r" % (at, reason, spec["command"]))
        valid.append((at, spec))
    return problems, valid


def _seconds_problem(at, key, value):
    if not _is_whole(value) or value < 1:
        return ["%s.%s: must be a whole number of seconds of at least 1, got %r" % (at, key, value)]
    return []


def processes_problems(where, processes):
    """One message per problem in an app's ``processes`` mapping; ``where``
    names the app as in every preflight message."""
    problems, valid = _entries(where, "processes", processes, PROCESS_KEYS, ("command", "count, stop_timeout"), "process")
    for at, spec in valid:
        count = spec.get("count", DEFAULT_COUNT)
        if not _is_whole(count) or not 0 <= count <= MAX_COUNT:
            problems.append("%s.count: must be a whole number from 0 to %d, got %r" % (at, MAX_COUNT, count))
        problems += _seconds_problem(at, "stop_timeout", spec.get("stop_timeout", DEFAULT_STOP_TIMEOUT))
    return problems


def jobs_problems(where, jobs, processes=None):
    """One message per problem in an app's ``jobs`` mapping. The calendar
    expressions are checked on the host by ``systemd-analyze calendar``
    (module calendar_check); here only that each is one line of text."""
    taken = set(processes) if isinstance(processes, dict) else set()
    problems, valid = _entries(where, "jobs", jobs, JOB_KEYS, ("command", "on_calendar", "timeout"), "job", taken)
    for at, spec in valid:
        calendar = spec.get("on_calendar")
        if calendar is None:
            problems.append("%s.on_calendar: missing; when the job runs, a systemd calendar expression such as 'daily'" % at)
        elif not isinstance(calendar, str) or not calendar.strip() or "\n" in calendar:
            problems.append("%s.on_calendar: must be one line of text, a systemd calendar expression, got %r" % (at, calendar))
        problems += _seconds_problem(at, "timeout", spec.get("timeout", DEFAULT_JOB_TIMEOUT))
    return problems


def calendars(apps):
    """Every calendar expression of the apps' jobs, with the field that
    holds it: ``[{"where": "fastapi_apps[0] (shop).jobs.cleanup.on_calendar", "calendar": "daily"}]``."""
    found = []
    for index, app in enumerate(apps if isinstance(apps, list) else []):
        jobs = app.get("jobs") if isinstance(app, dict) else None
        if not isinstance(jobs, dict):
            continue
        for name in sorted(jobs, key=str):
            spec = jobs[name]
            if isinstance(spec, dict) and isinstance(spec.get("on_calendar"), str):
                found.append({"where": "fastapi_apps[%d] (%s).jobs.%s.on_calendar" % (index, app.get("name"), name),
                              "calendar": spec["on_calendar"]})
    return found


def systemd_quote(arg):
    """``arg`` as one double-quoted word of a systemd ``ExecStart=`` line:
    nothing in it is expanded by systemd (``$`` and ``%`` are doubled)."""
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$").replace("%", "%%")
    return '"%s"' % escaped


def exec_line(command):
    """The ``ExecStart=`` value of a command: a string runs under
    ``/bin/sh -c`` (``exec``-ed, so the command is the unit's main process
    and gets its stop signal), a list is run as is, its program looked up in
    ``PATH`` (the release's virtualenv first) by ``/usr/bin/env``."""
    if isinstance(command, str):
        return "/bin/sh -c %s" % systemd_quote("exec " + command)
    return " ".join(["/usr/bin/env"] + [systemd_quote(arg) for arg in command])


def process_unit_prefix(app_name):
    """What every process unit of the app starts with (``fastapi-NAME.``)."""
    return "fastapi-%s." % app_name


def resolve_processes(app):
    """The processes of one app (of ``fastapi_apps``), sorted by name, each
    with its template unit, its instances and its ``ExecStart=`` line."""
    resolved = []
    for name in sorted((app.get("processes") or {})):
        spec = app["processes"][name] or {}
        count = spec.get("count", DEFAULT_COUNT)
        template = "%s%s@.service" % (process_unit_prefix(app["name"]), name)
        resolved.append({
            "name": name,
            "command": spec.get("command"),
            "exec_start": exec_line(spec.get("command") or ""),
            "count": count,
            "stop_timeout": spec.get("stop_timeout", DEFAULT_STOP_TIMEOUT),
            "template": template,
            "instances": [template.replace("@.", "@%d." % index) for index in range(1, count + 1)],
        })
    return resolved


def resolve_jobs(app):
    """The scheduled jobs of one app, sorted by name, each with its service
    and timer units and its ``ExecStart=`` line."""
    resolved = []
    for name in sorted((app.get("jobs") or {})):
        spec = app["jobs"][name] or {}
        unit = "%s%s" % (process_unit_prefix(app["name"]), name)
        resolved.append({
            "name": name,
            "command": spec.get("command"),
            "exec_start": exec_line(spec.get("command") or ""),
            "on_calendar": spec.get("on_calendar"),
            "timeout": spec.get("timeout", DEFAULT_JOB_TIMEOUT),
            "service": unit + ".service",
            "timer": unit + ".timer",
        })
    return resolved


def wanted_units(app):
    """What an app wants on the host: the unit files (process templates, job
    services and timers), the units that run (process instances, job
    timers) and the job services (which the timers start)."""
    processes = app.get("processes") or []
    jobs = app.get("jobs") or []
    return {
        "files": [p["template"] for p in processes] + [u for j in jobs for u in (j["service"], j["timer"])],
        "running": [unit for p in processes for unit in p["instances"]] + [j["timer"] for j in jobs],
        "job_services": [j["service"] for j in jobs],
    }


def processes_plan(app, state, restart=False):
    """What to do with one app's process instances and job timers, from what runs.

    ``app`` is the resolved app (its ``processes`` and ``jobs``); ``state``
    what the ``process_state`` module read for it (``units``: the unit
    files on the host that carry the collection's marker, ``instances``:
    each unit's ``active`` and ``enabled``); ``restart`` restarts every
    wanted instance and timer (a new release, a changed unit or
    environment). Returns ``start`` (process instances and timers to start
    and enable, or restart), ``stop`` (instances of a lowered count, of a
    removed process, timers and services of a removed job: stopped and
    disabled) and ``remove`` (our unit files nothing wants any more).
    """
    wanted = wanted_units(app)
    instances = state.get("instances") or {}
    if restart:
        start = list(wanted["running"])
    else:
        start = [unit for unit in wanted["running"] if not (instances.get(unit) or {}).get("active")
                 or not (instances.get(unit) or {}).get("enabled")]
    keep = set(wanted["running"]) | set(wanted["job_services"])
    stop = sorted(unit for unit, seen in instances.items()
                  if unit not in keep and (seen.get("active") or seen.get("enabled")))
    remove = sorted(unit for unit in state.get("units") or [] if unit not in wanted["files"])
    return {"start": start, "stop": stop, "remove": remove, "restart": bool(restart)}


def status_lines(app, state):
    """The lines ``status.yml`` shows for one resolved app's processes and
    jobs, from what the ``process_state`` module read for it."""
    instances = (state or {}).get("instances") or {}
    lines = []
    for process in app.get("processes") or []:
        running = [unit for unit in process["instances"] if (instances.get(unit) or {}).get("active")]
        lines.append("  process %s: %d of %d running (%s)" % (process["name"], len(running), process["count"], process["template"]))
    for job in app.get("jobs") or []:
        service = instances.get(job["service"]) or {}
        timer = instances.get(job["timer"]) or {}
        result = "running" if service.get("state") == "activating" else (service.get("result") or "-")
        exit_status = service.get("exit_status")
        lines.append("  job %s (%s): last run %s, %s (exit %s), next %s (%s %s)" % (
            job["name"], job["on_calendar"], service.get("exited") or timer.get("last") or "never", result,
            "-" if exit_status in (None, "") else exit_status, timer.get("next") or "-", job["timer"],
            timer.get("state") or "not loaded"))
    return lines

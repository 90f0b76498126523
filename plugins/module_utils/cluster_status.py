# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every app host of a multi-host layout serves, per app, and which hosts disagree.

status.yml reads each app host's state (the app_state module, with the
content id of each live release from its release.json) and reports once
for the whole layout. Hosts are compared by the content they serve, not by
release id: a release id also covers the interpreter, the server packages
and the installer, so the same code on a Debian 12 and a Debian 13 host has
two release ids but one content id (docs/multi-host.md).
"""

from __future__ import annotations

SHORT = 12


def _short(value):
    return value[:SHORT] if value else ""


def _host_entry(host, state, drained):
    """One app host's view of one app: release, content, slot, running; ``state`` None when the host gave no answer."""
    if state is None:
        return {"host": host, "answered": False, "drained": drained, "release": "", "content": "", "slot": "", "running": False, "key": None}
    live = state.get("live") or ""
    release = state.get("live_release") or ""
    content = state.get("live_content") or ""
    running = bool((state.get("active") or {}).get(live)) if live else False
    # What the host is compared by: the content; a release without a
    # content id (built before release.json recorded it) by its release id;
    # no live release at all is a value of its own.
    key = ("content", content) if content else ("release", release) if release else ("none", "")
    return {"host": host, "answered": True, "drained": drained, "release": release, "content": content, "slot": live, "running": running,
            "key": key}


def _reference(entries):
    """The value most answering hosts serve (ties: the first such host in inventory order)."""
    counts = {}
    for entry in entries:
        counts[entry["key"]] = counts.get(entry["key"], 0) + 1
    best = None
    for entry in entries:
        if best is None or counts[entry["key"]] > counts[best]:
            best = entry["key"]
    return best


def _describe(key):
    kind, value = key
    if kind == "content":
        return "content %s" % _short(value)
    if kind == "release":
        return "release %s" % value
    return "no live release"


def _host_line(entry):
    drained = " (drained: out of the edges' upstreams, not compared)" if entry["drained"] else ""
    if not entry["answered"]:
        return "  %s: no answer%s" % (entry["host"], drained)
    if not entry["release"]:
        return "  %s: no live release%s" % (entry["host"], drained)
    return "  %s: release %s (content %s) in slot %s (%s)%s" % (
        entry["host"], entry["release"], _short(entry["content"]) or "-", entry["slot"] or "-",
        "running" if entry["running"] else "NOT running", drained)


def app_status(name, app_hosts, states, drained=()):
    """The status of app ``name`` across ``app_hosts``.

    ``states`` maps each app host that answered to the app_state module's
    result (app name to state); a host missing from it gave no answer
    (unreachable, or failed before its state was read) and is listed, not
    compared; so is a host of ``drained`` (``fastapi_drain``: out of the
    edges' upstreams and of rollouts, it keeps an older release). Returns a mapping: ``app``, ``hosts`` (one entry per app host,
    in the order given: ``host``, ``answered``, ``drained``, ``release``, ``content``,
    ``slot``, ``running``), ``agree`` (every answering host serves the same
    content), ``reference`` (what most of them serve, as text), ``disagree``
    (the hosts serving anything else), ``unknown`` (the hosts without an
    answer) and ``lines`` (what status.yml shows).
    """
    entries = []
    for host in app_hosts:
        host_state = states.get(host) if isinstance(states, dict) else None
        state = (host_state or {}).get(name, {}) if host_state is not None else None
        entries.append(_host_entry(host, state, host in drained))
    answered = [entry for entry in entries if entry["answered"] and not entry["drained"]]
    reference = _reference(answered)
    disagree = [entry["host"] for entry in answered if entry["key"] != reference]
    unknown = [entry["host"] for entry in entries if not entry["answered"] and not entry["drained"]]
    if not answered:
        head = "%s: no app host answered (%s)" % (name, ", ".join(unknown))
    elif disagree:
        others = [entry for entry in answered if entry["key"] != reference]
        head = "%s: HOSTS DISAGREE: %s on %s; %s" % (
            name, _describe(reference), ", ".join(entry["host"] for entry in answered if entry["key"] == reference),
            "; ".join("%s on %s" % (_describe(entry["key"]), entry["host"]) for entry in others))
    else:
        head = "%s: %s on all %d app hosts%s" % (name, _describe(reference), len(answered), " that answered" if unknown else "")
    if unknown and answered:
        head += " (no answer from %s)" % ", ".join(unknown)
    public = [dict((key, value) for key, value in entry.items() if key != "key") for entry in entries]
    return {
        "app": name,
        "hosts": public,
        "agree": bool(answered) and not disagree,
        "reference": _describe(reference) if reference else "",
        "disagree": disagree,
        "unknown": unknown,
        "lines": [head] + [_host_line(entry) for entry in entries],
    }


def cluster_status(names, app_hosts, states, drained=()):
    """app_status for each app of ``names``, in that order."""
    return [app_status(name, app_hosts, states, drained) for name in names]

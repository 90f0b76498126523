# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read an app's lock (a requirements file or a uv.lock) and judge its pins.

Pure standard library: the role's controller-side module and the filters both
use it, and so do the unit tests. A requirement counts as pinned only when it
names one exact version (``name==1.2.3`` or ``name===1.2.3``); anything else
(a range, a wildcard, a bare name, a URL, a path, an editable install) is
reported as ``FILE:LINE: TEXT`` so the user sees exactly which line to fix.
"""

from __future__ import annotations

import re

try:  # Python >= 3.11; the controller always has it (ansible-core needs 3.11).
    import tomllib
except ImportError:  # pragma: no cover - only on an old interpreter
    tomllib = None

NAME_RE = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# PEP 440 version, as in the `packaging` project (public + local part).
VERSION_RE = (
    r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
    r"(?:[-_.]?dev[-_.]?[0-9]*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)
REQUIREMENT_RE = re.compile(
    r"^(?P<name>%s)\s*(?:\[(?P<extras>[^\]]*)\])?\s*(?P<spec>[^;@]*?)\s*(?:;\s*(?P<marker>.+?))?\s*$" % NAME_RE
)
PIN_RE = re.compile(r"^(?P<op>===?)\s*(?P<version>%s)$" % VERSION_RE, re.IGNORECASE)
HASH_RE = re.compile(r"--hash[=\s]+(\S+)")
# Options that change where or how packages are found, not which versions.
GLOBAL_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links",
    "--trusted-host", "--pre", "--prefer-binary", "--only-binary", "--no-binary",
)
NESTED_OPTIONS = ("-r", "--requirement", "-c", "--constraint")
EDITABLE_OPTIONS = ("-e", "--editable")


def canonical_name(name):
    """PEP 503 normalised project name (``Foo_Bar`` -> ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text):
    """Yield ``(first_line_number, line)`` with comments removed and
    backslash continuations joined, skipping blank lines."""
    buffer = []
    start = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if start is None:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        if joined:
            yield start, joined
        buffer = []
        start = None
    if buffer:
        joined = " ".join(part.strip() for part in buffer).strip()
        if joined:
            yield start, joined


def _option_name(line):
    return re.split(r"[\s=]", line, maxsplit=1)[0]


def parse_requirements(text, filename="requirements.txt"):
    """Parse a requirements file.

    Returns ``(pins, problems)``. ``pins`` holds one dict per requirement line
    (``name``, ``canonical``, ``version`` (None when not pinned), ``extras``,
    ``marker``, ``hashes``, ``line``, ``text``); ``problems`` one
    ``FILE:LINE: TEXT: why`` message per line that is not pinned to one
    exact version.
    """
    pins = []
    problems = []
    for number, line in logical_lines(text):
        hashes = HASH_RE.findall(line)
        requirement = re.sub(r"\s+", " ", HASH_RE.sub("", line)).strip()
        where = "%s:%d: %s" % (filename, number, requirement if len(requirement) <= 120 else requirement[:117] + "...")
        if requirement.startswith("-"):
            option = _option_name(requirement)
            if option in GLOBAL_OPTIONS:
                continue
            if option in NESTED_OPTIONS:
                problems.append("%s: nested requirement files are not followed; list every pin in this file" % where)
            elif option in EDITABLE_OPTIONS:
                problems.append("%s: an editable requirement is not pinned to a version" % where)
            else:
                problems.append("%s: unknown option" % where)
            continue
        match = REQUIREMENT_RE.match(requirement)
        if not match or "@" in requirement.split(";")[0] or "/" in requirement.split(";")[0]:
            problems.append("%s: not a 'name==version' requirement (URLs and paths are not pinned)" % where)
            continue
        spec = match.group("spec").replace(" ", "")
        pin = PIN_RE.match(spec)
        extras = sorted(e.strip() for e in (match.group("extras") or "").split(",") if e.strip())
        pins.append({
            "name": match.group("name"),
            "canonical": canonical_name(match.group("name")),
            "version": pin.group("version") if pin else None,
            "extras": extras,
            "marker": match.group("marker"),
            "hashes": hashes,
            "line": number,
            "text": requirement,
        })
        if not pin:
            why = "no version" if not spec else "%s is a range, not one version" % spec
            if pin is None and spec.startswith("==") and spec.endswith(".*"):
                why = "%s is a wildcard, not one version" % spec
            problems.append("%s: not pinned (%s; write name==VERSION)" % (where, why))
    if any(p["hashes"] for p in pins):
        for pin in pins:
            if not pin["hashes"]:
                problems.append(
                    "%s:%d: %s: has no --hash while other lines do (hash checking needs one on every line)"
                    % (filename, pin["line"], pin["text"])
                )
    return pins, problems


def parse_uv_lock(text):
    """Return ``[{name, canonical, version}]`` for every package in a uv.lock
    (a package may appear more than once, for different markers)."""
    if tomllib is not None:
        data = tomllib.loads(text)
        packages = data.get("package", [])
    else:  # pragma: no cover - fallback for interpreters without tomllib
        packages = []
        for block in re.split(r"^\[\[package\]\]\s*$", text, flags=re.M)[1:]:
            name = re.search(r'^name = "([^"]+)"', block, re.M)
            version = re.search(r'^version = "([^"]+)"', block, re.M)
            if name:
                packages.append({"name": name.group(1), "version": version.group(1) if version else None})
    return [
        {"name": p["name"], "canonical": canonical_name(p["name"]), "version": p.get("version")}
        for p in packages
    ]


def parse_pin(requirement):
    """Split a pin such as ``uvicorn[standard]==0.54.0`` into a dict like
    :func:`parse_requirements` returns; ``version`` is None if not pinned."""
    pins, problems = parse_requirements(requirement, "pin")
    if len(pins) != 1:
        return None
    return pins[0]


def server_conflicts(pins, server_packages, filename="requirements.txt"):
    """One message per server package that the app's lock pins to another
    version. ``pins`` as returned by :func:`parse_requirements` (with
    ``line``) or :func:`parse_uv_lock` (without)."""
    messages = []
    by_name = {}
    for pin in pins:
        if pin.get("version"):
            by_name.setdefault(pin["canonical"], []).append(pin)
    for wanted in server_packages:
        server = parse_pin(wanted)
        if server is None or not server["version"]:
            messages.append("app_server_packages: %r is not a name==version pin" % (wanted,))
            continue
        locked = by_name.get(server["canonical"], [])
        if locked and not any(p["version"] == server["version"] for p in locked):
            pin = locked[0]
            where = "%s:%d: %s" % (filename, pin["line"], pin["text"]) if pin.get("line") else (
                "%s: %s==%s" % (filename, pin["name"], pin["version"]))
            messages.append(
                "%s: conflicts with the server stack's %s (app_server_packages); "
                "pin the same version in the app's lock" % (where, wanted)
            )
    return messages


def constraints(pins):
    """The pins as plain constraint lines (no hashes), for installing the
    server stack without moving any of the app's pins."""
    lines = []
    for pin in pins:
        if not pin.get("version"):
            continue
        line = "%s==%s" % (pin["name"], pin["version"])
        if pin.get("marker"):
            line += " ; " + pin["marker"]
        lines.append(line)
    return lines


def pyproject_requires_python(text):
    """The ``[project] requires-python`` of a pyproject.toml, or None."""
    if tomllib is None:  # pragma: no cover - only on an old interpreter
        match = re.search(r'^requires-python\s*=\s*"([^"]*)"', text, re.M)
        return match.group(1).strip() if match else None
    try:
        data = tomllib.loads(text)
    except ValueError:
        return None
    value = (data.get("project") or {}).get("requires-python")
    return value.strip() if isinstance(value, str) and value.strip() else None


def metadata_requires_python(text):
    """The ``Requires-Python`` of a wheel's METADATA (or an sdist's PKG-INFO), or None."""
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        if line.lower().startswith("requires-python:"):
            return line.split(":", 1)[1].strip() or None
    return None

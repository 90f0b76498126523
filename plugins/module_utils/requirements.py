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

import fnmatch
import posixpath
import re

from ansible_collections.fastapi_ops.server.plugins.module_utils.python_spec import specifier_allows, specifier_problem

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


def _toml(text):
    """A TOML document as a dict; an empty one when it does not parse."""
    if tomllib is None:  # pragma: no cover - only on an old interpreter
        return {}
    try:
        return tomllib.loads(text)
    except ValueError:
        return {}


def pyproject_name(text):
    """The ``[project] name`` of a pyproject.toml, or None (a virtual
    workspace root has no ``[project]``)."""
    name = (_toml(text).get("project") or {}).get("name")
    return name.strip() if isinstance(name, str) and name.strip() else None


def workspace_includes(text, member):
    """Whether the pyproject.toml ``text`` declares a uv workspace
    (``[tool.uv.workspace]``) whose ``members`` globs match the directory
    ``member`` (a path relative to that pyproject's directory, with ``/``)
    and whose ``exclude`` globs do not."""
    workspace = ((_toml(text).get("tool") or {}).get("uv") or {}).get("workspace")
    if not isinstance(workspace, dict):
        return False

    def matches(patterns):
        return any(isinstance(p, str) and fnmatch.fnmatchcase(member, p.strip("/")) for p in patterns or ())
    return matches(workspace.get("members")) and not matches(workspace.get("exclude"))


def _local_path(package):
    """Where a uv.lock package lives, relative to the lock, when it is a
    local project that gets installed (editable or directory); a virtual
    project (no build system) and anything from an index, git or URL give None."""
    source = package.get("source") or {}
    for key in ("editable", "directory"):
        if isinstance(source.get(key), str):
            return source[key]
    return None


def local_projects(text, start=None):
    """The local projects a uv.lock installs for the project ``start``: it
    and every workspace member or path dependency it needs (through
    dependencies and the extras they ask for; never dev groups), as paths
    relative to the lock's directory, ``start`` first. Without ``start``,
    from the lock's root project (the one at ``.``) or, for a virtual
    workspace root, from every workspace member, as ``uv export`` does."""
    data = _toml(text)
    by_name = {}
    for package in data.get("package", []):
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            by_name.setdefault(canonical_name(package["name"]), []).append(package)
    if start:
        queue = [(canonical_name(start), ())]
    else:
        roots = [n for n, found in by_name.items() if any(
            (p.get("source") or {}).get(k) == "." for p in found for k in ("editable", "virtual", "directory"))]
        if not roots:
            roots = [canonical_name(m) for m in (data.get("manifest") or {}).get("members", [])]
        queue = [(name, ()) for name in sorted(roots)]
    seen, paths = set(), []
    while queue:
        name, extras = queue.pop(0)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for package in by_name.get(name, []):
            path = _local_path(package)
            if path is not None:
                path = posixpath.normpath(path)
                if path not in paths:
                    paths.append(path)
            needed = list(package.get("dependencies") or [])
            for extra in extras:
                needed.extend((package.get("optional-dependencies") or {}).get(extra) or [])
            for dependency in needed:
                if isinstance(dependency, dict) and isinstance(dependency.get("name"), str):
                    queue.append((canonical_name(dependency["name"]), tuple(sorted(dependency.get("extra") or ()))))
    return paths


def parse_pin(requirement):
    """Split a pin such as ``uvicorn[standard]==0.54.0`` into a dict like
    :func:`parse_requirements` returns; ``version`` is None if not pinned."""
    pins, problems = parse_requirements(requirement, "pin")
    if len(pins) != 1:
        return None
    return pins[0]


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
    value = (_toml(text).get("project") or {}).get("requires-python")
    return value.strip() if isinstance(value, str) and value.strip() else None


def metadata_requires_python(text):
    """The ``Requires-Python`` of a wheel's METADATA (or an sdist's PKG-INFO), or None."""
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        if line.lower().startswith("requires-python:"):
            return line.split(":", 1)[1].strip() or None
    return None


RELEASE_RE = re.compile(r"^v?(?:[0-9]+!)?(?P<release>[0-9]+(?:\.[0-9]+)*)(?P<rest>.*)$", re.IGNORECASE)


def _release(version):
    """The release part of a version (``0.40.0.post1`` -> ``0.40.0``), or
    None for a pre-release or development version."""
    match = RELEASE_RE.match(version or "")
    if not match or re.search(r"(a|b|c|rc|alpha|beta|pre|preview|dev)[-_.]?[0-9]*", match.group("rest").split("+")[0], re.I):
        return None
    return match.group("release")


def server_policy(pins, server_packages, ranges=None, filename="requirements.txt"):
    """Which version of each server package a release gets, and the problems.

    ``server_packages`` are the collection's pins (``name[extras]==version``);
    ``ranges`` maps a server package's name to the PEP 440 range of releases
    the collection supports. A server package the lock pins within its range
    keeps the lock's version (with the collection's extras); one the lock
    lacks gets the collection's pin; a lock's pin outside the range (or of a
    package without a range, any pin but the collection's) is a problem.
    Returns ``(packages, problems)``: the pins to install beside the lock and
    one message per problem.
    """
    ranges = {canonical_name(name): spec for name, spec in (ranges or {}).items()}
    by_name = {}
    for pin in pins:
        if pin.get("version"):
            by_name.setdefault(pin["canonical"], []).append(pin)
    packages, problems = [], []
    for wanted in server_packages:
        server = parse_pin(wanted)
        if server is None or not server["version"]:
            problems.append("app_server_packages: %r is not a name==version pin" % (wanted,))
            continue
        spec = ranges.get(server["canonical"])
        if spec is not None:
            reason = specifier_problem(spec) if isinstance(spec, str) else "not a PEP 440 specifier"
            if reason:
                problems.append("app_server_ranges: %s: %r: %s" % (server["name"], spec, reason))
                continue
            if not specifier_allows(spec, _release(server["version"]) or "0"):
                problems.append("app_server_packages: %s is outside its range in app_server_ranges (%s)" % (wanted, spec))
                continue
        locked = by_name.get(server["canonical"], [])
        if not locked:
            packages.append(wanted)
            continue
        pin = locked[0]
        where = "%s:%d: %s" % (filename, pin["line"], pin["text"]) if pin.get("line") else (
            "%s: %s==%s" % (filename, pin["name"], pin["version"]))
        versions = sorted(set(p["version"] for p in locked))
        if spec is None:
            if server["version"] not in versions:
                problems.append(
                    "%s: conflicts with the server stack's %s (app_server_packages); "
                    "pin the same version in the app's lock" % (where, wanted))
            else:
                packages.append(wanted)
            continue
        outside = [v for v in versions if not (_release(v) and specifier_allows(spec, _release(v)))]
        if outside:
            problems.append(
                "%s: %s %s is outside the range the collection supports (%s %s, app_server_ranges); "
                "pin a release in that range, or leave %s out of the lock to get the collection's %s"
                % (where, server["name"], outside[0], server["name"], spec, server["name"], wanted))
        elif len(versions) > 1:
            problems.append("%s: the lock pins %s at several versions (%s); the server stack needs one"
                            % (where, server["name"], ", ".join(versions)))
        else:
            extras = "[%s]" % ",".join(server["extras"]) if server["extras"] else ""
            packages.append("%s%s==%s" % (server["name"], extras, versions[0]))
    return packages, problems

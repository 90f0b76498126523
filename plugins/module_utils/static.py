# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Static files of an app: directories of its release that Caddy serves itself.

``static: [{url: /static, dir: static}]`` serves the directory ``static`` of
the live release's app directory (``HOME/current/src/static``, or under
``source.subdir`` when the app sets one) at ``/static/``:
Caddy's file server answers, compressed like the rest of the site, with a
``Cache-Control`` header (``immutable`` for file names carrying a content
hash), and the app never sees those requests. Since Caddy reads through
``current``, a deploy changes the files with the release.
"""

from __future__ import annotations

import re

STATIC_KEYS = {"url", "dir"}
# A URL prefix: one or more path segments of safe characters, no trailing slash.
URL_RE = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$")
DIR_RE = re.compile(r"^[A-Za-z0-9._@+-][A-Za-z0-9._@+/-]*$")
# A file name with a content hash (app.3f9a1c2b.js, chunk-5e1f0a2b7c44.css):
# such a file never changes, so it may be cached for a year.
HASHED_RE = r"[.-][0-9a-fA-F]{8,}\.[A-Za-z0-9]+$"


def static_problems(where, static, health_path="/"):
    """One message per problem in an app's ``static`` list; ``health_path``
    is the app's health check path, which no prefix may shadow."""
    if static is None:
        return []
    if not isinstance(static, list):
        return ["%s.static: must be a list of {url, dir}" % where]
    problems, seen = [], {}
    health = health_path if isinstance(health_path, str) else "/"
    for index, entry in enumerate(static):
        at = "%s.static[%d]" % (where, index)
        if not isinstance(entry, dict):
            problems.append("%s: must be a mapping with url and dir" % at)
            continue
        for key in sorted(set(entry) - STATIC_KEYS, key=str):
            problems.append("%s.%s: unknown key (known: dir, url)" % (at, key))
        url = entry.get("url")
        if not isinstance(url, str) or not URL_RE.match(url) or "/../" in url + "/" or "/./" in url + "/":
            problems.append("%s.url: %r must be a URL path prefix such as /static (no trailing slash, not /)" % (at, url))
        else:
            if health == url or health.startswith(url + "/"):
                problems.append("%s.url: %s would shadow the health check path %s; Caddy would answer it, not the app"
                                % (at, url, health))
            for other, other_index in seen.items():
                if url == other or url.startswith(other + "/") or other.startswith(url + "/"):
                    problems.append("%s.url: %s overlaps static[%d] (%s)" % (at, url, other_index, other))
            seen[url] = index
        directory = entry.get("dir")
        if (not isinstance(directory, str) or not DIR_RE.match(directory)
                or ".." in directory.split("/") or "." in directory.split("/")[1:]):
            problems.append("%s.dir: %r must be a relative directory inside the source, such as static or web/dist"
                            % (at, directory))
    return problems


def source_subdir(app):
    """The app's directory inside its source ('' for the source's root)."""
    subdir = (((app.get("source") or {}) if isinstance(app, dict) else {}).get("subdir") or "").strip("/")
    return "" if subdir in ("", ".") else subdir


def release_workdir(app):
    """Where the app runs, relative to a release: ``src``, or
    ``src/SUBDIR`` when its source sets ``subdir``."""
    subdir = source_subdir(app)
    return "src/" + subdir if subdir else "src"


def _static_dirs(app):
    """Each entry of the app's ``static`` with its directory relative to a release."""
    return [(entry, "%s/%s" % (release_workdir(app), entry["dir"].strip("/"))) for entry in app.get("static") or []]


def static_routes(app, current):
    """Caddy's routes for ``app``: each URL prefix with the directory it
    serves under ``current`` (the app's live release link), in the app's
    directory of the source, and the pattern of hashed file names."""
    return [{"url": entry["url"], "dir": entry["dir"].strip("/"), "root": "%s/%s" % (current.rstrip("/"), path),
             "hashed": HASHED_RE} for entry, path in _static_dirs(app)]


def static_release_paths(app):
    """What Caddy must reach in a release of ``app``, relative to the
    release: ``dirs``, the static directories (readable by everyone, they
    are public), and ``parents``, the directories above them down from the
    release itself (searchable by everyone, not listable)."""
    dirs = [path for entry, path in _static_dirs(app)]
    parents = []
    for path in dirs:
        parts = path.split("/")
        for depth in range(len(parts)):
            parent = "/".join(parts[:depth]) or "."
            if parent not in parents:
                parents.append(parent)
    return {"parents": parents, "dirs": dirs}

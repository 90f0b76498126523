#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_source
short_description: Fetch an app's source on the controller, check its lock, and pack it as a release
version_added: 0.1.0
description:
  - "Runs on the controller (C(delegate_to: localhost)); the target is not
    touched, so the role calls it in its preflight."
  - Brings one app's source to a cache directory - a git repository at a
    pinned ref (a tag or a commit; a branch is refused), a local directory,
    a local C(.tar.gz)/C(.tgz)/C(.tar)/C(.zip) archive, or a wheel or sdist of
    the app itself together with its requirements file.
  - "Finds the app's lock (C(uv.lock) next to C(pyproject.toml), else
    C(requirements.txt), else the C(uv.lock) of a uv workspace above
    C(source.subdir) whose members include it, or the file named by C(lock))
    and reports every
    requirement that is not pinned to one exact version as C(FILE:LINE: TEXT),
    and every pin of a server package outside its supported range
    (O(server_ranges)) or, without a range, other than the server stack's pin."
  - Packs the source into a tarball named by a hash of its content (owner
    root, normalised modes, fixed times), so the same content always gives the
    same C(content_id) and the role creates a new release only when something
    changed.
  - Always excluded from the content, for every kind of source - C(.env*)
    (local settings and secrets), C(.git), C(.hg), C(.svn), C(.venv),
    C(__pycache__), C(*.pyc), C(*.pyo), C(.pytest_cache), C(.mypy_cache),
    C(.ruff_cache), C(.tox), C(.nox), C(.coverage), C(.coverage.*),
    C(htmlcov), C(.DS_Store); and the patterns of the source's C(exclude)
    list. A pattern without C(/) matches a file or directory name at any
    depth, one with C(/) the path from the top of the source.
options:
  name:
    description: The app's name (used in file names and messages).
    type: str
    required: true
  source:
    description: The app's C(source) mapping (see docs/apps.md).
    type: dict
    required: true
  lock:
    description:
      - The lock to use. For git, path and archive sources a path relative to
        C(source.subdir) that stays inside the source (C(../uv.lock) names a
        workspace's lock above the subdir); for a package source a
        requirements file on the controller.
    type: str
  allow_unpinned:
    description: Accept requirements that are not pinned to one version.
    type: bool
    default: false
  server_packages:
    description: The server stack's pins (C(name==version)), installed for each server package the lock lacks.
    type: list
    elements: str
    default: []
  server_ranges:
    description:
      - The range of releases the collection supports for a server package, a PEP 440 specifier per
        package name (such as C(>=0.36,<1) for C(uvicorn)). A lock pinning such a package within its range
        decides its version; outside the range it is a problem. A server package without a range must be
        pinned as in O(server_packages) or not at all.
    type: dict
    default: {}
  base_dir:
    description: Directory that relative C(path), C(package) and package C(lock) paths are relative to.
    type: path
    required: true
  cache_dir:
    description: Controller directory for git mirrors, unpacked archives and the release tarballs.
    type: path
    required: true
author:
  - fastapi_ops.server contributors (@fastapi-ops)
"""

EXAMPLES = r"""
- name: Source of shop is fetched and checked on the controller
  fastapi_ops.server.app_source:
    name: shop
    source: {git: "https://git.example.com/acme/shop.git", ref: v1.4.2}
    server_packages: [gunicorn==27.0.1]
    base_dir: "{{ playbook_dir }}"
    cache_dir: "~/.cache/fastapi-ops"
  delegate_to: localhost
  register: shop_source
"""

RETURN = r"""
problems:
  description: One message per problem (unpinned line, server conflict, missing lock, unknown ref); empty when the source is usable.
  type: list
  elements: str
  returned: always
content_id:
  description: SHA-256 of the packed content (file names, modes and contents).
  type: str
  returned: when the source could be read
archive:
  description: Controller path of the release tarball (unpacked into the release's C(src/)).
  type: str
  returned: when the source could be read
kind:
  description: C(requirements), C(uv) (pyproject.toml + uv.lock) or C(package).
  type: str
  returned: when the source could be read
lock:
  description: The lock's path inside the release's C(src/).
  type: str
  returned: when a lock was found
hashes:
  description: Whether every requirement carries C(--hash) (hash-checking mode).
  type: bool
  returned: always
exact:
  description: Whether every requirement is pinned, so the lock is installed exactly, without resolving.
  type: bool
  returned: always
constraints:
  description: The lock's pins as plain C(name==version) lines, to keep them while the server stack is added.
  type: list
  elements: str
  returned: always
package:
  description: File name of the wheel or sdist inside C(src/), for a package source.
  type: str
  returned: for a package source
projects:
  description:
    - The local projects the release installs, without their dependencies and not editable, as paths
      inside the release's C(src/) - for a uv.lock the app's own project (unless it is virtual, without a
      build system) and the workspace members and path dependencies it needs; for a package source the
      wheel or sdist. Empty for a requirements file.
  type: list
  elements: str
  returned: always
member:
  description: The name of the app's project when it is a member of a uv workspace whose lock is above it (C(uv export --package)).
  type: str
  returned: for a uv workspace member
commit:
  description: The commit the git ref resolved to.
  type: str
  returned: for a git source
server_packages:
  description:
    - The server stack to install beside the lock - the lock's own version of each server package it pins
      within its range (with the collection's extras), the collection's pin of each it lacks.
  type: list
  elements: str
  returned: when the lock could be read
requires_python:
  description: The C(requires-python) of the app's C(pyproject.toml) (or the C(Requires-Python) of its wheel).
  type: str
  returned: when the project declares one
requires_python_from:
  description: The file C(requires_python) was read from, relative to the source.
  type: str
  returned: when the project declares one
description:
  description: Where the content came from, for the release's C(release.json).
  type: str
  returned: when the source could be read
"""

import fcntl
import fnmatch
import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.requirements import (
    canonical_name, constraints, local_projects, metadata_requires_python, parse_requirements, parse_uv_lock, pyproject_name,
    pyproject_requires_python, server_policy, workspace_includes)

# Never part of a release, whatever the source: local settings and secrets
# (.env, .env.local, .envrc), version control, virtualenvs, caches and
# coverage data. A pattern without '/' matches a name at any depth.
DEFAULT_EXCLUDES = (
    ".env*", ".git", ".hg", ".svn", ".venv", "__pycache__", "*.pyc", "*.pyo",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", ".coverage", ".coverage.*", "htmlcov",
    ".DS_Store",
)
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
PACKAGE_SUFFIXES = (".whl", ".tar.gz", ".zip")
FIXED_MTIME = 315532800  # 1980-01-01, as in wheels


class SourceError(Exception):
    pass


def _run_git(module, args, cwd=None, binary=False):
    rc, out, err = module.run_command(["git"] + args, cwd=cwd, encoding=None if binary else "utf-8")
    if rc != 0:
        raise SourceError("git %s failed: %s" % (" ".join(args), (err if isinstance(err, str) else err.decode("utf-8", "replace")).strip()))
    return out


def _git_stage(module, source, cache_dir, work):
    url, ref = source["git"], str(source.get("ref") or "")
    mirror = os.path.join(cache_dir, "git", hashlib.sha256(url.encode()).hexdigest()[:16] + ".git")
    os.makedirs(os.path.dirname(mirror), exist_ok=True)
    with open(mirror + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isdir(mirror):
            _run_git(module, ["clone", "--quiet", "--mirror", url, mirror])
        elif not (re.match(r"^[0-9a-f]{40}$", ref) and module.run_command(
                ["git", "cat-file", "-e", ref + "^{commit}"], cwd=mirror)[0] == 0):
            _run_git(module, ["fetch", "--quiet", "--prune", "--force", "--tags", "origin",
                              "+refs/heads/*:refs/heads/*"], cwd=mirror)
        is_tag = module.run_command(["git", "show-ref", "--verify", "--quiet", "refs/tags/" + ref], cwd=mirror)[0] == 0
        is_branch = module.run_command(["git", "show-ref", "--verify", "--quiet", "refs/heads/" + ref], cwd=mirror)[0] == 0
        if is_branch and not is_tag:
            raise SourceError("source.ref: %r is a branch of %s; pin a tag or a commit" % (ref, url))
        rc, out, err = module.run_command(["git", "rev-parse", "--verify", "--quiet", ref + "^{commit}"], cwd=mirror)
        if rc != 0:
            raise SourceError("source.ref: %r is neither a tag nor a commit of %s" % (ref, url))
        commit = out.strip()
        if not is_tag and not commit.startswith(ref.lower()):
            raise SourceError("source.ref: %r is not a tag or a commit of %s; pin a tag or a commit" % (ref, url))
        data = _run_git(module, ["archive", "--format=tar", commit], cwd=mirror, binary=True)
    stage = os.path.join(work, "src")
    os.makedirs(stage)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        _safe_extract_tar(archive, stage)
    return stage, commit, "git %s at %s (%s)" % (url, ref, commit)


def _inside(base, path):
    base = os.path.realpath(base)
    return os.path.realpath(path) == base or os.path.realpath(path).startswith(base + os.sep)


def _safe_extract_tar(archive, dest):
    for member in archive.getmembers():
        target = os.path.join(dest, member.name)
        if not _inside(dest, target) or member.issym() and not _inside(dest, os.path.join(os.path.dirname(target), member.linkname)):
            raise SourceError("archive member %r points outside the archive" % member.name)
        if member.isdev() or member.islnk():
            raise SourceError("archive member %r is not a plain file, directory or symlink" % member.name)
    if hasattr(tarfile, "tar_filter"):
        archive.extractall(dest, filter="tar")
    else:  # pragma: no cover - Python before 3.11.4; members were checked above
        archive.extractall(dest)


def _strip_single_top(stage):
    entries = os.listdir(stage)
    if len(entries) == 1 and os.path.isdir(os.path.join(stage, entries[0])) and not os.path.islink(os.path.join(stage, entries[0])):
        return os.path.join(stage, entries[0])
    return stage


def _archive_stage(path, work):
    stage = os.path.join(work, "src")
    os.makedirs(stage)
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not _inside(stage, os.path.join(stage, name)):
                    raise SourceError("archive member %r points outside the archive" % name)
            archive.extractall(stage)
    else:
        with tarfile.open(path) as archive:
            _safe_extract_tar(archive, stage)
    return _strip_single_top(stage)


def excluded(rel, patterns):
    """Whether the path ``rel`` (relative to the source, '/'-separated)
    matches one of ``patterns``: a pattern without '/' matches the name at
    any depth, one with '/' the whole path from the source's top."""
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        if "/" in pattern.strip("/"):
            if fnmatch.fnmatchcase(rel, pattern.strip("/")):
                return True
        elif fnmatch.fnmatchcase(name, pattern.strip("/")):
            return True
    return False


def _walk(stage, patterns):
    """Yield (relative path, absolute path) of everything packed, sorted."""
    for root, dirs, files in os.walk(stage):
        prefix = "" if os.path.relpath(root, stage) == "." else os.path.relpath(root, stage) + "/"
        dirs[:] = sorted(d for d in dirs if not excluded(prefix + d, patterns))
        for name in sorted(dirs + [f for f in files if not excluded(prefix + f, patterns)]):
            yield prefix + name, os.path.join(root, name)


def _entries(stage, patterns=DEFAULT_EXCLUDES):
    entries = []
    for rel, full in sorted(_walk(stage, patterns)):
        info = os.lstat(full)
        if stat.S_ISLNK(info.st_mode):
            entries.append((rel, "link", os.readlink(full)))
        elif stat.S_ISDIR(info.st_mode):
            entries.append((rel, "dir", None))
        elif stat.S_ISREG(info.st_mode):
            entries.append((rel, "exec" if info.st_mode & 0o111 else "file", full))
    return entries


def _content_id(entries):
    digest = hashlib.sha256()
    for rel, kind, value in entries:
        if kind in ("file", "exec"):
            with open(value, "rb") as handle:
                value = hashlib.sha256(handle.read()).hexdigest()
        digest.update(("%s\0%s\0%s\n" % (rel, kind, value or "")).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _pack(entries, destination):
    if os.path.exists(destination):
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(destination), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped, \
                tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for rel, kind, value in entries:
                info = tarfile.TarInfo(rel)
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = FIXED_MTIME
                if kind == "dir":
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    archive.addfile(info)
                elif kind == "link":
                    info.type, info.linkname, info.mode = tarfile.SYMTYPE, value, 0o777
                    archive.addfile(info)
                else:
                    info.mode = 0o755 if kind == "exec" else 0o644
                    info.size = os.path.getsize(value)
                    with open(value, "rb") as handle:
                        archive.addfile(info, handle)
        os.rename(tmp, destination)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _workspace_lock(stage, project):
    """The uv.lock of a uv workspace above ``project`` whose members include
    it, or None: the lock of a workspace sits at its root, beside the
    pyproject.toml that lists the members."""
    directory = project
    while directory != stage and _inside(stage, directory):
        directory = os.path.dirname(directory)
        lock, pyproject = os.path.join(directory, "uv.lock"), os.path.join(directory, "pyproject.toml")
        if os.path.isfile(lock) and os.path.isfile(pyproject) and workspace_includes(
                _read(pyproject), os.path.relpath(project, directory).replace(os.sep, "/")):
            return lock
    return None


def _uv_projects(result, stage, project, candidate, rel, text, pins):
    """Which local projects the release installs from a uv.lock (the app's
    own project, the workspace members and path dependencies it needs), and
    for a workspace member its name, for ``uv export --package``."""
    lock_dir = os.path.dirname(candidate)
    start = None
    if os.path.isfile(os.path.join(project, "pyproject.toml")):
        start = pyproject_name(_read(os.path.join(project, "pyproject.toml")))
    if lock_dir != project:
        where = os.path.relpath(os.path.join(project, "pyproject.toml"), stage)
        if not start:
            result["problems"].append("%s: a workspace member needs a pyproject.toml with [project] name" % where)
            return
        if canonical_name(start) not in set(p["canonical"] for p in pins):
            result["problems"].append(
                "%s: project %s is not in %s; is it a member of the workspace? Run uv lock" % (where, start, rel))
            return
        result["member"] = start
    projects = []
    for path in local_projects(text, start if lock_dir != project else None):
        full = os.path.normpath(os.path.join(lock_dir, path))
        if not _inside(stage, full):
            result["problems"].append("%s: the local project %s is outside the source" % (rel, path))
            continue
        projects.append(os.path.relpath(full, stage).replace(os.sep, "/"))
    result["projects"] = projects


def check_lock(result, stage, subdir, lock, allow_unpinned, server_packages, package=None, server_ranges=None):
    """Find and judge the lock inside ``stage``; fill ``result``."""
    project = os.path.normpath(os.path.join(stage, subdir or "."))
    if lock:
        candidate = os.path.normpath(os.path.join(project, lock))
        if not _inside(stage, candidate):
            result["problems"].append("lock: %s is outside the source" % lock)
            return
        if not os.path.isfile(candidate):
            result["problems"].append("lock: %s is not in the source" % os.path.relpath(candidate, stage))
            return
    elif os.path.isfile(os.path.join(project, "uv.lock")) and os.path.isfile(os.path.join(project, "pyproject.toml")):
        candidate = os.path.join(project, "uv.lock")
    elif os.path.isfile(os.path.join(project, "requirements.txt")):
        candidate = os.path.join(project, "requirements.txt")
    else:
        candidate = _workspace_lock(stage, project) if project != stage else None
        if candidate is None:
            where = subdir if subdir and subdir != "." else "the source"
            result["problems"].append(
                "no lock in %s: add a requirements.txt with every line pinned (name==version) or pyproject.toml + uv.lock%s"
                % (where, ", or lock the uv workspace whose members include it" if project != stage else ""))
            return
    rel = os.path.relpath(candidate, stage)
    result["lock"] = rel
    if os.path.basename(candidate) == "uv.lock":
        if not os.path.isfile(os.path.join(os.path.dirname(candidate), "pyproject.toml")):
            result["problems"].append("%s: a uv.lock needs the pyproject.toml beside it" % rel)
            return
        result["kind"] = "uv"
        try:
            text = _read(candidate)
            pins = parse_uv_lock(text)
        except ValueError as error:
            result["problems"].append("%s: not a valid uv.lock (%s)" % (rel, error))
            return
        # uv export writes the lock's hashes and uv or pip check every one
        # it gives; --require-hashes is left out, as a git dependency of a
        # uv project has none. The local projects are installed apart.
        result["exact"] = True
        _uv_projects(result, stage, project, candidate, rel, text, pins)
        result["server_packages"], problems = server_policy(pins, server_packages, server_ranges, rel)
        result["problems"].extend(problems)
        return
    result["kind"] = "package" if package else "requirements"
    if package:
        result["projects"] = [package]
    pins, problems = parse_requirements(_read(candidate), rel)
    if allow_unpinned:
        problems = [p for p in problems if "has no --hash" in p]
    result["problems"].extend(problems)
    result["exact"] = all(p["version"] for p in pins)
    result["hashes"] = bool(pins) and all(p["hashes"] for p in pins)
    result["constraints"] = constraints(pins)
    result["server_packages"], problems = server_policy(pins, server_packages, server_ranges, rel)
    result["problems"].extend(problems)


def find_requires_python(result, stage, subdir, package=None):
    """The Python the app's own project asks for: ``requires-python`` of its
    pyproject.toml, or ``Requires-Python`` of its wheel."""
    if package:
        if not package.endswith(".whl") or not zipfile.is_zipfile(os.path.join(stage, package)):
            return  # an sdist declares it in its pyproject.toml; the installer judges a broken wheel
        with zipfile.ZipFile(os.path.join(stage, package)) as wheel:
            names = [n for n in wheel.namelist() if re.match(r"^[^/]+\.dist-info/METADATA$", n)]
            if names:
                spec = metadata_requires_python(wheel.read(names[0]).decode("utf-8", "replace"))
                if spec:
                    result["requires_python"], result["requires_python_from"] = spec, package
        return
    pyproject = os.path.join(os.path.normpath(os.path.join(stage, subdir or ".")), "pyproject.toml")
    if os.path.isfile(pyproject):
        spec = pyproject_requires_python(_read(pyproject))
        if spec:
            result["requires_python"], result["requires_python_from"] = spec, os.path.relpath(pyproject, stage)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            source=dict(type="dict", required=True),
            lock=dict(type="str"),
            allow_unpinned=dict(type="bool", default=False),
            server_packages=dict(type="list", elements="str", default=[]),
            server_ranges=dict(type="dict", default={}),
            base_dir=dict(type="path", required=True),
            cache_dir=dict(type="path", required=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    source = p["source"]
    result = dict(changed=False, problems=[], hashes=False, exact=False, constraints=[], projects=[])
    cache_dir = p["cache_dir"]
    for sub in ("dist", "work"):
        os.makedirs(os.path.join(cache_dir, sub), exist_ok=True)
    work = tempfile.mkdtemp(prefix=p["name"] + "-", dir=os.path.join(cache_dir, "work"))

    def local(path):
        return os.path.normpath(os.path.join(p["base_dir"], path))

    try:
        package = None
        if source.get("git"):
            stage, result["commit"], result["description"] = _git_stage(module, source, cache_dir, work)
        elif source.get("path"):
            path = local(source["path"])
            if os.path.isdir(path):
                stage = path
            elif os.path.isfile(path) and path.endswith(ARCHIVE_SUFFIXES):
                stage = _archive_stage(path, work)
            else:
                raise SourceError("source.path: %s is neither a directory nor a %s archive" % (path, "/".join(ARCHIVE_SUFFIXES)))
            result["description"] = "path %s" % path
        elif source.get("package"):
            path = local(source["package"])
            if not os.path.isfile(path) or not path.endswith(PACKAGE_SUFFIXES):
                raise SourceError("source.package: %s is not a wheel or sdist file" % path)
            if not p["lock"]:
                raise SourceError("lock: a package source needs a requirements file on the controller with every dependency pinned")
            lock = local(p["lock"])
            if not os.path.isfile(lock):
                raise SourceError("lock: %s does not exist" % lock)
            stage = os.path.join(work, "src")
            os.makedirs(stage)
            package = os.path.basename(path)
            shutil.copy(path, os.path.join(stage, package))
            shutil.copy(lock, os.path.join(stage, os.path.basename(lock)))
            result["package"] = package
            result["description"] = "package %s" % path
        else:
            raise SourceError("source: give one of git, path, package")
        subdir = source.get("subdir") if not package else None
        if subdir and not os.path.isdir(os.path.join(stage, subdir)):
            raise SourceError("source.subdir: %s is not a directory of the source" % subdir)
        lock = os.path.basename(p["lock"]) if package else p["lock"]
        check_lock(result, stage, subdir, lock, p["allow_unpinned"], p["server_packages"], package, p["server_ranges"])
        find_requires_python(result, stage, subdir, package)
        patterns = DEFAULT_EXCLUDES + tuple(source.get("exclude") or ())
        if result.get("lock") and any(excluded("/".join(result["lock"].split("/")[:depth]), patterns)
                                      for depth in range(1, result["lock"].count("/") + 2)):
            raise SourceError("source.exclude: a pattern leaves out the lock %s" % result["lock"])
        entries = _entries(stage, patterns)
        result["content_id"] = _content_id(entries)
        result["archive"] = os.path.join(cache_dir, "dist", "%s-%s.tar.gz" % (p["name"], result["content_id"][:16]))
        _pack(entries, result["archive"])
    except (SourceError, OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        result["problems"].append(str(error))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An app's source on the controller: fetched, its lock judged, packed.

The work of the ``app_source`` module and of its action plugin, which runs
it in the controller's own process: ``run(params, check_mode, command)``
with the parameters checked against ``ARGUMENT_SPEC``. Git runs through
``command(args, cwd=None, binary=False)``, which answers ``(rc, stdout,
stderr)`` (``module.run_command`` in the module, a subprocess in the action
plugin).
"""

from __future__ import annotations

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


def _run_git(command, args, cwd=None, binary=False):
    rc, out, err = command(["git"] + args, cwd=cwd, binary=binary)
    if rc != 0:
        raise SourceError("git %s failed: %s" % (" ".join(args), (err if isinstance(err, str) else err.decode("utf-8", "replace")).strip()))
    return out


def _git_stage(command, source, cache_dir, work):
    url, ref = source["git"], str(source.get("ref") or "")
    mirror = os.path.join(cache_dir, "git", hashlib.sha256(url.encode()).hexdigest()[:16] + ".git")
    os.makedirs(os.path.dirname(mirror), exist_ok=True)
    with open(mirror + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isdir(mirror):
            _run_git(command, ["clone", "--quiet", "--mirror", url, mirror])
        elif not (re.match(r"^[0-9a-f]{40}$", ref) and command(
                ["git", "cat-file", "-e", ref + "^{commit}"], cwd=mirror)[0] == 0):
            _run_git(command, ["fetch", "--quiet", "--prune", "--force", "--tags", "origin",
                               "+refs/heads/*:refs/heads/*"], cwd=mirror)
        is_tag = command(["git", "show-ref", "--verify", "--quiet", "refs/tags/" + ref], cwd=mirror)[0] == 0
        is_branch = command(["git", "show-ref", "--verify", "--quiet", "refs/heads/" + ref], cwd=mirror)[0] == 0
        if is_branch and not is_tag:
            raise SourceError("source.ref: %r is a branch of %s; pin a tag or a commit" % (ref, url))
        rc, out, err = command(["git", "rev-parse", "--verify", "--quiet", ref + "^{commit}"], cwd=mirror)
        if rc != 0:
            raise SourceError("source.ref: %r is neither a tag nor a commit of %s" % (ref, url))
        commit = out.strip()
        if not is_tag and not commit.startswith(ref.lower()):
            raise SourceError("source.ref: %r is not a tag or a commit of %s; pin a tag or a commit" % (ref, url))
        data = _run_git(command, ["archive", "--format=tar", commit], cwd=mirror, binary=True)
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


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    source=dict(type="dict", required=True),
    lock=dict(type="str"),
    allow_unpinned=dict(type="bool", default=False),
    server_packages=dict(type="list", elements="str", default=[]),
    server_ranges=dict(type="dict", default={}),
    base_dir=dict(type="path", required=True),
    cache_dir=dict(type="path", required=True),
)


def run(params, check_mode, command):
    """Fetch, judge and pack one app's source; the result of the task.

    Check mode does the same work: it only writes to the controller's cache.
    """
    del check_mode
    p = params
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
            stage, result["commit"], result["description"] = _git_stage(command, source, cache_dir, work)
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
    return result

"""app_source: fetch, check and pack an app's source on the controller."""

import json
import os
import shutil
import subprocess
import tarfile
import tomllib
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
HELLO = os.path.join(ROOT, "examples", "hello")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "apps")
SERVER = ["gunicorn==27.0.1", "uvicorn[standard]==0.54.0", "uvicorn-worker==0.4.0"]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", "-c", "init.defaultBranch=main"]


@pytest.fixture
def source(run_module, tmp_path):
    def run(source, **extra):
        args = dict(name="app", source=source, server_packages=SERVER, base_dir=str(tmp_path),
                    cache_dir=str(tmp_path / "cache"))
        args.update(extra)
        return run_module("app_source", **args)
    return run


def members(archive):
    with tarfile.open(archive) as packed:
        return {m.name: m for m in packed.getmembers()}


def test_a_directory_is_checked_and_packed_reproducibly(source, tmp_path):
    app = tmp_path / "hello"
    shutil.copytree(HELLO, app)
    (app / "__pycache__").mkdir()
    (app / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"x")
    (app / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(app / "run.sh", 0o700)
    first = source({"path": "hello"})
    assert first["problems"] == [] and first["changed"] is False
    assert (first["kind"], first["lock"], first["hashes"], first["exact"]) == ("requirements", "requirements.txt", True, True)
    assert "gunicorn==27.0.1" in first["constraints"]
    packed = members(first["archive"])
    assert sorted(packed) == ["README.md", "main.py", "requirements.in", "requirements.txt", "run.sh"]
    assert all(m.uid == 0 and m.gid == 0 and m.uname == "root" for m in packed.values())
    assert (packed["run.sh"].mode, packed["main.py"].mode) == (0o755, 0o644)
    # Same content, same id; a changed file, a new id.
    os.utime(app / "main.py", (0, 0))
    assert source({"path": "hello"})["content_id"] == first["content_id"]
    (app / "main.py").write_text("changed\n")
    assert source({"path": "hello"})["content_id"] != first["content_id"]


def test_local_settings_caches_and_the_apps_own_patterns_never_reach_the_release(source, tmp_path):
    app = tmp_path / "hello"
    shutil.copytree(HELLO, app)
    for name in [".env", ".env.local", ".envrc", ".coverage", ".coverage.host.1", "static/.env",
                 ".ruff_cache/x", "htmlcov/index.html", "node_modules/x/index.js", "docs/big.pdf",
                 "docs/keep.md", "static/app.js"]:
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text("x\n")
    default = sorted(members(source({"path": "hello"})["archive"]))
    assert default == ["README.md", "docs", "docs/big.pdf", "docs/keep.md", "main.py", "node_modules", "node_modules/x",
                       "node_modules/x/index.js", "requirements.in", "requirements.txt", "static", "static/app.js"]
    chosen = source({"path": "hello", "exclude": ["node_modules", "docs/*.pdf"]})
    assert chosen["problems"] == []
    assert sorted(members(chosen["archive"])) == ["README.md", "docs", "docs/keep.md", "main.py", "requirements.in",
                                                  "requirements.txt", "static", "static/app.js"]
    assert source({"path": "hello", "exclude": ["*.txt"]})["problems"] == [
        "source.exclude: a pattern leaves out the lock requirements.txt"]


RANGES = {"gunicorn": ">=23.0,<28", "uvicorn": ">=0.36,<1", "uvicorn-worker": ">=0.4,<1"}


def test_unpinned_lines_and_server_pins_outside_the_range_are_named(source):
    result = source({"path": os.path.join(FIXTURES, "unpinned")}, server_ranges=RANGES)
    assert result["problems"] == [
        "requirements.txt:2: fastapi>=0.115: not pinned (>=0.115 is a range, not one version; write name==VERSION)",
        "requirements.txt:3: httpx: not pinned (no version; write name==VERSION)",
    ]
    assert result["exact"] is False
    assert result["server_packages"] == ["gunicorn==23.0.0", "uvicorn[standard]==0.40.0", "uvicorn-worker==0.4.0"]
    conflict = source({"path": os.path.join(FIXTURES, "conflict")}, server_ranges=RANGES)
    assert conflict["problems"] == [
        "requirements.txt:3: gunicorn==22.0.0: gunicorn 22.0.0 is outside the range the collection supports "
        "(gunicorn >=23.0,<28, app_server_ranges); pin a release in that range, or leave gunicorn out of the lock "
        "to get the collection's gunicorn==27.0.1"]
    # Without a range, only the collection's own pin is accepted.
    assert source({"path": os.path.join(FIXTURES, "conflict")})["problems"] == [
        "requirements.txt:3: gunicorn==22.0.0: conflicts with the server stack's gunicorn==27.0.1 "
        "(app_server_packages); pin the same version in the app's lock"]


def test_allow_unpinned_accepts_ranges_but_not_conflicts(source):
    result = source({"path": os.path.join(FIXTURES, "unpinned")}, allow_unpinned=True, server_ranges=RANGES)
    assert result["problems"] == [] and result["exact"] is False
    assert source({"path": os.path.join(FIXTURES, "conflict")}, allow_unpinned=True, server_ranges=RANGES)["problems"]


def test_a_missing_lock_is_a_problem(source, tmp_path):
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "main.py").write_text("")
    assert source({"path": "bare"})["problems"] == [
        "no lock in the source: add a requirements.txt with every line pinned (name==version) or pyproject.toml + uv.lock"]
    assert source({"path": "bare"}, lock="locks/prod.txt")["problems"] == ["lock: locks/prod.txt is not in the source"]
    assert "is neither a directory nor" in source({"path": "nothing"})["problems"][0]


def test_uv_lock_is_preferred_and_checked_against_the_server_stack(source, tmp_path):
    app = tmp_path / "uvapp"
    shutil.copytree(os.path.join(FIXTURES, "uvapp"), app)
    (app / "requirements.txt").write_text("anything>=1\n")
    (app / "uv.lock").write_text('version = 1\n[[package]]\nname = "gunicorn"\nversion = "23.0.0"\n')
    result = source({"path": "uvapp"})
    assert result["kind"] == "uv" and result["lock"] == "uv.lock"
    assert result["problems"] == ["uv.lock: gunicorn==23.0.0: conflicts with the server stack's gunicorn==27.0.1 "
                                  "(app_server_packages); pin the same version in the app's lock"]
    (app / "uv.lock").write_text('version = 1\n[[package]]\nname = "gunicorn"\nversion = "27.0.1"\n')
    result = source({"path": "uvapp"})
    assert result["problems"] == []
    assert (result["requires_python"], result["requires_python_from"]) == (">=3.11", "pyproject.toml")


def test_requires_python_comes_from_the_subdir_or_the_wheel(source, tmp_path):
    app = tmp_path / "ws" / "backend"
    shutil.copytree(os.path.join(FIXTURES, "uvapp"), app)
    (app / "pyproject.toml").write_text(
        (app / "pyproject.toml").read_text().replace('requires-python = ">=3.11"', 'requires-python = ">=3.14"'))
    (app / "requirements.txt").write_text("fastapi==0.115.0\n")
    result = source({"path": "ws", "subdir": "backend"})
    assert (result["requires_python"], result["requires_python_from"]) == (">=3.14", "backend/pyproject.toml")
    hello = source({"path": HELLO})
    assert "requires_python" not in hello
    wheel = tmp_path / "shop-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as packed:
        packed.writestr("shop-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: shop\nRequires-Python: >=3.12\n\nbody\n")
    result = source({"package": str(wheel)}, lock=os.path.join(FIXTURES, "wheelapp", "requirements.txt"))
    assert (result["requires_python"], result["requires_python_from"]) == (">=3.12", "shop-1.0-py3-none-any.whl")


def test_the_lock_decides_the_server_stack_within_its_range(source, tmp_path):
    app = tmp_path / "uvapp"
    shutil.copytree(os.path.join(FIXTURES, "uvapp"), app)
    ranges = {"gunicorn": ">=23.0,<28", "uvicorn": ">=0.36,<1", "uvicorn-worker": ">=0.4,<1"}
    (app / "uv.lock").write_text('version = 1\n[[package]]\nname = "uvicorn"\nversion = "0.40.0"\n')
    result = source({"path": "uvapp"}, server_ranges=ranges)
    assert result["problems"] == []
    assert result["server_packages"] == ["gunicorn==27.0.1", "uvicorn[standard]==0.40.0", "uvicorn-worker==0.4.0"]
    (app / "uv.lock").write_text('version = 1\n[[package]]\nname = "uvicorn"\nversion = "0.30.0"\n')
    assert "uvicorn 0.30.0 is outside the range the collection supports (uvicorn >=0.36,<1" in source(
        {"path": "uvapp"}, server_ranges=ranges)["problems"][0]


def workspace(root):
    """A uv workspace: a virtual root with the lock, the app in backend/ and a library member."""
    (root / "backend").mkdir(parents=True)
    (root / "packages" / "common").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["backend", "packages/*"]\n')
    (root / "backend" / "pyproject.toml").write_text('[project]\nname = "backend"\nrequires-python = ">=3.11"\n')
    (root / "packages" / "common" / "pyproject.toml").write_text('[project]\nname = "common"\n')
    (root / "backend" / ".env").write_text("DEBUG_ROUTES=true\n")
    (root / "uv.lock").write_text(
        'version = 1\n'
        '[[package]]\nname = "backend"\nversion = "0.1.0"\nsource = { editable = "backend" }\n'
        'dependencies = [{ name = "common" }, { name = "uvicorn" }]\n'
        '[[package]]\nname = "common"\nversion = "0.1.0"\nsource = { editable = "packages/common" }\n'
        '[[package]]\nname = "uvicorn"\nversion = "0.40.0"\nsource = { registry = "https://registry.example.test/simple" }\n')


def test_a_workspace_member_finds_the_lock_at_the_workspace_root(source, tmp_path):
    workspace(tmp_path / "ws")
    ranges = {"gunicorn": ">=23.0,<28", "uvicorn": ">=0.36,<1", "uvicorn-worker": ">=0.4,<1"}
    result = source({"path": "ws", "subdir": "backend"}, server_ranges=ranges)
    assert result["problems"] == []
    assert (result["kind"], result["lock"], result["member"]) == ("uv", "uv.lock", "backend")
    assert result["projects"] == ["backend", "packages/common"]
    assert result["server_packages"] == ["gunicorn==27.0.1", "uvicorn[standard]==0.40.0", "uvicorn-worker==0.4.0"]
    assert (result["requires_python"], result["requires_python_from"]) == (">=3.11", "backend/pyproject.toml")
    assert "backend/.env" not in members(result["archive"])
    # The same lock named from the subdir.
    assert source({"path": "ws", "subdir": "backend"}, lock="../uv.lock", server_ranges=ranges)["member"] == "backend"
    assert source({"path": "ws", "subdir": "backend"}, lock="../../uv.lock")["problems"] == ["lock: ../../uv.lock is outside the source"]


def test_the_workspace_example_deploys_from_its_backend_member(source, tmp_path):
    """examples/workspace with a lock of its pins, as `uv lock` writes it (the repository commits none)."""
    root = tmp_path / "ws"
    shutil.copytree(os.path.join(ROOT, "examples", "workspace"), root)
    with open(root / "backend" / "pyproject.toml", "rb") as handle:
        pins = [dep.split("==") for dep in tomllib.load(handle)["project"]["dependencies"] if "==" in dep]
    lock = ['version = 1\n[[package]]\nname = "backend"\nversion = "0.1.0"\nsource = { editable = "backend" }\n'
            'dependencies = [{ name = "common" }]\n'
            '[[package]]\nname = "common"\nversion = "0.1.0"\nsource = { editable = "packages/common" }\n']
    lock += ['[[package]]\nname = "%s"\nversion = "%s"\n' % (name.split("[")[0], version) for name, version in pins]
    (root / "uv.lock").write_text("".join(lock))
    ranges = {"gunicorn": ">=23.0,<28", "uvicorn": ">=0.36,<1", "uvicorn-worker": ">=0.4,<1"}
    result = source({"path": "ws", "subdir": "backend"}, server_ranges=ranges)
    assert result["problems"] == []
    assert (result["lock"], result["member"], result["projects"]) == ("uv.lock", "backend", ["backend", "packages/common"])
    assert "uvicorn[standard]==0.40.0" in result["server_packages"]
    assert result["requires_python"] == ">=3.11"
    packed = members(result["archive"])
    assert "backend/app/prestart.py" in packed and "backend/.env" not in packed


def test_a_directory_that_is_no_member_or_a_member_missing_from_the_lock_is_refused(source, tmp_path):
    root = tmp_path / "ws"
    workspace(root)
    (root / "frontend").mkdir()
    (root / "frontend" / "pyproject.toml").write_text('[project]\nname = "frontend"\n')
    assert source({"path": "ws", "subdir": "frontend"})["problems"] == [
        "no lock in frontend: add a requirements.txt with every line pinned (name==version) or pyproject.toml + uv.lock, "
        "or lock the uv workspace whose members include it"]
    (root / "packages" / "new").mkdir()
    (root / "packages" / "new" / "pyproject.toml").write_text('[project]\nname = "new"\n')
    assert source({"path": "ws", "subdir": "packages/new"})["problems"][:1] == [
        "packages/new/pyproject.toml: project new is not in uv.lock; is it a member of the workspace? Run uv lock"]


def test_the_own_project_is_installed_unless_it_is_virtual(source, tmp_path):
    app = tmp_path / "uvapp"
    shutil.copytree(os.path.join(FIXTURES, "uvapp"), app)
    (app / "uv.lock").write_text('version = 1\n[[package]]\nname = "uvapp"\nversion = "0.1.0"\nsource = { virtual = "." }\n')
    assert source({"path": "uvapp"})["projects"] == []
    (app / "uv.lock").write_text('version = 1\n[[package]]\nname = "uvapp"\nversion = "0.1.0"\nsource = { editable = "." }\n')
    result = source({"path": "uvapp"})
    assert (result["projects"], result.get("member")) == (["."], None)
    assert source({"path": HELLO})["projects"] == []


def test_archives_are_unpacked_without_their_single_top_directory(source, tmp_path):
    with tarfile.open(tmp_path / "hello.tar.gz", "w:gz") as packed:
        packed.add(HELLO, arcname="hello-1.0")
    with zipfile.ZipFile(tmp_path / "hello.zip", "w") as packed:
        for name in os.listdir(HELLO):
            packed.write(os.path.join(HELLO, name), name)
    from_tar = source({"path": "hello.tar.gz"})
    from_zip = source({"path": "hello.zip"})
    from_dir = source({"path": HELLO})
    assert from_tar["problems"] == from_zip["problems"] == []
    assert from_tar["content_id"] == from_dir["content_id"]
    assert sorted(members(from_zip["archive"])) == sorted(members(from_dir["archive"]))


def test_an_archive_escaping_its_directory_is_refused(source, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as packed:
        info = tarfile.TarInfo("../escaped")
        packed.addfile(info)
    assert "points outside the archive" in source({"path": "evil.tar.gz"})["problems"][0]


def test_a_package_comes_with_its_lock(source, tmp_path):
    wheel = tmp_path / "dist" / "shop-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"not really a wheel")
    lock = os.path.join(FIXTURES, "wheelapp", "requirements.txt")
    result = source({"package": "dist/shop-1.0-py3-none-any.whl"}, lock=lock)
    assert result["problems"] == []
    assert (result["kind"], result["lock"], result["package"], result["hashes"]) == (
        "package", "requirements.txt", "shop-1.0-py3-none-any.whl", False)
    assert sorted(members(result["archive"])) == ["requirements.txt", "shop-1.0-py3-none-any.whl"]
    assert "needs a requirements file" in source({"package": "dist/shop-1.0-py3-none-any.whl"})["problems"][0]


@pytest.fixture
def repo(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(HELLO, work)
    subprocess.run(GIT + ["init", "-q"], cwd=work, check=True)
    subprocess.run(GIT + ["add", "-A"], cwd=work, check=True)
    subprocess.run(GIT + ["commit", "-qm", "v1"], cwd=work, check=True)
    subprocess.run(GIT + ["tag", "v1"], cwd=work, check=True)
    subprocess.run(GIT + ["clone", "-q", "--bare", str(work), str(tmp_path / "hello.git")], check=True)
    return work


def git(work, *args):
    return subprocess.run(GIT + list(args), cwd=work, check=True, capture_output=True, text=True).stdout.strip()


def test_git_at_a_tag_or_commit_and_a_new_ref_gives_new_content(source, repo, tmp_path):
    url = str(tmp_path / "hello.git")
    v1 = source({"git": url, "ref": "v1"})
    assert v1["problems"] == [] and v1["commit"] == git(repo, "rev-parse", "HEAD")
    assert v1["description"] == "git %s at v1 (%s)" % (url, v1["commit"])
    by_commit = source({"git": url, "ref": v1["commit"][:12]})
    assert by_commit["content_id"] == v1["content_id"]
    (repo / "version.py").write_text("VERSION = 2\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v2")
    git(repo, "tag", "v2")
    git(repo, "push", "-q", url, "HEAD:refs/heads/main", "--tags")
    v2 = source({"git": url, "ref": "v2"})
    assert v2["problems"] == [] and v2["content_id"] != v1["content_id"]
    assert source({"git": url, "ref": "v1"})["content_id"] == v1["content_id"]


def test_git_branches_and_unknown_refs_are_refused(source, repo, tmp_path):
    url = str(tmp_path / "hello.git")
    assert source({"git": url, "ref": "main"})["problems"] == [
        "source.ref: 'main' is a branch of %s; pin a tag or a commit" % url]
    assert "is neither a tag nor a commit" in source({"git": url, "ref": "v9"})["problems"][0]
    assert "is not a tag or a commit" in source({"git": url, "ref": "v1~0"})["problems"][0]
    assert "git clone" in source({"git": str(tmp_path / "missing.git"), "ref": "v1"})["problems"][0]


def test_subdir_must_exist(source):
    result = source({"path": HELLO, "subdir": "app"})
    assert result["problems"] == ["source.subdir: app is not a directory of the source"]


def test_check_mode_does_the_same_controller_work(run_module, tmp_path):
    result = run_module("app_source", check_mode=True, name="app", source={"path": HELLO}, server_packages=SERVER,
                        base_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    assert result["problems"] == [] and os.path.isfile(result["archive"]) and result["changed"] is False
    assert json.dumps(result)  # plain JSON

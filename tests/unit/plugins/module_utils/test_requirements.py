"""Reading an app's lock and judging its pins."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.requirements import (
    canonical_name, constraints, local_projects, logical_lines, parse_pin, parse_requirements, parse_uv_lock, pyproject_name, server_policy, workspace_includes,
)

SERVER = ["gunicorn==27.0.1", "uvicorn[standard]==0.54.0", "uvicorn-worker==0.4.0"]


def test_logical_lines_join_continuations_and_drop_comments():
    text = "# header\nfoo==1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via bar\n\nbaz==2 # why\n"
    assert list(logical_lines(text)) == [(2, "foo==1.0 --hash=sha256:aa --hash=sha256:bb"), (7, "baz==2")]


def test_a_fully_pinned_hashed_file_has_no_problems():
    pins, problems = parse_requirements(
        "Foo_Bar==1.0 \\\n  --hash=sha256:aa\nuvicorn[standard]==0.54.0 ; python_version >= '3.11' --hash=sha256:bb\n")
    assert problems == []
    assert [(p["canonical"], p["version"], p["extras"], p["marker"]) for p in pins] == [
        ("foo-bar", "1.0", [], None), ("uvicorn", "0.54.0", ["standard"], "python_version >= '3.11'")]
    assert pins[0]["hashes"] == ["sha256:aa"] and pins[0]["text"] == "Foo_Bar==1.0"


@pytest.mark.parametrize("line, why", [
    ("fastapi>=0.115", "requirements.txt:1: fastapi>=0.115: not pinned (>=0.115 is a range"),
    ("fastapi", "requirements.txt:1: fastapi: not pinned (no version"),
    ("fastapi~=0.115.0", "not pinned (~=0.115.0 is a range"),
    ("fastapi==0.115.*", "not pinned (==0.115.* is a wildcard"),
    ("fastapi==0.115,<1", "not pinned (==0.115,<1 is a range"),
    ("fastapi!=0.1", "is a range"),
    ("fastapi @ https://example.test/fastapi.whl", "URLs and paths are not pinned"),
    ("./vendor/fastapi", "URLs and paths are not pinned"),
    ("-e .", "an editable requirement is not pinned"),
    ("-r base.txt", "nested requirement files are not followed"),
    ("--frobnicate", "unknown option"),
])
def test_every_unpinned_line_is_named(line, why):
    pins, problems = parse_requirements(line + "\n")
    assert len(problems) == 1 and why in problems[0], problems


def test_problems_carry_file_and_line_number():
    _pins, problems = parse_requirements("a==1\n\n# c\nb>=2\nc\n", "app/requirements.txt")
    assert problems == [
        "app/requirements.txt:4: b>=2: not pinned (>=2 is a range, not one version; write name==VERSION)",
        "app/requirements.txt:5: c: not pinned (no version; write name==VERSION)",
    ]


def test_index_options_and_exact_equality_are_accepted():
    pins, problems = parse_requirements("--index-url https://mirror.example.test/simple\n-f ./wheels\nfoo===1.0.post1\nbar==2.0+local\n")
    assert problems == [] and [p["version"] for p in pins] == ["1.0.post1", "2.0+local"]


def test_hash_on_some_lines_only_is_a_problem():
    _pins, problems = parse_requirements("a==1 --hash=sha256:aa\nb==2\n")
    assert problems == ["requirements.txt:2: b==2: has no --hash while other lines do (hash checking needs one on every line)"]


def test_uv_lock_packages():
    lock = '''version = 1
[[package]]
name = "FastAPI"
version = "0.165.0"
source = { registry = "https://registry.example.test/simple" }

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
'''
    assert parse_uv_lock(lock) == [
        {"name": "FastAPI", "canonical": "fastapi", "version": "0.165.0"},
        {"name": "app", "canonical": "app", "version": "0.1.0"},
    ]


def server_conflicts(pins, server_packages, filename="requirements.txt"):
    """Without ranges every server package is an exact pin."""
    return server_policy(pins, server_packages, None, filename)[1]


def test_server_conflicts_name_both_pins():
    pins, _problems = parse_requirements("fastapi==0.165.0\nGunicorn==23.0.0\nuvicorn==0.54.0\n")
    assert server_conflicts(pins, SERVER) == [
        "requirements.txt:2: Gunicorn==23.0.0: conflicts with the server stack's gunicorn==27.0.1 "
        "(app_server_packages); pin the same version in the app's lock"]


def test_server_conflicts_in_a_uv_lock_and_agreeing_pins():
    locked = [{"name": "gunicorn", "canonical": "gunicorn", "version": "22.0.0"},
              {"name": "uvicorn", "canonical": "uvicorn", "version": "0.54.0"}]
    assert server_conflicts(locked, SERVER, "uv.lock") == [
        "uv.lock: gunicorn==22.0.0: conflicts with the server stack's gunicorn==27.0.1 "
        "(app_server_packages); pin the same version in the app's lock"]
    assert server_conflicts(locked[1:], SERVER) == []


def test_a_server_package_that_is_not_a_pin_is_reported():
    assert server_conflicts([], ["gunicorn>=27"]) == ["app_server_packages: 'gunicorn>=27' is not a name==version pin"]


RANGES = {"gunicorn": ">=23.0,<28", "uvicorn": ">=0.36,<1", "uvicorn_worker": ">=0.4,<1"}


def test_the_lock_decides_within_the_range_and_the_collection_adds_what_it_lacks():
    pins, _problems = parse_requirements("fastapi==0.165.0\nuvicorn==0.40.0\ngunicorn==23.0.0\n")
    assert server_policy(pins, SERVER, RANGES) == (
        ["gunicorn==23.0.0", "uvicorn[standard]==0.40.0", "uvicorn-worker==0.4.0"], [])
    assert server_policy([], SERVER, RANGES) == (SERVER, [])
    post = [{"name": "Uvicorn", "canonical": "uvicorn", "version": "0.40.0.post1"}]
    assert server_policy(post, SERVER, RANGES)[0][1] == "uvicorn[standard]==0.40.0.post1"


def test_a_pin_outside_the_range_is_refused_naming_the_range():
    pins, _problems = parse_requirements("gunicorn==22.0.0\nuvicorn==1.0.0rc1\nuvicorn-worker==0.4.0\n")
    packages, problems = server_policy(pins, SERVER, RANGES)
    assert packages == ["uvicorn-worker==0.4.0"]
    assert problems == [
        "requirements.txt:1: gunicorn==22.0.0: gunicorn 22.0.0 is outside the range the collection supports "
        "(gunicorn >=23.0,<28, app_server_ranges); pin a release in that range, or leave gunicorn out of the lock "
        "to get the collection's gunicorn==27.0.1",
        "requirements.txt:2: uvicorn==1.0.0rc1: uvicorn 1.0.0rc1 is outside the range the collection supports "
        "(uvicorn >=0.36,<1, app_server_ranges); pin a release in that range, or leave uvicorn out of the lock "
        "to get the collection's uvicorn[standard]==0.54.0",
    ]


def test_several_versions_and_bad_settings_are_refused():
    locked = [{"name": "uvicorn", "canonical": "uvicorn", "version": v} for v in ("0.40.0", "0.41.0")]
    assert "pins uvicorn at several versions (0.40.0, 0.41.0)" in server_policy(locked, SERVER, RANGES)[1][0]
    assert server_policy([], ["gunicorn==22.0.0"], RANGES)[1] == [
        "app_server_packages: gunicorn==22.0.0 is outside its range in app_server_ranges (>=23.0,<28)"]
    assert "app_server_ranges: gunicorn: '23'" in server_policy([], SERVER, {"gunicorn": "23"})[1][0]


def test_constraints_keep_markers_and_drop_hashes():
    pins, _problems = parse_requirements("a==1 ; python_version < '3.12' --hash=sha256:aa\nb==2 --hash=sha256:bb\n")
    assert constraints(pins) == ["a==1 ; python_version < '3.12'", "b==2"]


def test_parse_pin_and_names():
    assert parse_pin("uvicorn[standard]==0.54.0")["extras"] == ["standard"]
    assert parse_pin("a==1\nb==2") is None
    assert canonical_name("Zope.Interface_x") == "zope-interface-x"


WORKSPACE_LOCK = """
version = 1
[manifest]
members = ["backend", "common", "tools"]

[[package]]
name = "backend"
version = "0.1.0"
source = { editable = "backend" }
dependencies = [{ name = "common", extra = ["text"] }, { name = "fastapi" }]
[package.dev-dependencies]
dev = [{ name = "tools" }]

[[package]]
name = "common"
version = "0.1.0"
source = { editable = "packages/common" }
[package.optional-dependencies]
text = [{ name = "slugs" }]

[[package]]
name = "slugs"
version = "1.0"
source = { directory = "../vendor/slugs" }

[[package]]
name = "tools"
version = "0.1.0"
source = { editable = "tools" }

[[package]]
name = "scripts"
version = "0.1.0"
source = { virtual = "scripts" }

[[package]]
name = "fastapi"
version = "0.115.0"
source = { registry = "https://registry.example.test/simple" }
"""


def test_a_members_local_projects_come_through_dependencies_and_extras_never_dev_groups():
    assert local_projects(WORKSPACE_LOCK, "backend") == ["backend", "packages/common", "../vendor/slugs"]
    assert local_projects(WORKSPACE_LOCK, "Common") == ["packages/common"]


def test_without_a_member_the_root_project_or_every_workspace_member_is_the_start():
    single = 'version = 1\n[[package]]\nname = "shop"\nversion = "1"\nsource = { editable = "." }\n'
    assert local_projects(single) == ["."]
    virtual = 'version = 1\n[[package]]\nname = "shop"\nversion = "1"\nsource = { virtual = "." }\n'
    assert local_projects(virtual) == []
    assert local_projects(WORKSPACE_LOCK) == ["backend", "packages/common", "tools", "../vendor/slugs"]


def test_workspace_members_match_globs_and_not_excludes():
    pyproject = '[tool.uv.workspace]\nmembers = ["backend", "packages/*"]\nexclude = ["packages/old"]\n'
    assert workspace_includes(pyproject, "backend")
    assert workspace_includes(pyproject, "packages/common")
    assert not workspace_includes(pyproject, "packages/old")
    assert not workspace_includes(pyproject, "frontend")
    assert not workspace_includes('[project]\nname = "x"\n', "backend")
    assert not workspace_includes("not = [toml", "backend")


def test_pyproject_name():
    assert pyproject_name('[project]\nname = "backend"\n') == "backend"
    assert pyproject_name('[tool.uv.workspace]\nmembers = ["a"]\n') is None

"""The apps deployed by the python and app roles, checked as a user would.

State after converge and side_effect.yml: hello (git, requirements.txt with
hashes, uv) live at v2 with one release kept; uvapp (archive, uv.lock);
wheelapp (its own wheel, pinned requirements, pip); unpinned (allowed
explicitly); badhash (refused, nothing built).
"""

import json
import re
import tomllib

import pytest
from packaging.markers import Marker

UV = "/opt/fastapi-ops/uv/bin/uv"
APPS = ["hello", "uvapp", "wheelapp"]

# The variables PEP 508 markers use, as the release's interpreter sees them.
MARKER_ENV = r"""
import json, os, platform, sys
def version(info):
    text = "{0.major}.{0.minor}.{0.micro}".format(info)
    return text if info.releaselevel == "final" else text + info.releaselevel[0] + str(info.serial)
print(json.dumps({
    "implementation_name": sys.implementation.name,
    "implementation_version": version(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
"""


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def current(host, app):
    return host.file(f"/srv/fastapi/{app}/current").linked_to


def marker_env(host, app):
    return json.loads(host.check_output(f"{current(host, app)}/venv/bin/python -c '{MARKER_ENV}'"))


def requirement_pins(text, environment):
    """name -> version of every requirement line whose marker holds."""
    pins = {}
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line)
        line = re.sub(r"--hash[=\s]+\S+", "", line).strip()
        if not line or line.startswith("-"):
            continue
        requirement, _sep, marker = line.partition(";")
        name, version = re.match(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*==\s*(\S+)$", requirement.strip()).groups()
        if marker.strip() and not Marker(marker.strip()).evaluate(environment):
            continue
        pins[canonical(name)] = version
    return pins


def freeze(host, app, command=None):
    venv = f"{current(host, app)}/venv"
    output = host.check_output(command or f"{UV} pip freeze --python {venv}/bin/python")
    installed = {}
    for line in output.splitlines():
        if " @ " in line:
            name, _sep, where = line.partition(" @ ")
            installed[canonical(name)] = where.strip()
        elif "==" in line:
            name, _sep, version = line.partition("==")
            installed[canonical(name)] = version.strip()
    return installed


def test_requirements_app_venv_equals_the_hashed_lock_exactly(host):
    lock = host.file(f"{current(host, 'hello')}/src/requirements.txt").content_string
    pins = requirement_pins(lock, marker_env(host, "hello"))
    assert len(pins) > 10
    assert lock.count("--hash=sha256:") >= len(pins), "the fixture must carry a hash on every line"
    assert freeze(host, "hello") == pins


def test_uv_lock_app_venv_equals_the_lock_exactly(host):
    src = f"{current(host, 'uvapp')}/src"
    locked = {}
    for package in tomllib.loads(host.file(f"{src}/uv.lock").content_string)["package"]:
        locked.setdefault(canonical(package["name"]), set()).add(package.get("version"))
    installed = freeze(host, "uvapp")
    # Every installed package is in uv.lock at a locked version ...
    for name, version in installed.items():
        assert version in locked.get(name, set()), f"{name}=={version} is not in uv.lock"
    # ... and the set is exactly uv's own frozen export of the lock for this
    # interpreter: no dev group, not the project itself.
    export = host.check_output(
        f"cd {src} && UV_CACHE_DIR=$(mktemp -d) {UV} export --frozen --no-dev --no-emit-project --no-header "
        "--format requirements-txt --quiet")
    assert installed == requirement_pins(export, marker_env(host, "uvapp"))
    assert "iniconfig" in locked and "iniconfig" not in installed
    assert "uvapp" in locked and "uvapp" not in installed


def test_wheel_app_venv_is_its_lock_plus_its_own_wheel(host):
    release = current(host, "wheelapp")
    lock = host.file(f"{release}/src/requirements.txt").content_string
    installed = freeze(host, "wheelapp", f"{release}/venv/bin/python -m pip freeze --disable-pip-version-check")
    wheel = installed.pop("wheelapp")
    assert wheel.startswith(f"file://{release}/src/wheelapp-0.1.0-py3-none-any.whl")
    assert installed == requirement_pins(lock, marker_env(host, "wheelapp"))
    # The pip fallback: this venv has pip, the uv-built ones do not need it.
    assert host.run(f"{release}/venv/bin/python -m pip --version").rc == 0
    assert host.run(f"{current(host, 'hello')}/venv/bin/python -m pip --version").rc != 0


@pytest.mark.parametrize("app", APPS)
def test_server_stack_is_at_the_pinned_versions(host, app):
    venv = f"{current(host, app)}/venv"
    for package, version in [("gunicorn", "27.0.1"), ("uvicorn", "0.54.0"), ("uvicorn-worker", "0.4.0"),
                             ("uvloop", None), ("httptools", None)]:
        shown = host.run(f"{venv}/bin/python -c 'import importlib.metadata as m; print(m.version(\"{package}\"))'")
        assert shown.rc == 0, f"{package} missing from {app}"
        if version:
            assert shown.stdout.strip() == version


def test_the_lock_decides_the_server_stack_within_the_supported_range(host):
    # tests/fixtures/apps/unpinned pins Gunicorn 23.0.0 and Uvicorn 0.40.0,
    # older than the collection's and inside app_server_ranges: the release
    # has them, with Uvicorn's standard extras and the collection's
    # uvicorn-worker, and Gunicorn loads the app with that worker.
    release = current(host, "unpinned")
    venv = f"{release}/venv"
    for package, version in [("gunicorn", "23.0.0"), ("uvicorn", "0.40.0"), ("uvicorn-worker", "0.4.0"),
                             ("uvloop", None), ("httptools", None)]:
        shown = host.run(f"{venv}/bin/python -c 'import importlib.metadata as m; print(m.version(\"{package}\"))'")
        assert shown.rc == 0, package
        if version:
            assert shown.stdout.strip() == version, package
    described = json.loads(host.file(f"{release}/release.json").content_string)
    assert described["server_packages"] == ["gunicorn==23.0.0", "uvicorn[standard]==0.40.0", "uvicorn-worker==0.4.0"]
    check = host.run(f"cd {release}/src && {venv}/bin/gunicorn --check-config -k uvicorn_worker.UvicornWorker main:app")
    assert check.rc == 0, check.stderr


@pytest.mark.parametrize("app", APPS)
def test_current_is_a_complete_release(host, app):
    link = host.file(f"/srv/fastapi/{app}/current")
    assert link.is_symlink
    target = host.check_output(f"readlink /srv/fastapi/{app}/current")
    assert re.fullmatch(r"releases/[0-9a-f]{12}", target), "current is a relative link into releases/"
    described = json.loads(host.file(f"/srv/fastapi/{app}/{target}/release.json").content_string)
    assert described["id"] == target.split("/")[1]
    assert described["app"] == app
    assert described["python"] == host.check_output(f"/srv/fastapi/{app}/current/venv/bin/python -c "
                                                    "'import platform; print(platform.python_version())'")


@pytest.mark.parametrize("app", APPS)
def test_code_and_venv_are_root_owned_readable_by_the_app_group_only(host, app):
    home = f"/srv/fastapi/{app}"
    group = f"fastapi-{app}"
    for path in [home, f"{home}/releases"]:
        entry = host.file(path)
        assert (entry.user, entry.group, entry.mode) == ("root", "root", 0o755), path
    for path in [current(host, app), f"{current(host, app)}/src", f"{current(host, app)}/venv"]:
        entry = host.file(path)
        assert (entry.user, entry.group, entry.mode) == ("root", group, 0o750), path
    assert host.check_output(f"find {home} ! -user root") == ""
    assert host.check_output(f"find {home}/releases -mindepth 1 ! -group {group}") == ""
    writable = host.check_output(f"find {home} ! -type l -perm /022")
    assert writable == ""
    # No release file is world-readable (links carry no permissions of their own).
    assert host.check_output(f"find {home}/releases -mindepth 1 ! -type l -perm -o+r") == ""
    assert host.run(f"runuser -u nobody -- cat {current(host, app)}/release.json").rc != 0


@pytest.mark.parametrize("app", ["hello", "uvapp"])
def test_local_settings_and_caches_of_the_source_are_not_in_the_release(host, app):
    # prepare.yml puts a .env, a .env.local, a .coverage and a .pytest_cache in both sources.
    src = f"{current(host, app)}/src"
    assert host.file(f"{src}/main.py").exists
    for name in [".env", ".env.local", ".coverage", ".pytest_cache"]:
        assert not host.file(f"{src}/{name}").exists, name
    assert host.check_output(f"find {current(host, app)} -name '.env*' -o -name .coverage") == ""


@pytest.mark.parametrize("app", APPS)
def test_app_user_cannot_write_its_own_code(host, app):
    user = f"fastapi-{app}"
    release = current(host, app)
    for target in [f"{release}/src/injected", f"{release}/venv/bin/injected", f"{release}/injected",
                   f"/srv/fastapi/{app}/releases/injected", f"/srv/fastapi/{app}/injected"]:
        attempt = host.run(f"runuser -u {user} -- touch {target}")
        assert attempt.rc != 0 and "Permission denied" in attempt.stderr, target
        assert not host.file(target).exists
    for existing in [f"{release}/venv/bin/python", f"{release}/release.json"]:
        assert host.run(f"runuser -u {user} -- sh -c 'echo x >> {existing}'").rc != 0
    assert host.run(f"runuser -u {user} -- ln -sfn /tmp /srv/fastapi/{app}/current").rc != 0
    assert host.run(f"runuser -u {user} -- test -r {release}/src").rc == 0


@pytest.mark.parametrize("app", APPS)
def test_app_user_is_a_system_user_without_login(host, app):
    user = host.user(f"fastapi-{app}")
    assert user.exists
    assert user.group == f"fastapi-{app}"
    assert user.shell == "/usr/sbin/nologin"
    assert user.uid < 1000
    assert user.home == f"/var/lib/fastapi-{app}"
    assert host.group(f"fastapi-{app}").exists


@pytest.mark.parametrize("app", APPS)
def test_state_directory_is_writable_by_the_app_user_only(host, app):
    state = host.file(f"/var/lib/fastapi-{app}")
    assert (state.user, state.group, state.mode) == (f"fastapi-{app}", f"fastapi-{app}", 0o750)
    probe = f"/var/lib/fastapi-{app}/probe"
    assert host.run(f"runuser -u fastapi-{app} -- touch {probe} && rm {probe}").rc == 0


def test_env_file_holds_env_and_secrets_for_root_only(host):
    env_file = host.file("/etc/fastapi-ops/hello.env")
    assert (env_file.user, env_file.group, env_file.mode) == ("root", "root", 0o600)
    content = env_file.content_string
    assert 'GREETING="Hello from the lab"' in content
    assert 'HELLO_TOKEN="lab-secret-token-8e1f"' in content
    assert host.run("runuser -u fastapi-hello -- cat /etc/fastapi-ops/hello.env").rc != 0
    # The secret lives only there: not in the code, the venv or release.json.
    assert host.run("grep -rqs lab-secret-token-8e1f /srv/fastapi /var/lib/fastapi-hello").rc == 1


def test_pre_start_ran_in_the_release_as_the_app_user_with_its_env(host):
    release = current(host, "hello")
    lines = host.file("/var/lib/fastapi-hello/pre-start.txt").content_string.splitlines()
    assert lines[0] == f"fastapi-hello|{release}/src|Hello from the lab"
    assert lines[1] == f"{release}/venv", "the release's python comes first on PATH"


def test_hello_runs_from_its_release_as_the_app_user(host):
    """Gunicorn with a Uvicorn worker from the release's venv answers / and /health."""
    release = current(host, "hello")
    script = f"""
set -e
cd {release}/src
set -a; . /etc/fastapi-ops/hello.env; set +a
rm -f /tmp/hello-gunicorn.pid
timeout 60 runuser -u fastapi-hello -- {release}/venv/bin/gunicorn -k uvicorn_worker.UvicornWorker \
  -b 127.0.0.1:18731 -w 1 --pid /tmp/hello-gunicorn.pid main:app >/tmp/hello-gunicorn.log 2>&1 &
{release}/venv/bin/python - <<'EOF'
import json, time, urllib.request
for _ in range(100):
    try:
        index = json.load(urllib.request.urlopen("http://127.0.0.1:18731/", timeout=2))
        health = json.load(urllib.request.urlopen("http://127.0.0.1:18731/health", timeout=2))
        item = json.load(urllib.request.urlopen("http://127.0.0.1:18731/items/7?q=x", timeout=2))
        print(json.dumps([index, health, item]))
        break
    except OSError:
        time.sleep(0.2)
EOF
kill "$(cat /tmp/hello-gunicorn.pid)"
"""
    index, health, item = json.loads(host.check_output(script))
    assert index == {"message": "Hello from the lab, world!", "release": release.rsplit("/", 1)[1]}
    assert health == {"status": "ok"}
    assert item["item_id"] == 7 and item["q"] == "x"


def test_hello_is_at_v2_with_one_release_kept(host):
    release = current(host, "hello")
    assert host.file(f"{release}/src/version.py").content_string.strip() == 'VERSION = "2"'
    assert host.check_output("ls /srv/fastapi/hello/releases").split() == [release.rsplit("/", 1)[1]]


def test_unpinned_app_deployed_only_because_it_opted_out(host):
    installed = freeze(host, "unpinned")
    assert {"fastapi", "httpx", "gunicorn"} <= set(installed)
    assert installed["idna"] == "3.20", "its one pin is kept"


def test_release_that_failed_its_hash_check_left_nothing(host):
    assert host.file("/srv/fastapi/badhash/releases").is_directory
    assert host.check_output("ls -A /srv/fastapi/badhash/releases") == ""
    assert not host.file("/srv/fastapi/badhash/current").exists

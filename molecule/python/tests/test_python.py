"""The python role's hosts: the distribution's interpreter with venv support,
a pinned, hash-checked uv at a stable path, and pip as the fallback."""

import re

UV_VENV = "/opt/fastapi-ops/uv"
UV_VERSION = "0.13.9"
EXPECTED_PYTHON = {"12": "3.11", "13": "3.13"}


def debian_major(host):
    return host.system_info.release.split(".")[0]


def test_interpreter_is_the_distributions(host):
    minor = EXPECTED_PYTHON[debian_major(host)]
    version = host.check_output("/usr/bin/python3 --version")
    assert re.fullmatch(r"Python %s\.\d+" % re.escape(minor), version)
    assert host.package(f"python{minor}-venv").is_installed
    assert host.package("python3-venv").is_installed


def test_uv_is_pinned_at_its_stable_path(host):
    assert host.check_output(f"{UV_VENV}/bin/uv --version").split()[:2] == ["uv", UV_VERSION]
    # Its virtualenv is built from the distribution's interpreter.
    minor = EXPECTED_PYTHON[debian_major(host)]
    assert f"version = {minor}." in host.file(f"{UV_VENV}/pyvenv.cfg").content_string


def test_uv_was_installed_in_hash_checking_mode(host):
    pins = host.file(f"{UV_VENV}.requirements.txt").content_string
    assert f"uv=={UV_VERSION} --hash=sha256:" in pins
    assert pins.count("--hash=sha256:") >= 10, "every distribution of the pinned uv has its hash"


def test_uv_venv_is_root_owned_and_not_writable_by_others(host):
    for path in ["/opt/fastapi-ops", UV_VENV, f"{UV_VENV}/bin/uv"]:
        entry = host.file(path)
        assert entry.user == "root" and entry.group == "root"
        assert not entry.mode & 0o022, path
    assert host.check_output(f"find {UV_VENV} ! -type l -perm /022") == ""


def test_pip_fallback_and_uv_both_work_on_a_distribution_virtualenv(host):
    """A venv from the distribution's interpreter has pip (ensurepip, the
    app role's pip fallback), and the role's uv can inspect and manage it
    (offline: the app scenario installs from PyPI)."""
    work = host.check_output("mktemp -d")
    try:
        assert host.run(f"/usr/bin/python3 -m venv {work}/venv").rc == 0
        assert host.check_output(f"{work}/venv/bin/python -m pip --version").startswith("pip ")
        listed = host.check_output(f"{UV_VENV}/bin/uv pip list --offline --python {work}/venv/bin/python --format freeze")
        assert re.search(r"^pip==", listed, re.M)
        assert host.run(f"{UV_VENV}/bin/uv pip uninstall --offline --python {work}/venv/bin/python pip").rc == 0
        assert host.run(f"{work}/venv/bin/python -m pip --version").rc != 0
    finally:
        host.run(f"rm -rf {work}")

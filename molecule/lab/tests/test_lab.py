"""The lab's systemd containers are usable Debian hosts."""

import pytest


def test_systemd_is_running_without_failed_units(host):
    state = host.run("systemctl is-system-running --wait")
    failed = host.run("systemctl list-units --state=failed --no-legend --plain")
    assert state.stdout.strip() == "running", failed.stdout
    assert failed.stdout.strip() == ""


def test_pid1_is_systemd(host):
    assert host.file("/proc/1/comm").content_string.strip() == "systemd"


@pytest.mark.parametrize("command", ["python3 --version", "sudo --version", "ip -brief address"])
def test_base_tools_present(host, command):
    assert host.run(command).rc == 0


def test_debian_release_matches_image(host):
    release = host.system_info.release
    name = host.backend.get_hostname()
    expected = name.rsplit("debian", 1)[1]
    assert release.split(".")[0] == expected

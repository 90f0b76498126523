"""The gunicorn role's probe of the CPUs and memory a container really has."""

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SPEC = importlib.util.spec_from_file_location("machine_limits", os.path.join(ROOT, "roles", "gunicorn", "files", "machine_limits.py"))
machine_limits = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(machine_limits)

MEMINFO = "MemTotal:       16314116 kB\nMemFree:         1000000 kB\n"


def write(base, path, text):
    full = base / path
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_text(text)


@pytest.fixture
def fake(tmp_path):
    write(tmp_path, "proc/meminfo", MEMINFO)
    return tmp_path


def test_cgroup_v2_private_namespace_reads_the_container_limits(fake):
    write(fake, "proc/self/cgroup", "0::/\n")
    write(fake, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    write(fake, "sys/fs/cgroup/cpu.max", "100000 100000\n")
    write(fake, "sys/fs/cgroup/memory.max", "1073741824\n")
    assert machine_limits.cgroup_limits(str(fake / "sys"), str(fake / "proc")) == (1.0, 1024)
    assert machine_limits.mem_total_mb(str(fake / "proc")) == 15931


def test_cgroup_v2_walks_up_to_the_lowest_ancestor_limit(fake):
    write(fake, "proc/self/cgroup", "0::/system.slice/docker-abc.scope/init.scope\n")
    write(fake, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    write(fake, "sys/fs/cgroup/system.slice/docker-abc.scope/cpu.max", "150000 100000\n")
    write(fake, "sys/fs/cgroup/system.slice/docker-abc.scope/memory.max", "2147483648\n")
    write(fake, "sys/fs/cgroup/system.slice/docker-abc.scope/init.scope/cpu.max", "max 100000\n")
    write(fake, "sys/fs/cgroup/system.slice/docker-abc.scope/init.scope/memory.max", "max\n")
    assert machine_limits.cgroup_limits(str(fake / "sys"), str(fake / "proc")) == (1.5, 2048)


def test_cgroup_v2_without_limits(fake):
    write(fake, "proc/self/cgroup", "0::/\n")
    write(fake, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    write(fake, "sys/fs/cgroup/cpu.max", "max 100000\n")
    write(fake, "sys/fs/cgroup/memory.max", "max\n")
    assert machine_limits.cgroup_limits(str(fake / "sys"), str(fake / "proc")) == (None, None)


def test_cgroup_v1_host_namespace_finds_the_docker_limits(fake):
    write(fake, "proc/self/cgroup", "4:cpu,cpuacct:/docker/abc/system.slice\n3:memory:/docker/abc/system.slice\n1:name=systemd:/docker/abc\n")
    cpu = "sys/fs/cgroup/cpu,cpuacct"
    write(fake, cpu + "/cpu.cfs_quota_us", "-1\n")
    write(fake, cpu + "/cpu.cfs_period_us", "100000\n")
    write(fake, cpu + "/docker/abc/cpu.cfs_quota_us", "100000\n")
    write(fake, cpu + "/docker/abc/cpu.cfs_period_us", "100000\n")
    write(fake, cpu + "/docker/abc/system.slice/cpu.cfs_quota_us", "-1\n")
    write(fake, cpu + "/docker/abc/system.slice/cpu.cfs_period_us", "100000\n")
    write(fake, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
    write(fake, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "734003200\n")
    assert machine_limits.cgroup_limits(str(fake / "sys"), str(fake / "proc")) == (1.0, 700)


def test_cgroup_v1_without_limits(fake):
    write(fake, "proc/self/cgroup", "4:cpu,cpuacct:/\n3:memory:/\n")
    write(fake, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n")
    write(fake, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n")
    write(fake, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
    assert machine_limits.cgroup_limits(str(fake / "sys"), str(fake / "proc")) == (None, None)


def test_machine_reports_all_four_numbers(fake):
    write(fake, "proc/self/cgroup", "0::/\n")
    write(fake, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    write(fake, "sys/fs/cgroup/cpu.max", "200000 100000\n")
    write(fake, "sys/fs/cgroup/memory.max", "max\n")
    result = machine_limits.machine(str(fake / "sys"), str(fake / "proc"))
    assert result["cpu_quota"] == 2.0
    assert result["memory_total_mb"] == 15931
    assert result["memory_limit_mb"] is None
    assert result["cpu_count"] >= 1

"""Whether a second Gunicorn instance of each app fits during a deploy."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.blue_green_fits import FilterModule

fits = FilterModule().filters()["blue_green_fits"]
MACHINE = {"cpu_count": 2, "cpu_quota": None, "memory_total_mb": 4096, "memory_limit_mb": None}


def app(name, **gunicorn):
    return {"name": name, "domain": name + ".example.com", "gunicorn": gunicorn}


def test_a_small_app_on_a_large_host_fits_twice():
    result = fits([app("shop")], {"shop": 5}, MACHINE)
    assert result["shop"]["fits"] is True
    # 5 x 256 + 96 = 1376; twice 2752 <= 4096 - 512 = 3584
    assert "2752 MB <= 3584 MB" in result["shop"]["reason"]


def test_an_app_whose_second_instance_does_not_fit_falls_back_and_says_why():
    result = fits([app("shop", worker_memory_mb=1024)], {"shop": 2}, MACHINE)
    # 2 x 1024 + 96 = 2144; twice 4288 > 3584
    assert result["shop"]["fits"] is False
    assert result["shop"]["reason"].startswith("shop: all apps 2144 MB + a second shop instance 2144 MB = 4288 MB > 3584 MB")


def test_every_app_counts_against_each_apps_second_instance():
    apps = [app("big", worker_memory_mb=512), app("small", worker_memory_mb=64, master_memory_mb=32)]
    # big 3 x 512 + 96 = 1632, small 2 x 64 + 32 = 160, total 1792.
    result = fits(apps, {"big": 3, "small": 2}, MACHINE)
    assert result["small"]["fits"] is True     # 1792 + 160 = 1952
    assert result["big"]["fits"] is True       # 1792 + 1632 = 3424 <= 3584
    result = fits(apps, {"big": 3, "small": 2}, MACHINE, reserve_mb=1024)
    assert result["big"]["fits"] is False      # 3424 > 3072
    assert result["small"]["fits"] is True


def test_the_cgroup_limit_and_the_override_count_like_the_worker_sizing():
    limited = dict(MACHINE, memory_limit_mb=2048)
    assert fits([app("shop")], {"shop": 5}, limited)["shop"]["fits"] is False
    assert fits([app("shop")], {"shop": 5}, limited, memory_total_mb=8192)["shop"]["fits"] is True


def test_an_app_without_a_worker_count_is_refused():
    with pytest.raises(AnsibleFilterError, match="no worker count"):
        fits([app("shop")], {}, MACHINE)


def test_overrides_given_as_strings_on_the_command_line_count_as_numbers():
    # ansible-playbook -e gunicorn_memory_total_mb=1000: 1000 - 512 = 488 MB holds 320 MB once, not twice.
    small = app("hello", worker_memory_mb=128, master_memory_mb=64)
    assert fits([small], {"hello": 2}, MACHINE, memory_total_mb="1000")["hello"]["fits"] is False
    assert fits([small], {"hello": 2}, MACHINE, memory_total_mb="1000", reserve_mb="100")["hello"]["fits"] is True
    with pytest.raises(AnsibleFilterError, match="gunicorn_memory_total_mb must be a number, got 'lots'"):
        fits([small], {"hello": 2}, MACHINE, memory_total_mb="lots")


def test_an_app_binding_tcp_never_fits_twice_whatever_the_memory():
    apps = [{"name": "edge", "gunicorn": {"bind": "0.0.0.0:8001"}}, {"name": "shop"}]
    result = fits(apps, {"edge": 1, "shop": 1}, MACHINE)
    assert result["edge"] == {"fits": False, "reason": "edge: binds TCP 0.0.0.0:8001, where only one instance can listen"}
    assert result["shop"]["fits"] is True

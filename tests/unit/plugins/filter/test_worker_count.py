"""The worker-sizing arithmetic of the gunicorn role."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.worker_count import FilterModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.worker_sizing import (
    cpu_workers,
    effective_cpus,
    effective_memory_mb,
)

worker_count = FilterModule().filters()["worker_count"]

BIG = {"cpu_count": 4, "cpu_quota": None, "memory_total_mb": 16384, "memory_limit_mb": None}


def app(name="shop", **gunicorn):
    return {"name": name, "domain": name + ".example.com", "gunicorn": gunicorn}


def test_cpu_formula_is_two_per_cpu_plus_one():
    assert worker_count([app()], BIG) == {"shop": 9}


def test_container_with_host_cpu_count_and_one_cpu_quota_counts_one_cpu():
    machine = dict(BIG, cpu_count=64, cpu_quota=1.0)
    assert worker_count([app()], machine) == {"shop": 3}


def test_fractional_quota_rounds_down_but_never_below_one_cpu():
    assert worker_count([app()], dict(BIG, cpu_quota=2.5)) == {"shop": 5}
    assert worker_count([app()], dict(BIG, cpu_quota=0.5)) == {"shop": 3}


def test_quota_above_the_cpu_count_does_not_add_cpus():
    assert effective_cpus(2, 8.0) == 2
    assert effective_cpus(8, None) == 8


def test_memory_is_the_lower_of_memtotal_and_cgroup_limit():
    assert effective_memory_mb(16384, 1024) == 1024
    assert effective_memory_mb(2048, None) == 2048
    assert effective_memory_mb(2048, 999999) == 2048


def test_cgroup_memory_limit_lowers_the_count():
    # 1024 MB limit - 512 reserve = 512; (512 - 96 master) / 256 = 1.6 -> 1 worker
    machine = dict(BIG, memory_limit_mb=1024)
    assert worker_count([app()], machine) == {"shop": 1}


def test_memory_lowers_the_cpu_formula():
    # 1024 - 256 reserve = 768; (768 - 64) / 128 = 5.5 -> 5 < 9
    result = worker_count([app(worker_memory_mb=128, master_memory_mb=64)], dict(BIG, memory_total_mb=1024), reserve_mb=256)
    assert result == {"shop": 5}


def test_seed_failure_four_one_gigabyte_workers_on_three_gigabytes_is_refused_with_the_arithmetic():
    machine = dict(BIG, memory_total_mb=3072)
    with pytest.raises(AnsibleFilterError) as error:
        worker_count([app(workers=4, worker_memory_mb=1024, master_memory_mb=96)], machine)
    message = str(error.value)
    assert "4 workers x 1024 MB + 96 MB master = 4192 MB" in message
    assert "3072 MB memory - 512 MB reserve = 2560 MB for apps" in message


def test_explicit_count_overrides_the_formula_when_it_fits():
    assert worker_count([app(workers=2)], BIG) == {"shop": 2}
    assert worker_count([app(workers=20)], BIG) == {"shop": 20}


def test_role_wide_explicit_count_applies_to_apps_without_their_own():
    assert worker_count([app(), app("blog", workers=1)], BIG, workers=3) == {"shop": 3, "blog": 1}


def test_automatic_sizing_refuses_when_not_even_one_worker_fits():
    machine = dict(BIG, memory_total_mb=3072)
    with pytest.raises(AnsibleFilterError) as error:
        worker_count([app(worker_memory_mb=4096)], machine)
    message = str(error.value)
    assert "at least 1 worker x 4096 MB + 96 MB master = 4192 MB" in message
    assert "2560 MB for apps" in message


def test_explicit_apps_take_their_budget_first_and_the_rest_is_shared():
    # 4096 - 512 = 3584; explicit blog: 2 x 256 + 96 = 608; left 2976 for two apps = 1488 each
    # each: (1488 - 96) / 256 = 5.4 -> 5 (< 9 from the CPUs)
    apps = [app("shop"), app("blog", workers=2), app("wiki")]
    assert worker_count(apps, dict(BIG, memory_total_mb=4096)) == {"shop": 5, "blog": 2, "wiki": 5}


def test_explicit_budgets_of_several_apps_are_added_up():
    apps = [app("shop", workers=4, worker_memory_mb=512), app("blog", workers=4, worker_memory_mb=512)]
    with pytest.raises(AnsibleFilterError) as error:
        worker_count(apps, dict(BIG, memory_total_mb=4096))
    assert "together 4288 MB" in str(error.value)
    assert "shop: 4 workers x 512 MB + 96 MB master = 2144 MB; blog:" in str(error.value)


def test_overrides_pretend_a_smaller_machine():
    result = worker_count([app()], BIG, cpu_count=1, memory_total_mb=1536)
    # 1 CPU -> 3; (1536 - 512 - 96) / 256 = 3.6 -> 3
    assert result == {"shop": 3}
    with pytest.raises(AnsibleFilterError):
        worker_count([app(workers=4, worker_memory_mb=1024)], BIG, memory_total_mb=3072)


def test_no_apps_no_workers():
    assert worker_count([], BIG) == {}


@pytest.mark.parametrize("settings", [{"workers": -1}, {"workers": "many"}, {"worker_memory_mb": 0}, {"workers": True}])
def test_bad_settings_are_refused(settings):
    with pytest.raises(AnsibleFilterError) as error:
        worker_count([app(**settings)], BIG)
    assert "app shop" in str(error.value)


@pytest.mark.parametrize("apps, machine", [("shop", BIG), ([app()], None), ([{"domain": "x.example.com"}], BIG)])
def test_bad_input_is_refused(apps, machine):
    with pytest.raises(AnsibleFilterError):
        worker_count(apps, machine)


def test_cpu_workers():
    assert [cpu_workers(c) for c in (0.2, 1, 1.9, 2, 16)] == [3, 3, 3, 5, 33]


def test_overrides_given_as_strings_on_the_command_line_count_as_numbers():
    assert worker_count([app()], BIG, cpu_count="1", memory_total_mb="1536") == worker_count([app()], BIG, cpu_count=1, memory_total_mb=1536)
    with pytest.raises(AnsibleFilterError, match="gunicorn_cpu_count must be a number"):
        worker_count([app()], BIG, cpu_count="two")

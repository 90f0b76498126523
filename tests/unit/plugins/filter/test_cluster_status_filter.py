"""The cluster_status filter: app_state results from hostvars, for the answering app hosts."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.cluster_status import FilterModule

cluster_status = FilterModule().filters()["cluster_status"]

STATE = {"hello": {"live": "blue", "live_release": "3faa7beeaeda", "live_content": "c" * 64, "active": {"blue": True}}}


def test_reads_release_state_of_the_hosts_that_answered():
    hostvars = {"edge": {}, "app1": {"release_state": STATE}, "app2": {"release_state": STATE}}
    result = cluster_status([{"name": "hello", "domain": "x"}], hostvars, ["app1", "app2"], ["edge", "app1", "app2"])
    assert result[0]["agree"] is True
    assert [host["host"] for host in result[0]["hosts"]] == ["app1", "app2"]


def test_a_host_that_failed_or_never_read_its_state_gave_no_answer():
    # app2 failed earlier in the play (not in ansible_play_hosts); app3 has no state; app4 is not in hostvars.
    hostvars = {"app1": {"release_state": STATE}, "app2": {"release_state": STATE}, "app3": {}}
    result = cluster_status(["hello"], hostvars, ["app1", "app2", "app3", "app4"], ["app1", "app3"])
    assert result[0]["unknown"] == ["app2", "app3", "app4"]


def test_an_app_host_with_fastapi_drain_is_not_compared():
    other = {"hello": dict(STATE["hello"], live_content="d" * 64)}
    hostvars = {"app1": {"release_state": STATE}, "app2": {"release_state": other, "fastapi_drain": "yes"}}
    result = cluster_status(["hello"], hostvars, ["app1", "app2"])[0]
    assert (result["agree"], result["disagree"]) == (True, [])
    assert [host["drained"] for host in result["hosts"]] == [False, True]


def test_every_app_host_answered_by_default():
    hostvars = {"app1": {"release_state": STATE}}
    assert cluster_status(["hello"], hostvars, ["app1"])[0]["unknown"] == []


@pytest.mark.parametrize("apps, hosts", [("hello", ["app1"]), ([{"domain": "x"}], ["app1"]), (["hello"], "app1")])
def test_wrong_input_is_refused(apps, hosts):
    with pytest.raises(AnsibleFilterError):
        cluster_status(apps, {}, hosts)

# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.topology import TopologyError, dial_address, topology

GROUPS = {
    "all": ["edge", "app1", "app2"],
    "fastapi_edge": ["edge"],
    "fastapi_app_hosts": ["app1", "app2"],
}
ADDRESSES = {"edge": "10.0.0.2", "app1": "10.0.0.11", "app2": "fd00::12"}


def test_without_the_groups_every_host_is_one_server():
    layout = topology("web", {"all": ["web"], "ungrouped": ["web"]}, {})
    assert layout["cluster"] is False
    assert layout["edge"] and layout["app_host"]
    assert layout["upstreams"] == [] and layout["listen"] == ""


def test_an_app_host_listens_on_its_private_address_and_trusts_the_edges():
    layout = topology("app1", GROUPS, ADDRESSES)
    assert layout["cluster"] and layout["app_host"] and not layout["edge"]
    assert layout["listen"] == "10.0.0.11:8080"
    assert layout["edge_addresses"] == ["10.0.0.2"]


def test_an_edge_balances_over_every_app_host_in_inventory_order():
    layout = topology("edge", GROUPS, ADDRESSES, port=9000)
    assert layout["edge"] and not layout["app_host"]
    assert layout["listen"] == ""
    assert layout["upstreams"] == ["10.0.0.11:9000", "[fd00::12]:9000"]
    assert layout["app_hosts"] == ["app1", "app2"]


def test_a_host_in_both_groups_is_edge_and_app_host():
    groups = dict(GROUPS, fastapi_app_hosts=["edge", "app1"])
    layout = topology("edge", groups, ADDRESSES)
    assert layout["edge"] and layout["app_host"]
    assert layout["listen"] == "10.0.0.2:8080"
    assert "10.0.0.2:8080" in layout["upstreams"]


def test_other_group_names():
    groups = {"lb": ["edge"], "web": ["app1"]}
    layout = topology("app1", groups, ADDRESSES, edge_group="lb", app_group="web")
    assert layout["upstreams"] == ["10.0.0.11:8080"]


@pytest.mark.parametrize(
    "hostname, groups, addresses, port, expected",
    [
        ("app1", {"fastapi_app_hosts": ["app1"]}, ADDRESSES, 8080, "inventory group fastapi_edge: has no hosts"),
        ("edge", {"fastapi_edge": ["edge"], "fastapi_app_hosts": []}, ADDRESSES, 8080, "inventory group fastapi_app_hosts: has no hosts"),
        ("db", dict(GROUPS, all=["db"]), ADDRESSES, 8080, "db: is in neither inventory group"),
        ("edge", GROUPS, {"edge": "10.0.0.2", "app1": "10.0.0.11"}, 8080, "app2: fastapi_private_address is not set"),
        ("edge", GROUPS, dict(ADDRESSES, app1="app1.internal"), 8080, "app1: fastapi_private_address must be an IP address"),
        ("edge", GROUPS, ADDRESSES, 443, "fastapi_app_port: must be a port from 1024 to 65535"),
        ("edge", GROUPS, ADDRESSES, 80000, "fastapi_app_port: must be a port"),
        ("edge", GROUPS, ADDRESSES, "8080", "fastapi_app_port: must be a port"),
    ],
)
def test_mistakes_are_named(hostname, groups, addresses, port, expected):
    with pytest.raises(TopologyError) as error:
        topology(hostname, groups, addresses, port=port)
    assert any(problem.startswith(expected) for problem in error.value.problems), error.value.problems


def test_dial_address():
    assert dial_address("192.0.2.1", 8080) == "192.0.2.1:8080"
    assert dial_address("2001:db8::1", 8080) == "[2001:db8::1]:8080"


def test_a_stopped_rollout_sends_each_switched_app_back_to_its_release_before():
    from ansible_collections.fastapi_ops.server.plugins.module_utils.topology import switched_back

    switches = {
        "shop": {"from_release": "aaa", "release": "bbb"},
        "first": {"from_release": "", "release": "ccc"},
        "same": {"from_release": "ddd", "release": "ddd"},
    }
    assert switched_back(switches) == {"shop": "aaa"}
    assert switched_back({}) == {}


def test_a_drained_app_host_leaves_the_edges_upstreams():
    layout = topology("edge", GROUPS, ADDRESSES, drained=["app1"])
    assert layout["upstreams"] == ["[fd00::12]:8080"]
    assert topology("app1", GROUPS, ADDRESSES, drained=["app1"])["drained"] is True
    assert topology("app2", GROUPS, ADDRESSES, drained=["app1"])["drained"] is False


def test_draining_every_app_host_is_refused():
    with pytest.raises(TopologyError, match="fastapi_drain: is set on every host"):
        topology("edge", GROUPS, ADDRESSES, drained=["app1", "app2"])


def test_an_edge_is_never_drained():
    groups = dict(GROUPS, fastapi_app_hosts=["edge", "app1"])
    with pytest.raises(TopologyError, match="edge: fastapi_drain is set on an edge"):
        topology("app1", groups, ADDRESSES, drained=["edge"])

"""The slot_plan, resolved_apps and rollback_targets filters as Jinja calls them."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.resolved_apps import FilterModule as Resolved
from ansible_collections.fastapi_ops.server.plugins.filter.rollback_targets import FilterModule as Rollback
from ansible_collections.fastapi_ops.server.plugins.filter.slot_plan import FilterModule as Plan

slot_plan = Plan().filters()["slot_plan"]
resolved_apps = Resolved().filters()["resolved_apps"]
rollback_targets = Rollback().filters()["rollback_targets"]
LIVE = {"live": "blue", "live_release": "r1", "active": {"blue": True, "green": False}}


def test_flags_given_as_strings_on_the_command_line_are_booleans():
    assert not slot_plan(LIVE, "r1", force="false")["needed"]
    assert slot_plan(LIVE, "r1", force="true")["needed"]
    assert slot_plan(LIVE, "r2", blue_green="no")["in_place"]


def test_a_state_that_is_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError):
        slot_plan(None, "r1")


def test_indexes_follow_the_whole_apps_list_for_one_app_of_it():
    apps = [{"name": "a", "domain": "a.example.com"}, {"name": "b", "domain": "b.example.com"}]
    [b] = resolved_apps(apps[1:], all_apps=apps)
    assert b["where"] == "fastapi_apps[1] (b)"
    assert resolved_apps(apps, health_timeout="20")[0]["health"]["timeout"] == 20


def test_a_list_that_is_not_of_apps_is_refused():
    with pytest.raises(AnsibleFilterError):
        resolved_apps([{"name": "a"}])
    with pytest.raises(AnsibleFilterError):
        rollback_targets("a", {})

"""The resolved model of an app, the slot plan and the rollback targets."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.model import (
    ModelError,
    empty_state,
    releases_to_prune,
    resolve_app,
    resolve_apps,
    rollback_targets,
    slot_plan,
)

SHOP = {"name": "shop", "domain": "shop.example.com", "asgi": "shop.main:app", "source": {"path": "shop"}}


def state(**changes):
    result = empty_state()
    result.update(changes)
    return result


# The resolved model -------------------------------------------------------

def test_defaults_give_the_layout_slots_socket_upstream_and_health_check():
    app = resolve_app(SHOP, index=2, health_timeout=45)
    assert app["where"] == "fastapi_apps[2] (shop)"
    assert (app["user"], app["home"], app["current"]) == ("fastapi-shop", "/srv/fastapi/shop", "/srv/fastapi/shop/current")
    assert app["workdir"] == "src" and app["current_workdir"] == "/srv/fastapi/shop/current/src"
    assert (app["tcp"], app["bind"]) == (False, "")
    assert app["upstreams"] == ["unix//srv/fastapi/shop/slots/live.sock"]
    assert app["health"] == {"path": "/", "status": 200, "body": "", "timeout": 45}
    assert app["slots"]["blue"]["service"] == "fastapi-shop@blue.service"
    assert app["slots"]["green"]["socket_link"] == "/srv/fastapi/shop/slots/green.sock"
    assert app["template"] == "fastapi-shop@.service"
    assert app["slot_template"]["link"] == "/srv/fastapi/shop/slots/%i"
    assert app["live_socket"] == "/srv/fastapi/shop/slots/live.sock"
    assert app["previous_file"] == "/srv/fastapi/shop/slots/previous"
    assert app["service"] == "fastapi-shop.service"


def test_a_tcp_bind_is_dialled_on_loopback_for_a_wildcard_host():
    app = resolve_app(dict(SHOP, gunicorn={"bind": "0.0.0.0:8001"}))
    assert (app["tcp"], app["bind"], app["upstreams"]) == (True, "0.0.0.0:8001", ["127.0.0.1:8001"])
    app6 = resolve_app(dict(SHOP, gunicorn={"bind": "[::]:8002"}))
    assert app6["upstreams"] == ["[::1]:8002"]


@pytest.mark.parametrize("subdir, workdir", [(None, "src"), ("", "src"), (".", "src"), ("backend", "src/backend"),
                                             ("backend/", "src/backend"), ("apps/api", "src/apps/api")])
def test_one_rule_gives_the_working_directory_inside_a_release(subdir, workdir):
    app = resolve_app(dict(SHOP, source={"path": "shop", "subdir": subdir}), root="/opt/apps/")
    assert app["workdir"] == workdir
    assert app["current_workdir"] == "/opt/apps/shop/current/" + workdir


def test_an_apps_own_settings_override_the_role_wide_ones_key_by_key():
    app = resolve_app(
        dict(SHOP, gunicorn={"timeout": 60, "workers": None}, app={"keep_releases": 2}),
        defaults={"gunicorn": {"timeout": 30, "keepalive": 125}, "app": {"installer": "uv", "keep_releases": 5}},
    )
    assert app["settings"]["gunicorn"] == {"timeout": 60, "keepalive": 125}
    assert app["settings"]["app"] == {"installer": "uv", "keep_releases": 2}
    assert app["settings"]["caddy"] == {} and app["settings"]["dns"] == {}


def test_the_health_check_fills_only_what_the_app_leaves_out():
    app = resolve_app(dict(SHOP, health_check={"path": "/health", "timeout": 5}), health_timeout=30)
    assert app["health"] == {"path": "/health", "status": 200, "body": "", "timeout": 5}


def test_the_root_moves_every_path():
    app = resolve_app(SHOP, root="/opt/apps")
    assert app["releases"] == "/opt/apps/shop/releases"
    assert app["upstreams"] == ["unix//opt/apps/shop/slots/live.sock"]


def test_indexes_count_in_the_whole_list_when_given():
    apps = resolve_apps([SHOP], indexes=[3])
    assert apps[0]["index"] == 3 and apps[0]["where"] == "fastapi_apps[3] (shop)"
    with pytest.raises(ModelError):
        resolve_apps([SHOP], indexes=[])


@pytest.mark.parametrize("bad", [None, "shop", {"name": "shop"}, {"domain": "shop.example.com"}])
def test_something_that_is_not_an_app_is_refused(bad):
    with pytest.raises(ModelError):
        resolve_app(bad)


# The slot plan --------------------------------------------------------------

def test_first_deploy_starts_blue():
    plan = slot_plan(empty_state(), "r1")
    assert plan["needed"] and plan["slot"] == "blue" and plan["method"] == "first start"
    assert plan["acts"] is True
    assert (plan["from_slot"], plan["from_release"], plan["in_place"], plan["retire_single"]) == ("", "", False, False)
    assert plan["on_failure"] == "nothing was live"


def test_nothing_to_serve_starts_nothing():
    plan = slot_plan(empty_state(), "")
    assert not plan["needed"] and plan["method"] == "none" and not plan["stop_idle"]


LIVE = dict(live="blue", blue="r1", green="r0", live_release="r1", current="r1", previous="r0",
            active={"blue": True, "green": False})


def live(**changes):
    """The state of an app live in slot blue, with ``changes``."""
    merged = dict(LIVE)
    merged.update(changes)
    return state(**merged)


def test_same_release_with_nothing_changed_starts_nothing():
    plan = slot_plan(live(), "r1")
    assert not plan["needed"] and plan["method"] == "none" and plan["idle"] == "green" and not plan["stop_idle"]
    assert plan["acts"] is False


def test_same_release_stops_an_idle_slot_left_running():
    plan = slot_plan(live(active={"blue": True, "green": True}), "r1")
    assert not plan["needed"] and plan["stop_idle"]
    assert plan["acts"] is True


def test_new_release_starts_the_idle_slot():
    plan = slot_plan(live(), "r2")
    assert plan["needed"] and plan["slot"] == "green" and plan["method"] == "blue/green" and not plan["in_place"]
    assert (plan["from_slot"], plan["from_release"], plan["release"]) == ("blue", "r1", "r2")
    assert plan["on_failure"] == "the live release r1 in slot blue keeps serving"


@pytest.mark.parametrize("why", [{"changed": True}, {"force": True}])
def test_a_changed_unit_or_a_forced_deploy_restarts_the_same_release_blue_green(why):
    plan = slot_plan(live(), "r1", **why)
    assert plan["needed"] and plan["slot"] == "green" and plan["method"] == "blue/green"


def test_a_stopped_live_instance_gets_a_new_one():
    plan = slot_plan(live(active={"blue": False, "green": False}), "r1")
    assert plan["needed"] and plan["slot"] == "green"


def test_rollback_is_a_switch_to_the_previous_release():
    plan = slot_plan(live(), LIVE["previous"])
    assert plan["needed"] and plan["slot"] == "green" and plan["release"] == "r0" and plan["from_release"] == "r1"


def test_without_room_for_two_instances_the_live_slot_restarts_in_place():
    plan = slot_plan(live(), "r2", blue_green=False)
    assert plan["needed"] and plan["in_place"] and plan["slot"] == "blue" and plan["method"] == "in place"
    assert plan["from_slot"] == "blue"


def test_in_place_before_any_slot_is_a_first_start():
    plan = slot_plan(empty_state(), "r1", blue_green=False)
    assert plan["slot"] == "blue" and plan["method"] == "first start" and not plan["in_place"]


def test_a_host_first_set_up_with_the_single_unit_retires_it_after_the_first_switch():
    single = state(current="r1", single={"active": True, "enabled": True})
    plan = slot_plan(single, "r2")
    assert plan["needed"] and plan["slot"] == "blue" and plan["method"] == "first start" and plan["retire_single"]
    assert plan["from_release"] == "r1"
    assert plan["on_failure"] == "the live release r1 keeps serving"
    # Once the slots serve, the single unit plays no part in the plan.
    assert not slot_plan(live(single={"active": False, "enabled": True}), "r2")["retire_single"]


def test_a_broken_live_link_counts_as_no_live_slot():
    plan = slot_plan(state(live="purple", live_release=""), "r1")
    assert plan["slot"] == "blue" and plan["method"] == "first start"


# Rollback targets -------------------------------------------------------------

APPS = [resolve_app(SHOP), resolve_app(dict(SHOP, name="wiki", domain="wiki.example.com"))]


def test_each_app_goes_back_to_its_previous_release_when_it_is_still_there():
    states = {"shop": state(previous="r0", releases=["r0", "r1"]), "wiki": state(previous="w0", releases=["w0"])}
    assert rollback_targets(APPS, states) == {"targets": {"shop": "r0", "wiki": "w0"}, "problems": []}


def test_a_named_release_replaces_the_previous_one():
    states = {"shop": state(previous="r0", releases=["r0", "r1", "r7"])}
    assert rollback_targets(APPS[:1], states, "r7")["targets"] == {"shop": "r7"}


def test_no_previous_release_or_a_pruned_one_is_a_problem_named_per_app():
    states = {"shop": state(previous="", releases=["r1"]), "wiki": state(previous="w0", releases=[])}
    problems = rollback_targets(APPS, states)["problems"]
    assert problems == [
        "shop: no earlier release is known (nothing was switched yet); nothing was changed.",
        "wiki: release w0 is not (or no longer) in /srv/fastapi/wiki/releases; nothing was changed.",
    ]


def test_an_environment_or_configuration_drift_starts_the_same_release_in_the_idle_slot():
    plan = slot_plan(live(drift=["environment"]), "r1")
    assert plan["needed"] and plan["slot"] == "green" and plan["method"] == "blue/green"


def test_each_slot_runs_from_its_own_copy_of_the_environment_and_configuration():
    app = resolve_app(SHOP, config_dir="/etc/gunicorn/")
    assert app["env_file"] == "/etc/fastapi-ops/shop.env" and app["config"] == "/etc/gunicorn/shop.conf.py"
    assert app["slots"]["blue"]["env_file"] == "/etc/fastapi-ops/shop.blue.env"
    assert app["slots"]["green"]["config"] == "/etc/gunicorn/shop.green.conf.py"
    assert app["slot_template"]["env_file"] == "/etc/fastapi-ops/shop.%i.env"


# --- releases_to_prune ---------------------------------------------------------

ROOT = "/srv/fastapi/hello/releases"


def found(*ids):
    """release.json of each release, the first the newest."""
    return [{"path": "%s/%s/release.json" % (ROOT, rid), "mtime": 1000.0 - index} for index, rid in enumerate(ids)]


def test_a_re_run_keeps_the_newest_releases_the_live_one_included():
    # The live release is this run's (nothing to deploy): keep 3 = it and the 2 newest others.
    assert releases_to_prune(found("e", "d", "c", "b", "a"), ROOT + "/e", ROOT + "/e", 3) == [ROOT + "/b", ROOT + "/a"]


def test_a_deploy_keeps_the_live_and_the_new_release_and_keep_minus_two_others():
    # f is built now (not found yet), e is live: e, f and 1 other for keep 3.
    assert releases_to_prune(found("e", "d", "c"), ROOT + "/f", ROOT + "/e", 3) == [ROOT + "/c"]


def test_after_a_deploys_switch_the_next_run_has_nothing_to_remove():
    keep = 5
    before = ["e", "d", "c", "b", "a"]  # e live, five releases
    pruned = releases_to_prune(found(*before), ROOT + "/f", ROOT + "/e", keep)
    left = ["f"] + [rid for rid in before if ROOT + "/" + rid not in pruned]
    assert len(left) == keep
    # The switch made f live; site.yml runs again with f as its release.
    assert releases_to_prune(found(*left), ROOT + "/f", ROOT + "/f", keep) == []


def test_the_live_release_is_never_removed_even_when_it_is_the_oldest():
    assert releases_to_prune(found("d", "c", "b", "a"), ROOT + "/e", ROOT + "/a", 2) == [ROOT + "/d", ROOT + "/c", ROOT + "/b"]


def test_keeping_one_release_keeps_the_live_one_until_the_switch_and_it_goes_on_the_next_run():
    assert releases_to_prune(found("b", "a"), ROOT + "/c", ROOT + "/b", 1) == [ROOT + "/a"]
    assert releases_to_prune(found("c", "b"), ROOT + "/c", ROOT + "/c", 1) == [ROOT + "/b"]


def test_without_a_live_release_the_new_one_takes_a_place():
    assert releases_to_prune(found("b", "a"), ROOT + "/c", "", 2) == [ROOT + "/a"]
    assert releases_to_prune(found("b", "a"), ROOT + "/c", ROOT + "/", 2) == [ROOT + "/a"]
    assert releases_to_prune([], ROOT + "/a", "", 5) == []


@pytest.mark.parametrize("keep", [0, -1, "5", True, None])
def test_keep_must_be_a_whole_number_of_at_least_one(keep):
    with pytest.raises(ValueError):
        releases_to_prune(found("a"), ROOT + "/a", "", keep)

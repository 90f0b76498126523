"""cluster_status: each app's release on every app host, compared by content."""

from ansible_collections.fastapi_ops.server.plugins.module_utils.cluster_status import app_status, cluster_status

HOSTS = ["app1", "app2", "app3"]
CONTENT = "5c2e9d0a7b1f" + "0" * 52
OTHER = "77aa00bb11cc" + "1" * 52


def state(release, content, slot="blue", running=True):
    return {"live": slot, "live_release": release, "live_content": content,
            "active": {"blue": running and slot == "blue", "green": running and slot == "green"}}


def test_the_same_content_with_release_ids_that_differ_by_interpreter_agrees():
    # app1 and app3 on Debian 12, app2 on Debian 13: one content, two release ids.
    states = {"app1": {"hello": state("3faa7beeaeda", CONTENT)},
              "app2": {"hello": state("9d0e1f2a3b4c", CONTENT, "green")},
              "app3": {"hello": state("3faa7beeaeda", CONTENT)}}
    status = app_status("hello", HOSTS, states)
    assert status["agree"] is True
    assert (status["disagree"], status["unknown"]) == ([], [])
    assert status["lines"] == [
        "hello: content 5c2e9d0a7b1f on all 3 app hosts",
        "  app1: release 3faa7beeaeda (content 5c2e9d0a7b1f) in slot blue (running)",
        "  app2: release 9d0e1f2a3b4c (content 5c2e9d0a7b1f) in slot green (running)",
        "  app3: release 3faa7beeaeda (content 5c2e9d0a7b1f) in slot blue (running)",
    ]
    assert status["hosts"][1] == {"host": "app2", "answered": True, "drained": False, "release": "9d0e1f2a3b4c", "content": CONTENT,
                                  "slot": "green", "running": True}


def test_a_host_with_other_content_is_named():
    states = {"app1": {"hello": state("3faa7beeaeda", CONTENT)},
              "app2": {"hello": state("0b6d3c8a91f2", OTHER, "green")},
              "app3": {"hello": state("3faa7beeaeda", CONTENT)}}
    status = app_status("hello", HOSTS, states)
    assert status["agree"] is False
    assert status["disagree"] == ["app2"]
    assert status["reference"] == "content 5c2e9d0a7b1f"
    assert status["lines"][0] == "hello: HOSTS DISAGREE: content 5c2e9d0a7b1f on app1, app3; content 77aa00bb11cc on app2"


def test_a_host_without_the_app_disagrees_and_says_so():
    states = {"app1": {"hello": state("3faa7beeaeda", CONTENT)}, "app2": {"hello": state("3faa7beeaeda", CONTENT)},
              "app3": {"hello": {"live": "", "live_release": "", "live_content": "", "active": {}}}}
    status = app_status("hello", HOSTS, states)
    assert status["disagree"] == ["app3"]
    assert status["lines"][0].endswith("; no live release on app3")
    assert status["lines"][3] == "  app3: no live release"


def test_a_stopped_live_slot_is_shown_but_compares_by_content():
    states = {host: {"hello": state("3faa7beeaeda", CONTENT, running=host != "app2")} for host in HOSTS}
    status = app_status("hello", HOSTS, states)
    assert status["agree"] is True
    assert status["lines"][2] == "  app2: release 3faa7beeaeda (content 5c2e9d0a7b1f) in slot blue (NOT running)"


def test_a_host_that_gave_no_answer_is_listed_not_compared():
    states = {"app1": {"hello": state("3faa7beeaeda", CONTENT)}, "app3": {"hello": state("3faa7beeaeda", CONTENT)}}
    status = app_status("hello", HOSTS, states)
    assert (status["agree"], status["disagree"], status["unknown"]) == (True, [], ["app2"])
    assert status["lines"][0] == "hello: content 5c2e9d0a7b1f on all 2 app hosts that answered (no answer from app2)"
    assert status["lines"][2] == "  app2: no answer"
    assert status["hosts"][1]["answered"] is False


def test_a_drained_host_keeps_its_older_release_and_is_not_compared():
    states = {"app1": {"hello": state("3faa7beeaeda", CONTENT)}, "app2": {"hello": state("0b6d3c8a91f2", OTHER)},
              "app3": {"hello": state("3faa7beeaeda", CONTENT)}}
    status = app_status("hello", HOSTS, states, drained=["app2"])
    assert (status["agree"], status["disagree"], status["unknown"]) == (True, [], [])
    assert status["lines"][0] == "hello: content 5c2e9d0a7b1f on all 2 app hosts"
    assert status["lines"][2] == ("  app2: release 0b6d3c8a91f2 (content 77aa00bb11cc) in slot blue (running)"
                                  " (drained: out of the edges' upstreams, not compared)")
    assert status["hosts"][1]["drained"] is True


def test_no_answer_at_all():
    status = app_status("hello", ["app1"], {})
    assert (status["agree"], status["reference"], status["unknown"]) == (False, "", ["app1"])
    assert status["lines"] == ["hello: no app host answered (app1)", "  app1: no answer"]


def test_a_tie_takes_the_first_host_in_inventory_order_as_reference():
    states = {"app1": {"hello": state("0b6d3c8a91f2", OTHER)}, "app2": {"hello": state("3faa7beeaeda", CONTENT)}}
    status = app_status("hello", ["app1", "app2"], states)
    assert (status["reference"], status["disagree"]) == ("content 77aa00bb11cc", ["app2"])


def test_releases_without_a_content_id_compare_by_release_id():
    states = {"app1": {"hello": state("3faa7beeaeda", "")}, "app2": {"hello": state("3faa7beeaeda", "")},
              "app3": {"hello": state("0b6d3c8a91f2", "")}}
    status = app_status("hello", HOSTS, states)
    assert status["disagree"] == ["app3"]
    assert status["lines"][0] == "hello: HOSTS DISAGREE: release 3faa7beeaeda on app1, app2; release 0b6d3c8a91f2 on app3"
    assert status["lines"][1] == "  app1: release 3faa7beeaeda (content -) in slot blue (running)"


def test_every_app_in_order():
    states = {"app1": {"hello": state("r1", CONTENT), "shop": state("r2", OTHER)}}
    assert [status["app"] for status in cluster_status(["shop", "hello"], ["app1"], states)] == ["shop", "hello"]

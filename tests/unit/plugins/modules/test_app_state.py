"""app_state: the slots, releases and instances of each app, read from a real tree."""

import os

from ansible_collections.fastapi_ops.server.plugins.module_utils.model import resolve_app


def test_reads_links_previous_release_and_complete_releases(run_module, tmp_path):
    app = resolve_app({"name": "shop", "domain": "shop.example.com"}, root=str(tmp_path))
    home = tmp_path / "shop"
    for release in ("r0", "r1", "half"):
        (home / "releases" / release).mkdir(parents=True)
    for release in ("r0", "r1"):
        (home / "releases" / release / "release.json").write_text("{}\n")
    (home / "slots").mkdir()
    os.symlink("../releases/r1", home / "slots" / "blue")
    os.symlink("../releases/r0", home / "slots" / "green")
    os.symlink("/run/fastapi-shop-blue/gunicorn.sock", home / "slots" / "blue.sock")
    os.symlink("blue.sock", home / "slots" / "live.sock")
    os.symlink("releases/r1", home / "current")
    (home / "slots" / "previous").write_text("r0\n")
    result = run_module("app_state", apps=[app])
    assert result.get("failed") is not True, result
    shop = result["state"]["shop"]
    assert (shop["live"], shop["blue"], shop["green"], shop["live_release"]) == ("blue", "r1", "r0", "r1")
    assert (shop["current"], shop["previous"], shop["releases"]) == ("r1", "r0", ["r0", "r1"])
    # No such units on the machine running the test.
    assert shop["active"] == {"blue": False, "green": False}
    assert shop["single"] == {"active": False, "enabled": False}
    assert result["changed"] is False


def test_the_live_release_content_id_comes_from_its_release_json(run_module, tmp_path):
    app = resolve_app({"name": "shop", "domain": "shop.example.com"}, root=str(tmp_path))
    home = tmp_path / "shop"
    for release, text in (("r1", '{"id": "r1", "content_id": "c0ffee"}\n'), ("r2", "not json\n")):
        (home / "releases" / release).mkdir(parents=True)
        (home / "releases" / release / "release.json").write_text(text)
    (home / "slots").mkdir()
    os.symlink("../releases/r1", home / "slots" / "blue")
    os.symlink("../releases/r2", home / "slots" / "green")
    os.symlink("blue.sock", home / "slots" / "live.sock")
    assert run_module("app_state", apps=[app])["state"]["shop"]["live_content"] == "c0ffee"
    # A release.json that cannot be read gives no content id.
    os.remove(home / "slots" / "live.sock")
    os.symlink("green.sock", home / "slots" / "live.sock")
    assert run_module("app_state", apps=[app])["state"]["shop"]["live_content"] == ""


def test_an_app_never_deployed_has_empty_state(run_module, tmp_path):
    app = resolve_app({"name": "wiki", "domain": "wiki.example.com"}, root=str(tmp_path))
    wiki = run_module("app_state", apps=[app], check_mode=True)["state"]["wiki"]
    assert (wiki["live"], wiki["live_release"], wiki["current"], wiki["previous"], wiki["releases"]) == ("", "", "", "", [])
    assert wiki["live_content"] == ""


def test_an_app_that_is_not_resolved_is_refused_naming_what_is_missing(run_module):
    result = run_module("app_state", apps=[{"name": "shop"}])
    assert result["failed"] is True
    assert result["msg"].startswith("apps[0]: a resolved app needs name, home, releases, service and slots.blue/green")


def test_drift_names_the_environment_or_configuration_the_live_slot_lacks(run_module, tmp_path):
    app = resolve_app({"name": "shop", "domain": "shop.example.com"}, root=str(tmp_path), config_dir=str(tmp_path / "gunicorn"))
    # Files of a host under tmp_path instead of /etc.
    app["env_file"] = str(tmp_path / "shop.env")
    app["slots"]["blue"]["env_file"] = str(tmp_path / "shop.blue.env")
    home = tmp_path / "shop"
    (home / "slots").mkdir(parents=True)
    os.symlink("blue.sock", home / "slots" / "live.sock")
    (tmp_path / "gunicorn").mkdir()
    (tmp_path / "shop.env").write_text("GREETING=hi\n")
    (tmp_path / "shop.blue.env").write_text("GREETING=hi\n")
    (tmp_path / "gunicorn" / "shop.conf.py").write_text("timeout = 30\n")
    (tmp_path / "gunicorn" / "shop.blue.conf.py").write_text("timeout = 30\n")
    assert run_module("app_state", apps=[app])["state"]["shop"]["drift"] == []
    (tmp_path / "shop.env").write_text("GREETING=howdy\n")
    (tmp_path / "gunicorn" / "shop.conf.py").write_text("timeout = 60\n")
    assert run_module("app_state", apps=[app])["state"]["shop"]["drift"] == ["environment", "configuration"]

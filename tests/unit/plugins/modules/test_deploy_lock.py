"""deploy_lock: every app's lock or none, the holder named, released at the end."""

import json
import os
import stat


def test_takes_every_lock_with_its_owner_in_a_private_directory(run_module, tmp_path):
    locks = tmp_path / "locks"
    result = run_module("deploy_lock", path=str(locks), names=["hello", "shop"], owner={"user": "alice", "playbook": "Deploy"})
    assert result.get("failed") is not True, result
    assert result["taken"] == ["hello", "shop"] and result["changed"] is False
    assert stat.S_IMODE(os.stat(locks).st_mode) == 0o700
    for name in ("hello", "shop"):
        assert stat.S_IMODE(os.stat(locks / name).st_mode) == 0o700
        owner = locks / name / "owner.json"
        assert json.loads(owner.read_text()) == {"user": "alice", "playbook": "Deploy"}
        assert stat.S_IMODE(os.stat(owner).st_mode) == 0o600


def test_a_lock_held_by_another_run_fails_naming_it_and_takes_none(run_module, tmp_path):
    locks = tmp_path / "locks"
    (locks / "shop").mkdir(parents=True)
    (locks / "shop" / "owner.json").write_text('{"user": "bob"}\n')
    result = run_module("deploy_lock", path=str(locks), names=["hello", "shop", "wiki"], owner={"user": "alice"})
    assert result["failed"] is True
    assert result["msg"].startswith('Another deploy holds the deploy lock of shop: {"user": "bob"}. Nothing was changed.')
    assert "remove %s/NAME and retry" % locks in result["msg"]
    assert result["holders"] == {"shop": '{"user": "bob"}'}
    # The locks it could take are released again; the holder's lock stays.
    assert sorted(os.listdir(locks)) == ["shop"]
    assert (locks / "shop" / "owner.json").read_text() == '{"user": "bob"}\n'


def test_a_lock_without_its_owner_file_is_still_held(run_module, tmp_path):
    (tmp_path / "locks" / "hello").mkdir(parents=True)
    result = run_module("deploy_lock", path=str(tmp_path / "locks"), names=["hello"])
    assert result["failed"] is True and "(owner unknown)" in result["msg"]


def test_absent_releases_the_named_locks_only(run_module, tmp_path):
    locks = tmp_path / "locks"
    taken = run_module("deploy_lock", path=str(locks), names=["hello", "shop"])
    assert taken["taken"] == ["hello", "shop"]
    (locks / "other").mkdir()
    result = run_module("deploy_lock", path=str(locks), names=["hello", "shop", "gone"], state="absent")
    assert result.get("failed") is not True, result
    assert result["taken"] == ["hello", "shop"]
    assert os.listdir(locks) == ["other"]


def test_a_second_run_after_release_takes_the_locks_again(run_module, tmp_path):
    locks = str(tmp_path / "locks")
    assert run_module("deploy_lock", path=locks, names=["hello"])["taken"] == ["hello"]
    assert run_module("deploy_lock", path=locks, names=["hello"]).get("failed") is True
    run_module("deploy_lock", path=locks, names=["hello"], state="absent")
    assert run_module("deploy_lock", path=locks, names=["hello"])["taken"] == ["hello"]


def test_names_that_are_not_plain_file_names_are_refused_before_anything_is_made(run_module, tmp_path):
    for name in ("../etc", "", ".."):
        result = run_module("deploy_lock", path=str(tmp_path / "locks"), names=["hello", name])
        assert result["failed"] is True and "plain file name" in result["msg"]
    assert not (tmp_path / "locks").exists()

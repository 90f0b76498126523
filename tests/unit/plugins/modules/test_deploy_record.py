"""deploy_record: the deploy log's line, and the live and previous release, in one call."""

import json
import os
import stat

import pytest

from ansible_collections.fastapi_ops.server.plugins.modules import deploy_record

ME, MY_GID = os.getuid(), os.getgid()
ENTRY = {"app": "hello", "release": "0f9e8d7c6b5a", "outcome": "live", "from_release": None, "slot": "green"}


def params(tmp_path, **changes):
    (tmp_path / "hello" / "slots").mkdir(parents=True, exist_ok=True)
    base = {"log": str(tmp_path / "log" / "deploys.jsonl"), "entry": ENTRY,
            "current": str(tmp_path / "hello" / "current"), "release": "0f9e8d7c6b5a",
            "previous_file": str(tmp_path / "hello" / "slots" / "previous"), "previous": "3faa7beeaeda"}
    base.update(changes)
    return base


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_line_is_what_to_json_with_sorted_keys_writes():
    assert deploy_record.log_line(ENTRY) == json.dumps(ENTRY, sort_keys=True)
    assert deploy_record.log_line({"b": 1, "a": None}) == '{"a": null, "b": 1}'


def test_a_switch_is_recorded_and_the_same_record_again_changes_nothing(tmp_path):
    args = params(tmp_path)
    wrote = deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID)
    assert wrote == [args["current"], args["previous_file"], args["log"]]
    assert os.readlink(args["current"]) == "releases/0f9e8d7c6b5a"
    assert open(args["previous_file"]).read() == "3faa7beeaeda\n" and mode(args["previous_file"]) == 0o644
    assert open(args["log"]).read() == deploy_record.log_line(ENTRY) + "\n"
    assert mode(args["log"]) == 0o640 and mode(os.path.dirname(args["log"])) == 0o750
    assert deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID) == []


def test_a_second_deploy_appends_its_line_and_moves_the_link(tmp_path):
    deploy_record.record(params(tmp_path), False, uid=ME, gid=MY_GID, log_gid=MY_GID)
    entry = dict(ENTRY, release="77aa00bb11cc", from_release="0f9e8d7c6b5a")
    args = params(tmp_path, entry=entry, release="77aa00bb11cc", previous="0f9e8d7c6b5a")
    assert deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID) == [args["current"], args["previous_file"], args["log"]]
    assert os.readlink(args["current"]) == "releases/77aa00bb11cc"
    assert open(args["log"]).read().splitlines() == [deploy_record.log_line(ENTRY), deploy_record.log_line(entry)]
    assert not [name for name in os.listdir(tmp_path / "hello") if "deploy-record" in name]  # no temporary left


def test_check_mode_names_what_it_would_write_and_writes_nothing(tmp_path):
    args = params(tmp_path)
    assert deploy_record.record(args, True, uid=ME, gid=MY_GID, log_gid=MY_GID) == [args["current"], args["previous_file"], args["log"]]
    assert not os.path.lexists(args["current"]) and not os.path.exists(args["previous_file"])
    assert not os.path.exists(os.path.dirname(args["log"]))


def test_a_failure_record_writes_only_the_log(tmp_path):
    args = params(tmp_path, current=None, previous_file=None, entry=dict(ENTRY, outcome="build-failed"))
    assert deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID) == [args["log"]]
    assert not os.path.lexists(str(tmp_path / "hello" / "current"))


def test_a_log_with_a_wrong_mode_is_corrected(tmp_path):
    args = params(tmp_path, current=None, previous_file=None)
    deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID)
    os.chmod(args["log"], 0o666)
    assert deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID) == [args["log"]]
    assert mode(args["log"]) == 0o640


@pytest.mark.skipif(os.getuid() != 0, reason="the module writes as root")
def test_the_module_records_as_root_with_the_adm_group(run_module, tmp_path):
    args = params(tmp_path)
    result = run_module("deploy_record", **args)
    assert result.get("failed") is not True, result
    assert result["changed"] is True and result["line"] == deploy_record.log_line(ENTRY)
    info = os.stat(args["log"])
    assert (info.st_uid, info.st_gid) == (0, deploy_record._group_id("adm"))
    assert run_module("deploy_record", **args)["changed"] is False
    assert run_module("deploy_record", log=args["log"], entry=ENTRY, current=args["current"])["failed"] is True  # no release


def test_a_first_deploy_or_a_restart_of_the_same_release_keeps_the_previous_file(tmp_path):
    args = params(tmp_path, previous="")
    assert deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID) == [args["current"], args["log"]]
    assert not os.path.exists(args["previous_file"])
    (tmp_path / "hello" / "slots" / "previous").write_text("3faa7beeaeda\n")
    args = params(tmp_path, previous="0f9e8d7c6b5a", entry=dict(ENTRY, method="in place"))
    assert deploy_record.record(args, False, uid=ME, gid=MY_GID, log_gid=MY_GID) == [args["log"]]
    assert open(args["previous_file"]).read() == "3faa7beeaeda\n"

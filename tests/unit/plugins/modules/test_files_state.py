"""files_state: which paths differ from what a role would make them, in one call."""

import grp
import hashlib
import os
import pwd

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def sha1(text):
    return hashlib.sha1(text.encode()).hexdigest()


def test_paths_that_match_are_not_listed_and_nothing_changes(run_module, tmp_path):
    conf = tmp_path / "app.conf"
    conf.write_text("workers = 3\n")
    os.chmod(conf, 0o640)
    os.chmod(tmp_path, 0o750)
    link = tmp_path / "current"
    link.symlink_to("releases/abc")
    result = run_module("files_state", expect=[
        {"path": str(tmp_path), "state": "directory", "owner": ME, "group": MY_GROUP, "mode": "0750"},
        {"path": str(conf), "owner": ME, "group": MY_GROUP, "mode": "0640", "checksum": sha1("workers = 3\n")},
        {"path": str(link), "state": "link", "src": "releases/abc"},
    ])
    assert result.get("failed") is not True, result
    assert result["differ"] == [] and result["why"] == {} and result["changed"] is False


def test_each_kind_of_difference_is_named(run_module, tmp_path):
    conf = tmp_path / "app.conf"
    conf.write_text("workers = 3\n")
    os.chmod(conf, 0o644)
    (tmp_path / "a-file").write_text("")
    link = tmp_path / "current"
    link.symlink_to("releases/old")
    expect = [
        {"path": str(conf), "mode": "0640"},
        {"path": str(conf), "checksum": sha1("workers = 4\n")},
        {"path": str(conf), "owner": "owner-that-does-not-exist"},
        {"path": str(conf), "group": "group-that-does-not-exist"},
        {"path": str(tmp_path / "missing")},
        {"path": str(tmp_path / "a-file"), "state": "directory"},
        {"path": str(link), "state": "link", "src": "releases/new"},
    ]
    # One path per entry: the same file under several names.
    for index, item in enumerate(expect[1:4], start=1):
        alias = tmp_path / ("alias-%d" % index)
        os.link(conf, alias)
        item["path"] = str(alias)
    result = run_module("files_state", expect=expect)
    assert result.get("failed") is not True, result
    assert result["differ"] == [item["path"] for item in expect]
    assert [result["why"][item["path"]] for item in expect] == [["mode"], ["checksum"], ["owner"], ["group"], ["missing"], ["type"], ["src"]]


def test_a_link_is_not_followed(run_module, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "dir-link").symlink_to("real")
    result = run_module("files_state", expect=[{"path": str(tmp_path / "dir-link"), "state": "directory"}])
    assert result["differ"] == [str(tmp_path / "dir-link")] and result["why"][str(tmp_path / "dir-link")] == ["type"]


def test_a_mode_that_is_not_octal_is_refused(run_module, tmp_path):
    result = run_module("files_state", expect=[{"path": str(tmp_path), "state": "directory", "mode": "u=rwx"}])
    assert result["failed"] is True and "must be octal" in result["msg"]


def test_it_answers_the_same_in_check_mode(run_module, tmp_path):
    result = run_module("files_state", check_mode=True, expect=[{"path": str(tmp_path / "nothing")}])
    assert result["differ"] == [str(tmp_path / "nothing")] and result["changed"] is False


def test_links_and_found_files_are_read_in_the_same_call(run_module, tmp_path):
    releases = tmp_path / "releases"
    for name in ("aaa", "bbb", "ccc"):
        (releases / name).mkdir(parents=True)
    (releases / "aaa" / "release.json").write_text("{}")
    (releases / "bbb" / "release.json").write_text("{}")
    (releases / "ccc" / "other.json").write_text("{}")
    (releases / "ddd").write_text("")
    os.utime(releases / "aaa" / "release.json", (1000, 1000))
    (tmp_path / "current").symlink_to("releases/bbb")
    (tmp_path / "plain").write_text("")
    result = run_module("files_state", expect=[], links=[str(tmp_path / "current"), str(tmp_path / "plain"), str(tmp_path / "none")],
                        find=[{"path": str(releases), "name": "release.json"}, {"path": str(tmp_path / "gone"), "name": "release.json"}])
    assert result.get("failed") is not True, result
    assert result["links"] == {str(tmp_path / "current"): "releases/bbb", str(tmp_path / "plain"): "", str(tmp_path / "none"): ""}
    found = result["found"][str(releases)]
    assert [f["path"] for f in found] == [str(releases / "aaa" / "release.json"), str(releases / "bbb" / "release.json")]
    assert found[0]["mtime"] == 1000
    assert result["found"][str(tmp_path / "gone")] == []
    assert result["changed"] is False

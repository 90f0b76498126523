"""The workspace example (examples/workspace) after side_effect.yml: its
releases hold neither its development settings nor a file others may read,
its own package and its library member are installed in each release's
virtualenv (not editable), on the lock's Uvicorn, and every refused deploy
is in the deploy log. Runs after test_processes.py, so after its reboot."""

import json

RELEASES = "/srv/fastapi/backend/releases"


def releases(host):
    return host.check_output("ls %s", RELEASES).split()


def test_no_release_has_the_development_settings(host):
    assert len(releases(host)) >= 2
    assert host.check_output("find %s -name '.env*'", RELEASES) == ""
    for release in releases(host):
        assert host.file("%s/%s/src/backend/app/main.py" % (RELEASES, release)).exists


def test_no_release_file_is_readable_by_others(host):
    assert host.check_output("find %s -mindepth 1 ! -type l -perm -o=r", RELEASES) == ""
    assert host.check_output("find %s -mindepth 1 ! -type l -perm -o=w", RELEASES) == ""


def test_the_projects_own_package_and_its_member_are_installed_not_editable(host):
    for release in releases(host):
        python = "%s/%s/venv/bin/python" % (RELEASES, release)
        where = json.loads(host.check_output(
            "cd / && %s -c 'import json, app, common, uvicorn; "
            "print(json.dumps([app.__file__, common.__file__, uvicorn.__version__]))'", python))
        assert all("/venv/lib/" in path and "/site-packages/" in path for path in where[:2]), where
        assert where[2] == "0.40.0"
        assert host.check_output("find %s/%s/venv -name '*.pth' -exec grep -l /src/ {} +", RELEASES, release) == ""
        assert json.loads(host.file("%s/%s/release.json" % (RELEASES, release)).content_string)["projects"] == [
            "backend", "packages/common"]


def test_the_refused_deploys_are_in_the_deploy_log(host):
    entries = [json.loads(line) for line in host.file("/var/log/fastapi-ops/deploys.log").content_string.splitlines()]
    failed = [e for e in entries if e.get("app") == "backend" and e.get("outcome") == "pre-start-failed"]
    assert len(failed) == 2, failed
    assert "stopped after 3 s" in failed[0]["error"]
    assert "python app/prestart.py" in failed[1]["error"]
    assert "wrong-pass" not in host.file("/var/log/fastapi-ops/deploys.log").content_string


def test_the_backend_serves_its_items_after_the_reboot(host):
    answer = json.loads(host.check_output(
        "python3 /usr/local/lib/lab-https-get.py --name backend.example.test /items"))
    assert answer["status"] == 200

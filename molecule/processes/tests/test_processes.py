"""The app's processes and jobs after side_effect.yml: one worker on release
2, the idler and the tick job removed, the report job every 5 s, a unit not
written by the collection untouched; then a reboot.

Runs in file order: the reboot comes last.
"""

import base64
import gzip
import json
import re
import subprocess
import time

UNIT_DIR = "/etc/systemd/system"
CLIENT = "python3 /usr/local/lib/lab-stream.py --socket /srv/fastapi/jobs/slots/live.sock --request"


def show(host, unit, prop):
    return host.check_output("systemctl show -p %s --value %s", prop, unit)


def test_the_worker_runs_from_the_live_release_as_the_app_user(host):
    pid = int(show(host, "fastapi-jobs.worker@1.service", "MainPID"))
    assert pid > 0
    assert host.check_output("ps -o user= -p %s", str(pid)) == "fastapi-jobs"
    # Only the process's own user may read its cwd (root lacks CAP_SYS_PTRACE in the container).
    cwd = host.check_output("setpriv --reuid=fastapi-jobs --regid=fastapi-jobs --clear-groups readlink /proc/%s/cwd", str(pid))
    live = host.check_output("readlink -f /srv/fastapi/jobs/current")
    assert cwd == live + "/src"
    assert host.check_output("setpriv --reuid=fastapi-jobs --regid=fastapi-jobs --clear-groups readlink /proc/%s/exe",
                             str(pid)).startswith("/usr/bin/python3")


def test_the_processes_have_the_live_slots_environment_readable_by_root_only(host):
    env = host.file("/etc/fastapi-ops/jobs.processes.env")
    assert (env.user, env.group, env.mode) == ("root", "root", 0o600)
    live = host.check_output("readlink /srv/fastapi/jobs/slots/live.sock").split(".")[0]
    assert env.content_string == host.file("/etc/fastapi-ops/jobs.%s.env" % live).content_string
    assert "WORKER_TOKEN" in env.content_string


def test_a_lowered_count_and_a_removed_process_are_stopped_disabled_and_removed(host):
    assert host.service("fastapi-jobs.worker@1.service").is_running
    assert host.service("fastapi-jobs.worker@1.service").is_enabled
    for unit in ("fastapi-jobs.worker@2.service", "fastapi-jobs.idler@1.service"):
        assert show(host, unit, "ActiveState") in ("inactive", "failed"), unit
        assert not host.file("%s/multi-user.target.wants/%s" % (UNIT_DIR, unit)).exists, unit
    assert not host.file(UNIT_DIR + "/fastapi-jobs.idler@.service").exists
    assert host.file(UNIT_DIR + "/fastapi-jobs.worker@.service").exists


def test_a_unit_the_collection_did_not_write_is_untouched(host):
    assert host.file(UNIT_DIR + "/fastapi-jobs.theirs@.service").exists
    assert host.service("fastapi-jobs.theirs@1.service").is_running
    assert host.service("fastapi-jobs.theirs@1.service").is_enabled


def test_the_worker_stopped_gracefully_on_each_restart(host):
    journal = host.check_output("journalctl -q --no-pager -t fastapi-jobs.worker -o cat")
    assert "worker 1: SIGTERM, finishing the job in progress" in journal
    assert "worker 1: stopped gracefully" in journal
    assert "worker 3: this release's worker crashes at start (CRASH)" in journal


def test_the_process_unit_is_sandboxed_like_the_web_unit(host):
    out = host.check_output("systemd-analyze security --no-pager fastapi-jobs.worker@1.service")
    match = re.search(r"Overall exposure level for fastapi-jobs\.worker@1\.service: (\d+(?:\.\d+)?)", out)
    assert match, out
    score = float(match.group(1))
    print("\nsystemd-analyze security exposure of fastapi-jobs.worker@1.service = %s" % score)
    assert score <= 2.5
    assert show(host, "fastapi-jobs.worker@1.service", "ProtectSystem") == "strict"
    assert show(host, "fastapi-jobs.worker@1.service", "Restart") == "on-failure"
    assert show(host, "fastapi-jobs.worker@1.service", "TimeoutStopUSec") == "1min 30s"


def reports(host):
    return json.loads(host.check_output(CLIENT + " GET /reports"))


def test_the_job_ran_the_live_releases_code_with_the_apps_environment_never_twice_at_once(host):
    runs = reports(host)
    assert any(run["version"] == "2" and run["greeting"] == "hello" for run in runs), runs
    # Every 5 s, 7 s a run: without the oneshot unit's guard, runs would overlap.
    assert len(runs) >= 3, runs
    ordered = sorted(runs, key=lambda run: run["started"])
    for before, after in zip(ordered, ordered[1:]):
        assert after["started"] >= before["ended"], (before, after)


def test_the_jobs_timer_is_active_and_a_removed_jobs_units_are_gone(host):
    timer = host.service("fastapi-jobs.report.timer")
    assert timer.is_running and timer.is_enabled
    assert show(host, "fastapi-jobs.report.timer", "TimersCalendar").startswith("{ OnCalendar=*-*-* *:*:00/5")
    for unit in ("fastapi-jobs.tick.timer", "fastapi-jobs.tick.service"):
        assert not host.file("%s/%s" % (UNIT_DIR, unit)).exists, unit
        assert show(host, unit, "ActiveState") == "inactive", unit
    assert not host.file(UNIT_DIR + "/timers.target.wants/fastapi-jobs.tick.timer").exists


def test_the_job_unit_is_sandboxed_like_the_web_unit(host):
    out = host.check_output("systemd-analyze security --no-pager fastapi-jobs.report.service")
    match = re.search(r"Overall exposure level for fastapi-jobs\.report\.service: (\d+(?:\.\d+)?)", out)
    assert match, out
    print("\nsystemd-analyze security exposure of fastapi-jobs.report.service = %s" % match.group(1))
    assert float(match.group(1)) <= 2.5


def test_the_deploy_log_has_the_refused_release_and_the_one_off_commands_without_secrets(host):
    text = host.file("/var/log/fastapi-ops/deploys.log").content_string
    lines = [json.loads(line) for line in text.splitlines()]
    refused = [line for line in lines if line.get("reason") == "processes"]
    assert refused and refused[-1]["outcome"] == "failed"
    runs = [line for line in lines if line.get("action") == "run"]
    assert [(run["command"], str(run["rc"]), run["outcome"]) for run in runs][-1] == ("echo about to fail; exit 3", "3", "failed")
    assert str(runs[-2]["rc"]) == "0" and runs[-2]["command"].startswith("python -c")
    assert all(run["user"] and run["time"] and run["release"] for run in runs)
    assert "lab-secret-token" not in text


def caddy_get(host, path, *headers):
    """Status, headers (lower-cased names) and body of Caddy's answer on the target."""
    out = json.loads(host.check_output("python3 /usr/local/lib/lab-https-get.py " + " ".join(["%s"] * (1 + len(headers))),
                                       path, *headers))
    return out["status"], out["headers"], base64.b64decode(out["body"])


def test_static_files_are_served_by_caddy_from_the_live_release_never_by_the_app(host):
    status, headers, body = caddy_get(host, "/static/version.txt")
    assert status == 200, (status, headers)
    # The app's own route under /static answers "from the app": this body is the file's.
    assert body == b"static of version 2\n"
    assert headers["cache-control"] == "public, max-age=3600"
    assert "etag" in headers and "last-modified" in headers, headers
    print("\n/static/version.txt through Caddy: %s %s" % (status, headers))


def test_hashed_static_names_are_immutable_and_compressed(host):
    status, headers, body = caddy_get(host, "/static/app.3f9a1c2b.js", "Accept-Encoding: gzip")
    assert status == 200, (status, headers)
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers.get("content-encoding") == "gzip", headers
    assert gzip.decompress(body).startswith(b"/* compressible ")


def test_dot_files_and_missing_static_files_are_caddys_404_not_the_apps(host):
    for path in ("/static/.env", "/static/missing.txt"):
        status, headers, body = caddy_get(host, path)
        assert status == 404, (path, status)
        assert b"from the app" not in body and b"SECRET" not in body
    # Outside the prefix the app answers as before.
    status, headers, body = caddy_get(host, "/")
    assert status == 200 and json.loads(body)["version"] == "2"


def test_worker_and_web_come_back_after_the_container_restarts(host):
    name = host.backend.get_hostname()
    before = show(host, "fastapi-jobs.worker@1.service", "ActiveEnterTimestampMonotonic")
    # SIGRTMIN+3 is systemd's "halt": a clean shutdown, then Docker starts the container again.
    booted = time.time()
    subprocess.run(["docker", "restart", "--signal", "SIGRTMIN+3", "--timeout", "30", name], check=True, timeout=120)
    deadline = time.monotonic() + 90
    state = ""
    while time.monotonic() < deadline:
        state = host.run("systemctl is-system-running --wait").stdout.strip()
        if state in ("running", "degraded"):
            break
        time.sleep(1)
    assert state == "running", host.run("systemctl list-units --state=failed --no-legend").stdout
    assert host.service("fastapi-jobs.worker@1.service").is_running
    assert show(host, "fastapi-jobs.worker@1.service", "ActiveEnterTimestampMonotonic") != before
    assert not host.service("fastapi-jobs.worker@2.service").is_running
    enqueued = host.run(CLIENT + " POST '/jobs?sleep=0'")
    assert enqueued.rc == 0, enqueued.stderr
    job = json.loads(enqueued.stdout)["id"]
    answer = {}
    for attempt in range(30):  # noqa: B007  (a bounded wait)
        answer = json.loads(host.check_output(CLIENT + " GET /jobs/%s", str(job)))
        if answer["status"] == "done":
            break
        time.sleep(1)
    assert answer.get("result") == "2:hello:token-ok", answer
    # The job's timer is back too: a run after the restart.
    assert host.service("fastapi-jobs.report.timer").is_running
    for attempt in range(30):  # noqa: B007  (a bounded wait)
        if any(run["started"] > booted for run in reports(host)):
            break
        time.sleep(1)
    assert any(run["started"] > booted for run in reports(host)), reports(host)

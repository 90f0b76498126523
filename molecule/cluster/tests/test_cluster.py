"""The cluster as a user checks it: the edge, DNS, the app hosts' firewall,
and what the client saw while side_effect.yml rolled releases, stopped an
app host and added a fourth.

The client sent one bounded stream of HTTPS requests through the edge
(molecule/default/files/load.py, one JSON line per request, with the answer's
message, which names the app host that served it); runs.json has each run's
start and end time, exit status, changed counts and the release each app
host's `current` pointed to after it; hosts.json has each app host's deploy
log and pre-start files as they were at the end.
"""

import json
import re

import pytest

REQUESTS = "/var/lib/lab-load/requests.jsonl"
RUNS = "/var/lib/lab-load/runs.json"
HOSTS = "/var/lib/lab-load/hosts.json"
DOMAIN = "hello.example.test"
APP_HOSTS = ("cluster-app1", "cluster-app2", "cluster-app3")
FOURTH = "cluster-app4"
# What a user of the layout may expect when an app host dies under load.
WORST_LATENCY_BOUND = 5.0


@pytest.fixture(name="client")
def fixture_client(host):
    if host.backend.get_hostname() != "cluster-client":
        pytest.skip("the client's view")
    return host


@pytest.fixture(name="edge")
def fixture_edge(host):
    if host.backend.get_hostname() != "cluster-edge":
        pytest.skip("the edge's view")
    return host


@pytest.fixture(name="requests")
def fixture_requests(client):
    return [json.loads(line) for line in client.file(REQUESTS).content_string.splitlines() if line.strip()]


@pytest.fixture(name="runs")
def fixture_runs(client):
    return json.loads(client.file(RUNS).content_string)


@pytest.fixture(name="host_files")
def fixture_host_files(client):
    """{host: {"deploys.log": [entries], "pre_start.log": [(release, host, time)], ...}}"""
    seen = {}
    for key, content in json.loads(client.file(HOSTS).content_string).items():
        name, path = key.split(":", 1)
        lines = [line for line in content.splitlines() if line.strip()]
        base = path.rsplit("/", 1)[-1]
        # A pre-start line is "HOST /srv/fastapi/hello/releases/RELEASE/src TIME".
        seen.setdefault(name, {})[base] = [json.loads(line) for line in lines] if base == "deploys.log" else [
            (line.split()[1].split("/")[-2], line.split()[0], float(line.split()[2])) for line in lines]
    return seen


def run(runs, label):
    return next(entry for entry in runs if entry["label"] == label)


def served_by(record):
    match = re.search(r"from (cluster-app\d)", record.get("message") or "")
    return match.group(1) if match else None


def failed(requests):
    return [r for r in requests if r.get("error") or r.get("status") != 200]


def between(requests, start, end):
    return [r for r in requests if start < r["start"] and r["end"] < end]


def address(host, name):
    return host.check_output("getent hosts %s | cut -d' ' -f1", name).strip()


def old_and_new(runs, requests):
    """The release site.yml brought (first answers) and the one the rolling deploy brought."""
    first = run(runs, "rolling deploy")
    before = {r["release"] for r in requests if r["end"] < first["started"]}
    assert len(before) == 1, before
    return before.pop(), first["releases"][APP_HOSTS[0]]


# --- 1. site.yml from scratch ------------------------------------------------

def test_https_on_the_edge_with_a_certificate_from_pebble(client):
    edge = address(client, "cluster-edge")
    answer = json.loads(client.check_output(
        "curl -sS --fail --http2 --cacert /etc/lab-pebble-root.pem --resolve %s:443:%s https://%s/", DOMAIN, edge, DOMAIN))
    assert re.fullmatch(r"Hello from cluster-app\d, world!", answer["message"])
    issuer = client.check_output(
        "echo | openssl s_client -connect %s:443 -servername %s 2>/dev/null | openssl x509 -noout -issuer", edge, DOMAIN)
    assert "Pebble" in issuer


def test_the_a_record_in_bind_points_at_the_edge_only(client):
    records = client.check_output("dig +short @%s %s A", address(client, "cluster-bind"), DOMAIN).split()
    assert records == [address(client, "cluster-edge")]
    app_addresses = {address(client, name) for name in APP_HOSTS + (FOURTH,)}
    assert not app_addresses & set(records)


def test_all_three_app_hosts_served_the_stream_after_site_yml(requests, runs):
    before = [r for r in requests if r["end"] < run(runs, "rolling deploy")["started"]]
    assert before and not failed(before)
    counts = {name: sum(1 for r in before if served_by(r) == name) for name in APP_HOSTS}
    print("\nanswers per app host before the first deploy: %s" % counts)
    assert all(counts.values()), counts
    assert {served_by(r) for r in before} == set(APP_HOSTS)


def test_every_app_host_answers_through_the_edge_now(client):
    edge = address(client, "cluster-edge")
    answers = [json.loads(client.check_output(
        "curl -sS --fail --cacert /etc/lab-pebble-root.pem --resolve %s:443:%s https://%s/", DOMAIN, edge, DOMAIN))
        for _attempt in range(16)]
    assert {served_by(answer) for answer in answers} == set(APP_HOSTS + (FOURTH,))


# --- 2. under the request stream ---------------------------------------------

def test_zero_failed_requests_over_the_whole_stream(requests, runs):
    bad = failed(requests)
    print("\n%d requests through the edge, %d failed, over %.0f s"
          % (len(requests), len(bad), requests[-1]["end"] - requests[0]["start"]))
    assert not bad[:20]
    # The stream really covered every run.
    for entry in runs:
        assert between(requests, entry["started"], entry["ended"]), entry["label"]


def test_a_rolling_deploy_brings_the_new_release_one_app_host_at_a_time(requests, runs):
    entry = run(runs, "rolling deploy")
    old, new = old_and_new(runs, requests)
    assert entry["rc"] == 0
    assert new != old
    assert {entry["releases"][name] for name in APP_HOSTS} == {new}
    during = between(requests, entry["started"], entry["ended"])
    assert not failed(during)
    assert {r["release"] for r in during} == {old, new}
    # Host by host: each serves the new release only after the one before it,
    # and the last still serves the old one after the second switched.
    first_new = {name: min(r["start"] for r in during if served_by(r) == name and r["release"] == new) for name in APP_HOSTS}
    assert first_new[APP_HOSTS[0]] < first_new[APP_HOSTS[1]] < first_new[APP_HOSTS[2]], first_new
    assert any(served_by(r) == APP_HOSTS[2] and r["release"] == old and r["start"] > first_new[APP_HOSTS[1]] for r in during)
    after = [r for r in requests if entry["ended"] < r["start"] < run(runs, "fails on app2")["started"]]
    assert after and {r["release"] for r in after} == {new}


def test_a_release_failing_its_health_check_on_the_second_host_stops_the_rollout(requests, runs, host_files):
    entry = run(runs, "fails on app2")
    old, new = old_and_new(runs, requests)
    assert entry["rc"] != 0
    assert entry["rollout"].startswith("rollout stopped at cluster-app2"), entry["rollout"]
    # Every app host serves the release it served before the run.
    assert {entry["releases"][name] for name in APP_HOSTS} == {new}
    during = between(requests, entry["started"], entry["ended"])
    assert during and not failed(during)
    failing = {r["release"] for r in during} - {new}
    # The first host served the failing release for a while, and only it.
    assert {served_by(r) for r in during if r["release"] in failing} <= {APP_HOSTS[0]}
    logs = {name: host_files[name]["deploys.log"] for name in APP_HOSTS}
    bad_release = next(e["release"] for e in logs[APP_HOSTS[1]] if e["outcome"] != "live")
    # cluster-app1 switched to it and went back; cluster-app2 failed its
    # switch; cluster-app3 never got it.
    first = [e for e in logs[APP_HOSTS[0]] if bad_release in (e["release"], e.get("from_release"))]
    assert [e["release"] for e in first if e["outcome"] == "live"] == [bad_release, new], first
    assert [e["outcome"] for e in logs[APP_HOSTS[1]] if e["release"] == bad_release] != []
    assert "live" not in [e["outcome"] for e in logs[APP_HOSTS[1]] if e["release"] == bad_release]
    assert not [e for e in logs[APP_HOSTS[2]] if e["release"] == bad_release]
    after = [r for r in requests if entry["ended"] < r["start"] < run(runs, "stopped and started")["started"]]
    assert after and {r["release"] for r in after} == {new}


def test_a_stopped_app_host_costs_no_request_and_the_worst_latency_is_bounded(requests, runs):
    entry = run(runs, "stopped and started")
    window = between(requests, entry["started"], entry["ended"])
    worst = max(window, key=lambda r: r["end"] - r["start"])
    latency = worst["end"] - worst["start"]
    print("\n%s stopped (docker stop) and started under the stream: %d requests, %d failed, worst latency %.3f s"
          " (served by %s), median %.3f s"
          % (entry["host"], len(window), len(failed(window)), latency, served_by(worst),
             sorted(r["end"] - r["start"] for r in window)[len(window) // 2]))
    assert not failed(window)
    assert latency < WORST_LATENCY_BOUND
    # While it was down, the others answered everything.
    down = between(requests, entry["stopped"], entry["restarted"])
    assert down and entry["host"] not in {served_by(r) for r in down}


def test_a_started_app_host_is_back_in_rotation_without_a_play(requests, runs):
    entry = run(runs, "stopped and started")
    back = [r for r in requests if entry["restarted"] < r["start"] and served_by(r) == entry["host"]]
    assert back and back[0]["status"] == 200
    print("\n%s answered again %.1f s after docker start" % (entry["host"], back[0]["end"] - entry["restarted"]))
    # No run of any playbook between the stop and the answer.
    assert all(other["ended"] < entry["started"] or other["started"] > entry["ended"]
               for other in runs if other is not entry)


# --- 3. the app hosts' port ----------------------------------------------------

CONNECT = ("python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], 8080), 3); print(\"connected\")' %s"
           " 2>&1 || true")


@pytest.mark.parametrize("name", APP_HOSTS + (FOURTH,))
def test_an_app_hosts_port_refuses_or_drops_a_container_that_is_not_the_edge(client, name):
    said = client.check_output(CONNECT, address(client, name))
    assert "connected" not in said
    assert "ConnectionRefusedError" in said or "timed out" in said or "TimeoutError" in said, said


@pytest.mark.parametrize("name", APP_HOSTS + (FOURTH,))
def test_an_app_hosts_port_answers_the_edge(edge, name):
    assert edge.check_output(CONNECT, address(edge, name)) == "connected"
    body = edge.check_output("curl -sS --fail -H 'Host: %s' http://%s:8080/health", DOMAIN, address(edge, name))
    assert '"ok"' in body


# --- 4. pre-start steps ---------------------------------------------------------

def test_pre_start_ran_once_per_rollout_and_pre_start_local_once_per_host(requests, runs, host_files):
    old, new = old_and_new(runs, requests)
    names = APP_HOSTS + (FOURTH,)
    for name in names:
        for line in host_files[name]["pre_start.log"] + host_files[name]["pre_start_local.log"]:
            assert line[1] == name  # written on that host

    def ran(log, start, end):
        return sorted((release, name) for host in names for release, name, time in host_files[host][log] if start < time < end)

    bad = run(runs, "fails on app2")
    bad_release = {release for release, _name in ran("pre_start.log", bad["started"], bad["ended"])}
    assert len(bad_release) == 1
    bad_release = bad_release.pop()
    # Each rollout: pre_start once, on the first app host that deployed the
    # release; pre_start_local on each app host before its switch.
    expected = [
        ("site.yml from scratch (converge, idempotence)", 0, run(runs, "rolling deploy")["started"],
         [(old, APP_HOSTS[0])], [(old, name) for name in APP_HOSTS]),
        ("rolling deploy",) + (run(runs, "rolling deploy")["started"], run(runs, "rolling deploy")["ended"])
        + ([(new, APP_HOSTS[0])], [(new, name) for name in APP_HOSTS]),
        # Stopped at cluster-app2, which ran its local steps before its switch.
        ("fails on app2", bad["started"], bad["ended"],
         [(bad_release, APP_HOSTS[0])], [(bad_release, name) for name in APP_HOSTS[:2]]),
        # Only the fourth app host deployed (the others had the release).
        ("fourth app host", run(runs, "fourth app host")["started"], run(runs, "fourth app host")["ended"],
         [(new, FOURTH)], [(new, FOURTH)]),
        ("check", run(runs, "check")["started"], run(runs, "check")["ended"], [], []),
    ]
    for label, start, end, shared, local in expected:
        print("\n%s: pre_start %s, pre_start_local %s" % (label, ran("pre_start.log", start, end), ran("pre_start_local.log", start, end)))
        assert ran("pre_start.log", start, end) == sorted(shared), label
        assert ran("pre_start_local.log", start, end) == sorted(local), label
    # And nothing ran outside these runs (the stop and start of an app host).
    assert sum(len(host_files[host][log]) for host in names for log in ("pre_start.log", "pre_start_local.log")) == sum(
        len(shared) + len(local) for _label, _start, _end, shared, local in expected)


# --- 5. a fourth app host ------------------------------------------------------

def test_a_fourth_app_host_joins_the_rotation_with_zero_failed_requests(requests, runs):
    entry = run(runs, "fourth app host")
    old, new = old_and_new(runs, requests)
    assert entry["rc"] == 0
    assert entry["releases"] == {name: new for name in APP_HOSTS + (FOURTH,)}
    following = run(runs, "check")
    window = between(requests, entry["started"], following["started"])
    assert window and not failed(window)
    assert not [r for r in requests if r["start"] < entry["started"] and served_by(r) == FOURTH]
    joined = [r for r in window if served_by(r) == FOURTH]
    assert joined
    print("\nthe fourth app host answered first %.1f s after site.yml started (%.1f s run)"
          % (joined[0]["start"] - entry["started"], entry["seconds"]))
    # The hosts already there kept serving the same release throughout.
    assert {r["release"] for r in window} == {new}


# --- 6. --check ---------------------------------------------------------------

def test_check_mode_on_the_converged_cluster_changes_nothing(runs):
    entry = run(runs, "check")
    assert entry["rc"] == 0
    assert {"cluster-edge", FOURTH, *APP_HOSTS} <= set(entry["changed"])
    assert {count for count in entry["changed"].values()} == {"0"}, entry["changed"]

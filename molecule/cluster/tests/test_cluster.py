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


def releases(runs, requests, host_files):
    """Each version's release on each app host: {"old": {host: id}, "new": ..., "bad": ...}.

    A release is built per host for its interpreter (Debian 12 and 13 differ),
    so the same source has a release id per Debian version: "old" is what
    site.yml brought (the first answers), "new" what the rolling deploy
    brought, "bad" the release whose health check fails on cluster-app2
    (where its pre_start_local ran).
    """
    first = run(runs, "rolling deploy")
    old = {}
    for record in requests:
        if record["end"] < first["started"] and served_by(record):
            old.setdefault(served_by(record), set()).add(record["release"])
    assert all(len(ids) == 1 for ids in old.values()), old
    bad = run(runs, "fails on app2")
    return {
        "old": {name: ids.pop() for name, ids in old.items()},
        "new": dict(first["releases"], **{FOURTH: run(runs, "fourth app host")["releases"][FOURTH]}),
        "bad": {name: release for name in APP_HOSTS for release, _host, time in host_files[name]["pre_start_local.log"]
                if bad["started"] < time < bad["ended"]},
    }


def answered(records, *versions):
    """The answers whose release is not that of one of these versions on the host that served."""
    return [r for r in records if r["release"] not in {version.get(served_by(r)) for version in versions}]


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
    reopened = [r for r in requests if r.get("reopened")]
    resent = [r for r in requests if r.get("resent")]
    print("\n%d requests through the edge, %d failed, over %.0f s; %d keep-alive connections closed by the edge while idle,"
          " %d requests sent again after crossing such a close (%s)"
          % (len(requests), len(bad), requests[-1]["end"] - requests[0]["start"], len(reopened), len(resent),
             ", ".join(sorted({r["resent"] for r in resent})) or "none"))
    assert not bad[:20]
    # The stream really covered every run.
    for entry in runs:
        assert between(requests, entry["started"], entry["ended"]), entry["label"]
    # Only a change of the edge's configuration (a fourth app host) closes
    # the client's idle connections; deploys and a dead app host never do.
    # A GET sent again is one that crossed such a close on the wire.
    joined = run(runs, "fourth app host")
    assert all(joined["started"] < r["start"] < joined["ended"] + 5 for r in reopened + resent), reopened + resent


def test_a_rolling_deploy_brings_the_new_release_one_app_host_at_a_time(requests, runs, host_files):
    entry = run(runs, "rolling deploy")
    version = releases(runs, requests, host_files)
    old, new = version["old"], version["new"]
    assert entry["rc"] == 0
    assert {name: entry["releases"][name] for name in APP_HOSTS} == {name: new[name] for name in APP_HOSTS}
    assert all(old[name] != new[name] for name in APP_HOSTS)
    during = between(requests, entry["started"], entry["ended"])
    assert during and not failed(during)
    assert not answered(during, old, new)
    # Host by host: each serves the new release only after the one before it,
    # and the last still serves the old one after the second switched.
    first_new = {name: min(r["start"] for r in during if served_by(r) == name and r["release"] == new[name])
                 for name in APP_HOSTS}
    print("\nfirst answer of the new release, seconds into the deploy: %s"
          % {name: round(time - entry["started"], 1) for name, time in first_new.items()})
    assert first_new[APP_HOSTS[0]] < first_new[APP_HOSTS[1]] < first_new[APP_HOSTS[2]], first_new
    assert any(served_by(r) == APP_HOSTS[2] and r["release"] == old[APP_HOSTS[2]] and r["start"] > first_new[APP_HOSTS[1]]
               for r in during)
    after = [r for r in requests if entry["ended"] < r["start"] < run(runs, "fails on app2")["started"]]
    assert after and not answered(after, new)


def test_a_release_failing_its_health_check_on_the_second_host_stops_the_rollout(requests, runs, host_files):
    entry = run(runs, "fails on app2")
    version = releases(runs, requests, host_files)
    new, bad = version["new"], version["bad"]
    assert entry["rc"] != 0
    assert entry["rollout"].startswith("rollout stopped at cluster-app2"), entry["rollout"]
    # Every app host serves the release it served before the run.
    assert {name: entry["releases"][name] for name in APP_HOSTS} == {name: new[name] for name in APP_HOSTS}
    during = between(requests, entry["started"], entry["ended"])
    assert during and not failed(during)
    # Only the first host served the failing release, for a while.
    assert not answered(during, new, {APP_HOSTS[0]: bad[APP_HOSTS[0]]})
    assert set(bad) == set(APP_HOSTS[:2]), bad
    logs = {name: host_files[name]["deploys.log"] for name in APP_HOSTS}
    # cluster-app1 switched to it and went back; cluster-app2 failed its
    # switch; cluster-app3 never got it.
    first = [e for e in logs[APP_HOSTS[0]] if bad[APP_HOSTS[0]] in (e["release"], e.get("from_release"))]
    assert [(e["release"], e["outcome"]) for e in first] == [(bad[APP_HOSTS[0]], "live"), (new[APP_HOSTS[0]], "live")], first
    second = [e["outcome"] for e in logs[APP_HOSTS[1]] if e["release"] == bad[APP_HOSTS[1]]]
    assert second and "live" not in second, second
    assert not [e for e in logs[APP_HOSTS[2]] if e["release"] in bad.values()]
    after = [r for r in requests if entry["ended"] < r["start"] < run(runs, "stopped and started")["started"]]
    assert after and not answered(after, new)


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


HEALTH = ("python3 -c 'import http.client, sys; c = http.client.HTTPConnection(sys.argv[1], 8080, timeout=5);"
          " c.request(\"GET\", \"/health\", headers={\"Host\": sys.argv[2]}); r = c.getresponse();"
          " print(r.status, r.read().decode())' %s %s")


@pytest.mark.parametrize("name", APP_HOSTS + (FOURTH,))
def test_an_app_hosts_port_answers_the_edge(edge, name):
    assert edge.check_output(CONNECT, address(edge, name)) == "connected"
    assert edge.check_output(HEALTH, address(edge, name), DOMAIN) == '200 {"status":"ok"}'


# The rules of host_firewall_tcp_ports and host_firewall_udp_ports (nft may
# print a set of one port as the port alone).
PUBLIC = (r"tcp dport \{ 80, 443 \} accept", r"udp dport (\{ )?443( \})? accept")


def test_an_app_host_that_is_no_edge_opens_no_public_port_and_the_edge_does(host):
    name = host.backend.get_hostname()
    if name not in APP_HOSTS + (FOURTH, "cluster-edge"):
        pytest.skip("an edge's or an app host's firewall")
    chain = host.check_output("nft list chain inet fastapi_ops input")
    opened = [rule for rule in PUBLIC if re.search(rule, chain)]
    if name == "cluster-edge":
        assert opened == list(PUBLIC), chain
    else:
        assert opened == [] and "dport 8080 accept" in chain, chain


# --- 4. pre-start steps ---------------------------------------------------------

def test_pre_start_ran_once_per_rollout_and_pre_start_local_once_per_host(requests, runs, host_files):
    version = releases(runs, requests, host_files)
    old, new, bad = version["old"], version["new"], version["bad"]
    names = APP_HOSTS + (FOURTH,)
    for name in names:
        for line in host_files[name]["pre_start.log"] + host_files[name]["pre_start_local.log"]:
            assert line[1] == name  # written on that host

    def ran(log, start, end):
        return sorted((release, name) for host in names for release, name, time in host_files[host][log] if start < time < end)

    def window(label):
        return run(runs, label)["started"], run(runs, label)["ended"]

    # Each rollout: pre_start once, on the first app host that deployed the
    # release; pre_start_local on each app host before its switch.
    expected = [
        ("site.yml from scratch (converge, idempotence)", (0, run(runs, "rolling deploy")["started"]),
         [(old[APP_HOSTS[0]], APP_HOSTS[0])], [(old[name], name) for name in APP_HOSTS]),
        ("rolling deploy", window("rolling deploy"),
         [(new[APP_HOSTS[0]], APP_HOSTS[0])], [(new[name], name) for name in APP_HOSTS]),
        # Stopped at cluster-app2, which ran its local steps before its switch.
        ("fails on app2", window("fails on app2"),
         [(bad[APP_HOSTS[0]], APP_HOSTS[0])], [(bad[name], name) for name in APP_HOSTS[:2]]),
        # Only the fourth app host deployed (the others had the release).
        ("fourth app host", window("fourth app host"), [(new[FOURTH], FOURTH)], [(new[FOURTH], FOURTH)]),
        ("check", window("check"), [], []),
    ]
    for label, (start, end), shared, local in expected:
        print("\n%s: pre_start %s, pre_start_local %s" % (label, ran("pre_start.log", start, end), ran("pre_start_local.log", start, end)))
        assert ran("pre_start.log", start, end) == sorted(shared), label
        assert ran("pre_start_local.log", start, end) == sorted(local), label
    # And nothing ran outside these runs (the stop and start of an app host).
    assert sum(len(host_files[host][log]) for host in names for log in ("pre_start.log", "pre_start_local.log")) == sum(
        len(shared) + len(local) for _label, _window, shared, local in expected)


# --- 5. a fourth app host ------------------------------------------------------

def test_a_fourth_app_host_joins_the_rotation_with_zero_failed_requests(requests, runs, host_files):
    entry = run(runs, "fourth app host")
    new = releases(runs, requests, host_files)["new"]
    assert entry["rc"] == 0
    assert entry["releases"] == new
    # The fourth host runs the same source as the others (its id is its
    # Debian's, like cluster-app2's).
    assert new[FOURTH] == new[APP_HOSTS[1]]
    window = between(requests, entry["started"], run(runs, "check")["started"])
    assert window and not failed(window)
    assert not [r for r in requests if r["start"] < entry["started"] and served_by(r) == FOURTH]
    joined = [r for r in window if served_by(r) == FOURTH]
    assert joined
    print("\nthe fourth app host answered first %.1f s after site.yml started (%.1f s run)"
          % (joined[0]["start"] - entry["started"], entry["seconds"]))
    # The hosts already there kept serving the same release throughout.
    assert not answered(window, new)


# --- 6. --check ---------------------------------------------------------------

def test_check_mode_on_the_converged_cluster_changes_nothing(runs):
    entry = run(runs, "check")
    assert entry["rc"] == 0
    assert {"cluster-edge", FOURTH, *APP_HOSTS} <= set(entry["changed"])
    assert set(entry["changed"].values()) == {"0"}, entry["changed"]

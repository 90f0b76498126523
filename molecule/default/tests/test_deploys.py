"""What the client saw while side_effect.yml deployed, failed to deploy and rolled back.

The client container sent a bounded stream of HTTPS requests to both sites
(files/load.py, one JSON line per request); runs.json has each
ansible-playbook run's start and end time and the release each target's
`current` pointed to after it.
"""

import json

import pytest

REQUESTS = "/var/lib/lab-load/requests.jsonl"
RUNS = "/var/lib/lab-load/runs.json"


@pytest.fixture(name="client")
def fixture_client(host):
    if host.backend.get_hostname() != "default-client":
        pytest.skip("the client's view")
    return host


@pytest.fixture(name="requests")
def fixture_requests(client):
    return [json.loads(line) for line in client.file(REQUESTS).content_string.splitlines() if line.strip()]


@pytest.fixture(name="runs")
def fixture_runs(client):
    return json.loads(client.file(RUNS).content_string)


def deploys(runs):
    return [run for run in runs if run["label"].startswith("deploy ")]


def run(runs, label):
    return next(entry for entry in runs if entry["label"] == label)


def between(requests, start, end, domain=None):
    return [r for r in requests if start < r["start"] and r["end"] < end and (domain is None or r["domain"] == domain)]


def test_zero_failed_requests_through_every_deploy_failure_and_rollback(requests, runs):
    failed = [r for r in requests if r.get("error") or r.get("status") != 200]
    print("\n%d requests, %d failed, over %.0f s"
          % (len(requests), len(failed), requests[-1]["end"] - requests[0]["start"]))
    assert not failed[:20]
    # The stream really covered every run, on both sites.
    for entry in runs:
        for domain in entry["releases"]:
            assert between(requests, entry["started"], entry["ended"], domain), (entry["label"], domain)


def test_ten_deploys_in_a_row_each_bring_a_new_release(runs):
    ten = deploys(runs)
    assert len(ten) == 10
    assert all(entry["rc"] == 0 for entry in ten)
    for domain in ten[0]["releases"]:
        releases = [entry["releases"][domain] for entry in ten]
        assert len(set(releases)) == 10, releases
    print("\nseconds per deploy (both targets at once): %s" % [entry["seconds"] for entry in ten])


def test_every_response_after_a_switch_comes_from_the_new_release(requests, runs):
    for entry, following in zip(runs, runs[1:] + [None]):
        end = following["started"] if following else float("inf")
        for domain, release in entry["releases"].items():
            after = between(requests, entry["ended"], end, domain)
            wrong = {r.get("release") for r in after} - {release}
            assert not wrong, "after %s, %s answered %s instead of %s" % (entry["label"], domain, wrong, release)


def test_refused_releases_never_answer_and_the_previous_release_keeps_serving(requests, runs):
    last = deploys(runs)[-1]
    for label in ("broken import", "failing health check", "locked", "existing account"):
        entry = run(runs, label)
        assert entry["rc"] != 0
        assert entry["releases"] == last["releases"]
        for domain, release in last["releases"].items():
            during = between(requests, entry["started"], entry["ended"], domain)
            assert {r.get("release") for r in during} == {release}, label


def test_rollback_switches_back_to_the_release_before(requests, runs):
    entry = run(runs, "rollback")
    ten = deploys(runs)
    assert entry["rc"] == 0
    assert entry["releases"] == ten[-2]["releases"]
    for domain in entry["releases"]:
        during = between(requests, entry["started"], entry["ended"], domain)
        assert {r.get("release") for r in during} <= {ten[-1]["releases"][domain], ten[-2]["releases"][domain]}


def test_without_room_for_two_instances_the_deploy_restarts_in_place(requests, runs):
    entry = run(runs, "in place")
    ten = deploys(runs)
    assert entry["rc"] == 0
    assert entry["releases"] == ten[-1]["releases"]
    for domain, release in entry["releases"].items():
        during = between(requests, entry["started"], entry["ended"], domain)
        assert during and {r.get("release") for r in during} <= {ten[-2]["releases"][domain], release}
        assert all(r.get("status") == 200 for r in during)


# Each phase runs its role's preflight too (tagged with every phase).
PHASES = {"dns": ["plan", "publish", "wait"], "python": ["install"], "app": ["deploy"],
          "gunicorn": ["install", "configure", "run"], "caddy": ["install", "configure", "run"]}


def test_a_changed_environment_goes_live_with_the_same_release_and_no_failed_request(requests, runs):
    entry = run(runs, "environment")
    assert entry["rc"] == 0
    assert entry["releases"] == run(runs, "in place")["releases"]
    for domain, release in entry["releases"].items():
        during = between(requests, entry["started"], entry["ended"], domain)
        assert during and all(r.get("status") == 200 and r.get("release") == release for r in during)


def test_each_phase_tag_of_each_role_runs_alone_and_keeps_the_live_release(runs):
    before = run(runs, "in place")["releases"]
    tagged = [entry for entry in runs if entry["label"].startswith("tags ")]
    expected = ["tags %s_%s" % (role, phase) for role, phases in PHASES.items() for phase in phases]
    assert [entry["label"] for entry in tagged] == expected
    for entry in tagged:
        assert entry["rc"] == 0, entry["label"]
        assert entry["releases"] == before, entry["label"]

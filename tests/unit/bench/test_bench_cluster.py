"""bench.py's cluster part, with the containers, playbooks and load runs stubbed: what it builds and records."""

import json
import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import bench  # noqa: E402  (bench/ is not a package)
import benchlib  # noqa: E402

SERVICES = {"zone": "example.test", "bind_address": "172.30.0.2", "tsig_key_name": "k", "tsig_secret": "s",
            "pebble_directory": "https://pebble/dir", "pebble_listener_ca": "PEM", "mirror_url": "http://mirror",
            "archive_checksum": "sha512:x"}


class StubBench(bench.Bench):
    """Records what the cluster part asks for instead of running containers, playbooks and load."""

    def __init__(self, knobs, env):
        super().__init__(knobs, env)
        self.services = SERVICES
        self.calls = []
        self.addresses = {}

    def container(self, name, cpuset=None, net_admin=False):
        self.addresses[name] = "172.30.0.%d" % (10 + len(self.addresses))
        self.calls.append(("container", name, cpuset, net_admin))
        return self.addresses[name]

    def playbook(self, args, config, label, inventory="inventory.json", check=True):
        with open(os.path.join(self.state, inventory)) as handle:
            children = json.load(handle)["all"]["children"]
        self.calls.append(("playbook", args, inventory, {group: list(value["hosts"]) for group, value in children.items()}))
        return 60.0, {}

    def set_client_hosts(self, address=None):
        self.calls.append(("client resolves to", address))

    def cell(self, stack, protocol, endpoint, concurrency, duration=None, containers=None):
        self.calls.append(("cell", stack, protocol, endpoint, concurrency, sorted(containers)))
        figures = {"rps": 1000.0, "p50_ms": 5.0, "p99_ms": 20.0, "errors": 0}
        figures.update(("%s_cores" % name, 0.3) for name in containers)
        return figures

    def prepare_client(self):
        pass

    def check_https(self):
        pass

    def warm_up(self, stacks, endpoints):
        pass

    def close_ssh(self):
        pass


def _bench(tmp_path, monkeypatch, env):
    removed = []

    def fake_run(argv, **kwargs):
        if argv[:2] == ["docker", "rm"]:
            removed.append(argv[3:])
        return types.SimpleNamespace(stdout="id-of-%s\n" % argv[-1], returncode=0)

    monkeypatch.setattr(bench, "run", fake_run)
    env = dict(env, BENCH_OUT=str(tmp_path))
    return StubBench(benchlib.parse_knobs(env), env), removed


def test_one_then_three_app_hosts_behind_one_edge(tmp_path, monkeypatch):
    stub, removed = _bench(tmp_path, monkeypatch, {"BENCH_RUNS": "2", "BENCH_PROTOCOLS": "h1", "BENCH_CLUSTER_ENDPOINTS": "/"})
    stub.cluster()
    containers = [call for call in stub.calls if call[0] == "container"]
    assert [call[1] for call in containers] == [bench.EDGE, bench.APP_HOST % 1, bench.APP_HOST % 2, bench.APP_HOST % 3]
    assert all(call[2] == "1" and call[3] is True for call in containers)
    playbooks = [call for call in stub.calls if call[0] == "playbook"]
    assert [call[1] for call in playbooks] == [["site.yml"], ["site.yml"]]
    assert playbooks[0][2] == bench.CLUSTER_INVENTORY
    assert playbooks[0][3] == {"fastapi_edge": [bench.EDGE], "fastapi_app_hosts": [bench.APP_HOST % 1]}
    assert playbooks[1][3]["fastapi_app_hosts"] == [bench.APP_HOST % n for n in (1, 2, 3)]
    # The client loads the edge; each run records the edge's and every app host's CPUs.
    assert ("client resolves to", stub.addresses[bench.EDGE]) in stub.calls
    cells = [call for call in stub.calls if call[0] == "cell"]
    assert len(cells) == 4 and cells[-1][5] == ["app1", "app2", "app3", "client", "edge"]
    rows = stub.results["cluster"]["rows"]
    assert [(row["app_hosts"], row["rps"]["runs"]) for row in rows] == [(1, [1000.0, 1000.0]), (3, [1000.0, 1000.0])]
    assert rows[1]["app_cores"] == [0.3, 0.3, 0.3] and rows[1]["rps_vs_fewest"] == 1.0
    assert "1 app host: 60.0 s; 3 app hosts: 60.0 s" in stub.results["cluster"]["setup"]
    # No target in this run: the client is not pointed back; the cluster's containers are removed.
    assert removed == [[bench.EDGE] + [bench.APP_HOST % n for n in (1, 2, 3)]]


def test_kept_with_bench_keep_and_the_client_back_on_the_target(tmp_path, monkeypatch):
    stub, removed = _bench(tmp_path, monkeypatch, {"BENCH_RUNS": "1", "BENCH_KEEP": "1", "BENCH_CLUSTER_APP_HOSTS": "2"})
    stub.target_ip = "172.30.0.5"
    stub.cluster()
    assert removed == []
    assert stub.calls[-1] == ("client resolves to", None)

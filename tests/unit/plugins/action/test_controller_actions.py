"""The action plugins of the controller-side modules: the module's result,
in the controller's own process, without a word to the task's host."""

import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from types import SimpleNamespace
from unittest.mock import MagicMock

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils import dns_tasks
from ansible_collections.fastapi_ops.server.plugins.module_utils.controller_task import TaskFailed
from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import build_records
from ansible_collections.fastapi_ops.server.plugins.plugin_utils.controller_action import run_command

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
HELLO = os.path.join(ROOT, "examples", "hello")
SERVER = ["gunicorn==27.0.1", "uvicorn[standard]==0.54.0", "uvicorn-worker==0.4.0"]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", "-c", "init.defaultBranch=main"]
HOSTS = [{"host": "web1", "ipv4": "203.0.113.7", "ipv6": None, "apps": [{"name": "shop", "domain": "shop.example.com"}]}]
RECORDS = build_records(HOSTS, "example.com", ttl=300, owner="prod")


def run_action(_name, check_mode=False, **args):
    """Run the action plugin ``_name`` as the task executor would; the host's
    connection must not be used."""
    plugin_module = importlib.import_module("ansible_collections.fastapi_ops.server.plugins.action." + _name)
    task = SimpleNamespace(action="fastapi_ops.server." + _name, args=args, check_mode=check_mode, async_val=0, diff=False)
    connection = MagicMock()
    plugin = plugin_module.ActionModule(task, connection, play_context=MagicMock(), loader=None, templar=None)
    result = plugin.run(task_vars={})
    assert connection.mock_calls == []
    return json.loads(json.dumps(result))


def without_invocation(result):
    """A result without ``invocation``, which modules return on some ansible-core versions only."""
    return {key: value for key, value in result.items() if key != "invocation"}


@pytest.fixture
def both(run_module):
    """The module's result and the action plugin's for the same arguments (``invocation`` left out)."""
    def run(_name, check_mode=False, **args):
        return (without_invocation(run_module(_name, check_mode=check_mode, _ansible_module_name="fastapi_ops.server." + _name, **args)),
                without_invocation(run_action(_name, check_mode=check_mode, **args)))
    return run


@pytest.fixture
def zone():
    """A name server on 127.0.0.1 answering from ``records`` ((name, type):
    [values]); SERVFAIL for everything while ``broken`` is set."""
    served = SimpleNamespace(records={}, broken=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except socket.timeout:
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            values = served.records.get((question.name.to_text().rstrip("."), dns.rdatatype.to_text(question.rdtype)))
            if served.broken:
                response.set_rcode(dns.rcode.SERVFAIL)
            elif values:
                response.answer.append(dns.rrset.from_text(
                    question.name, 300, "IN", dns.rdatatype.to_text(question.rdtype), *values))
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    served.args = dict(nameservers=["127.0.0.1"], port=sock.getsockname()[1], query_timeout=1)
    yield served
    stop.set()
    thread.join()
    sock.close()


def test_app_source_gives_the_modules_result_for_a_directory_also_in_check_mode(both, tmp_path):
    args = dict(name="app", source={"path": HELLO}, server_packages=SERVER, base_dir=str(tmp_path),
                cache_dir=str(tmp_path / "cache"))
    module, action = both("app_source", **args)
    assert action == module
    assert action["problems"] == [] and action["changed"] is False and os.path.isfile(action["archive"])
    assert without_invocation(run_action("app_source", check_mode=True, **args)) == action


def test_app_source_runs_git_in_the_controllers_process(both, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(HELLO, work)
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1"]):
        subprocess.run(GIT + step, cwd=work, check=True)
    subprocess.run(GIT + ["clone", "-q", "--bare", str(work), str(tmp_path / "hello.git")], check=True)
    url = str(tmp_path / "hello.git")
    args = dict(name="app", server_packages=SERVER, base_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    module, action = both("app_source", source={"git": url, "ref": "v1"}, **args)
    assert action == module and action["problems"] == [] and len(action["commit"]) == 40
    module, action = both("app_source", source={"git": url, "ref": "main"}, **args)
    assert action == module
    assert action["problems"] == ["source.ref: 'main' is a branch of %s; pin a tag or a commit" % url]


@pytest.mark.parametrize("args", [
    dict(records=[]),
    dict(records=[], owner="prod", bogus=1),
    dict(records=[], owner="prod", port="fifty-three"),
    dict(records="not a list", owner="prod"),
])
def test_wrong_arguments_fail_with_the_modules_message(both, args):
    module, action = both("dns_plan", **args)
    assert action["failed"] is True and action["msg"] == module["msg"]
    assert set(action) - {"invocation"} == set(module) - {"invocation"}


def test_dns_plan_gives_the_modules_changes_and_diff_in_check_mode(both, zone):
    args = dict(zone.args, records=RECORDS, owner="prod")
    module, action = both("dns_plan", check_mode=True, **args)
    assert action == module
    assert action["changed"] is True and [c["reason"] for c in action["changes"]] == ["create", "owner"]
    assert action["diff"][0] == {"before_header": "shop.example.com A", "after_header": "shop.example.com A",
                                 "before": "", "after": "300 203.0.113.7\n"}
    zone.records.update({("shop.example.com", "A"): ["203.0.113.7"],
                         ("_fastapi-ops.shop.example.com", "TXT"): ['"heritage=fastapi_ops.server,owner=prod"']})
    module, action = both("dns_plan", **args)
    assert action == module
    assert (action["changed"], action["changes"], action["unchanged"]) == (False, [], 1)


def test_dns_plan_fails_with_the_modules_message_when_no_server_answers(both, zone):
    zone.broken = True
    module, action = both("dns_plan", **dict(zone.args, records=RECORDS, owner="prod"))
    assert action == module
    assert action["failed"] is True
    assert action["msg"] == "no authoritative name server answered: 127.0.0.1 (127.0.0.1): shop.example.com A: error SERVFAIL"


def test_dns_wait_answers_and_fails_as_the_module_does(both, zone):
    args = dict(zone.args, records=[{"name": "shop.example.com", "type": "A", "values": ["203.0.113.7"]}],
                timeout=0, interval=1)
    module, action = both("dns_wait", **args)
    assert action["failed"] is True and action["msg"].startswith("after 0s the authoritative servers do not all serve")
    assert action["pending"][0]["answered"] == "no record"
    assert {k: v for k, v in action.items() if k != "elapsed"} == {k: v for k, v in module.items() if k != "elapsed"}
    zone.records[("shop.example.com", "A")] = ["203.0.113.7"]
    module, action = both("dns_wait", **args)
    assert {k: v for k, v in action.items() if k != "elapsed"} == {k: v for k, v in module.items() if k != "elapsed"}
    assert (action["changed"], action["rounds"], action["servers"]) == (False, 1, [{"name": "127.0.0.1", "address": "127.0.0.1"}])
    assert "failed" not in action


def test_a_record_without_values_is_refused(both):
    module, action = both("dns_wait", records=[{"name": "shop.example.com", "type": "A"}], nameservers=["127.0.0.1"])
    assert action == module and action["msg"].startswith("each record needs name, type and values")


@pytest.mark.parametrize("name, args", [("dns_plan", dict(records=[], owner="prod")), ("dns_wait", dict(records=[]))])
def test_missing_dnspython_fails_clearly(name, args, monkeypatch):
    monkeypatch.setattr(dns_tasks, "HAS_DNSPYTHON", False)
    result = run_action(name, **args)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (dnspython) on the controller")
    assert sys.executable in result["msg"] and "ansible_python_interpreter" not in result["msg"]


def test_commands_run_as_the_module_runs_them(tmp_path):
    assert run_command(["sh", "-c", "echo out; echo err >&2; exit 3"]) == (3, "out\n", "err\n")
    assert run_command(["pwd"], cwd=str(tmp_path)) == (0, str(tmp_path) + "\n", "")
    assert run_command(["printf", "\\377"], binary=True) == (0, b"\xff", b"")
    with pytest.raises(TaskFailed) as failure:
        run_command([str(tmp_path / "missing-program")])
    assert "No such file or directory" in failure.value.msg and failure.value.result["rc"] == 2

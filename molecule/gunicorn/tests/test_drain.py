"""Long-lived connections across a switch, worker recycling, and the app's
writable place.

side_effect.yml switched the slot app from blue to green while
files/drain_client.py held a WebSocket, an event stream and a kept-alive
connection through the live link and opened a new connection every 0.2 s;
/root/drain.log has what each saw. The slot app's drain_timeout is 6 s.
"""

import json

import pytest

DRAIN = 6
HOME = "/srv/fastapi/slots"


@pytest.fixture(scope="module")
def seen(host):
    events = [json.loads(line) for line in host.file("/root/drain.log").content_string.splitlines()]
    answers = [event for event in events if "ppid" in event]
    old = answers[0]["ppid"]
    new = [event for event in answers if event["kind"] == "new" and event["ppid"] != old]
    assert new, "no new connection reached the new instance"
    # When the old slot's worker began to drain (its journal, same clock).
    drained = host.check_output("journalctl -u fastapi-slots@blue.service -o short-unix --no-pager --grep Draining")
    return {"events": events, "old": old, "new": new[0]["ppid"], "switch": new[0]["t"],
            "drain": float(drained.splitlines()[-1].split()[0])}


def of(seen, kind):
    return [event for event in seen["events"] if event["kind"] == kind]


def test_new_connections_reach_the_new_release_from_the_switch_on(seen):
    new = of(seen, "new")
    assert not of(seen, "new-error")
    assert all(event["status"] == 200 for event in new)
    before = [event["ppid"] for event in new if event["t"] < seen["switch"]]
    after = [event["ppid"] for event in new if event["t"] >= seen["switch"]]
    assert set(before) == {seen["old"]} and set(after) == {seen["new"]}
    # New connections were made during the drain too.
    assert len([event for event in new if seen["drain"] < event["t"] < seen["drain"] + DRAIN - 1]) >= 10


def test_the_proxys_kept_alive_connection_moves_to_the_new_release_when_the_drain_begins(seen):
    # The old instance closes it after a response; reopened, it reaches the new one.
    kept = of(seen, "keepalive")
    assert all(event["status"] == 200 for event in kept)
    late = [event for event in kept if event["t"] > seen["drain"] + 1.5]
    assert late and {event["ppid"] for event in late} == {seen["new"]}
    assert {event["ppid"] for event in kept if event["t"] < seen["drain"]} == {seen["old"]}


def test_the_websocket_stays_open_on_the_old_release_until_the_drain_ends_then_closes_cleanly(seen):
    answers = of(seen, "ws")
    assert {event["ppid"] for event in answers} == {seen["old"]}
    # It kept answering through the drain...
    assert max(event["t"] for event in answers) > seen["drain"] + DRAIN - 1
    # ...and was closed by the server with 1012 (service restart) after it.
    (end,) = of(seen, "ws-end")
    assert (end["reason"], end["code"]) == ("closed", 1012), end
    assert seen["drain"] + DRAIN - 0.5 < end["t"] < seen["drain"] + DRAIN + 10


def test_the_event_stream_stays_open_until_the_drain_ends_then_ends(seen):
    events = of(seen, "sse")
    assert {event["ppid"] for event in events} == {seen["old"]}
    assert max(event["t"] for event in events) > seen["drain"] + DRAIN - 1
    (end,) = of(seen, "sse-end")
    assert end["reason"] == "closed", end
    # Uvicorn gives what still runs 2 s after the stop that ends the drain.
    assert seen["drain"] + DRAIN < end["t"] < seen["drain"] + DRAIN + 12


def test_the_deploy_waited_for_the_drain_and_stopped_the_old_slot(host):
    assert not host.service("fastapi-slots@blue.service").is_running
    journal = host.check_output("journalctl -u fastapi-slots@blue.service --no-pager -o cat")
    assert "Draining: new connections go to the new instance" in journal


def test_worker_recycling_is_off_by_default_so_an_open_websocket_survives_load(host):
    conf = host.file("/etc/fastapi-ops/gunicorn/slots.green.conf.py").content_string
    assert "max_requests = 0\n" in conf
    # 12,000 requests on one worker: more than Gunicorn's usual recycling
    # settings (10,000 plus up to 1,000) would let it serve.
    script = r"""
import json, socket, sys
from websockets.sync.client import unix_connect
path = "%s/slots/live.sock"
with unix_connect(path, "ws://slots.example.test/ws") as ws:
    ws.send("before"); first = json.loads(ws.recv(timeout=10))
    conn = socket.socket(socket.AF_UNIX); conn.connect(path); reader = conn.makefile("rb")
    for _ in range(12000):
        conn.sendall(b"GET /health-not-there HTTP/1.1\r\nHost: slots.example.test\r\n\r\n")
        length = 0
        while True:
            line = reader.readline().strip()
            if not line: break
            if line.lower().startswith(b"content-length:"): length = int(line.split(b":")[1])
        reader.read(length)
    ws.send("after"); last = json.loads(ws.recv(timeout=10))
print(json.dumps([first, last]))
""" % HOME
    result = host.run("timeout 120 %s -c %s", HOME + "/current/venv/bin/python", script)
    assert result.rc == 0, result.stderr
    first, last = json.loads(result.stdout)
    assert last["echo"] == "after" and last["pid"] == first["pid"]


def test_the_background_task_example_as_documented_fails_with_the_documented_message(host):
    since = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    answer = host.run("curl -sS --max-time 10 -X POST --unix-socket %s/slots/live.sock "
                      "http://slots.example.test/send-notification/a@example.com" % HOME)
    assert answer.rc == 0 and "Notification sent in the background" in answer.stdout
    journal = ""
    for _attempt in range(20):
        journal = host.check_output("journalctl -u fastapi-slots@green.service --no-pager -o cat --since '%s'" % since)
        if "Read-only file system" in journal:
            break
        host.run("sleep 0.5")
    # docs/apps.md quotes this line.
    assert "OSError: [Errno 30] Read-only file system: 'log.txt'" in journal


def test_the_background_task_example_writing_to_the_state_directory_works(host):
    state = "/var/lib/fastapi-slots"
    answer = host.run("curl -sS --max-time 10 -X POST --unix-socket %s/slots/live.sock "
                      "http://slots.example.test/send-notification-to-state/a@example.com" % HOME)
    assert answer.rc == 0 and "Notification sent in the background" in answer.stdout
    for _attempt in range(20):
        if host.file(state + "/log.txt").exists:
            break
        host.run("sleep 0.5")
    log = host.file(state + "/log.txt")
    assert log.content_string == "notification for a@example.com: some notification"
    assert log.user == "fastapi-slots"

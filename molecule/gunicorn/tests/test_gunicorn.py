"""Gunicorn under systemd as a user (and an auditor) would check it by hand.

The scenario pretends a 1024 MB machine with a 256 MB reserve: edge asks for
2 workers x 128 MB + 64 MB master = 320 MB, hello gets the 448 MB left,
(448 - 64) / 128 = 3 workers - fewer than the 2 x 2 CPUs + 1 = 5 the CPUs allow.
"""

import json
import re
import time

import pytest

APPS = {
    # name: (workers, MemoryMax in MB, uid/gid name)
    "hello": (3, 3 * 128 + 64, "fastapi-hello"),
    "edge": (2, 2 * 128 + 64, "fastapi-edge"),
}
SOCKET = "/run/fastapi-hello/gunicorn.sock"
AS_PROXY = "setpriv --reuid=nobody --regid=caddy --clear-groups "
AS_STRANGER = "setpriv --reuid=nobody --regid=nogroup --clear-groups "
FORGED = "-H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-Proto: https' "


def get(host, url="http://hello/", prefix="", socket=SOCKET, headers=""):
    via = "--unix-socket %s " % socket if socket else ""
    result = host.run(prefix + "curl -sS --fail --max-time 5 " + via + headers + url)
    assert result.rc == 0, result.stderr
    return json.loads(result.stdout)


def main_pid(host, app):
    return int(host.check_output("systemctl show -p MainPID --value fastapi-%s.service", app))


def processes(host, app):
    """(pid, ppid, user) of every process of the app's unit."""
    out = host.check_output("ps -e -o pid=,ppid=,user:32=,args=")
    config = "/etc/fastapi-ops/gunicorn/%s.conf.py" % app
    rows = []
    for line in out.splitlines():
        pid, ppid, user, args = line.split(None, 3)
        if config in args:
            rows.append((int(pid), int(ppid), user))
    return rows


def workers(host, app):
    master = main_pid(host, app)
    return sorted(pid for pid, ppid, _user in processes(host, app) if ppid == master)


def wait_for(check, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


@pytest.mark.parametrize("app", sorted(APPS))
def test_service_is_running_and_enabled_for_multi_user(host, app):
    service = host.service("fastapi-%s.service" % app)
    assert service.is_running
    assert service.is_enabled
    wanted_by = host.check_output("systemctl show -p WantedBy --value fastapi-%s.service", app)
    assert "multi-user.target" in wanted_by


def test_app_answers_through_the_socket_as_its_user(host):
    answer = get(host, prefix=AS_PROXY)
    assert answer["greeting"] == "hello"
    assert answer["uid"] == host.user("fastapi-hello").uid
    assert answer["ppid"] == main_pid(host, "hello")


@pytest.mark.parametrize("app", sorted(APPS))
def test_process_tree_is_one_master_and_the_computed_workers_all_as_the_app_user(host, app):
    count, _memory, user = APPS[app]
    rows = processes(host, app)
    master = main_pid(host, app)
    assert [pid for pid, _ppid, _user in rows if pid == master] == [master]
    assert len(workers(host, app)) == count
    assert len(rows) == count + 1, rows
    assert {row[2] for row in rows} == {user}


@pytest.mark.parametrize("app", sorted(APPS))
def test_memory_max_is_the_workers_budget(host, app):
    _count, memory, _user = APPS[app]
    assert int(host.check_output("systemctl show -p MemoryMax --value fastapi-%s.service", app)) == memory * 1024 * 1024


def test_socket_belongs_to_the_app_user_and_the_proxy_group_only(host):
    sock = host.file(SOCKET)
    assert sock.is_socket
    assert sock.user == "fastapi-hello"
    assert sock.group == "caddy"
    assert sock.mode & 0o007 == 0
    assert host.group("caddy").exists


def test_proxy_headers_are_believed_from_the_proxy_group_on_the_socket(host):
    answer = get(host, prefix=AS_PROXY, headers=FORGED)
    assert answer["client"] == "203.0.113.7"
    assert answer["scheme"] == "https"


def test_nobody_outside_the_proxy_group_can_even_connect_to_the_socket(host):
    result = host.run(AS_STRANGER + "curl -sS --max-time 5 --unix-socket " + SOCKET + " " + FORGED + "http://hello/")
    assert result.rc == 7, result.stdout  # curl: could not connect (permission denied)
    assert "203.0.113.7" not in result.stdout


def test_tcp_binding_believes_only_the_trusted_proxy_address(host):
    trusted = get(host, "http://127.0.0.1:8001/", socket=None, headers=FORGED)
    assert (trusted["client"], trusted["scheme"]) == ("203.0.113.7", "https")
    own_ip = host.check_output("hostname -I").split()[0]
    untrusted = get(host, "http://%s:8001/" % own_ip, socket=None, headers=FORGED)
    assert untrusted["client"] == own_ip
    assert untrusted["scheme"] == "http"


def test_sandbox_leaves_only_the_state_directory_and_private_tmp_writable(host):
    answer = get(host, "http://hello/fs", prefix=AS_PROXY)
    assert answer["/var/lib/fastapi-hello"] == "writable"
    assert answer["/tmp"] == "writable"
    assert answer["/srv/fastapi/hello/current/src"] == "Read-only file system"
    assert answer["/etc"] == "Read-only file system"


@pytest.mark.parametrize("app", sorted(APPS))
def test_systemd_analyze_security_exposure_is_at_most_2_5(host, app):
    out = host.check_output("systemd-analyze security --no-pager fastapi-%s.service", app)
    match = re.search(r"Overall exposure level for fastapi-%s\.service: (\d+(?:\.\d+)?)" % app, out)
    assert match, out
    score = float(match.group(1))
    print("\n%s: systemd-analyze security exposure of fastapi-%s.service = %s" % (host.backend.get_hostname(), app, score))
    assert score <= 2.5


def test_stop_timeout_outlasts_graceful_timeout_and_keepalive_outlasts_the_proxy(host):
    settings = json.loads(host.check_output(
        "python3 -c \"import json; c = {}; exec(open('/etc/fastapi-ops/gunicorn/hello.conf.py').read(), c); "
        "print(json.dumps({k: c[k] for k in ('graceful_timeout', 'keepalive', 'max_requests', 'max_requests_jitter', 'worker_class')}))\""
    ))
    stop = host.check_output("systemctl show -p TimeoutStopUSec --value fastapi-hello.service")
    match = re.fullmatch(r"(?:(\d+)min)? ?(?:(\d+)s)?", stop.strip())
    assert match and stop.strip(), stop
    seconds = 60 * int(match.group(1) or 0) + int(match.group(2) or 0)
    assert seconds > settings["graceful_timeout"], stop
    assert settings["keepalive"] > 120  # Caddy keeps idle upstream connections for 2 minutes
    # Worker recycling is off: it would close WebSockets (test_drain.py).
    assert settings["max_requests"] == 0
    assert settings["worker_class"] == "fastapi_ops_worker.DrainingUvicornWorker"
    restart = host.check_output("systemctl show -p Restart --value fastapi-hello.service")
    assert restart == "on-failure"
    assert int(host.check_output("systemctl show -p StartLimitBurst --value fastapi-hello.service")) > 0


def test_logs_go_to_the_journal_under_the_apps_name(host):
    assert "Booting worker" in host.check_output("journalctl -t fastapi-hello --no-pager")


def test_no_access_log_line_per_request_by_default(host):
    # Caddy logs every request; Gunicorn's copy (gunicorn_access_log) is off.
    config = host.file("/etc/fastapi-ops/gunicorn/hello.conf.py").content_string
    assert "\naccesslog = None\n" in config
    get(host, "http://hello/?journal-probe", prefix=AS_PROXY)
    time.sleep(1)
    assert "journal-probe" not in host.run("journalctl -t fastapi-hello --no-pager -n 200").stdout


def test_a_killed_worker_is_replaced_by_gunicorn(host):
    before = workers(host, "hello")
    master = main_pid(host, "hello")
    victim = before[0]
    host.run("kill -9 %s", str(victim))
    assert wait_for(lambda: len(workers(host, "hello")) == len(before) and victim not in workers(host, "hello"), 20, 0.2)
    after = workers(host, "hello")
    assert len(set(after) - set(before)) == 1
    assert main_pid(host, "hello") == master
    assert get(host, prefix=AS_PROXY)["greeting"] == "hello"


def test_a_killed_master_is_back_and_answering_within_5_seconds(host):
    master = main_pid(host, "hello")
    # Kill and poll inside the host, so the number is not docker exec's latency.
    script = (
        "import os, signal, socket, time\n"
        "start = time.monotonic(); os.kill(%d, signal.SIGKILL)\n"
        "time.sleep(0.05)\n"
        "for _ in range(400):\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect(%r)\n"
        "        s.sendall(b'GET / HTTP/1.0\\r\\nHost: hello\\r\\n\\r\\n')\n"
        "        if s.recv(64).startswith(b'HTTP/1.1 200'):\n"
        "            break\n"
        "    except OSError:\n"
        "        pass\n"
        "    time.sleep(0.05)\n"
        "print(round(time.monotonic() - start, 2))\n"
    ) % (master, SOCKET)
    host.run("cat > /tmp/kill-master.py <<'EOF'\n%s\nEOF" % script)
    seconds = float(host.check_output("python3 /tmp/kill-master.py"))
    print("\n%s: master killed, answering again after %.2f s" % (host.backend.get_hostname(), seconds))
    assert seconds < 5
    assert main_pid(host, "hello") not in (0, master)
    assert wait_for(lambda: len(workers(host, "hello")) == APPS["hello"][0], 20, 0.2)

"""After the container restarts (systemd boots again), the apps run with no Ansible run.

Runs last (pytest takes the files in order): it leaves the container booted
and the services running.
"""

import subprocess
import time


def test_services_come_back_after_the_container_restarts(host):
    name = host.backend.get_hostname()
    before = int(host.check_output("systemctl show -p MainPID --value fastapi-hello.service"))
    started = host.check_output("systemctl show -p ActiveEnterTimestampMonotonic --value fastapi-hello.service")
    # SIGRTMIN+3 is systemd's "halt": a clean shutdown, then Docker starts the container again.
    subprocess.run(["docker", "restart", "--signal", "SIGRTMIN+3", "--timeout", "30", name], check=True, timeout=120)
    deadline = time.monotonic() + 90
    state = ""
    while time.monotonic() < deadline:
        state = host.run("systemctl is-system-running --wait").stdout.strip()
        if state in ("running", "degraded"):
            break
        time.sleep(1)
    assert state == "running", host.run("systemctl list-units --state=failed --no-legend").stdout
    for app in ("hello", "edge"):
        assert host.service("fastapi-%s.service" % app).is_running
    # A fresh systemd (the PID namespace restarted), a fresh start of the unit.
    assert host.check_output("cat /proc/1/comm") == "systemd"
    after = int(host.check_output("systemctl show -p MainPID --value fastapi-hello.service"))
    assert after != 0
    assert (after, host.check_output("systemctl show -p ActiveEnterTimestampMonotonic --value fastapi-hello.service")) != (before, started)
    answer = host.run(
        "setpriv --reuid=nobody --regid=caddy --clear-groups curl -sS --fail --retry 10 --retry-delay 1 --retry-all-errors "
        "--max-time 5 --unix-socket /run/fastapi-hello/gunicorn.sock http://hello/"
    )
    assert answer.rc == 0, answer.stderr
    assert '"greeting":"hello"' in answer.stdout

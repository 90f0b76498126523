"""Blue/green slots, as every playbook deploys: the gunicorn role's template
unit, started and switched by the release engine (roles/release).

converge started the release in slot blue; side_effect changed the template
unit (RestartSec=3) and the engine started it in slot green and switched.
Runs before test_reboot.py (pytest takes the files in order), so what is
checked here is what the deploy left, not what a boot loaded.
"""

SLOTS = ("blue", "green")


def unit(slot):
    return "fastapi-slots@%s.service" % slot


def test_systemd_holds_the_changed_unit_for_every_slot(host):
    for slot in SLOTS:
        assert host.check_output("systemctl show -p NeedDaemonReload --value %s" % unit(slot)) == "no"


def test_the_new_slot_runs_with_the_new_unit_setting(host):
    assert host.check_output("systemctl show -p RestartUSec --value %s" % unit("green")) == "3s"
    assert host.service(unit("green")).is_running
    assert host.service(unit("green")).is_enabled


def test_the_old_slot_drained_and_stopped(host):
    assert not host.service(unit("blue")).is_running
    assert not host.service(unit("blue")).is_enabled


def test_the_live_link_leads_to_the_new_slot_which_answers(host):
    home = "/srv/fastapi/slots"
    # readlink without -f: each link as the release engine wrote it.
    assert host.check_output("readlink %s/slots/live.sock" % home) == "green.sock"
    assert host.check_output("readlink %s/slots/green.sock" % home) == "/run/fastapi-slots-green/gunicorn.sock"
    assert host.check_output("readlink %s/slots/green" % home) == "../releases/r1"
    answer = host.run("curl -sS --max-time 10 --unix-socket %s/slots/live.sock http://slots.example.test/" % home)
    assert answer.rc == 0, answer.stderr
    assert "slots" in answer.stdout


def test_the_deploy_log_has_the_first_start_and_the_switch(host):
    lines = host.file("/var/log/fastapi-ops/deploys.log").content_string.splitlines()
    slots = [line for line in lines if '"app": "slots"' in line]
    assert len(slots) == 2, lines
    assert '"method": "first start"' in slots[0] and '"slot": "blue"' in slots[0]
    assert '"method": "blue/green"' in slots[1] and '"slot": "green"' in slots[1] and '"from_release": "r1"' in slots[1]


def test_each_slot_runs_from_its_own_copy_of_the_environment_and_configuration(host):
    assert host.check_output("systemctl show -p EnvironmentFiles --value %s" % unit("green")).startswith(
        "/etc/fastapi-ops/slots.green.env ")
    assert "--config /etc/fastapi-ops/gunicorn/slots.green.conf.py" in host.check_output(
        "systemctl show -p ExecStart --value %s" % unit("green"))
    for copy, original in (("/etc/fastapi-ops/slots.green.env", "/etc/fastapi-ops/slots.env"),
                           ("/etc/fastapi-ops/gunicorn/slots.green.conf.py", "/etc/fastapi-ops/gunicorn/slots.conf.py")):
        assert host.file(copy).sha256sum == host.file(original).sha256sum
    assert host.file("/etc/fastapi-ops/slots.green.env").mode == 0o600

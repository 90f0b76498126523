"""The health check's wait: healthy, too slow, or an instance that exited."""

from ansible_collections.fastapi_ops.server.plugins.module_utils.health import exited, unit_state, wait_healthy


class Clock:
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def running(restarts="0"):
    return {"ActiveState": "active", "SubState": "running", "NRestarts": restarts, "ExecMainStatus": "0"}


def test_the_wait_ends_at_the_first_healthy_answer():
    clock = Clock()
    answers = iter([(False, "ConnectionRefusedError"), (False, "503 starting"), (True, "200 ok")])
    result = wait_healthy(lambda: next(answers), 30, 1, running, clock.time, clock.sleep)
    assert result == {"healthy": True, "attempts": 3, "elapsed": 2.0, "last": "200 ok", "exited": ""}


def test_an_instance_that_never_becomes_healthy_is_refused_after_the_timeout_with_its_last_answer():
    clock = Clock()
    result = wait_healthy(lambda: (False, "503 unhealthy"), 10, 1, running, clock.time, clock.sleep)
    assert not result["healthy"]
    assert result["last"] == "503 unhealthy" and result["exited"] == ""
    assert 10 <= result["attempts"] <= 11 and result["elapsed"] <= 10


def test_an_instance_that_exited_is_refused_at_once():
    clock = Clock()
    states = iter([running(), {"ActiveState": "activating", "SubState": "auto-restart", "NRestarts": "0", "ExecMainStatus": "3"}])
    result = wait_healthy(lambda: (False, "FileNotFoundError"), 30, 1, lambda: next(states), clock.time, clock.sleep)
    assert not result["healthy"]
    assert result["attempts"] == 1 and result["elapsed"] == 0
    assert result["exited"] == "activating (auto-restart)"


def test_a_restart_by_systemd_since_the_check_began_counts_as_exited():
    assert exited(running("3"), 2) == "restarted by systemd 1 time(s)"
    assert exited(running("2"), 2) == ""
    assert exited({"ActiveState": "failed", "SubState": "failed", "NRestarts": "0", "ExecMainStatus": "1"}, 0) == "failed (failed)"
    assert exited(running(""), None) == ""


def test_without_a_unit_only_the_answers_count():
    clock = Clock()
    result = wait_healthy(lambda: (False, "ConnectionRefusedError"), 3, 1, None, clock.time, clock.sleep)
    assert not result["healthy"] and result["exited"] == ""


def test_the_units_properties_are_read_with_systemctl_show():
    calls = []

    def output(argv):
        calls.append(argv)
        return "ActiveState=active\nSubState=running\nNRestarts=0\nExecMainStatus=0\n"

    assert unit_state("fastapi-hello@green.service", output) == running()
    assert calls == [["systemctl", "show", "--property=ActiveState,SubState,NRestarts,ExecMainStatus", "fastapi-hello@green.service"]]
